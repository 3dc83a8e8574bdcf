/// The Asio interoperation family (<txaio/asio.hpp>):
/// - `txaio_steady_timer/N` against `asio_raw_timers/N` (timers_bench.cpp): the timer workload
///   (N waits at random delays, every 10th cancelled) with `txaio::steady_timer` on an
///   io_context, each wait one entry in its AsioLoop's timer queue.
/// - `asio_on_sim/N` against `asio_fake_clock/N`: N `asio::awaitable` coroutines each awaiting a
///   timer at the workload's delays (100 s span); ours on a sim::Loop executor with
///   `run_until_idle`, the peer the technique used without txaio: `basic_waitable_timer` with a
///   fake clock and zero wait traits on an io_context, stepping the clock 1 ms and calling
///   `poll()` until every timer fired.

#include <benchmark/benchmark.h>

#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <vector>

#include "txaio/asio.hpp"
#include "txaio/sim/loop.hpp"
#include "timer_objects.hpp"
#include "workload.hpp"

namespace txaio::bench {
namespace {

namespace asio = boost::asio;
using std::chrono::nanoseconds;

void txaio_steady_timer(benchmark::State& state) { timer_objects<txaio::steady_timer>(state); }

// The tally of n timers that all fire.
Tally all_fired(std::size_t n) noexcept { return Tally{n, n * (n - 1) / 2}; }

// One coroutine of the asio_on_sim / asio_fake_clock workload.
template <class Timer>
asio::awaitable<void> waiter(std::size_t i, nanoseconds delay, Tally& tally) {
  Timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(asio::use_awaitable);
  tally.hit(i);
}

void asio_on_sim(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto& delays = cached_delays_ns(n, sim_span_ns);
  const Tally want = all_fired(n);
  Tally tally;
  for (auto _ : state) {
    tally = Tally{};
    sim::Loop loop(sim::Options{.max_events = 100'000'000});
    const loop_executor ex = asio_executor(loop);
    for (std::size_t i = 0; i < n; ++i) {
      asio::co_spawn(ex, waiter<txaio::steady_timer>(i, nanoseconds(delays[i]), tally), asio::detached);
    }
    loop.run_until_idle();
    if (!check_tally(state, tally, want)) return;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}

// The fake clock of the peer technique: a process-wide time point the test steps by hand.
struct FakeClock {
  using rep = std::int64_t;
  using period = std::nano;
  using duration = nanoseconds;
  using time_point = std::chrono::time_point<FakeClock, nanoseconds>;
  static constexpr bool is_steady = true;
  static inline time_point current{};
  static time_point now() noexcept { return current; }
};

// Zero wait traits: the io_context never blocks waiting for a fake time to come.
struct ZeroWaitTraits {
  static FakeClock::duration to_wait_duration(const FakeClock::duration&) { return FakeClock::duration::zero(); }
  static FakeClock::duration to_wait_duration(const FakeClock::time_point&) { return FakeClock::duration::zero(); }
};

using FakeTimer = asio::basic_waitable_timer<FakeClock, ZeroWaitTraits>;

void asio_fake_clock(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto& delays = cached_delays_ns(n, sim_span_ns);
  const Tally want = all_fired(n);
  constexpr nanoseconds step = std::chrono::milliseconds(1);
  Tally tally;
  for (auto _ : state) {
    tally = Tally{};
    FakeClock::current = FakeClock::time_point{};
    asio::io_context context;
    for (std::size_t i = 0; i < n; ++i) {
      asio::co_spawn(context, waiter<FakeTimer>(i, nanoseconds(delays[i]), tally), asio::detached);
    }
    context.poll();
    while (tally.fired < n && FakeClock::current.time_since_epoch() <= nanoseconds(sim_span_ns) + step) {
      FakeClock::current += step;
      context.poll();
    }
    if (!check_tally(state, tally, want)) return;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}

BENCHMARK(txaio_steady_timer)->Arg(small_n)->Arg(medium_n)->Arg(large_n)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(asio_on_sim)->Arg(small_n)->Arg(medium_n)->Unit(benchmark::kMillisecond);
BENCHMARK(asio_fake_clock)->Arg(small_n)->Arg(medium_n)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace txaio::bench
