#pragma once
/// Property-based fuzzing with RapidCheck: generators for delays, loop schedules and timer
/// programs (`txaio::testutil::gen`), and `check_schedules`, which runs a test body over many
/// generated schedules of a `sim::Loop` and, on failure, prints the smallest failing schedule
/// and one line that reproduces it.
///
///     TEST(Connector, TimeoutNeverLosesAConnect) {
///       txaio::testutil::check_schedules([](txaio::sim::Loop& loop) {
///         Connector c(1s);                      // uses the default loop: `loop`
///         loop.run_until_idle();
///         RC_ASSERT(c.connected() || c.timed_out());
///       });
///     }
///
/// Every generator prints its values (`rc::detail::showValue`, `operator<<`) and shrinks
/// toward the simplest value, so a counterexample is small and readable.

#include <rapidcheck.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "txaio/sim/loop.hpp"
#include "txaio/testutil/print.hpp"

namespace txaio::testutil {

/// One operation of a generated timer program.
struct TimerOp {
  enum class Kind : std::uint8_t {
    call_later,  ///< schedules call `id` after `delay`
    cancel,      ///< cancels call `id` (a no-op when it already ran)
    call_soon,   ///< queues call `id` with `call_soon`
    advance,     ///< advances the loop by `delay`
  };
  Kind kind = Kind::call_later;
  int id = 0;  ///< the call's number (call_later and call_soon number their calls in one sequence)
  nanoseconds delay{0};

  friend bool operator==(const TimerOp&, const TimerOp&) = default;
};

/// A program of timer operations with ids, as `gen::timer_program` makes it.
struct TimerProgram {
  std::vector<TimerOp> ops;

  /// Applies the ops to `loop` in order, each at the loop's current time (`advance` moves it);
  /// `ran(id)` is called when call `id` runs. Does not run the loop after the last op.
  void run(sim::Loop& loop, const std::function<void(int)>& ran) const;
  /// The program as a `txaio-scenario 1` file (calls `t<id>`; a `call_soon` is written as a
  /// `call_later` of delay 0, which runs after the timers already due at that instant).
  std::string to_scenario() const;

  friend bool operator==(const TimerProgram&, const TimerProgram&) = default;
};

/// Prints the program as its scenario file.
std::ostream& operator<<(std::ostream& os, const TimerProgram& program);


namespace gen {

/// A delay in [0, `max`], biased to the edges where timer code breaks: 0, 1 ns, `max`, whole
/// multiples of `bucket` (default `max / 16`) and a few fixed fractions of `max`, so delays in
/// one test repeat (equal due times, ties) far more often than uniform draws would. Shrinks
/// toward 0, then toward smaller multiples and values.
rc::Gen<nanoseconds> delay(nanoseconds max, nanoseconds bucket = nanoseconds::zero());

/// A `sim::Options`: any seed, any ties policy, either dispatch policy, and a jitter of 0 or up
/// to `max_jitter` (0: never jitter). Shrinks toward seed 0, fifo, scheduled and no jitter.
rc::Gen<sim::Options> options(nanoseconds max_jitter = std::chrono::milliseconds(1));

/// A program of at most `max_ops` call_later / cancel / call_soon / advance operations, with
/// delays from `delay(max_delay)` (a call_later often reuses an earlier call's delay, so calls
/// tie). Shrinks by dropping operations and simplifying the rest toward `call_later` of 0.
rc::Gen<TimerProgram> timer_program(std::size_t max_ops, nanoseconds max_delay = std::chrono::milliseconds(100));

}  // namespace gen

/// How `check_schedules` explores.
struct ExploreOptions {
  /// Schedules to try; 0: RapidCheck's `max_success` (`RC_PARAMS`, default 100). The environment
  /// variable `TXAIO_SIM_RUNS` overrides both.
  int runs = 0;
  /// The largest `sim::Options::jitter` generated; 0 never jitters.
  nanoseconds max_jitter = std::chrono::milliseconds(1);
  /// Runs each schedule twice, on two fresh loops, and fails when their event traces differ
  /// (naming the first differing event): the body depends on something besides the schedule.
  /// The body must then draw no values of its own with `*rc::gen::...`.
  bool check_determinism = false;
  /// `sim::Options::max_events` of every loop.
  std::uint64_t max_events = sim::Options{}.max_events;
};

/// What `explore_schedules` found.
struct ExploreResult {
  bool failed = false;
  int runs = 0;  ///< schedules that passed before the first failure (or in all)
  /// The smallest failing schedule (after shrinking); set when `failed`.
  std::optional<sim::Options> smallest;
  /// "reproduce: TXAIO_SIM_SEED=... TXAIO_SIM_TIES=... TXAIO_SIM_DISPATCH=... TXAIO_SIM_JITTER=..."
  std::string reproduce;
  /// RapidCheck's report followed by the smallest schedule and the reproduce line.
  std::string message;
};

/// Runs `body(loop)` as a RapidCheck property, once per generated schedule: a fresh
/// `sim::Loop` with options from `gen::options()`, installed as the default loop while `body`
/// runs. `RC_ASSERT`, `RC_PRE`, shrinking and `RC_PARAMS` work as in any property; an
/// exception escaping `body` fails the schedule. When the environment sets any of
/// `TXAIO_SIM_SEED`, `TXAIO_SIM_TIES`, `TXAIO_SIM_DISPATCH`, `TXAIO_SIM_JITTER` (the reproduce
/// line), every run uses that one schedule (the body's own `*gen` values, if any, are still
/// drawn and shrunk). Bad values in these variables: `std::invalid_argument` naming the variable.
ExploreResult explore_schedules(const std::function<void(sim::Loop&)>& body, const ExploreOptions& options = {});

/// `explore_schedules` inside a GoogleTest test: a failure fails the enclosing test with the
/// smallest failing schedule and the line that reproduces it.
void check_schedules(const std::function<void(sim::Loop&)>& body, const ExploreOptions& options = {});

/// The `sim::Options` the `TXAIO_SIM_*` variables select (unset ones: seed 0, fifo, scheduled,
/// no jitter), or nothing when none is set. `std::invalid_argument` naming the variable and its value when one is malformed.
std::optional<sim::Options> schedule_from_environment();

/// "TXAIO_SIM_SEED=7 TXAIO_SIM_TIES=lifo TXAIO_SIM_DISPATCH=scheduled TXAIO_SIM_JITTER=250ns".
std::string reproduce_variables(const sim::Options& options);

}  // namespace txaio::testutil
