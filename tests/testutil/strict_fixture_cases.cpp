// Test cases for the strict SimTest, run as a separate process by strict_fixture_test.cpp
// (some of them must fail, so they are not registered with ctest themselves).
#include <gtest/gtest.h>

#include <stdexcept>

#include "txaio/future.hpp"
#include "txaio/testutil/sim_test.hpp"

namespace {

using namespace std::chrono_literals;

class Strict : public txaio::testutil::SimTest {};

TEST_F(Strict, LeaksARejection) {
  auto f = txaio::create_future<int>();
  txaio::reject(f, std::runtime_error("the leaked failure"));
}

TEST_F(Strict, AllowsALeakWhenAsked) {
  allow_unhandled_failures();
  auto f = txaio::create_future<int>();
  txaio::reject(f, std::runtime_error("an expected leak"));
}

TEST_F(Strict, HandledRejectionPasses) {
  auto f = txaio::create_future<int>();
  bool handled = false;
  txaio::add_callbacks(f, [](int) {}, [&](const txaio::Failure&) { handled = true; });
  txaio::reject(f, std::runtime_error("handled"));
  loop_.run_until_idle();
  EXPECT_TRUE(handled);
}

TEST_F(Strict, CallbackThrows) {
  loop_.advance(1s);
  txaio::call_later(5s, [] { throw std::runtime_error("boom from a timer"); });
  loop_.advance(10s);
}

class StrictDispatch : public txaio::testutil::DispatchSimTest {};
INSTANTIATE_TEST_SUITE_P(Dispatch, StrictDispatch, txaio::testutil::both_dispatch_policies(),
                         txaio::testutil::dispatch_name);

TEST_P(StrictDispatch, LeaksARejection) {
  txaio::create_future_error<int>(std::runtime_error("leaked under either policy"));
  run_ready();
}

// A loop made the default and destroyed, then used by the next test.
TEST(DestroyedDefault, AFirstTestLeavesItsLoopAsTheDefault) {
  txaio::sim::Loop loop;
  txaio::use_loop(loop);
  txaio::call_later(1s, [] {});
}

TEST(DestroyedDefault, TheNextTestGetsUsageErrorNotACrash) {
  EXPECT_FALSE(txaio::has_default_loop());
  EXPECT_THROW(txaio::call_later(1s, [] {}), txaio::UsageError);
}

}  // namespace
