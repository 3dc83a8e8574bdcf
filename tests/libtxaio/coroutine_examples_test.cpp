// The coroutine examples (retry with backoff and timeout, fan-out with gather, cancellation
// that cleans up) on sim::Loop, under both dispatch policies, at exact virtual times.
#include "coroutine_examples.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "txaio/sim.hpp"
#include "txaio/testutil.hpp"

namespace {

using namespace std::chrono_literals;
using txaio::Future;
using txaio::nanoseconds;
using txaio::testutil::is_cancelled;
using txaio::testutil::is_pending;
using txaio::testutil::rejected_with;
using txaio::testutil::resolved_with;

class CoroutineExamples : public txaio::testutil::DispatchSimTest {
protected:
  txaio::Api api_ = txaio::with_config(loop_);
};
INSTANTIATE_TEST_SUITE_P(Dispatch, CoroutineExamples, txaio::testutil::both_dispatch_policies(),
                         txaio::testutil::dispatch_name);

/// A server whose `i`-th answer takes `latency[i]` and fails when `fails[i]`; it records when
/// each attempt started.
struct FlakyServer {
  txaio::Api api;
  std::vector<nanoseconds> latency;
  std::vector<bool> fails;
  std::vector<nanoseconds> started;

  Future<int> call() {
    const std::size_t i = started.size();
    started.push_back(api.now());
    co_await api.sleep(latency.at(i));
    if (fails.at(i)) throw std::runtime_error("server error");
    co_return static_cast<int>(i + 1);
  }
  std::function<Future<int>()> attempt() {
    return [this] { return call(); };
  }
};

TEST_P(CoroutineExamples, RetryBacksOffExponentiallyAfterATimeoutAndAFailure) {
  FlakyServer server{api_, {5s, 200ms, 300ms}, {false, true, false}, {}};
  Future<int> g = example::retry<int>(api_, server.attempt(), 4, 100ms, 1s);
  loop_.advance_to(1799ms);
  EXPECT_THAT(g, is_pending());
  loop_.advance_to(1800ms);
  EXPECT_THAT(g, resolved_with(3));
  // Attempt 1 times out at 1 s; 100 ms later attempt 2 fails after 200 ms; 200 ms later attempt 3.
  EXPECT_EQ(server.started, (std::vector<nanoseconds>{0s, 1100ms, 1500ms}));
  EXPECT_EQ(loop_.pending_timers(), 0u);  // the timeouts and the slow attempt were cancelled
}

TEST_P(CoroutineExamples, RetryGivesUpWithTheLastFailure) {
  FlakyServer server{api_, {5s, 5s, 5s}, {false, false, false}, {}};
  Future<int> g = example::retry<int>(api_, server.attempt(), 3, 100ms, 1s);
  loop_.advance_to(3299ms);
  EXPECT_THAT(g, is_pending());
  loop_.advance_to(3300ms);
  EXPECT_THAT(g, rejected_with<example::TimeoutError>("timed out after 1000 ms"));
  EXPECT_EQ(server.started, (std::vector<nanoseconds>{0s, 1100ms, 2300ms}));
}

TEST_P(CoroutineExamples, CancellingARetryStopsIt) {
  FlakyServer server{api_, {5s, 5s}, {false, false}, {}};
  Future<int> g = example::retry<int>(api_, server.attempt(), 2, 100ms, 1s);
  loop_.advance_to(1050ms);  // backing off after the first timeout
  txaio::cancel(g);
  run_ready();
  EXPECT_THAT(g, is_cancelled());
  loop_.run_until_idle();
  EXPECT_EQ(server.started.size(), 1u);
}

TEST_P(CoroutineExamples, FanOutTakesAsLongAsTheSlowestLookup) {
  example::SlowStore store{api_, {}};
  int missing = 0;
  Future<int> g = example::total_of(api_, store, {"a", "bb", "!x", "cccc"}, {300ms, 100ms, 200ms, 400ms}, missing);
  loop_.advance_to(399ms);
  EXPECT_THAT(g, is_pending());
  loop_.advance_to(400ms);
  EXPECT_THAT(g, resolved_with(1 + 2 + 4));
  EXPECT_EQ(missing, 1);
  EXPECT_EQ(store.log, (std::vector<std::string>{"get bb", "get !x", "get a", "get cccc"}));
}

TEST_P(CoroutineExamples, CancellingAFanOutCancelsEveryLookup) {
  example::SlowStore store{api_, {}};
  int missing = 0;
  Future<int> g = example::total_of(api_, store, {"a", "bb"}, {300ms, 100ms}, missing);
  loop_.advance_to(200ms);
  txaio::cancel(g);
  loop_.run_until_idle();
  EXPECT_THAT(g, is_cancelled());
  EXPECT_EQ(store.log, std::vector<std::string>{"get bb"});
  EXPECT_EQ(loop_.now(), 200ms);  // the lookup of "a" never ran
}

TEST_P(CoroutineExamples, ACancelledSessionSaysGoodbyeAndReleasesItsConnection) {
  example::Pool pool;
  Future<int> g = example::session(api_, pool, 10);
  EXPECT_TRUE(pool.leased);
  loop_.advance_to(2500ms);
  txaio::cancel(g);
  loop_.advance_to(2550ms);
  txaio::cancel(g);  // a second cancel does not interrupt the goodbye
  loop_.advance_to(2599ms);
  EXPECT_THAT(g, is_pending());
  EXPECT_TRUE(pool.leased);
  loop_.advance_to(2600ms);
  EXPECT_THAT(g, is_cancelled());
  EXPECT_FALSE(pool.leased);
  EXPECT_EQ(pool.log, (std::vector<std::string>{"cancelled after 2", "goodbye sent", "released"}));
}

TEST_P(CoroutineExamples, ASessionLeftAloneReleasesItsConnectionWhenDone) {
  example::Pool pool;
  Future<int> g = example::session(api_, pool, 3);
  loop_.advance_to(3s);
  EXPECT_THAT(g, resolved_with(3));
  EXPECT_EQ(pool.log, (std::vector<std::string>{"done", "released"}));
}

}  // namespace
