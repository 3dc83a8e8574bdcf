#include "txaio/sim/loop.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <ratio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "txaio/config.hpp"
#include "txaio/detail/timer_handle.hpp"
#include "txaio/errors.hpp"
#include "txaio/logging.hpp"

namespace {

using namespace std::chrono_literals;
using txaio::nanoseconds;
using txaio::sim::Loop;
using txaio::sim::Options;
using txaio::sim::Ties;

TEST(SimLoop, StartsAtZeroAndIdle) {
  Loop loop;
  EXPECT_EQ(loop.now(), 0ns);
  EXPECT_TRUE(loop.idle());
  EXPECT_EQ(loop.pending_timers(), 0u);
}

// cause(): the timer whose callback runs, inherited by the call_soon work it posts (and the
// work that work posts); 0 outside callbacks and for work posted from outside; restored
// when a callback throws.
TEST(SimLoop, CauseIsTheTimerWhoseCallbackPostedTheWork) {
  Loop loop;
  std::vector<std::uint64_t> seen;
  txaio::DelayedCall a = loop.call_later(1, [&] {
    seen.push_back(loop.cause());
    loop.call_soon([&] {
      seen.push_back(loop.cause());
      loop.call_soon([&] { seen.push_back(loop.cause()); });
    });
    throw std::runtime_error("a throws after posting");
  });
  loop.call_soon([&] { seen.push_back(loop.cause()); });
  EXPECT_EQ(loop.cause(), 0u);
  EXPECT_THROW(loop.advance(1s), std::runtime_error);
  EXPECT_EQ(loop.cause(), 0u);
  loop.run_until_idle();
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{0, a.id(), a.id(), a.id()}));
}

TEST(SimLoop, AdvanceRunsDueCallsInDueOrder) {
  Loop loop;
  std::vector<int> order;
  loop.call_later(3s, [&] { order.push_back(3); });
  loop.call_later(1s, [&] { order.push_back(1); });
  loop.call_later(2s, [&] { order.push_back(2); });
  loop.advance(2s);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  loop.advance(1s);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

// Twisted task.Clock: equal due times run in scheduling order.
TEST(SimLoop, EqualDueTimesRunInSchedulingOrder) {
  Loop loop;
  std::vector<int> order;
  for (int i = 0; i < 10; ++i) loop.call_later(1s, [&order, i] { order.push_back(i); });
  loop.advance(1s);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

// Twisted task.Clock: calls scheduled during advance that fall due run in the same advance.
TEST(SimLoop, CallsScheduledDuringAdvanceThatFallDueRunInSameAdvance) {
  Loop loop;
  std::vector<std::pair<std::string, nanoseconds>> log;
  loop.call_later(1s, [&] {
    log.emplace_back("a", loop.now());
    loop.call_later(2s, [&] { log.emplace_back("b", loop.now()); });   // due 3 s: runs
    loop.call_later(10s, [&] { log.emplace_back("c", loop.now()); });  // due 11 s: waits
    loop.call_later(0s, [&] { log.emplace_back("d", loop.now()); });   // due 1 s: runs
  });
  loop.advance(5s);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0], std::make_pair(std::string("a"), nanoseconds(1s)));
  EXPECT_EQ(log[1], std::make_pair(std::string("d"), nanoseconds(1s)));
  EXPECT_EQ(log[2], std::make_pair(std::string("b"), nanoseconds(3s)));
  EXPECT_EQ(loop.pending_timers(), 1u);
}

// Twisted task.Clock: now() is the due time inside a callback and the target afterwards.
TEST(SimLoop, NowIsDueTimeInsideCallbackAndTargetAfterwards) {
  Loop loop;
  std::vector<nanoseconds> seen;
  loop.call_later(250ms, [&] { seen.push_back(loop.now()); });
  loop.call_later(1.5, [&] { seen.push_back(loop.now()); });
  loop.advance(7s);
  EXPECT_EQ(seen, (std::vector<nanoseconds>{250ms, 1500ms}));
  EXPECT_EQ(loop.now(), 7s);
}

