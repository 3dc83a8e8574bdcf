#pragma once
/// Runs a parsed scenario on a `txaio::sim::Loop` and collects what it observes.
///
/// For each `at` op, in file order, the loop first advances to the op's time (every timer due
/// at or before it fires), then the op is applied; an `and` op is applied right after the
/// previous one, without advancing. Then the loop runs to `run <t>`, or until idle. A call's
/// callback applies its `on` ops, in file order, then throws its `raise=` message, if any.
///
/// What is observed comes from the loop's observer interface (`txaio::Observer`, as
/// `sim::Recorder` sees it), not from the callbacks: `schedule`, `cancel`, `fire` of the
/// scenario's calls, plain and batched; a call whose callback throws is one `error` event at
/// the time it ran. A plain call's exception comes back out of `advance`; a batched timer's
/// `BatchError` too, after the timer's own `error` event named it: the runner records it in
/// the trace as `<now> batch_error <B> <n>`, and carries on.
///
/// Trace events of batched timers' loop timers come from the same observer, from the events
/// with `source == EventSource::bucket_timer` (`txaio::Event::bucket`): `bucket_timer` when B
/// schedules a loop timer for a bucket or its next chunk, `bucket_fire B i/k` when one runs
/// chunk i of k, `bucket_cancel` when a bucket lost its last call and its loop timer.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "txaio/loop.hpp"
#include "txaio/replay/scenario.hpp"
#include "txaio/sim/loop.hpp"

namespace txaio::replay {

struct RunOptions {
  std::optional<std::uint64_t> seed;  ///< overrides the scenario's `seed`
  std::optional<Ties> ties;           ///< overrides the scenario's `ties`
  /// Overrides the scenario's `jitter`: each timer runs late by up to this much, drawn from
  /// the seed (`sim::Options::jitter`).
  std::optional<std::int64_t> jitter_ns;
  /// The most callbacks one advance may run (a bound, not an expectation).
  std::uint64_t max_events = 100'000'000;
  /// Called now and then with the number of ops applied so far (for progress bars).
  std::function<void(std::size_t ops_done)> progress;
};

/// One step of a loop timer of a scenario's batched timer (for the report's buckets and
/// chunks): a `schedule`, `fire` or `cancel` event the loop reported with
/// `source == EventSource::bucket_timer`.
struct BucketActivity {
  std::uint32_t batched = 0;                           ///< index into `Scenario::batched`
  txaio::EventKind kind = txaio::EventKind::schedule;  ///< schedule, fire or cancel
  std::int64_t time_ns = 0;                            ///< loop time of the step
  txaio::BucketInfo bucket;                            ///< the bucket's key, chunk, chunk count and pending calls
};

struct RunResult {
  /// Everything observed, trace kinds included, in the order it happened.
  std::vector<Event> events;
  /// What the batched timers did with their loop timers, in order.
  std::vector<BucketActivity> buckets;
  /// Set when the run stopped on something the scenario cannot cause (a runaway bound, an
  /// exception from the loop that is not a scenario error).
  std::optional<std::string> failure;
  std::uint64_t seed = 0;
  Ties ties = Ties::fifo;
  /// Virtual time when the run ended.
  std::int64_t end_ns = 0;
};

/// Replays `scenario` on a fresh `sim::Loop`. Deterministic: the same scenario and options
/// give the same events.
RunResult run_scenario(const Scenario& scenario, const RunOptions& options = {});

/// The events compared in the given mode: all of them in trace mode, else fire and error only.
std::vector<Event> compared_events(std::span<const Event> events, bool trace);

/// A 64-bit hash of the events' fields (for `--check-determinism`): equal lists hash equal,
/// and the value depends only on the events, not on the run, build or machine.
std::uint64_t event_hash(std::span<const Event> events);

}  // namespace txaio::replay
