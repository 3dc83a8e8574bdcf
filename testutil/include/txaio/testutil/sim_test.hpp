#pragma once
/// `SimTest`: a GoogleTest fixture with a `sim::Loop` installed as the default loop.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

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

/// A parameterised fixture whose `loop_` (the default loop) uses the test's dispatch
/// policy, so one test body proves code works whether callbacks are scheduled or immediate.
///
///     class Pinger : public txaio::testutil::DispatchSimTest {};
///     INSTANTIATE_TEST_SUITE_P(Dispatch, Pinger, txaio::testutil::both_dispatch_policies(),
///                              txaio::testutil::dispatch_name);
///     TEST_P(Pinger, Works) { ...; run_ready(); ... }
class DispatchSimTest : public ::testing::TestWithParam<Dispatch> {
protected:
  bool immediate() const { return GetParam() == Dispatch::immediate; }
  /// Runs what is ready now (the queued callbacks in scheduled mode).
  void run_ready() { loop_.advance(std::chrono::nanoseconds(0)); }

  sim::Loop loop_{sim::Options{.dispatch = GetParam()}};

private:
  LoopGuard guard_{loop_};
};

/// The parameter generator of `DispatchSimTest` suites: scheduled, then immediate.
inline auto both_dispatch_policies() { return ::testing::Values(Dispatch::scheduled, Dispatch::immediate); }

/// Names a `DispatchSimTest` instance after its policy ("scheduled" / "immediate").
inline std::string dispatch_name(const ::testing::TestParamInfo<Dispatch>& info) {
  return info.param == Dispatch::scheduled ? "scheduled" : "immediate";
}

}  // namespace txaio::testutil
