#pragma once
/// One scenario from text to verdict: parse, run, compare, and optionally run again to check
/// determinism. The CLI, the report writers and the benchmarks build on this.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "txaio/replay/diff.hpp"
#include "txaio/replay/runner.hpp"
#include "txaio/replay/scenario.hpp"

namespace txaio::replay {

/// The exit codes of `txaio-replay`.
enum ExitCode : int {
  exit_passed = 0,            ///< every scenario passed
  exit_failed = 1,            ///< an expectation failed (or a run stopped early)
  exit_usage = 2,             ///< a usage or parse error; nothing ran
  exit_nondeterministic = 3,  ///< `--check-determinism` saw two runs differ
};

struct ReplayOptions {
  RunOptions run;
  /// Compare trace events too (also on when the scenario's expect lines use them).
  bool trace = false;
  /// Largest accepted difference between an expected and an observed time.
  std::int64_t tolerance_ns = 0;
  /// Run twice and compare the event hashes.
  bool check_determinism = false;
};

enum class Status : std::uint8_t {
  passed,
  failed,            ///< observed events differ from the expect lines
  nondeterministic,  ///< two runs observed different events
  parse_error,       ///< the file is malformed (nothing ran)
  run_error,         ///< the run stopped early (see `message`)
  not_run,           ///< not run because another file has a parse error
};

std::string_view to_string(Status status) noexcept;

/// The verdict on one scenario.
struct Verdict {
  std::string name;
  Status status = Status::not_run;
  std::optional<Scenario> scenario;
  RunResult run;
  /// Whether trace events were compared.
  bool trace = false;
  /// The events compared with the expect lines (`run.events` filtered for the mode).
  std::vector<Event> compared;
  Comparison comparison;
  /// Parse error, run failure or determinism report; the diff is in `comparison.report`.
  std::string message;
  std::uint64_t hash = 0;
  double seconds = 0;
  std::int64_t tolerance_ns = 0;
};

/// Where two runs of one scenario differ (events or how they stopped), for
/// `--check-determinism`: nullopt when they agree, else a report naming both hashes and the
/// first differing event.
std::optional<std::string> determinism_difference(const RunResult& first, const RunResult& second);

/// The exit code for a set of verdicts: `exit_usage` if a file did not parse, else
/// `exit_nondeterministic` if a determinism check failed, else `exit_failed` if an expectation
/// failed or a run stopped early, else `exit_passed`.
int exit_code_for(std::span<const Verdict> outcomes) noexcept;

/// Runs and judges a parsed scenario.
Verdict replay_scenario(Scenario scenario, const ReplayOptions& options);

/// Parses `text` (named `name` in messages) and, when it parses, runs and judges it.
Verdict replay_text(std::string_view text, std::string_view name, const ReplayOptions& options);

}  // namespace txaio::replay
