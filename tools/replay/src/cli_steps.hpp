#pragma once
// The steps of txaio-replay's run_cli (cli.cpp), in the order it takes them; the file that
// holds each step is named above it. Every parallel step runs on one WorkerPool.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "progress.hpp"
#include "txaio/replay/cli.hpp"
#include "txaio/replay/detail/output_file.hpp"
#include "txaio/replay/detail/worker_pool.hpp"
#include "txaio/replay/replay.hpp"

namespace txaio::replay::detail {

// cli_options.cpp: the command line.

/// A run's settings, checked.
struct Settings {
  std::vector<std::string> paths;
  ReplayOptions replay;
  bool update = false;
  bool show = false;
  unsigned jobs = 1;  ///< 0: one per hardware thread
  Shard shard;
  std::string junit;         ///< empty: no JUnit report
  std::string report;        ///< empty: no HTML report
  std::string command_line;  ///< "txaio-replay ARGS...", the HTML report's subtitle
};

/// The settings `args` ask for, or the exit code of a run that ends here, its text printed:
/// `--help` and `--version` (on `out`, exit 0) or a usage error (on `err`, exit 2).
std::variant<Settings, int> parse_command_line(std::span<const std::string> args, std::ostream& out,
                                               std::ostream& err);

/// Prints "txaio-replay: error: MESSAGE" and where to find the usage on `err`; returns 2.
int usage_error(std::ostream& err, std::string_view message);

// cli_collect.cpp: collect_scenarios (declared in cli.hpp). cli_outputs.cpp: check_outputs.

/// Throws naming the option when --junit or --report may not be written: an input, a special
/// file, both naming one file (see check_output_path).
void check_outputs(const Settings& settings, std::span<const std::filesystem::path> inputs);

/// When the run started, for the summary and the JUnit report.
struct RunClock {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::chrono::system_clock::time_point started_at = std::chrono::system_clock::now();
  /// Seconds since `start`.
  [[nodiscard]] double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
};

// cli_load.cpp: reading and parsing the scenario files.

/// One scenario file: parsed, or the parse error.
struct Item {
  std::filesystem::path path;
  std::string name;
  std::string text;
  std::optional<Scenario> scenario;
  std::string parse_error;
};

/// Reads and parses every file on the pool. A file that does not parse holds its error; one
/// that cannot be read throws (the first such file's error, in the order of `files`).
std::vector<Item> load_scenarios(std::span<const std::filesystem::path> files, const WorkerPool& pool);

/// How many items did not parse.
std::size_t count_malformed(std::span<const Item> items);

/// The verdicts when some file did not parse: the parse errors, and the others not run.
std::vector<Verdict> malformed_run_verdicts(std::span<const Item> items);

// cli_run.cpp: replaying this shard's files.

/// The indexes of the files of `shard`, of `count` in all.
std::vector<std::size_t> shard_indexes(std::size_t count, const Shard& shard);

/// The progress bar's units for replaying `items[selected[k]]`: one per op, and one per file.
std::size_t work_units(std::span<const Item> items, std::span<const std::size_t> selected);

/// Replays `items[selected[k]]` (its scenario moved into the verdict) for every k on the pool,
/// advancing `progress`; calls `take(k, verdict)` on this thread in order of k.
void replay_selected(std::span<Item> items, std::span<const std::size_t> selected, const ReplayOptions& options,
                     const WorkerPool& pool, Progress& progress,
                     const std::function<void(std::size_t, Verdict)>& take);

// cli_verdicts.cpp: what follows each verdict.

/// How the verdicts of a run came out, for the summary line.
struct Tally {
  std::size_t passed = 0;
  std::size_t failed = 0;
  std::size_t nondeterministic = 0;
  std::size_t errors = 0;      ///< runs stopped early
  std::size_t updated = 0;     ///< rewritten by --update (also counted as passed)
  bool write_failed = false;   ///< an --update could not write its file

  /// Counts a verdict that was not updated.
  void add(Status status) noexcept;
};

/// Takes a run's verdicts in file order: rewrites a failed file under --update, prints each
/// verdict's lines (through the progress bar), counts it and keeps it for the reports.
class VerdictLog {
public:
  VerdictLog(const Settings& settings, Progress& progress, std::ostream& out);
  void take(Verdict verdict, const Item& item);
  [[nodiscard]] const Tally& tally() const noexcept { return tally_; }
  [[nodiscard]] std::span<const Verdict> verdicts() const noexcept { return verdicts_; }

private:
  std::string judge(Verdict& verdict, const Item& item);

  const Settings& settings_;
  Progress& progress_;
  std::ostream& out_;
  Tally tally_;
  std::vector<Verdict> verdicts_;
};

// cli_print.cpp: the printed text.

/// A verdict's lines: "PASS  name  (N events)", or FAIL, NONDETERMINISTIC or ERROR with the
/// seed, the ties and the diff or message.
std::string verdict_text(const Verdict& verdict);

/// The line of a verdict whose file --update rewrote (`how`: by this run or by another).
std::string updated_text(const Verdict& verdict, Replaced how);

/// The line of a verdict whose file --update could not rewrite, `what` saying why.
std::string update_error_text(const Verdict& verdict, std::string_view what);

/// The observed events of a verdict as indented expect lines (--show).
std::string shown_events(const Verdict& verdict);

/// "txaio-replay: N scenarios ...: P passed, ... in S s".
std::string summary_line(const Tally& tally, std::size_t run, const Shard& shard, std::size_t files, double seconds);

/// Prints each parse error and the line saying nothing was run.
void print_malformed(std::span<const Verdict> verdicts, std::ostream& err);

// cli_outputs.cpp: the files written.

/// Rewrites the expect lines of a failed verdict's file from what it observed (--update) and
/// judges the verdict again by the new file, as the report shows it. Throws when the file
/// cannot be rewritten.
Replaced update_scenario_file(Verdict& verdict, const Item& item, std::int64_t tolerance_ns);

/// Writes the --junit and --report files asked for; false (the error printed on `err`) when
/// one could not be written.
bool write_outputs(const Settings& settings, std::span<const Verdict> verdicts, const RunClock& clock,
                   std::ostream& out, std::ostream& err);

}  // namespace txaio::replay::detail
