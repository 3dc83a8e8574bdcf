#pragma once
/// The timer store shared by `AsioLoop` and `sim::Loop`: a slab of nodes addressed by
/// (slot, generation) handles and a radix heap ordered by (due, tie). Due times never go
/// below the last one popped (a loop's clock does not go back), which a radix heap exploits:
/// push appends to a bucket chosen by the highest bit in which `due` differs from the last
/// minimum, and pop redistributes one bucket at a time, sequentially in memory.

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "txaio/detail/callback.hpp"

namespace txaio::detail {

class TimerQueue {
public:
  /// A heap entry. `tie` breaks equal due times (sequence for fifo, its complement for lifo,
  /// a seeded random number for random); `slot` breaks the rest, so the order is total.
  struct Entry {
    std::int64_t due;
    std::uint64_t tie;
    std::uint64_t gen;
    std::uint32_t slot;
  };

  TimerQueue();
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;
  ~TimerQueue();

  /// Adds a timer; returns its slot, `gen` receives its generation: a number no other timer
  /// of this queue had or will have (a 64-bit count of pushes, which does not wrap in
  /// practice), so a stale (slot, generation) handle never matches the slot's next occupant.
  std::uint32_t push(std::int64_t due, std::uint64_t tie, Callback fn, std::uint64_t& gen);

  /// Removes a pending timer. Returns false when it already ran or was cancelled.
  bool cancel(std::uint32_t slot, std::uint64_t gen) noexcept;
  bool active(std::uint32_t slot, std::uint64_t gen) const noexcept {
    return slot < size_ && node(slot).word == gen;
  }

  /// Test seam: the generation the next push gets. It must not go back (generations are
  /// unique) and stays below 2^63; tests use it to start near 2^32 without pushing that many
  /// timers.
  void set_next_generation(std::uint64_t gen) noexcept { next_gen_ = gen; }
  std::size_t size() const noexcept { return live_; }
  bool empty() const noexcept { return live_ == 0; }

  /// The next timer to run, or nullptr. Discards cancelled entries on the way.
  const Entry* top() noexcept;
  /// Removes the top timer (after `top()` returned it) and returns its callable.
  Callback pop() noexcept;

  /// Pending timers in firing order (O(n log n); for diagnostics and tests).
  std::vector<Entry> snapshot() const;

  /// Bytes held by the queue's own structures (capacity included).
  std::size_t bytes_reserved() const noexcept;

private:
  static constexpr std::uint32_t no_slot = 0x7fffffffu;
  // A slot's `word`: the generation of the timer in it, or, when the slot is free, `free_tag`
  // with the next free slot below it. Generations stay below 2^63 (a count of pushes), so a
  // free slot never matches a handle or a heap entry.
  static constexpr std::uint64_t free_tag = std::uint64_t{1} << 63;
  struct Node {
    Callback fn;
    std::uint64_t word = free_tag | no_slot;
  };
  static constexpr std::uint32_t chunk_bits = 10;
  static constexpr std::uint32_t chunk_size = 1u << chunk_bits;

  Node& node(std::uint32_t slot) noexcept { return chunks_[slot >> chunk_bits][slot & (chunk_size - 1)]; }
  const Node& node(std::uint32_t slot) const noexcept {
    return chunks_[slot >> chunk_bits][slot & (chunk_size - 1)];
  }
  void release(std::uint32_t slot) noexcept;
  bool alive(const Entry& e) const noexcept { return node(e.slot).word == e.gen; }
  bool refill() noexcept;
  bool split(std::vector<Entry>& bucket, std::uint64_t least) noexcept;
  void to_radix();
  void compact() noexcept;
  static std::uint64_t order_key(std::int64_t due) noexcept {
    return static_cast<std::uint64_t>(due) ^ (std::uint64_t{1} << 63);
  }
  std::size_t bucket_of(std::uint64_t key) const noexcept;

  std::vector<std::unique_ptr<Node[]>> chunks_;
  // buckets_[0]: a binary heap by (due, tie, slot) of the earliest entries, every one with
  // an order key at or below last_key_; buckets_[b], b >= 1: entries whose order key first
  // differs from last_key_ at bit b - 1 (so is above it), unordered.
  std::array<std::vector<Entry>, 65> buckets_;
  std::uint64_t last_key_ = std::uint64_t{1} << 63;  // order_key(0): loop time starts at 0
  std::size_t entries_ = 0;  // entries in all buckets, cancelled ones included
  std::uint64_t occupied_ = 0;  // bit b - 1 set: buckets_[b] may be non-empty (b >= 1)
  bool heap_mode_ = true;    // everything in bucket 0, until it outgrows the caches
  std::uint32_t size_ = 0;  // slots ever created
  std::uint32_t free_ = no_slot;
  std::size_t live_ = 0;
  std::uint64_t next_gen_ = 0;
};

/// Strict "runs before" order of heap entries.
inline bool runs_before(const TimerQueue::Entry& a, const TimerQueue::Entry& b) noexcept {
  if (a.due != b.due) return a.due < b.due;
  if (a.tie != b.tie) return a.tie < b.tie;
  return a.slot < b.slot;
}

}  // namespace txaio::detail
