/// Coroutines returning txaio::Future on sim::Loop: one await resolved from outside (against
/// future_roundtrip, the same round trip with a callback), and the timer workload as N
/// sleeping coroutines (against the tokio peer of tools/bench/peers.py).

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include "txaio/coroutine.hpp"
#include "txaio/sim/loop.hpp"
#include "workload.hpp"

namespace txaio::bench {
namespace {

// Awaits a future resolved from outside and adds its value.
Future<void> add_awaited(Api, Future<int> input, std::int64_t& sum) { sum += co_await input; }

// create_future, a coroutine awaiting it (suspends), resolve, the loop resumes the coroutine.
void coro_roundtrip(benchmark::State& state) {
  sim::Loop loop;
  const Api api = with_config(loop);
  std::int64_t sum = 0;
  for (auto _ : state) {
    Future<int> f = api.create_future<int>();
    add_awaited(api, f, sum);
    resolve(f, 1);
    loop.run_until_idle();
  }
  if (sum != state.iterations()) state.SkipWithError("a coroutine did not resume exactly once");
  state.SetItemsProcessed(state.iterations());
}

Future<void> sleeper(Api api, nanoseconds delay, std::size_t i, Tally& tally) {
  co_await api.sleep(delay);
  tally.hit(i);
}

// The timer workload as coroutines: N sleepers, every 10th cancelled, run_until_idle.
void coro_sleepers(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto& delays = cached_delays_ns(n, sim_span_ns);
  const Tally want = expected_tally(n);
  sim::Loop loop;
  const Api api = with_config(loop);
  std::vector<Future<void>> cancels;
  cancels.reserve(n / 10);
  Tally tally;
  for (auto _ : state) {
    tally = Tally{};
    for (std::size_t i = 0; i < n; ++i) {
      Future<void> g = sleeper(api, nanoseconds(delays[i]), i, tally);
      if (is_dropped(i)) cancels.push_back(std::move(g));
    }
    for (Future<void>& g : cancels) cancel(g);
    cancels.clear();
    loop.run_until_idle();
    if (!check_tally(state, tally, want)) return;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}

}  // namespace

BENCHMARK(coro_roundtrip);
BENCHMARK(coro_sleepers)->Arg(small_n)->Arg(medium_n)->Arg(large_n)->Unit(benchmark::kMillisecond);

}  // namespace txaio::bench
