/// txaio-replay: parse and run an N-call scenario held in memory, expectations included.

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "counting_allocator.hpp"
#include "txaio/replay/replay.hpp"
#include "workload.hpp"

namespace txaio::bench {
namespace {

// The timer workload as a scenario: N calls scheduled at time 0 with the workload's delays
// (in [0, 100 s), written in ns), every 10th cancelled at time 0, and an expect line for each
// call that runs, in firing order (due time, then scheduling order).
std::string make_scenario(std::size_t n) {
  const auto& delays = cached_delays_ns(n, sim_span_ns);
  std::string text = "txaio-scenario 1\nseed 42\nties fifo\n";
  text.reserve(n * 64);
  auto out = std::back_inserter(text);
  for (std::size_t i = 0; i < n; ++i) fmt::format_to(out, "at 0 call_later c{} {}ns\n", i, delays[i]);
  for (std::size_t i = 9; i < n; i += 10) fmt::format_to(out, "at 0 cancel c{}\n", i);
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return delays[a] < delays[b]; });
  for (std::size_t i : order) {
    if (is_dropped(i)) continue;
    fmt::format_to(out, "expect {} fire c{}\n", replay::format_time(delays[i]), i);
  }
  return text;
}

const std::string& cached_scenario(std::size_t n) {
  static std::map<std::size_t, std::string> cache;
  auto [it, added] = cache.try_emplace(n);
  if (added) it->second = make_scenario(n);
  return it->second;
}

void replay_parse_run(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::string& text = cached_scenario(n);
  const replay::ReplayOptions options;
  const AllocStats before = alloc_stats();
  CountingScope counting;
  for (auto _ : state) {
    const replay::Verdict outcome = replay::replay_text(text, "bench.txs", options);
    if (outcome.status != replay::Status::passed) {
      state.SkipWithError(fmt::format("the scenario did not pass: {} {}", replay::to_string(outcome.status),
                                      outcome.message.substr(0, 200))
                              .c_str());
      return;
    }
  }
  const AllocStats after = alloc_stats();
  const auto events = static_cast<double>(state.iterations()) * static_cast<double>(n);
  state.counters["scenario_bytes"] = static_cast<double>(text.size());
  state.counters["allocs_per_event"] = static_cast<double>(after.allocations - before.allocations) / events;
  state.counters["alloc_bytes_per_event"] = static_cast<double>(after.bytes_allocated - before.bytes_allocated) / events;
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}

}  // namespace

BENCHMARK(replay_parse_run)->Arg(small_n)->Arg(medium_n)->Arg(large_n)->Unit(benchmark::kMillisecond);

}  // namespace txaio::bench
