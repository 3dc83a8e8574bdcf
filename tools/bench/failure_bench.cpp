/// Failures: `create_failure` with the stack 10 and 10,000 frames deep. A failure keeps at
/// most 64 frames and walks no more, so the deep stack should cost about what the shallow one
/// does (report.py's target: create_failure/10000 at most 4 times create_failure/10).

#include <benchmark/benchmark.h>

#include <exception>
#include <stdexcept>

#include "txaio/failure.hpp"

namespace txaio::bench {
namespace {

// Recurses `depth` frames, then measures create_failure there.
[[gnu::noinline]] void create_failures_at(benchmark::State& state, const std::exception_ptr& error, int depth) {
  if (depth > 0) {
    create_failures_at(state, error, depth - 1);
    benchmark::ClobberMemory();  // work after the call: no tail call, the frame stays
    return;
  }
  for (auto _ : state) {
    Failure failure = create_failure(error);
    benchmark::DoNotOptimize(failure);
  }
  state.SetItemsProcessed(state.iterations());
}

void create_failure_at_depth(benchmark::State& state) {
  const std::exception_ptr error = std::make_exception_ptr(std::runtime_error("bench"));
  create_failures_at(state, error, static_cast<int>(state.range(0)));
}

BENCHMARK(create_failure_at_depth)->Name("create_failure")->Arg(10)->Arg(10000);

}  // namespace
}  // namespace txaio::bench
