/// check_schedules' throughput: schedules explored per second for a body of 100 timer events,
/// alone and with the determinism double run.

#include <benchmark/benchmark.h>

#include <chrono>
#include <stdexcept>

#include "txaio/testutil/rapidcheck.hpp"

namespace txaio::bench {
namespace {

constexpr int runs_per_iteration = 1000;

// 100 call_laters over 50 ms (many of them tied), run until idle.
void hundred_timers(sim::Loop& loop) {
  int fired = 0;
  for (int i = 0; i < 100; ++i) {
    txaio::call_later(std::chrono::milliseconds((i * 37) % 50), [&fired] { ++fired; });
  }
  loop.run_until_idle();
  if (fired != 100) throw std::logic_error("explore_schedules: the body lost a timer");
}

void run(benchmark::State& state, bool check_determinism) {
  const testutil::ExploreOptions options{.runs = runs_per_iteration, .check_determinism = check_determinism};
  for (auto _ : state) {
    const testutil::ExploreResult result = testutil::explore_schedules(hundred_timers, options);
    if (result.failed || result.runs != runs_per_iteration) {
      state.SkipWithError(result.message.substr(0, 200).c_str());
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * runs_per_iteration);
  state.SetLabel("schedules");
}

void explore_schedules(benchmark::State& state) { run(state, false); }
void explore_schedules_determinism(benchmark::State& state) { run(state, true); }

BENCHMARK(explore_schedules)->Unit(benchmark::kMillisecond);
BENCHMARK(explore_schedules_determinism)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace txaio::bench
