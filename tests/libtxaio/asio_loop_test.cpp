#include "txaio/asio_loop.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <stdexcept>
#include <vector>

namespace {

using namespace std::chrono_literals;

// Real io_context, real millisecond timers. These tests assert order and completion only,
// never how long anything took.

TEST(AsioLoop, EveryNonCancelledCallRunsOnceInDueOrder) {
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  std::mt19937 rng(7);
  struct Call {
    txaio::DelayedCall handle;
    int runs = 0;
    bool cancelled = false;
  };
  std::vector<Call> calls(200);
  std::vector<std::pair<txaio::nanoseconds, int>> fired;  // (due, index)
  for (int i = 0; i < 200; ++i) {
    const auto delay = std::chrono::milliseconds(rng() % 20);
    calls[i].handle = loop.call_later(delay, [&, i] {
      ++calls[i].runs;
      fired.emplace_back(calls[i].handle.when(), i);
    });
  }
  for (int i = 0; i < 200; i += 7) {
    calls[i].handle.cancel();
    calls[i].cancelled = true;
  }
  io.run();
  for (int i = 0; i < 200; ++i) EXPECT_EQ(calls[i].runs, calls[i].cancelled ? 0 : 1) << "call " << i;
  EXPECT_TRUE(std::is_sorted(fired.begin(), fired.end())) << "calls ran out of (due, schedule) order";
  EXPECT_EQ(loop.pending_timers(), 0u);
}

TEST(AsioLoop, EqualDueTimesRunInSchedulingOrder) {
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  std::vector<int> order;
  // Scheduled from one callback so that all share one `now`, hence one due time.
  loop.call_soon([&] {
    for (int i = 0; i < 20; ++i) loop.call_later(2ms, [&order, i] { order.push_back(i); });
  });
  io.run();
  std::vector<int> want(20);
  for (int i = 0; i < 20; ++i) want[i] = i;
  EXPECT_EQ(order, want);
}

TEST(AsioLoop, CallSoonRunsInOrderAndNeverInline) {
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  std::vector<int> order;
  loop.call_soon([&] { order.push_back(1); });
  loop.call_soon([&](int v) { order.push_back(v); }, 2);
  EXPECT_TRUE(order.empty());
  io.run();
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(AsioLoop, CancelIsIdempotentAndActiveTracksState) {
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  int runs = 0;
  auto a = loop.call_later(1ms, [&] { ++runs; });
  auto b = loop.call_later(2ms, [&] { ++runs; });
  EXPECT_TRUE(a.active());
  a.cancel();
  a.cancel();
  EXPECT_FALSE(a.active());
  EXPECT_EQ(loop.pending_timers(), 1u);
  io.run();
  EXPECT_FALSE(b.active());
  b.cancel();
  EXPECT_EQ(runs, 1);
}

TEST(AsioLoop, CancellingTheEarliestCallStillRunsTheRest) {
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  std::vector<int> order;
  auto first = loop.call_later(1ms, [&] { order.push_back(1); });
  loop.call_later(3ms, [&] { order.push_back(3); });
  loop.call_later(0.002, [&] { order.push_back(2); });
  first.cancel();
  io.run();
  EXPECT_EQ(order, (std::vector<int>{2, 3}));
}

// If the cancelled call kept the steady timer armed, run() would wait an hour (and the test
// would time out): cancelling must let the context run out of work.
TEST(AsioLoop, CancellingEveryCallLetsRunReturn) {
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  bool ran = false;
  auto far = loop.call_later(1h, [&] { ran = true; });
  auto near = loop.call_later(2h, [&] { ran = true; });
  loop.call_soon([&] {
    far.cancel();
    near.cancel();
  });
  io.run();
  EXPECT_FALSE(ran);
  EXPECT_EQ(loop.pending_timers(), 0u);
}

// Handlers the context has ready now, polled a bounded number of times (never waits).
std::size_t ready_handlers(boost::asio::io_context& io) {
  std::size_t n = 0;
  for (int i = 0; i < 100; ++i) n += io.poll_one();
  return n;
}

// A due time near the end of loop time must not wrap the steady timer's deadline into the
// past: the timer fired at once, found nothing due and re-armed, forever (100% CPU).
TEST(AsioLoop, DueTimeNearTheEndOfTimeArmsAFarDeadlineNotAnExpiredOne) {
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  bool ran = false;
  auto far = loop.call_later(txaio::nanoseconds::max() - loop.now() - 1s, [&] { ran = true; });
  EXPECT_EQ(ready_handlers(io), 0u);
  EXPECT_TRUE(far.active());
  EXPECT_FALSE(ran);
}

TEST(AsioLoop, CancellingALaterCallLeavesTheEarlierArmed) {
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  std::vector<int> order;
  auto first = loop.call_later(1h, [&] { order.push_back(0); });
  loop.call_later(1ms, [&] { order.push_back(1); });
  loop.call_soon([&] { first.cancel(); });
  io.run();
  EXPECT_EQ(order, (std::vector<int>{1}));
}

TEST(AsioLoop, ThrowingCallbackDoesNotStopTheLoop) {
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  std::vector<int> order;
  loop.call_later(1ms, [&]() -> void { throw std::runtime_error("timer failed"); });
  loop.call_later(1ms, [&] { order.push_back(1); });
  loop.call_soon([]() -> void { throw std::logic_error("soon failed"); });
  loop.call_soon([&] { order.push_back(0); });
  EXPECT_NO_THROW(io.run());
  EXPECT_EQ(order, (std::vector<int>{0, 1}));
}

TEST(AsioLoop, NegativeDelayRunsSoon) {
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  bool ran = false;
  auto call = loop.call_later(-5s, [&] { ran = true; });
  EXPECT_LE(call.when(), loop.now());
  io.run();
  EXPECT_TRUE(ran);
}

TEST(AsioLoop, NowIsMonotonicAndWhenIsNowPlusDelay) {
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  const auto t0 = loop.now();
  auto call = loop.call_later(10ms, [] {});
  EXPECT_GE(call.when(), t0 + 10ms);
  EXPECT_GE(loop.now(), t0);
  call.cancel();
}

TEST(AsioLoop, CallsScheduledFromCallbacksRun) {
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  int depth = 0;
  std::function<void()> step = [&] {
    if (++depth < 50) loop.call_later(0s, step);
  };
  loop.call_later(1ms, step);
  io.run();
  EXPECT_EQ(depth, 50);
}

TEST(AsioLoop, ObserverSeesRealLoopEvents) {
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  struct Kinds : txaio::Observer {
    std::vector<txaio::EventKind> kinds;
    void on_event(const txaio::Event& e) override { kinds.push_back(e.kind); }
  } obs;
  loop.add_observer(obs);
  loop.call_later(1ms, [] {});
  auto doomed = loop.call_later(2ms, [] {});
  loop.call_later(3ms, []() -> void { throw std::runtime_error("x"); });
  doomed.cancel();
  io.run();
  using K = txaio::EventKind;
  EXPECT_EQ(obs.kinds, (std::vector<K>{K::schedule, K::schedule, K::schedule, K::cancel, K::fire, K::done, K::fire, K::error, K::done}));
}

TEST(AsioLoop, DestroyingLoopReleasesPendingCallsAndIsSafeForTheContext) {
  boost::asio::io_context io;
  auto token = std::make_shared<int>(0);
  {
    txaio::AsioLoop loop(io);
    loop.call_later(1h, [token] {});
    loop.call_soon([token] {});
  }
  EXPECT_EQ(token.use_count(), 2);  // the posted call_soon handler still holds its copy
  io.run();                         // handlers of a dead loop do nothing
  EXPECT_EQ(token.use_count(), 1);
}

TEST(AsioLoop, DispatchIsScheduled) {
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  EXPECT_EQ(loop.dispatch(), txaio::Dispatch::scheduled);
  EXPECT_EQ(&loop.context(), &io);
}

}  // namespace
