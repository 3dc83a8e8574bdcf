// The read-only inspection functions: future_status, future_value, future_failure,
// consume_failure, describe_future.
#include "txaio/future.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "txaio/errors.hpp"
#include "txaio/testutil/sim_test.hpp"

namespace {

using txaio::Future;
using txaio::FutureStatus;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class FutureInspectTest : public txaio::testutil::SimTest {
protected:
  FutureInspectTest() : SimTest(txaio::sim::Options{.dispatch = txaio::Dispatch::scheduled}) {}
};

TEST_F(FutureInspectTest, StatusFollowsTheFutureWithoutRunningCallbacks) {
  Future<int> f = txaio::create_future<int>();
  int ran = 0;
  txaio::add_callbacks(f, [&](int) { ++ran; });
  EXPECT_EQ(txaio::future_status(f), FutureStatus::pending);
  txaio::resolve(f, 7);
  EXPECT_EQ(txaio::future_status(f), FutureStatus::resolved);
  EXPECT_EQ(txaio::future_value(f), 7);
  EXPECT_EQ(ran, 0);  // inspection ran nothing; the loop runs the callback
  loop_.advance(0);
  EXPECT_EQ(ran, 1);

  Future<int> rejected = txaio::create_future_error<int>(std::runtime_error("boom"));
  EXPECT_EQ(txaio::future_status(rejected), FutureStatus::rejected);
  EXPECT_EQ(txaio::future_failure(rejected).message(), "boom");
  txaio::consume_failure(rejected);

  Future<void> cancelled = txaio::create_future<void>();
  txaio::cancel(cancelled, "stop");
  EXPECT_EQ(txaio::future_status(cancelled), FutureStatus::cancelled);
  EXPECT_TRUE(txaio::future_failure(cancelled).is<txaio::CancelledError>());
}

TEST_F(FutureInspectTest, ReadingTheWrongStateIsAnInvalidStateErrorNamingTheFuture) {
  Future<int> f = txaio::create_future<int>();
  try {
    (void)txaio::future_value(f);
    FAIL() << "no exception";
  } catch (const txaio::InvalidStateError& e) {
    EXPECT_THAT(e.what(), StartsWith("txaio::future_value: the future is not resolved: Future<int>"));
    EXPECT_THAT(e.what(), HasSubstr("pending"));
  }
  EXPECT_THROW((void)txaio::future_failure(f), txaio::InvalidStateError);
  txaio::resolve(f, 1);
  EXPECT_THROW((void)txaio::future_failure(f), txaio::InvalidStateError);
  EXPECT_THROW((void)txaio::consume_failure(f), txaio::InvalidStateError);
}

TEST_F(FutureInspectTest, EmptyHandlesAreUsageErrors) {
  const Future<int> empty;
  EXPECT_THROW((void)txaio::future_status(empty), txaio::UsageError);
  EXPECT_THROW((void)txaio::future_value(empty), txaio::UsageError);
  EXPECT_THROW((void)txaio::future_failure(empty), txaio::UsageError);
  EXPECT_THROW((void)txaio::describe_future(empty), txaio::UsageError);
}

TEST_F(FutureInspectTest, OnlyConsumeFailureCountsTheFailureAsHandled) {
  allow_unhandled_failures();  // the first future is left unhandled on purpose
  {
    Future<int> read = txaio::create_future_error<int>(std::runtime_error("read only"));
    EXPECT_EQ(txaio::future_failure(read).message(), "read only");
  }
  EXPECT_EQ(loop_.unhandled_failures(), 1u);
  {
    Future<int> consumed = txaio::create_future_error<int>(std::runtime_error("consumed"));
    EXPECT_EQ(txaio::consume_failure(consumed).message(), "consumed");
  }
  EXPECT_EQ(loop_.unhandled_failures(), 1u);
}

TEST_F(FutureInspectTest, DescribeNamesTypeOriginAndState) {
  Future<int> f = txaio::create_future<int>();
  EXPECT_THAT(txaio::describe_future(f), StartsWith("Future<int> created at "));
  EXPECT_THAT(txaio::describe_future(f), HasSubstr("future_inspect_test.cpp"));
  EXPECT_THAT(txaio::describe_future(f), HasSubstr("(pending; 0 callback pairs waiting)"));
}

}  // namespace
