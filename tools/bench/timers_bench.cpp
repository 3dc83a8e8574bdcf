/// The timer family: one seeded workload (schedule N calls at random delays, cancel every
/// 10th, run the rest) on a bare binary heap, sim::Loop, Boost.Asio, and the batched timer
/// on both loops.

#include <benchmark/benchmark.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

#include "txaio/asio_loop.hpp"
#include "txaio/batched_timer.hpp"
#include "txaio/sim/loop.hpp"
#include "timer_objects.hpp"
#include "workload.hpp"

namespace txaio::bench {
namespace {

using std::chrono::nanoseconds;

// heap_floor: the floor any timer structure is measured against.
Tally floor_tally;
void floor_tick(std::uint64_t seq) { floor_tally.hit(seq); }

struct FloorEntry {
  std::int64_t due;
  std::uint64_t seq;
  void (*fn)(std::uint64_t);
};

struct FloorLater {
  bool operator()(const FloorEntry& a, const FloorEntry& b) const noexcept {
    return a.due != b.due ? a.due > b.due : a.seq > b.seq;
  }
};

void heap_floor(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto& delays = cached_delays_ns(n, sim_span_ns);
  const Tally want = expected_tally(n);
  std::vector<FloorEntry> heap;
  std::vector<std::uint8_t> dropped(n, 0);  // dropping marks the sequence number
  for (auto _ : state) {
    floor_tally = Tally{};
    for (std::size_t i = 0; i < n; ++i) {
      heap.push_back(FloorEntry{delays[i], i, &floor_tick});
      std::push_heap(heap.begin(), heap.end(), FloorLater{});
    }
    for (std::size_t i = 9; i < n; i += 10) dropped[i] = 1;
    while (!heap.empty()) {
      std::pop_heap(heap.begin(), heap.end(), FloorLater{});
      const FloorEntry e = heap.back();
      heap.pop_back();
      if (dropped[e.seq] != 0) {
        dropped[e.seq] = 0;
        continue;
      }
      e.fn(e.seq);
    }
    if (!check_tally(state, floor_tally, want)) return;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}

// The timer workload through a txaio loop: schedule every call with a captured lambda, cancel
// every 10th, then `run` the loop until they all ran. The loop type is a template parameter so
// calls to a `final` loop are not made through the base class.
template <class L, class Run>
void loop_timers(benchmark::State& state, L& loop, std::int64_t span_ns, Run run) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto& delays = cached_delays_ns(n, span_ns);
  const Tally want = expected_tally(n);
  std::vector<DelayedCall> cancels;
  cancels.reserve(n / 10);
  Tally tally;
  for (auto _ : state) {
    tally = Tally{};
    for (std::size_t i = 0; i < n; ++i) {
      DelayedCall call = loop.call_later(nanoseconds(delays[i]), [&tally, i] { tally.hit(i); });
      if (is_dropped(i)) cancels.push_back(call);
    }
    for (DelayedCall& call : cancels) call.cancel();
    cancels.clear();
    run();
    if (!check_tally(state, tally, want)) return;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}

void sim_timers(benchmark::State& state) {
  sim::Loop loop;
  loop_timers(state, loop, sim_span_ns, [&loop] { loop.run_until_idle(); });
}

void asio_raw_timers(benchmark::State& state) { timer_objects<boost::asio::steady_timer>(state); }

void asio_loop_timers(benchmark::State& state) {
  boost::asio::io_context context;
  AsioLoop loop(context);
  loop_timers(state, loop, asio_span_ns, [&context] {
    context.run();
    context.restart();
  });
}

// Counts a batched timer's buckets (a loop timer scheduled for chunk 0) and the most loop
// timers pending at once (sampled at each step of its own loop timers), from its loop's
// observer events.
struct UnderlyingTimers final : Observer {
  const Loop* loop = nullptr;
  std::uint64_t batched = 0;
  std::size_t buckets = 0;
  std::size_t most_pending = 0;

  void sample() noexcept { most_pending = std::max(most_pending, loop->pending_timers()); }
  void on_event(const Event& e) override {
    if (e.source != EventSource::bucket_timer || e.batched != batched) return;
    if (e.kind == EventKind::schedule && e.bucket.chunk == 0) ++buckets;
    sample();
  }
  void report(benchmark::State& state) const {
    state.counters["buckets"] = static_cast<double>(buckets);
    state.counters["timers_max"] = static_cast<double>(most_pending);
  }
};

// One round of the workload through a batched timer; `run` drives the loop until idle.
// `watch`, if set, samples the loop timers pending once all calls are scheduled.
template <class Run>
bool batched_round(benchmark::State& state, BatchedTimer& timer, const std::vector<std::int64_t>& delays,
                   std::vector<BatchedCall>& cancels, UnderlyingTimers* watch, const Tally& want, Run run) {
  Tally tally;
  for (std::size_t i = 0; i < delays.size(); ++i) {
    BatchedCall call = timer.call_later(nanoseconds(delays[i]), [&tally, i] { tally.hit(i); });
    if (is_dropped(i)) cancels.push_back(call);
  }
  if (watch != nullptr) watch->sample();
  for (BatchedCall& call : cancels) call.cancel();
  cancels.clear();
  run();
  return check_tally(state, tally, want);
}

// The batched benchmarks' body: the timed rounds, then one more, untimed and observed, for
// the counters (an observer sees every call's events too, so the timed rounds run without one).
template <class Run>
void batched_rounds(benchmark::State& state, BatchedTimer& timer, const std::vector<std::int64_t>& delays, Run run) {
  const Tally want = expected_tally(delays.size());
  std::vector<BatchedCall> cancels;
  cancels.reserve(delays.size() / 10);
  for (auto _ : state) {
    if (!batched_round(state, timer, delays, cancels, nullptr, want, run)) return;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(delays.size()));
  UnderlyingTimers watch;
  watch.loop = &timer.loop();
  watch.batched = timer.id();
  timer.loop().add_observer(watch);
  const bool watched = batched_round(state, timer, delays, cancels, &watch, want, run);
  timer.loop().remove_observer(watch);
  if (watched) watch.report(state);
}

void batched_sim(benchmark::State& state) {
  const auto& delays = cached_delays_ns(static_cast<std::size_t>(state.range(0)), sim_span_ns);
  sim::Loop loop;
  BatchedTimer timer = make_batched_timer(loop, std::chrono::seconds(1));
  batched_rounds(state, timer, delays, [&] { loop.run_until_idle(); });
}

// `chunk_size` 0: the default (100).
void run_batched_asio(benchmark::State& state, std::int64_t chunk_size) {
  const auto& delays = cached_delays_ns(static_cast<std::size_t>(state.range(0)), asio_span_ns);
  boost::asio::io_context context;
  AsioLoop loop(context);
  BatchedTimer timer = chunk_size == 0 ? make_batched_timer(loop, std::chrono::milliseconds(10))
                                       : make_batched_timer(loop, std::chrono::milliseconds(10), chunk_size);
  batched_rounds(state, timer, delays, [&] {
    context.run();
    context.restart();
  });
}

void batched_asio(benchmark::State& state) { run_batched_asio(state, 0); }

// The same with one chunk per bucket (chunk_size = N): isolates what spreading a bucket's
// calls over chunks costs on a real clock (the last chunk runs up to one bucket after the
// bucket's key, and each chunk re-arms the loop's timer).
void batched_asio_unchunked(benchmark::State& state) { run_batched_asio(state, state.range(0)); }

}  // namespace

BENCHMARK(heap_floor)->Arg(small_n)->Arg(medium_n)->Arg(large_n)->Unit(benchmark::kMicrosecond);
BENCHMARK(sim_timers)->Arg(small_n)->Arg(medium_n)->Arg(large_n)->Unit(benchmark::kMicrosecond);
// Real-time benchmarks wait for real timers (a 10 ms round each): they report wall time,
// since the waiting is their cost, and the runner's minimum time (0.5 s by default, checked
// on wall time) bounds their iterations: about 50 rounds at N = 1000, one at N = 1000000.
BENCHMARK(asio_raw_timers)->Arg(small_n)->Arg(medium_n)->Arg(large_n)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(asio_loop_timers)->Arg(small_n)->Arg(medium_n)->Arg(large_n)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(batched_sim)->Arg(small_n)->Arg(medium_n)->Arg(large_n)->Unit(benchmark::kMicrosecond);
BENCHMARK(batched_asio)->Arg(small_n)->Arg(medium_n)->Arg(large_n)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(batched_asio_unchunked)->Arg(small_n)->Arg(medium_n)->Arg(large_n)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace txaio::bench
