/// Baselines outside txaio: std::promise / std::future, and fmt::format.

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <future>
#include <string>

#include "workload.hpp"

namespace txaio::bench {
namespace {

// The baseline of future_roundtrip: create, complete and consume a std::future.
void std_promise_roundtrip(benchmark::State& state) {
  int sum = 0;
  for (auto _ : state) {
    std::promise<int> promise;
    std::future<int> future = promise.get_future();
    promise.set_value(1);
    sum += future.get();
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}

// The baseline of log_enabled_3args: formatting the same message with fmt alone.
void fmt_format_3args(benchmark::State& state) {
  std::size_t length = 0;
  for (auto _ : state) {
    std::string line = fmt::format(log_format_3args, 42, 3.25, "peer-7");
    length += line.size();
    benchmark::DoNotOptimize(line);
  }
  benchmark::DoNotOptimize(length);
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(std_promise_roundtrip);
BENCHMARK(fmt_format_3args);

}  // namespace txaio::bench
