#include "workload.hpp"

#include <benchmark/benchmark.h>

#include <map>
#include <utility>

namespace txaio::bench {
namespace {
__extension__ typedef unsigned __int128 uint128;  // __extension__: GNU type, -Wpedantic clean
}  // namespace

std::vector<std::int64_t> delays_ns(std::size_t n, std::int64_t span_ns) {
  std::vector<std::int64_t> out;
  out.reserve(n);
  std::uint64_t state = workload_seed;
  for (std::size_t i = 0; i < n; ++i) {
    // The high 64 bits of draw * span: uniform in [0, span), monotone in the draw.
    const auto wide = static_cast<uint128>(splitmix64(state)) * static_cast<std::uint64_t>(span_ns);
    out.push_back(static_cast<std::int64_t>(wide >> 64));
  }
  return out;
}

bool check_tally(benchmark::State& state, const Tally& tally, const Tally& want) {
  if (tally.fired == want.fired && tally.index_sum == want.index_sum) return true;
  state.SkipWithError("the callbacks that ran are not the kept ones");
  return false;
}

Tally expected_tally(std::size_t n) noexcept {
  Tally t;
  for (std::size_t i = 0; i < n; ++i) {
    if (!is_dropped(i)) t.hit(i);
  }
  return t;
}

const std::vector<std::int64_t>& cached_delays_ns(std::size_t n, std::int64_t span_ns) {
  static std::map<std::pair<std::size_t, std::int64_t>, std::vector<std::int64_t>> cache;
  auto [it, added] = cache.try_emplace({n, span_ns});
  if (added) it->second = delays_ns(n, span_ns);
  return it->second;
}

}  // namespace txaio::bench
