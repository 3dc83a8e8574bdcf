/// Futures on sim::Loop with scheduled dispatch (asyncio's model, AsioLoop's): one round trip,
/// and gather over N resolved futures. std_promise_roundtrip (baselines_bench.cpp) is the
/// baseline.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "txaio/api.hpp"
#include "txaio/future.hpp"
#include "txaio/gather.hpp"
#include "txaio/sim/loop.hpp"
#include "workload.hpp"

namespace txaio::bench {
namespace {

sim::Options scheduled_dispatch() {
  sim::Options options;
  options.dispatch = Dispatch::scheduled;
  return options;
}

// create_future, add_callbacks, resolve, and the loop runs the callback.
void future_roundtrip(benchmark::State& state) {
  sim::Loop loop(scheduled_dispatch());
  const Api api = with_config(loop);
  std::int64_t sum = 0;
  for (auto _ : state) {
    Future<int> f = api.create_future<int>();
    add_callbacks(f, [&sum](int v) { sum += v; });
    resolve(f, 1);
    loop.run_until_idle();
  }
  if (sum != state.iterations()) state.SkipWithError("a callback did not run exactly once");
  state.SetItemsProcessed(state.iterations());
}

// gather of N futures already resolved, run until the gathered future's callback ran; items
// are the gathered futures.
void gather(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  sim::Loop loop(scheduled_dispatch());
  const Api api = with_config(loop);
  std::vector<Future<int>> inputs;
  inputs.reserve(n);
  for (std::size_t i = 0; i < n; ++i) inputs.push_back(api.create_future_success(static_cast<int>(i % 7)));
  const std::int64_t expected_sum = [&] {
    std::int64_t s = 0;
    for (std::size_t i = 0; i < n; ++i) s += static_cast<std::int64_t>(i % 7);
    return s;
  }();
  bool ok = true;
  for (auto _ : state) {
    Future<std::vector<Outcome<int>>> all = api.gather(inputs);
    std::int64_t sum = -1;
    add_callbacks(all, [&sum](const std::vector<Outcome<int>>& outcomes) {
      sum = 0;
      for (const Outcome<int>& o : outcomes) sum += o.value();
    });
    loop.run_until_idle();
    ok = ok && sum == expected_sum;
  }
  if (!ok) state.SkipWithError("the gathered values are not the inputs'");
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}

}  // namespace

BENCHMARK(future_roundtrip);
BENCHMARK(gather)->Arg(small_n)->Arg(medium_n)->Arg(large_n)->Unit(benchmark::kMicrosecond);

}  // namespace txaio::bench
