/// Logging: a call below the active level, and an emitted line with three arguments into a
/// string sink (fmt_format_3args in baselines_bench.cpp is its baseline).

#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

#include "counting_allocator.hpp"
#include "txaio/logging.hpp"
#include "workload.hpp"

namespace txaio::bench {
namespace {

// Restores the sink and level a benchmark changed.
class LoggingSetup {
public:
  LoggingSetup(LogSink sink, LogLevel level)
      : previous_sink_(set_log_sink(std::move(sink))), previous_level_(get_global_log_level()) {
    set_global_log_level(level);
  }
  ~LoggingSetup() {
    set_log_sink(std::move(previous_sink_));
    set_global_log_level(previous_level_);
  }
  LoggingSetup(const LoggingSetup&) = delete;
  LoggingSetup& operator=(const LoggingSetup&) = delete;

private:
  LogSink previous_sink_;
  LogLevel previous_level_;
};

void allocations_per_call(benchmark::State& state, const AllocStats& before, const AllocStats& after) {
  state.counters["allocs_per_call"] = benchmark::Counter(static_cast<double>(after.allocations - before.allocations),
                                                         benchmark::Counter::kAvgIterations);
}

// A debug call while the level is info: the level check and nothing else.
void log_disabled(benchmark::State& state) {
  std::size_t lines = 0;
  LoggingSetup setup(LogSink([&lines](std::string_view) { ++lines; }), LogLevel::info);
  const Logger log = make_logger("txaio.bench");
  int request = 42;
  const AllocStats before = alloc_stats();
  {
    CountingScope counting;
    for (auto _ : state) {
      benchmark::DoNotOptimize(request);
      log.debug(log_format_3args, request, 3.25, "peer-7");
    }
  }
  allocations_per_call(state, before, alloc_stats());
  if (lines != 0) state.SkipWithError("a disabled call wrote a line");
  state.SetItemsProcessed(state.iterations());
}

// An info call while the level is info: formatted, time-stamped and handed to a sink that
// keeps the last line in a string.
void log_enabled_3args(benchmark::State& state) {
  std::string last;
  std::size_t lines = 0;
  LoggingSetup setup(LogSink([&](std::string_view text) {
                       last.assign(text);
                       ++lines;
                     }),
                     LogLevel::info);
  const Logger log = make_logger("txaio.bench");
  const AllocStats before = alloc_stats();
  {
    CountingScope counting;
    for (auto _ : state) log.info(log_format_3args, 42, 3.25, "peer-7");
  }
  allocations_per_call(state, before, alloc_stats());
  if (lines != static_cast<std::size_t>(state.iterations()) ||
      last.find("request 42 took 3.25 ms from peer-7") == std::string::npos) {
    state.SkipWithError("the sink did not receive the lines");
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(log_disabled);
BENCHMARK(log_enabled_3args);

}  // namespace txaio::bench