TEST(SimLoop, CallDueExactlyAtTargetRuns) {
  Loop loop;
  bool ran = false;
  loop.call_later(1s, [&] { ran = true; });
  loop.advance(999'999'999ns);
  EXPECT_FALSE(ran);
  loop.advance(1ns);
  EXPECT_TRUE(ran);
}

TEST(SimLoop, NegativeAdvanceIsInvalidArgument) {
  Loop loop;
  EXPECT_THROW(loop.advance(-1ns), std::invalid_argument);
  EXPECT_THROW(loop.advance(-0.5), std::invalid_argument);
  EXPECT_EQ(loop.now(), 0ns);
}

// A third of a second is not a whole number of nanoseconds per tick: the delay, the advance
// and the target must still convert without overflowing (10^10 thirds is 105 years).
TEST(SimLoop, DelaysAndAdvancesInThirdsOfASecondDoNotOverflow) {
  using thirds = std::chrono::duration<std::int64_t, std::ratio<1, 3>>;
  Loop loop;
  bool ran = false;
  auto call = loop.call_later(thirds(10'000'000'000), [&] { ran = true; });
  EXPECT_EQ(call.when(), nanoseconds(3'333'333'333'333'333'333));
  loop.advance(thirds(9'000'000'000));
  EXPECT_FALSE(ran);
  EXPECT_EQ(loop.now(), nanoseconds(3'000'000'000'000'000'000));
  loop.advance_to(thirds(10'000'000'000));
  EXPECT_TRUE(ran);
}

TEST(SimLoop, AdvanceToBeforeNowNamesBothTimesWithTheirSigns) {
  Loop loop;
  loop.advance(1500ms);
  try {
    loop.advance_to(nanoseconds::min());
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("target -9223372036.854775808s is before now() = 1.5s"), std::string::npos) << what;
  }
}

TEST(SimLoop, AdvanceToAbsoluteTime) {
  Loop loop;
  std::vector<nanoseconds> seen;
  loop.call_later(2s, [&] { seen.push_back(loop.now()); });
  loop.advance_to(3s);
  EXPECT_EQ(loop.now(), 3s);
  EXPECT_EQ(seen, (std::vector<nanoseconds>{2s}));
  EXPECT_THROW(loop.advance_to(1s), std::invalid_argument);
  EXPECT_EQ(loop.now(), 3s);
}

TEST(SimLoop, PumpAdvancesByEachDuration) {
  Loop loop;
  std::vector<nanoseconds> seen;
  for (int i = 1; i <= 3; ++i) loop.call_later(std::chrono::seconds(i), [&] { seen.push_back(loop.now()); });
  loop.pump({1s, 1s, 500ms});
  EXPECT_EQ(seen, (std::vector<nanoseconds>{1s, 2s}));
  EXPECT_EQ(loop.now(), 2500ms);
  const std::vector<double> steps{0.25, 0.25};
  loop.pump(std::span<const double>(steps));
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_EQ(loop.now(), 3s);
}

TEST(SimLoop, CallSoonRunsBeforeLaterTimers) {
  Loop loop;
  std::vector<std::string> order;
  loop.call_later(0s, [&] { order.push_back("timer0"); });
  loop.call_later(1s, [&] { order.push_back("timer1"); });
  loop.call_soon([&] { order.push_back("soon"); });
  loop.advance(1s);
  EXPECT_EQ(order, (std::vector<std::string>{"soon", "timer0", "timer1"}));
}

TEST(SimLoop, CallSoonFromTimerRunsBeforeNextTimerAtSameTime) {
  Loop loop;
  std::vector<std::string> order;
  loop.call_later(1s, [&] {
    order.push_back("a");
    loop.call_soon([&] { order.push_back("a-soon"); });
  });
  loop.call_later(1s, [&] { order.push_back("b"); });
  loop.advance(1s);
  EXPECT_EQ(order, (std::vector<std::string>{"a", "a-soon", "b"}));
}

TEST(SimLoop, AdvanceZeroRunsReadyWorkOnly) {
  Loop loop;
  int soon = 0;
  int timer = 0;
  loop.call_soon([&] { ++soon; });
  loop.call_later(1ns, [&] { ++timer; });
  loop.advance(0s);
  EXPECT_EQ(soon, 1);
  EXPECT_EQ(timer, 0);
  EXPECT_EQ(loop.now(), 0ns);
}

TEST(SimLoop, CallSoonPassesArguments) {
  Loop loop;
  std::string got;
  loop.call_soon([&](const std::string& a, int b) { got = a + std::to_string(b); }, std::string("x"), 7);
  loop.call_later(1s, [&](int v) { got += std::to_string(v); }, 9);
  loop.advance(1s);
  EXPECT_EQ(got, "x79");
}

TEST(SimLoop, CancelledCallNeverRuns) {
  Loop loop;
  bool ran = false;
  auto call = loop.call_later(1s, [&] { ran = true; });
  call.cancel();
  loop.advance(10s);
  EXPECT_FALSE(ran);
  EXPECT_EQ(loop.pending_timers(), 0u);
}

TEST(SimLoop, CancelIsIdempotentAndNoOpAfterFiring) {
  Loop loop;
  int runs = 0;
  auto a = loop.call_later(1s, [&] { ++runs; });
  auto b = loop.call_later(2s, [&] { ++runs; });
  a.cancel();
  a.cancel();
  loop.advance(2s);
  b.cancel();
  b.cancel();
  EXPECT_EQ(runs, 1);
  // A slot reused by a new call is not affected by the old handle.
  auto c = loop.call_later(1s, [&] { ++runs; });
  a.cancel();
  b.cancel();
  EXPECT_TRUE(c.active());
  loop.advance(1s);
  EXPECT_EQ(runs, 2);
}

TEST(SimLoop, ActiveAndWhen) {
  Loop loop;
  loop.advance(5s);
  auto call = loop.call_later(2s, [] {});
  EXPECT_TRUE(call.active());
  EXPECT_EQ(call.when(), 7s);
  loop.advance(2s);
  EXPECT_FALSE(call.active());
  EXPECT_EQ(call.when(), 7s);
  txaio::DelayedCall empty;
  EXPECT_FALSE(empty.active());
  empty.cancel();
  EXPECT_EQ(empty.id(), 0u);
}

TEST(SimLoop, NegativeDelayIsClampedToZero) {
  Loop loop;
  loop.advance(3s);
  std::vector<nanoseconds> seen;
  auto call = loop.call_later(-5s, [&] { seen.push_back(loop.now()); });
  loop.call_later(-2.5, [&] { seen.push_back(loop.now()); });
  EXPECT_EQ(call.when(), 3s);
  loop.advance(0s);
  EXPECT_EQ(seen, (std::vector<nanoseconds>{3s, 3s}));
}

TEST(SimLoop, DoubleSecondsAreExactNanoseconds) {
  Loop loop;
  auto call = loop.call_later(0.1, [] {});
  EXPECT_EQ(call.when(), 100ms);
  auto call2 = loop.call_later(5.1, [] {});
  EXPECT_EQ(call2.when(), 5100ms);
}

TEST(SimLoop, HugeDelaySaturatesInsteadOfOverflowing) {
  Loop loop;
  loop.advance(1s);
  auto call = loop.call_later(std::chrono::hours::max(), [] {});
  EXPECT_EQ(call.when(), nanoseconds::max());
  loop.advance(1000s);
  EXPECT_TRUE(call.active());
}

// A timer slot reused 2^32 times: the 32-bit generation wrapped, so a stale handle cancelled
// the slot's new call and two calls shared an id. The seam starts the count near the wrap.
TEST(SimLoop, AStaleHandleNeverCancelsTheCallReusingItsSlotPastTwoToThe32Reuses) {
  Loop loop;
  txaio::DelayedCall old = loop.call_later(1s, [] {});
  old.cancel();
  txaio::detail::TimerHandleAccess::timers(loop).set_next_generation(old.id() - 1 + (std::uint64_t{1} << 32));
  bool ran = false;
  txaio::DelayedCall fresh = loop.call_later(1s, [&] { ran = true; });
  EXPECT_NE(fresh.id(), old.id());
  EXPECT_FALSE(old.active());
  old.cancel();
  EXPECT_TRUE(fresh.active());
  ASSERT_EQ(loop.pending_calls().size(), 1u);
  EXPECT_EQ(loop.pending_calls()[0].id, fresh.id());
  loop.advance(1s);
  EXPECT_TRUE(ran);
}

TEST(SimLoop, PendingCallsInFiringOrder) {
  Loop loop;
  auto c = loop.call_later(3s, [] {});
  auto a = loop.call_later(1s, [] {});
  auto b = loop.call_later(2s, [] {});
  auto d = loop.call_later(2s, [] {});
  b.cancel();
  const auto pending = loop.pending_calls();
  ASSERT_EQ(pending.size(), 3u);
  EXPECT_EQ(pending[0].id, a.id());
  EXPECT_EQ(pending[0].when, 1s);
  EXPECT_EQ(pending[1].id, d.id());
  EXPECT_EQ(pending[2].id, c.id());
}

TEST(SimLoop, LifoTiesReverseSchedulingOrder) {
  Loop loop(Options{.ties = Ties::lifo});
  std::vector<int> order;
  for (int i = 0; i < 4; ++i) loop.call_later(1s, [&order, i] { order.push_back(i); });
  loop.call_later(500ms, [&order] { order.push_back(-1); });
  loop.advance(1s);
  EXPECT_EQ(order, (std::vector<int>{-1, 3, 2, 1, 0}));
}

std::vector<int> random_tie_order(std::uint64_t seed) {
  Loop loop(Options{.seed = seed, .ties = Ties::random});
  std::vector<int> order;
  for (int i = 0; i < 20; ++i) loop.call_later(1s, [&order, i] { order.push_back(i); });
  for (int i = 20; i < 40; ++i) loop.call_later(2s, [&order, i] { order.push_back(i); });
  loop.advance(2s);
  return order;
}

TEST(SimLoop, RandomTiesSameSeedSameOrderIn100Reruns) {
  const auto first = random_tie_order(42);
  for (int run = 0; run < 100; ++run) ASSERT_EQ(random_tie_order(42), first) << "rerun " << run;
}

TEST(SimLoop, RandomTiesDifferentSeedsGiveDifferentOrders) {
  const auto a = random_tie_order(1);
  const auto b = random_tie_order(2);
  const auto c = random_tie_order(3);
  EXPECT_NE(a, b);
  EXPECT_NE(b, c);
  EXPECT_NE(a, c);
  // Not the scheduling order either: the policy really permutes.
  std::vector<int> fifo(40);
  for (int i = 0; i < 40; ++i) fifo[i] = i;
  EXPECT_NE(a, fifo);
}

TEST(SimLoop, RandomTiesOnlyPermuteEqualDueTimes) {
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    const auto order = random_tie_order(seed);
    ASSERT_EQ(order.size(), 40u);
    for (int i = 0; i < 20; ++i) EXPECT_LT(order[i], 20) << "seed " << seed;
    for (int i = 20; i < 40; ++i) EXPECT_GE(order[i], 20) << "seed " << seed;
  }
}

TEST(SimLoop, RunUntilIdleJumpsTimerToTimer) {
  Loop loop;
  std::vector<nanoseconds> seen;
  loop.call_later(10s, [&] {
    seen.push_back(loop.now());
    loop.call_later(100s, [&] { seen.push_back(loop.now()); });
  });
  loop.call_later(1ms, [&] { seen.push_back(loop.now()); });
  EXPECT_EQ(loop.run_until_idle(), 3u);
  EXPECT_EQ(seen, (std::vector<nanoseconds>{1ms, 10s, 110s}));
  EXPECT_EQ(loop.now(), 110s);
  EXPECT_TRUE(loop.idle());
}

void reschedule_forever(Loop& loop, int& count) {
  ++count;
  loop.call_later(0s, [&loop, &count] { reschedule_forever(loop, count); });
}

TEST(SimLoop, RunawayZeroDelayRescheduleStopsAdvance) {
  Loop loop(Options{.max_events = 1000});
  int count = 0;
  loop.call_later(1s, [&] { reschedule_forever(loop, count); });
  try {
    loop.advance(2s);
    FAIL() << "expected RunawayError";
  } catch (const txaio::sim::RunawayError& e) {
    EXPECT_NE(std::string(e.what()).find("1000"), std::string::npos) << e.what();
  }
  EXPECT_EQ(count, 1000);
  EXPECT_EQ(loop.now(), 1s);
  EXPECT_EQ(loop.pending_timers(), 1u);  // the loop is consistent: the next call is still queued
}

TEST(SimLoop, RunawayStopsRunUntilIdleWithItsLimit) {
  Loop loop;
  int count = 0;
  loop.call_soon([&] { reschedule_forever(loop, count); });
  EXPECT_THROW(loop.run_until_idle(500), txaio::sim::RunawayError);
  EXPECT_EQ(count, 500);
  // Cancelling the program is possible afterwards: the loop still works.
  EXPECT_EQ(loop.pending_calls().size(), 1u);
}

TEST(SimLoop, RunawayCallSoonChainStops) {
  Loop loop(Options{.max_events = 100});
  std::function<void()> again = [&] { loop.call_soon(again); };
  loop.call_soon(again);
  EXPECT_THROW(loop.advance(0s), txaio::sim::RunawayError);
}

TEST(SimLoop, ExceptionEscapingCallbackIsRethrownAndLoopCarriesOn) {
  Loop loop;
  std::vector<int> order;
  loop.call_later(1s, [&] { order.push_back(1); });
  loop.call_later(2s, [&]() -> void { throw std::runtime_error("boom"); });
  loop.call_later(3s, [&] { order.push_back(3); });
  try {
    loop.advance(5s);
    FAIL() << "expected the callback's exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "boom");
  }
  EXPECT_EQ(order, (std::vector<int>{1}));
  EXPECT_EQ(loop.now(), 2s);
  EXPECT_EQ(loop.pending_timers(), 1u);
  loop.advance(1s);  // the next advance carries on
  EXPECT_EQ(order, (std::vector<int>{1, 3}));
  EXPECT_EQ(loop.now(), 3s);
}

TEST(SimLoop, ExceptionFromCallSoonIsRethrown) {
  Loop loop;
  bool after = false;
  loop.call_soon([]() -> void { throw std::logic_error("soon failed"); });
  loop.call_soon([&] { after = true; });
  EXPECT_THROW(loop.advance(0s), std::logic_error);
  EXPECT_FALSE(after);
  loop.advance(0s);
  EXPECT_TRUE(after);
}

TEST(SimLoop, ReportedExceptionIsRethrownAfterTheRunningCallback) {
  Loop loop;
  std::vector<int> order;
  loop.call_later(1s, [&] {
    loop.report_exception(std::make_exception_ptr(std::runtime_error("reported")), "test");
    order.push_back(1);
  });
  loop.call_later(1s, [&] { order.push_back(2); });
  EXPECT_THROW(loop.advance(1s), std::runtime_error);
  EXPECT_EQ(order, (std::vector<int>{1}));
  loop.advance(0s);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(SimLoop, ExceptionReportedWhileIdleIsThrownByNextRun) {
  Loop loop;
  loop.report_exception(std::make_exception_ptr(txaio::BatchError({"a: b"})), "test");
  EXPECT_THROW(loop.advance(0s), txaio::BatchError);
  EXPECT_NO_THROW(loop.advance(0s));
}

TEST(SimLoop, AdvanceFromInsideACallbackIsUsageError) {
  Loop loop;
  loop.call_soon([&] { loop.advance(1s); });
  EXPECT_THROW(loop.advance(0s), txaio::UsageError);
}

struct RecordingObserver : txaio::Observer {
  std::vector<std::string> lines;
  void on_event(const txaio::Event& e) override {
    lines.push_back(std::string(to_string(e.kind)) + " t=" + std::to_string(e.time.count() / 1'000'000) +
                    " due=" + std::to_string(e.due.count() / 1'000'000) + (e.message.empty() ? "" : " ") +
                    std::string(e.message));
  }
};

TEST(SimLoop, ObserverSeesScheduleCancelFireErrorWithVirtualTimes) {
  Loop loop;
  RecordingObserver obs;
  loop.add_observer(obs);
  loop.advance(1s);
  auto a = loop.call_later(2s, [] {});
  auto b = loop.call_later(3s, [] {});
  loop.call_later(4s, []() -> void { throw std::runtime_error("bad"); });
  loop.advance(500ms);
  b.cancel();
  b.cancel();  // idempotent: no second event
  EXPECT_THROW(loop.advance(10s), std::runtime_error);
  EXPECT_EQ(obs.lines, (std::vector<std::string>{
                           "schedule t=1000 due=3000",
                           "schedule t=1000 due=4000",
                           "schedule t=1000 due=5000",
                           "cancel t=1500 due=4000",
                           "fire t=3000 due=3000",
                           "done t=3000 due=3000",
                           "fire t=5000 due=5000",
                           "error t=5000 due=5000 bad",
                           "done t=5000 due=5000",
                       }));
  (void)a;
  loop.remove_observer(obs);
  loop.call_later(1s, [] {});
  EXPECT_EQ(obs.lines.size(), 9u);
}

TEST(SimLoop, ObserverEventIdsMatchDelayedCallIds) {
  Loop loop;
  struct Ids : txaio::Observer {
    std::vector<std::uint64_t> ids;
    void on_event(const txaio::Event& e) override { ids.push_back(e.id); }
  } obs;
  loop.add_observer(obs);
  auto a = loop.call_later(1s, [] {});
  auto b = loop.call_later(1s, [] {});
  EXPECT_NE(a.id(), b.id());
  loop.advance(1s);
  EXPECT_EQ(obs.ids, (std::vector<std::uint64_t>{a.id(), b.id(), a.id(), a.id(), b.id(), b.id()}));
}

TEST(SimLoop, ObserverSeesWhatACallbackDidBetweenItsFireAndDone) {
  Loop loop;
  struct Lines : txaio::Observer {
    std::vector<std::string> lines;
    void on_event(const txaio::Event& e) override { lines.push_back(fmt::format("{} {}", to_string(e.kind), e.id)); }
  } obs;
  txaio::DelayedCall b = loop.call_later(2s, [] {});
  txaio::DelayedCall c;
  auto a = loop.call_later(1s, [&] {
    b.cancel();
    c = loop.call_later(1s, [] {});
  });
  loop.add_observer(obs);
  loop.advance(1s);
  loop.remove_observer(obs);
  EXPECT_EQ(obs.lines, (std::vector<std::string>{fmt::format("fire {}", a.id()), fmt::format("cancel {}", b.id()),
                                                  fmt::format("schedule {}", c.id()), fmt::format("done {}", a.id())}));
}

TEST(SimLoop, RunUntilStopsWhenDone) {
  Loop loop;
  bool done = false;
  loop.call_later(5s, [&] { done = true; });
  loop.call_later(9s, [] {});
  loop.run_until([&] { return done; }, "the flag");
  EXPECT_EQ(loop.now(), 5s);
  EXPECT_EQ(loop.pending_timers(), 1u);
}

TEST(SimLoop, RunUntilNamesWhatDeadlocked) {
  Loop loop;
  loop.call_later(1s, [] {});
  try {
    loop.run_until([] { return false; }, "the answer");
    FAIL() << "expected DeadlockError";
  } catch (const txaio::sim::DeadlockError& e) {
    EXPECT_NE(std::string(e.what()).find("the answer"), std::string::npos) << e.what();
  }
  EXPECT_EQ(loop.now(), 1s);
}

TEST(SimLoop, WallNowIsFixedEpochPlusVirtualTime) {
  Loop loop;
  const auto t0 = loop.wall_now();
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(t0.time_since_epoch()), Loop::wall_epoch);
  loop.advance(1500ms);
  EXPECT_EQ(loop.wall_now() - t0, 1500ms);
}

// wall_epoch + now() overflowed above ~8.3e9 s of virtual time: log lines were dated 1700.
TEST(SimLoop, WallNowSaturatesInsteadOfWrappingIntoThePast) {
  Loop loop;
  loop.advance(std::chrono::seconds(9'000'000'000));
  EXPECT_GT(loop.wall_now(), std::chrono::system_clock::time_point(Loop::wall_epoch));
  loop.advance_to(nanoseconds::max());
  EXPECT_EQ(loop.wall_now(), std::chrono::system_clock::time_point::max());
}

TEST(SimLoop, CallSoonThreadsafeFromAnotherThreadRunsOnNextAdvance) {
  Loop loop;
  int runs = 0;
  std::thread t([&] { loop.call_soon_threadsafe([&] { ++runs; }); });
  t.join();
  EXPECT_EQ(loop.ready_count(), 1u);
  loop.advance(0s);
  EXPECT_EQ(runs, 1);
}

TEST(SimLoop, OptionsAreValidated) {
  EXPECT_THROW(Loop(Options{.max_events = 0}), std::invalid_argument);
}

TEST(SimLoop, DispatchPolicyIsSelectable) {
  Loop scheduled;
  EXPECT_EQ(scheduled.dispatch(), txaio::Dispatch::scheduled);
  Loop immediate(Options{.dispatch = txaio::Dispatch::immediate});
  EXPECT_EQ(immediate.dispatch(), txaio::Dispatch::immediate);
  immediate.set_dispatch(txaio::Dispatch::scheduled);
  EXPECT_EQ(immediate.dispatch(), txaio::Dispatch::scheduled);
}

TEST(SimLoop, ParseTies) {
  EXPECT_EQ(txaio::sim::parse_ties("fifo"), Ties::fifo);
  EXPECT_EQ(txaio::sim::parse_ties("lifo"), Ties::lifo);
  EXPECT_EQ(txaio::sim::parse_ties("random"), Ties::random);
  try {
    txaio::sim::parse_ties("chaos");
    FAIL();
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("chaos"), std::string::npos);
    EXPECT_NE(what.find("fifo, lifo or random"), std::string::npos);
  }
  EXPECT_EQ(txaio::sim::to_string(Ties::random), "random");
}

TEST(SimLoop, CountsEventsRun) {
  Loop loop;
  loop.call_soon([] {});
  loop.call_later(1s, [] {});
  loop.advance(1s);
  EXPECT_EQ(loop.events_run(), 2u);
}

TEST(SimLoop, DestroyingLoopWithPendingCallsReleasesThem) {
  auto token = std::make_shared<int>(0);
  {
    Loop loop;
    loop.call_later(1s, [token] {});
    loop.call_soon([token] {});
    EXPECT_EQ(token.use_count(), 3);
  }
  EXPECT_EQ(token.use_count(), 1);
}

// A destroyed loop is never left as the default: logging and the free functions must not
// reach into it (a use after scope under ASan, a crash in Release, before the fix).
TEST(SimLoop, DestroyedDefaultLoopIsNoLongerTheDefault) {
  txaio::Loop* previous = txaio::detail::exchange_default_loop(nullptr);
  {
    Loop loop;
    txaio::use_loop(loop);
    ASSERT_TRUE(txaio::has_default_loop());
  }
  EXPECT_FALSE(txaio::has_default_loop());
  EXPECT_THROW(txaio::default_loop(), txaio::UsageError);
  EXPECT_THROW(txaio::call_later(1s, [] {}), txaio::UsageError);
  txaio::make_logger("sim.test").error("logged after the default loop is gone");
  txaio::detail::exchange_default_loop(previous);
}

TEST(SimLoop, DestroyingAnotherLoopKeepsTheDefault) {
  txaio::Loop* previous = txaio::detail::exchange_default_loop(nullptr);
  Loop chosen;
  txaio::use_loop(chosen);
  { Loop other; }
  EXPECT_EQ(&txaio::default_loop(), &chosen);
  txaio::detail::exchange_default_loop(previous);
}

}  // namespace

namespace {

// A loop made the default and then destroyed is never left as the default: the next call
// throws UsageError instead of reading freed memory (it used to crash the next test).
TEST(SimLoopLifetime, ADestroyedLoopIsNotLeftAsTheDefault) {
  {
    txaio::sim::Loop loop;
    txaio::use_loop(loop);
    txaio::call_later(1s, [] {});
  }
  EXPECT_FALSE(txaio::has_default_loop());
  EXPECT_THROW(txaio::call_later(1s, [] {}), txaio::UsageError);
}

TEST(SimLoopLifetime, DestroyingAnotherLoopLeavesTheDefaultAlone) {
  txaio::sim::Loop kept;
  txaio::use_loop(kept);
  { txaio::sim::Loop other; }
  EXPECT_EQ(&txaio::default_loop(), &kept);
  txaio::detail::exchange_default_loop(nullptr);
}

}  // namespace
