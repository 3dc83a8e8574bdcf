// The recorder: a loop's events written as a scenario, replayed by txaio-replay's runner.
#include "txaio/sim/recorder.hpp"

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "txaio/api.hpp"
#include "txaio/asio_loop.hpp"
#include "txaio/batched_timer.hpp"
#include "txaio/errors.hpp"
#include "txaio/replay/replay.hpp"
#include "txaio/sim/loop.hpp"

namespace {

using namespace std::chrono_literals;
using txaio::replay::Status;

// Advances, carrying on past exceptions from callbacks (they are part of the recording).
void advance_to(txaio::sim::Loop& loop, txaio::nanoseconds t) {
  for (;;) {
    try {
      loop.advance_to(t);
      return;
    } catch (const std::exception&) {
    }
  }
}

TEST(Recorder, WritesTheScenarioFormat) {
  txaio::sim::Loop loop;
  loop.advance(2s);  // the recording starts at loop time 2: scenario time 0
  txaio::sim::Recorder recorder(loop, "unit test");
  loop.call_later(1.5, [] {});
  auto doomed = loop.call_later(3, [] {});
  loop.call_later(500ms, [&] { loop.call_later(250ms, [] { throw std::runtime_error("bad # thing"); }); });
  advance_to(loop, 2600ms);
  doomed.cancel();
  doomed.cancel();  // a second cancel is no event
  advance_to(loop, 4s);
  recorder.stop();
  loop.call_later(1, [] {});  // after stop: not recorded
  EXPECT_EQ(recorder.call_count(), 4u);
  EXPECT_EQ(recorder.str(),
            "txaio-scenario 1\n"
            "# Recorded by txaio::sim::Recorder: unit test\n"
            "# 4 calls; times in seconds from the start of the recording.\n"
            "# The expect lines are what really happened; replaying shows where the model differs.\n"
            "at 0 call_later t1 1.5\n"
            "and call_later t2 3\n"
            "and call_later t3 0.5\n"
            "on t3 call_later t4 0.25 raise=\"bad # thing\"\n"
            "at 0.6 cancel t2\n"
            "run 2\n"
            "expect 0.5 fire t3\n"
            "expect 0.75 error t4 \"bad # thing\"\n"
            "expect 1.5 fire t1\n");
}

TEST(Recorder, RecordingReplaysExactlyOnTheVirtualClock) {
  txaio::sim::Loop loop;
  txaio::sim::Recorder recorder(loop);
  for (int i = 0; i < 20; ++i) {
    loop.call_later(std::chrono::milliseconds(37 * i % 300), [&loop, i] {
      if (i % 3 == 0) loop.call_later(std::chrono::milliseconds(i), [] {});
      if (i % 7 == 0) throw std::runtime_error("failure " + std::to_string(i));
    });
  }
  auto later = loop.call_later(10, [] {});
  advance_to(loop, 150ms);
  later.cancel();
  advance_to(loop, 1s);
  recorder.stop();
  const auto outcome = txaio::replay::replay_text(recorder.str(), "recorded.txs", {});
  EXPECT_EQ(outcome.status, Status::passed) << outcome.comparison.report << outcome.message << recorder.str();
  EXPECT_GT(outcome.compared.size(), 20u);
}

// Random top-level programs of call_later / cancel / advance, some callbacks throwing and
// some scheduling more: the recording always replays exactly.
RC_GTEST_PROP(Recorder, RandomProgramsRoundTrip, ()) {
  txaio::sim::Loop loop;
  txaio::sim::Recorder recorder(loop);
  std::vector<txaio::DelayedCall> calls;
  const auto steps = *rc::gen::inRange(1, 60);
  for (int s = 0; s < steps; ++s) {
    switch (*rc::gen::inRange(0, 4)) {
      case 0:
      case 1: {
        const auto delay_us = *rc::gen::inRange<std::int64_t>(0, 2'000'000);
        const int kind = *rc::gen::inRange(0, 3);
        calls.push_back(loop.call_later(std::chrono::microseconds(delay_us), [&loop, kind] {
          if (kind == 1) throw std::runtime_error("raised");
          if (kind == 2) loop.call_later(std::chrono::microseconds(250), [] {});
        }));
        break;
      }
      case 2:
        if (!calls.empty()) calls[*rc::gen::inRange<std::size_t>(0, calls.size())].cancel();
        break;
      default: advance_to(loop, loop.now() + std::chrono::microseconds(*rc::gen::inRange(0, 700'000))); break;
    }
  }
  advance_to(loop, loop.now() + 1s);
  recorder.stop();
  const auto outcome = txaio::replay::replay_text(recorder.str(), "prop.txs", {});
  RC_ASSERT(outcome.status == Status::passed);
}

TEST(Recorder, WatchedBatchedTimersAreDeclaredAndTheirCallsRecordedOneByOne) {
  txaio::sim::Loop loop;
  txaio::sim::Recorder recorder(loop);
  auto pings = txaio::make_batched_timer(loop, 100ms, 2);
  recorder.watch(pings, "ping");
  for (int i = 0; i < 5; ++i) {
    recorder.name_next(fmt::format("p{}", i));
    pings.call_later(250ms, [] {});
  }
  advance_to(loop, 1s);
  recorder.stop();
  const std::string text = recorder.str();
  EXPECT_EQ(recorder.call_count(), 5u);  // the bucket's loop timers are not calls
  EXPECT_NE(text.find("batched ping bucket=0.1 chunk=2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("at 0 call_later p0 0.25 via=ping\nand call_later p1 0.25 via=ping\n"), std::string::npos) << text;
  EXPECT_NE(text.find("expect 0.266666666 fire p4\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("t1"), std::string::npos) << text;
  EXPECT_EQ(txaio::replay::replay_text(text, "b.txs", {}).status, Status::passed);
}

TEST(Recorder, OpsInsideACallbackAreCausal) {
  // The program: a cancels b, both due at 1. As an `at 1` op, b would fire first.
  txaio::sim::Loop loop;
  txaio::sim::Recorder recorder(loop);
  recorder.set_namer([](const txaio::Event& e) { return e.due == txaio::nanoseconds(1'000'000'000) ? "one" : ""; });
  txaio::DelayedCall b;
  recorder.name_next("a");
  loop.call_later(1, [&] {
    b.cancel();
    loop.call_later(0, [] {});
  });
  recorder.name_next("b");
  b = loop.call_later(1, [] {});
  advance_to(loop, 2s);
  recorder.stop();
  const std::string text = recorder.str();
  EXPECT_NE(text.find("at 0 call_later a 1\nand call_later b 1\non a cancel b\non a call_later one 0\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("fire b"), std::string::npos) << text;
  const auto outcome = txaio::replay::replay_text(text, "causal.txs", {});
  EXPECT_EQ(outcome.status, Status::passed) << outcome.comparison.report << text;
}

// A future's callbacks and a resumed coroutine run as `call_soon` work after the callback
// that settled them, before any other call: their ops are that callback's. Here a's work
// cancels b, both due at 1; as an `at 1` op, b would fire first.
TEST(Recorder, OpsInCallSoonWorkAreTheOpsOfTheCallbackThatPostedIt) {
  txaio::sim::Loop loop;
  txaio::sim::Recorder recorder(loop);
  txaio::DelayedCall b;
  recorder.name_next("a");
  loop.call_later(1, [&] {
    loop.call_soon([&] {
      loop.call_soon([&] { b.cancel(); });  // work posted by work: still a's
    });
  });
  recorder.name_next("b");
  b = loop.call_later(1, [] {});
  advance_to(loop, 2s);
  recorder.stop();
  const std::string text = recorder.str();
  EXPECT_NE(text.find("at 0 call_later a 1\nand call_later b 1\non a cancel b\n"), std::string::npos) << text;
  const auto outcome = txaio::replay::replay_text(text, "posted.txs", {});
  EXPECT_EQ(outcome.status, Status::passed) << outcome.comparison.report << text;
}

// The same through a future (sim::Loop's default dispatch is scheduled: its callbacks are
// call_soon work): "when the reply arrives at 1, cancel the timeout due at 1".
TEST(Recorder, OpsInAFuturesCallbacksAreTheOpsOfTheCallbackThatSettledIt) {
  txaio::sim::Loop loop;
  const txaio::Api api = txaio::with_config(loop);
  txaio::sim::Recorder recorder(loop);
  txaio::Future<int> reply = api.create_future<int>();
  recorder.name_next("reply");
  loop.call_later(1, [&] { api.resolve(reply, 7); });
  recorder.name_next("timeout");
  txaio::DelayedCall timeout = loop.call_later(1, [] { throw std::runtime_error("timed out"); });
  api.add_callbacks(reply, [&](int) { timeout.cancel(); });
  advance_to(loop, 2s);
  recorder.stop();
  const std::string text = recorder.str();
  EXPECT_NE(text.find("on reply cancel timeout\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("timed out"), std::string::npos) << text;
  const auto outcome = txaio::replay::replay_text(text, "future.txs", {});
  EXPECT_EQ(outcome.status, Status::passed) << outcome.comparison.report << text;
}

// Work the test posts between advances runs first in the next advance: an `at` op, even at
// the instant of the last callback.
TEST(Recorder, CallSoonWorkPostedOutsideARunStaysAnAtOp) {
  txaio::sim::Loop loop;
  txaio::sim::Recorder recorder(loop);
  recorder.name_next("a");
  loop.call_later(1, [] {});
  recorder.name_next("b");
  txaio::DelayedCall b = loop.call_later(2, [] {});
  advance_to(loop, 1s);
  loop.call_soon([&] { b.cancel(); });
  advance_to(loop, 3s);
  recorder.stop();
  const std::string text = recorder.str();
  EXPECT_NE(text.find("at 1 cancel b\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("on a"), std::string::npos) << text;
  EXPECT_EQ(txaio::replay::replay_text(text, "outside.txs", {}).status, Status::passed) << text;
}

// Batched timers need not be watched: each is declared on its first call (B1, B2, ...) and
// its calls are recorded one by one, so the run replays exactly. A watch after the first
// call names it then; a repeated name is made unique.
TEST(Recorder, BatchedTimersAreDeclaredOnTheirFirstCallWithoutWatch) {
  txaio::sim::Loop loop(txaio::sim::Options{3, txaio::sim::Ties::random});
  txaio::sim::Recorder recorder(loop);
  auto plain = txaio::make_batched_timer(loop, 10ms, 2);
  auto late = txaio::make_batched_timer(loop, 5ms, 1, txaio::BatchRounding::never_early);
  auto named = txaio::make_batched_timer(loop, 20ms);
  recorder.watch(named, "B1");  // declared first, by its watch
  for (int i = 0; i < 5; ++i) {
    plain.call_later(std::chrono::milliseconds(i * 3), [i, &late] {
      if (i % 2 == 0) late.call_later(std::chrono::milliseconds(i), [] {});
    });
  }
  recorder.watch(plain, "pings");  // after its first calls: renames B2
  advance_to(loop, 0s);
  recorder.watch(late, "pings");   // B3 becomes pings.2
  named.call_later(1ms, [] { throw std::runtime_error("named raised"); });
  advance_to(loop, 1s);
  recorder.stop();
  const std::string text = recorder.str();
  EXPECT_NE(text.find("batched B1 bucket=0.02 chunk=100\n"), std::string::npos) << text;
  EXPECT_NE(text.find("batched pings bucket=0.01 chunk=2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("batched pings.2 bucket=0.005 chunk=1 never_early=1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("on t1 call_later t6 0 via=pings.2\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("not watched"), std::string::npos) << text;
  txaio::replay::ReplayOptions options;
  options.check_determinism = true;
  const auto outcome = txaio::replay::replay_text(text, "unwatched.txs", options);
  EXPECT_EQ(outcome.status, Status::passed) << outcome.comparison.report << text;
  EXPECT_EQ(outcome.compared.size(), 5u + 3u + 1u) << text;
}

// A batched timer's chunk size past the format's largest is written as the largest (it runs
// the same), so the recording still parses.
TEST(Recorder, AHugeChunkSizeIsWrittenAsTheFormatsLargest) {
  txaio::sim::Loop loop;
  txaio::sim::Recorder recorder(loop);
  auto timer = txaio::make_batched_timer(loop, 10ms, std::int64_t{1} << 40);
  recorder.watch(timer, "B");
  for (int i = 0; i < 3; ++i) timer.call_later(5ms, [] {});
  advance_to(loop, 1s);
  recorder.stop();
  const std::string text = recorder.str();
  EXPECT_NE(text.find("batched B bucket=0.01 chunk=1000000000\n"), std::string::npos) << text;
  EXPECT_EQ(txaio::replay::replay_text(text, "huge_chunk.txs", {}).status, Status::passed) << text;
}

TEST(Recorder, NamesAreMadeValidAndUnique) {
  txaio::sim::Loop loop;
  txaio::sim::Recorder recorder(loop);
  recorder.set_namer([](const txaio::Event&) { return std::string("ping pong"); });
  loop.call_later(1, [] {});
  loop.call_later(2, [] {});
  recorder.stop();
  const std::string text = recorder.str();
  EXPECT_NE(text.find("at 0 call_later ping_pong 1\nand call_later ping_pong.2 2\n"), std::string::npos) << text;
  EXPECT_NO_THROW(txaio::replay::parse_scenario(text, "names.txs"));
}

TEST(Recorder, ErrorsOutsideTimersBecomeCommentsAndOddMessagesStayReadable) {
  txaio::sim::Loop loop;
  txaio::sim::Recorder recorder(loop);
  auto timer = txaio::make_batched_timer(loop, 1s);
  recorder.watch(timer, "B");
  timer.call_later(1, [] { throw std::runtime_error(std::string("line one\nline \xff two")); });
  loop.call_later(2, [] { throw std::runtime_error(std::string("caf\xe9\t\"quoted\"")); });
  advance_to(loop, 3s);
  recorder.stop();
  const std::string text = recorder.str();
  // The BatchError was reported through the loop, not by a timer callback.
  EXPECT_NE(text.find("error outside a timer callback (not replayed): 1 call failed"), std::string::npos) << text;
  const auto outcome = txaio::replay::replay_text(text, "odd.txs", {});
  EXPECT_EQ(outcome.status, Status::passed) << outcome.message << outcome.comparison.report << text;
}

TEST(Recorder, AsioLoopRecordingParsesAndReplaysInOrder) {
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  txaio::sim::Recorder recorder(loop, "asio");
  std::vector<int> ran;
  loop.call_later(30ms, [&] { ran.push_back(3); });
  loop.call_later(10ms, [&] { ran.push_back(1); });
  auto doomed = loop.call_later(200ms, [&] { ran.push_back(99); });
  loop.call_later(20ms, [&] {
    ran.push_back(2);
    doomed.cancel();
    throw std::runtime_error("asio boom");
  });
  io.run();
  recorder.stop();
  ASSERT_EQ(ran, (std::vector<int>{1, 2, 3}));
  const std::string text = recorder.str();
  const auto scenario = txaio::replay::parse_scenario(text, "asio.txs");
  ASSERT_EQ(scenario.calls.size(), 4u);
  EXPECT_EQ(scenario.calls[3].raise, "asio boom");
  ASSERT_EQ(scenario.expects.size(), 3u);
  EXPECT_EQ(scenario.expects[0].event.id, "t2");
  EXPECT_EQ(scenario.expects[1].event.kind, txaio::replay::EventKind::error);
  EXPECT_EQ(scenario.expects[2].event.id, "t1");
  // Real timing differs from the model by the loop's slop; the order is the model's. Replayed
  // with a tolerance far above any slop, it passes: order and completeness, not durations.
  txaio::replay::ReplayOptions options;
  options.tolerance_ns = 60'000'000'000;
  const auto outcome = txaio::replay::replay_text(text, "asio.txs", options);
  EXPECT_EQ(outcome.status, Status::passed) << outcome.comparison.report << text;
}


// A real AsioLoop run differs on replay only by its lateness: with a tolerance of the worst
// lateness measured (real fire time minus model fire time), it passes, and the recording
// keeps who cancelled and scheduled what (`on` lines).
TEST(Recorder, AsioLoopRecordingKeepsItsCausalStructureAndDiffersOnlyByLateness) {
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  txaio::sim::Recorder recorder(loop, "asio causal");
  auto batched = txaio::make_batched_timer(loop, 5ms, 1);
  recorder.watch(batched, "B");
  txaio::DelayedCall b;
  recorder.name_next("a");
  loop.call_later(10ms, [&] {
    b.cancel();
    recorder.name_next("c");
    loop.call_later(20ms, [&] {
      recorder.name_next("d");
      batched.call_later(20ms, [] {});
    });
  });
  recorder.name_next("b");
  b = loop.call_later(15ms, [] {});
  recorder.name_next("e");
  loop.call_later(120ms, [] {});
  io.run();
  recorder.stop();
  const std::string text = recorder.str();
  EXPECT_NE(text.find("on a cancel b\non a call_later c 0.02\non c call_later d 0.02 via=B\n"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("fire b"), std::string::npos) << text;

  const auto exact = txaio::replay::replay_text(text, "asio.txs", {});
  ASSERT_TRUE(exact.scenario) << exact.message;
  std::map<std::string, std::int64_t> model;
  for (const auto& e : exact.compared) model.emplace(e.id, e.time_ns);
  std::int64_t worst = 0;
  for (const auto& x : exact.scenario->expects) {
    ASSERT_TRUE(model.contains(x.event.id)) << x.event.id << " ran in production but not in the model\n" << text;
    worst = std::max(worst, x.event.time_ns - model[x.event.id]);
  }
  txaio::replay::ReplayOptions options;
  options.tolerance_ns = worst;
  const auto outcome = txaio::replay::replay_text(text, "asio.txs", options);
  EXPECT_EQ(outcome.status, Status::passed) << outcome.comparison.report << text;
  EXPECT_EQ(outcome.compared.size(), 4u);  // a, c, d, e
}

}  // namespace
