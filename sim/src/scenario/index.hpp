#pragma once
// The id index of the scenario parser. Internal to txaio-replay.
//
// Its layout and the parser's prefetching (ids enter the index a few lines after they are
// read, once their slot is in the cache; expect ids are resolved running ahead of themselves)
// are what keep `replay_parse_run/1000000` in tools/bench/replay_bench.cpp under 2 s: measure
// there before changing either.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "txaio/scenario.hpp"

namespace txaio::scenario::detail {

// The calls' ids, for lookups by id: an open-addressing table (linear probing, a power-of-two
// size kept at most three quarters full) of indexes into `Scenario::calls`, with each id's hash beside
// its index so that a probe reads a call only when the hashes agree.
class CallIndex {
public:
  void reserve(std::size_t n) {
    std::size_t capacity = 16;
    while (3 * capacity < 4 * n) capacity *= 2;
    if (capacity > slots_.size()) rehash(capacity);
  }

  static std::uint64_t hash(std::string_view id) noexcept { return std::hash<std::string_view>{}(id); }

  std::optional<std::uint32_t> find(std::string_view id, const std::vector<Call>& calls) const {
    return find(id, hash(id), calls);
  }
  /// `find` with the id's `hash` already computed.
  std::optional<std::uint32_t> find(std::string_view id, std::uint64_t h, const std::vector<Call>& calls) const {
    if (slots_.empty()) return std::nullopt;
    for (std::size_t i = h & mask();; i = (i + 1) & mask()) {
      const Slot& s = slots_[i];
      if (s.index == empty) return std::nullopt;
      if (s.hash == static_cast<std::uint32_t>(h) && calls[s.index].id == id) return s.index;
    }
  }

  /// Adds `id` (whose hash is `h`) -> `index` unless `id` is present; returns the id's index
  /// and whether it was added.
  std::pair<std::uint32_t, bool> try_emplace(std::string_view id, std::uint64_t h, std::uint32_t index,
                                             const std::vector<Call>& calls) {
    if (4 * (size_ + 1) > 3 * slots_.size()) rehash(std::max<std::size_t>(16, 2 * slots_.size()));
    std::size_t i = h & mask();
    for (;; i = (i + 1) & mask()) {
      const Slot& s = slots_[i];
      if (s.index == empty) break;
      if (s.hash == static_cast<std::uint32_t>(h) && calls[s.index].id == id) return {s.index, false};
    }
    slots_[i] = Slot{index, static_cast<std::uint32_t>(h)};
    ++size_;
    return {index, true};
  }

  /// Asks the cache for the slot where the search for hash `h` starts.
  void prefetch_slot(std::uint64_t h) const noexcept {
    if (!slots_.empty()) __builtin_prefetch(&slots_[h & mask()]);
  }
  /// Asks the cache for the call in the slot where the search for hash `h` starts, if any
  /// (call once that slot is likely cached, after `prefetch_slot`).
  void prefetch_call(std::uint64_t h, const std::vector<Call>& calls) const noexcept {
    if (slots_.empty()) return;
    const Slot& s = slots_[h & mask()];
    if (s.index != empty) __builtin_prefetch(&calls[s.index]);
  }

private:
  static constexpr std::uint32_t empty = std::numeric_limits<std::uint32_t>::max();
  struct Slot {
    std::uint32_t index = empty;
    std::uint32_t hash = 0;
  };

  std::size_t mask() const noexcept { return slots_.size() - 1; }

  void rehash(std::size_t capacity) {
    std::vector<Slot> old(capacity);
    old.swap(slots_);
    for (const Slot& s : old) {
      if (s.index == empty) continue;
      // The stored hash is the low 32 bits; capacities above 2^32 slots are out of reach.
      std::size_t i = s.hash & mask();
      while (slots_[i].index != empty) i = (i + 1) & mask();
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

}  // namespace txaio::scenario::detail
