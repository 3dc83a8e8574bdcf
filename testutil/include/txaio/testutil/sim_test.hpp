#pragma once
/// `SimTest`: a GoogleTest fixture with a `sim::Loop` installed as the default loop, strict
/// about rejected futures nobody handled.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <type_traits>

#include "txaio/sim/loop.hpp"
#include "txaio/testutil/detail/strict_checks.hpp"
#include "txaio/testutil/print.hpp"  // DispatchSimTest's parameter prints by name
#include "txaio/testutil/replace_loop.hpp"

namespace txaio::testutil {

/// The fixture behind `SimTest` and `DispatchSimTest`: `loop_` is the default loop for the
/// test's duration. Strict: at tear-down the test fails if a rejected future was never handled
/// (each failure's message and creation site in the report) unless the test called
/// `allow_unhandled_failures()`; when the test failed, the report also names each callback that
/// threw, with the virtual time it was scheduled at, its due time and when it threw.
template <class Base>
class BasicSimTest : public Base {
protected:
  BasicSimTest() { loop_.add_observer(errors_); }
  explicit BasicSimTest(sim::Options options) : loop_(options) { loop_.add_observer(errors_); }
  ~BasicSimTest() override {
    loop_.remove_observer(errors_);
    detail::check_at_tear_down(loop_, errors_, allow_unhandled_);
  }

  /// This test may leave rejected futures unhandled: they are logged, and do not fail it.
  void allow_unhandled_failures() noexcept { allow_unhandled_ = true; }

private:
  sim::Options default_options() const {
    if constexpr (std::is_base_of_v<::testing::WithParamInterface<Dispatch>, Base>) {
      return sim::Options{.dispatch = this->GetParam()};
    } else {
      return sim::Options{};
    }
  }

  detail::CallbackErrorLog errors_;  // outlives loop_, which reports to it

protected:
  sim::Loop loop_{default_options()};  // after the base: GetParam() is ready

private:
  LoopGuard guard_{loop_};
  bool allow_unhandled_ = false;
};

/// A fixture whose `loop_` is the default loop for the test's duration (strict, see
/// `BasicSimTest`).
///
///     TEST_F(MySuite, Fires) { txaio::call_later(1s, f); loop_.advance(1s); }
class SimTest : public BasicSimTest<::testing::Test> {
protected:
  SimTest() = default;
  explicit SimTest(sim::Options options) : BasicSimTest(options) {}
};

/// A parameterised fixture whose `loop_` (the default loop) uses the test's dispatch
/// policy, so one test body proves code works whether callbacks are scheduled or immediate.
/// Strict, as `SimTest`.
///
///     class Pinger : public txaio::testutil::DispatchSimTest {};
///     INSTANTIATE_TEST_SUITE_P(Dispatch, Pinger, txaio::testutil::both_dispatch_policies(),
///                              txaio::testutil::dispatch_name);
///     TEST_P(Pinger, Works) { ...; run_ready(); ... }
class DispatchSimTest : public BasicSimTest<::testing::TestWithParam<Dispatch>> {
protected:
  bool immediate() const { return GetParam() == Dispatch::immediate; }
  /// Runs what is ready now (the queued callbacks in scheduled mode).
  void run_ready() { loop_.advance(std::chrono::nanoseconds(0)); }
};

/// The parameter generator of `DispatchSimTest` suites: scheduled, then immediate.
inline auto both_dispatch_policies() { return ::testing::Values(Dispatch::scheduled, Dispatch::immediate); }

/// Names a `DispatchSimTest` instance after its policy ("scheduled" / "immediate").
inline std::string dispatch_name(const ::testing::TestParamInfo<Dispatch>& info) {
  return info.param == Dispatch::scheduled ? "scheduled" : "immediate";
}

}  // namespace txaio::testutil
