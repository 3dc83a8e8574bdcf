#include "txaio/testutil/sim_test.hpp"

#include <gtest/gtest.h>

#include "txaio/config.hpp"

namespace {

using namespace std::chrono_literals;

class SimTestFixture : public txaio::testutil::SimTest {};

TEST_F(SimTestFixture, ItsLoopIsTheDefault) {
  EXPECT_EQ(&txaio::default_loop(), &loop_);
  bool ran = false;
  txaio::call_later(3s, [&] { ran = true; });
  loop_.advance(3s);
  EXPECT_TRUE(ran);
  EXPECT_EQ(loop_.now(), 3s);
}

TEST_F(SimTestFixture, EachTestGetsAFreshLoop) {
  EXPECT_EQ(loop_.now(), 0s);
  EXPECT_TRUE(loop_.idle());
}

class LifoSimTest : public txaio::testutil::SimTest {
protected:
  LifoSimTest() : SimTest(txaio::sim::Options{.ties = txaio::sim::Ties::lifo}) {}
};

TEST_F(LifoSimTest, OptionsReachTheLoop) {
  EXPECT_EQ(loop_.options().ties, txaio::sim::Ties::lifo);
  EXPECT_EQ(&txaio::default_loop(), &loop_);
}

TEST(SimTestScope, DefaultIsRestoredAfterTheFixture) {
  txaio::sim::Loop mine;
  auto guard = txaio::testutil::replace_loop(mine);
  {
    struct Probe : txaio::testutil::SimTest {
      void TestBody() override {}
      txaio::Loop* loop() { return &loop_; }
    } probe;
    EXPECT_EQ(&txaio::default_loop(), probe.loop());
  }
  EXPECT_EQ(&txaio::default_loop(), &mine);
}

}  // namespace

namespace {

class DispatchFixture : public txaio::testutil::DispatchSimTest {};

INSTANTIATE_TEST_SUITE_P(Dispatch, DispatchFixture, txaio::testutil::both_dispatch_policies(),
                         txaio::testutil::dispatch_name);

TEST_P(DispatchFixture, ItsLoopUsesTheParameterAndIsTheDefault) {
  EXPECT_EQ(loop_.dispatch(), GetParam());
  EXPECT_EQ(immediate(), GetParam() == txaio::Dispatch::immediate);
  EXPECT_EQ(&txaio::default_loop(), &loop_);
  int ran = 0;
  txaio::call_soon([&] { ++ran; });
  run_ready();
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(loop_.now(), std::chrono::nanoseconds(0));
}

}  // namespace
