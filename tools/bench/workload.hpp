#pragma once
/// The seeded workloads every txaio-bench benchmark of a family shares.

#include <cstdint>
#include <vector>

namespace benchmark {
class State;
}

namespace txaio::bench {

/// The seed of every generated workload (the Python peers use the same one).
inline constexpr std::uint64_t workload_seed = 42;

/// splitmix64 (the same generator as sim::Loop and tools/bench/peers.py).
constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// Ten percent of the calls are cancelled: every one whose index is `9 mod 10`.
constexpr bool is_dropped(std::size_t i) noexcept { return i % 10 == 9; }

/// The number of calls of an `n`-call workload that run.
constexpr std::size_t kept_count(std::size_t n) noexcept { return n - n / 10; }

/// `n` delays in [0, span_ns), uniform, drawn from `workload_seed`. The same draw scaled to
/// another span keeps the same order, so the 100 s (simulated) and 10 ms (real-time)
/// workloads are one workload.
std::vector<std::int64_t> delays_ns(std::size_t n, std::int64_t span_ns);

/// `delays_ns(n, span_ns)`, computed once per (n, span) and kept.
const std::vector<std::int64_t>& cached_delays_ns(std::size_t n, std::int64_t span_ns);

/// The sizes every N-parameterised benchmark runs at.
inline constexpr std::int64_t small_n = 1000;
inline constexpr std::int64_t medium_n = 100000;
inline constexpr std::int64_t large_n = 1000000;

/// What the callbacks of a timer workload did: how many ran and the sum of their indices,
/// so a benchmark can prove that exactly the calls it kept ran.
struct Tally {
  std::uint64_t fired = 0;
  std::uint64_t index_sum = 0;
  void hit(std::size_t i) noexcept {
    ++fired;
    index_sum += i;
  }
};

/// The tally an `n`-call workload must end with.
Tally expected_tally(std::size_t n) noexcept;

/// Every timer benchmark checks that exactly the kept calls ran: a miss is reported as an
/// error (`SkipWithError`) rather than a fast, wrong number. Returns whether they match.
bool check_tally(benchmark::State& state, const Tally& tally, const Tally& want);

/// The message the logging benchmarks and their fmt baseline format (an int, a double, a
/// string).
inline constexpr char log_format_3args[] = "request {} took {} ms from {}";

/// The simulated timer span: 100 s.
inline constexpr std::int64_t sim_span_ns = 100'000'000'000;
/// The real-time (Asio) timer span: 10 ms.
inline constexpr std::int64_t asio_span_ns = 10'000'000;

}  // namespace txaio::bench
