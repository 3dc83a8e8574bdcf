// sim::Loop::run_until_complete (declared in txaio/sim/loop.hpp).
#include "txaio/sim/loop.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>

#include "txaio/api.hpp"
#include "txaio/errors.hpp"
#include "txaio/future.hpp"
#include "txaio/testutil/sim_test.hpp"

namespace {

using namespace std::chrono_literals;
using txaio::Future;
using txaio::sim::DeadlockError;
using ::testing::HasSubstr;

class RunUntilComplete : public txaio::testutil::SimTest {};

TEST_F(RunUntilComplete, ReturnsTheValueAtTheTimeItSettles) {
  Future<int> f = txaio::create_future<int>();
  txaio::call_later(2s, [f] { txaio::resolve(f, 7); });
  txaio::call_later(5s, [] {});
  EXPECT_EQ(loop_.run_until_complete(f), 7);
  EXPECT_EQ(loop_.now(), 2s);  // stopped as soon as it settled
  EXPECT_EQ(loop_.pending_timers(), 1u);
}

TEST_F(RunUntilComplete, VoidFutures) {
  Future<void> f = txaio::sleep(1.25);
  loop_.run_until_complete(f);
  EXPECT_EQ(loop_.now(), 1250ms);
}

TEST_F(RunUntilComplete, AlreadySettledReturnsAtOnce) {
  EXPECT_EQ(loop_.run_until_complete(txaio::create_future_success(std::string("ok"))), "ok");
  EXPECT_EQ(loop_.now(), 0s);
}

TEST_F(RunUntilComplete, ThrowsTheFailureAndHandlesIt) {
  {
    Future<int> f = txaio::create_future<int>();
    txaio::call_later(1s, [f] { txaio::reject(f, std::runtime_error("remote closed")); });
    try {
      loop_.run_until_complete(f);
      ADD_FAILURE() << "no exception";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "remote closed");
    }
  }
  EXPECT_EQ(loop_.unhandled_failures(), 0u);
}

TEST_F(RunUntilComplete, CancelledFutureThrowsCancelledError) {
  Future<int> f = txaio::create_future<int>();
  txaio::call_later(1s, [f] { txaio::cancel(f, "timeout"); });
  EXPECT_THROW(loop_.run_until_complete(f), txaio::CancelledError);
}

TEST_F(RunUntilComplete, DeadlockNamesTheFuture) {
  Future<int> f = txaio::create_future<int>();
  txaio::add_callbacks(f, [](int) {});
  txaio::call_later(1s, [] {});
  try {
    loop_.run_until_complete(f);
    ADD_FAILURE() << "no deadlock";
  } catch (const DeadlockError& e) {
    const std::string what = e.what();
    EXPECT_THAT(what, HasSubstr("deadlock at virtual time 1s"));
    EXPECT_THAT(what, HasSubstr("Future<int>"));
    EXPECT_THAT(what, HasSubstr("run_until_complete_test.cpp:"));  // where it was created
    EXPECT_THAT(what, HasSubstr("pending"));
    EXPECT_THAT(what, HasSubstr("1 callback pair waiting"));
  }
}

TEST_F(RunUntilComplete, ExceptionsFromCallbacksPropagate) {
  Future<int> f = txaio::create_future<int>();
  txaio::call_later(1s, [] { throw std::logic_error("unrelated callback broke"); });
  txaio::call_later(2s, [f] { txaio::resolve(f, 1); });
  EXPECT_THROW(loop_.run_until_complete(f), std::logic_error);
  EXPECT_EQ(loop_.run_until_complete(f), 1);  // the loop is consistent: go on
}

TEST_F(RunUntilComplete, EmptyHandleIsUsageErrorNamingRunUntilComplete) {
  try {
    loop_.run_until_complete(Future<int>());
    FAIL() << "no exception";
  } catch (const txaio::UsageError& e) {
    EXPECT_STREQ(e.what(), "txaio::sim::Loop::run_until_complete: the Future handle is empty (default-constructed or moved-from)");
  }
}

TEST_F(RunUntilComplete, RunawayIsBounded) {
  txaio::sim::Loop loop(txaio::sim::Options{.max_events = 1000});
  std::function<void()> spin = [&] { loop.call_soon(spin); };
  loop.call_soon(spin);
  Future<int> never = txaio::with_config(loop).create_future<int>();
  EXPECT_THROW(loop.run_until_complete(never), txaio::sim::RunawayError);
}

}  // namespace

namespace {

// A future of another loop can never settle by running this one: a usage error naming both
// loops, not a deadlock report.
TEST(RunUntilCompleteOtherLoop, IsAUsageErrorNamingBothLoops) {
  txaio::sim::Loop mine;
  txaio::sim::Loop other;
  const txaio::Future<int> f = txaio::with_config(other).create_future<int>();
  try {
    mine.run_until_complete(f);
    FAIL() << "expected UsageError";
  } catch (const txaio::UsageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("belongs to another sim::Loop (" + fmt::format("{}", fmt::ptr(&other)) + ")"));
    EXPECT_THAT(e.what(), HasSubstr("not to this sim::Loop (" + fmt::format("{}", fmt::ptr(&mine)) + ")"));
    EXPECT_THAT(e.what(), HasSubstr("Future<int> created at"));
  }
  EXPECT_EQ(other.run_until_idle(), 0u);
}

}  // namespace
