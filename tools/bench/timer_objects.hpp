#pragma once
/// The timer workload on Asio-style timer objects: one timer per call, `async_wait` with a
/// callback, every 10th cancelled, `io_context::run`. `asio_raw_timers` runs it on
/// `boost::asio::steady_timer`, `txaio_steady_timer` on `txaio::steady_timer`.

#include <benchmark/benchmark.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <vector>

#include "workload.hpp"

namespace txaio::bench {

template <class Timer>
void timer_objects(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto& delays = cached_delays_ns(n, asio_span_ns);
  const Tally want = expected_tally(n);
  boost::asio::io_context context;
  std::vector<Timer> timers;
  timers.reserve(n);
  Tally tally;
  for (auto _ : state) {
    tally = Tally{};
    for (std::size_t i = 0; i < n; ++i) {
      Timer& timer = timers.emplace_back(context);
      timer.expires_after(std::chrono::nanoseconds(delays[i]));
      timer.async_wait([&tally, i](const auto& ec) {
        if (!ec) tally.hit(i);
      });
    }
    for (std::size_t i = 9; i < n; i += 10) timers[i].cancel();
    context.run();
    context.restart();
    timers.clear();
    if (!check_tally(state, tally, want)) return;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}

}  // namespace txaio::bench
