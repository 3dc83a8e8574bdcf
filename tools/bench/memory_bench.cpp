/// Memory per pending call, measured with the counting global allocator: the bytes the
/// structures hold while N calls are pending, divided by N, less the callable's own size.

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>

#include "counting_allocator.hpp"
#include "txaio/batched_timer.hpp"
#include "txaio/sim/loop.hpp"
#include "workload.hpp"

namespace txaio::bench {
namespace {

using std::chrono::nanoseconds;

// The callable every measured call holds: 16 bytes, stored inline by txaio::Callback.
struct Payload {
  std::uint64_t* counter;
  std::uint64_t index;
  void operator()() const { *counter += index; }
};

// Reports bytes per pending call: `total` includes the callable's storage, the plain
// counter excludes it.
void report_bytes(benchmark::State& state, std::int64_t live_bytes, std::size_t n, std::uint64_t allocations) {
  const double per_call = static_cast<double>(live_bytes) / static_cast<double>(n);
  state.counters["bytes_per_call"] = per_call - static_cast<double>(sizeof(Payload));
  state.counters["bytes_per_call_total"] = per_call;
  state.counters["allocs_per_call"] = static_cast<double>(allocations) / static_cast<double>(n);
  state.counters["callable_bytes"] = static_cast<double>(sizeof(Payload));
}

void mem_sim_timer(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto& delays = cached_delays_ns(n, sim_span_ns);
  std::uint64_t counter = 0;
  std::int64_t live = 0;
  std::uint64_t allocations = 0;
  for (auto _ : state) {
    CountingScope counting;
    const AllocStats before = alloc_stats();
    {
      sim::Loop loop;
      for (std::size_t i = 0; i < n; ++i) loop.call_later(nanoseconds(delays[i]), Payload{&counter, i});
      const AllocStats pending = alloc_stats();
      live = pending.live_bytes - before.live_bytes;
      allocations = pending.allocations - before.allocations;
      if (loop.pending_timers() != n) {
        state.SkipWithError("not every call is pending");
        return;
      }
    }
  }
  report_bytes(state, live, n, allocations);
}

// The same through a batched timer with 1 s buckets: N calls share 100 loop timers.
void mem_batched_call(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto& delays = cached_delays_ns(n, sim_span_ns);
  std::uint64_t counter = 0;
  std::int64_t live = 0;
  std::uint64_t allocations = 0;
  for (auto _ : state) {
    CountingScope counting;
    const AllocStats before = alloc_stats();
    {
      sim::Loop loop;
      BatchedTimer timer = make_batched_timer(loop, std::chrono::seconds(1));
      for (std::size_t i = 0; i < n; ++i) timer.call_later(nanoseconds(delays[i]), Payload{&counter, i});
      const AllocStats pending = alloc_stats();
      live = pending.live_bytes - before.live_bytes;
      allocations = pending.allocations - before.allocations;
      if (timer.pending_count() != n) {
        state.SkipWithError("not every call is pending");
        return;
      }
    }
  }
  report_bytes(state, live, n, allocations);
}

}  // namespace

BENCHMARK(mem_batched_call)->Arg(small_n)->Arg(medium_n)->Arg(large_n)->Unit(benchmark::kMillisecond);
BENCHMARK(mem_sim_timer)->Arg(small_n)->Arg(medium_n)->Arg(large_n)->Unit(benchmark::kMillisecond);

}  // namespace txaio::bench
