#pragma once
/// `SimTest`: a GoogleTest fixture with a `sim::Loop` installed as the default loop.

#include <gtest/gtest.h>

#include "txaio/sim/loop.hpp"
#include "txaio/testutil/replace_loop.hpp"

namespace txaio::testutil {

/// A fixture whose `loop_` is the default loop for the test's duration.
///
///     TEST_F(MySuite, Fires) { txaio::call_later(1s, f); loop_.advance(1s); }
class SimTest : public ::testing::Test {
protected:
  SimTest() = default;
  explicit SimTest(sim::Options options) : loop_(options) {}

  sim::Loop loop_;

private:
  LoopGuard guard_{loop_};
};

}  // namespace txaio::testutil
