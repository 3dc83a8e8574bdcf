#include "txaio/replay/cli.hpp"

#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "txaio/replay/detail/file_kind.hpp"
#include "txaio/replay/detail/input_file.hpp"
#include "txaio/replay/detail/output_file.hpp"
#include "txaio/replay/html_report.hpp"
#include "txaio/replay/junit.hpp"
#include "txaio/replay/replay.hpp"
#include "txaio/replay/shard.hpp"
#include "txaio/replay/update.hpp"

namespace txaio::replay {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view footer = R"(Scenario format (one directive per line, '#' starts a comment):
  txaio-scenario 1                  first line
  seed 42                           optional, default 0
  ties fifo                         optional: fifo | lifo | random
  jitter 2ms                        optional: each timer runs late by up to 2 ms (seeded)
  batched B bucket=1 chunk=2        declare batched timer B (bucket >= 1ms, chunk >= 1,
                                    default 100; never_early=1: round up to the grid)
  at 0 call_later a 5.1             timer a, delay 5.1 s, on the loop
  at 0 call_later c 2 via=B         through batched timer B
  at 0 call_later e 3 raise=boom    its callback throws std::runtime_error("boom")
  at 1.2 cancel c                   'at' times never decrease
  run 20                            run to virtual time 20 (default: until idle)
  expect 3 error e boom             the observed events, in order
  expect 5.1 fire a
Times: decimal seconds with up to 9 decimals, or a number with unit ms, us or ns.
Ids: letters, digits, '_', then also '.', '-', ':'. raise="two words" quotes; an error
  message runs to the end of the line (or is one quoted string).
For each op the loop first runs everything due at or before its time, then applies it.
A call that returns is '<t> fire ID'; one that throws is '<t> error ID MESSAGE', once, at the
  time it ran (a batched timer's BatchError is not an event of its own; see batch_error).
Trace events (--trace): schedule ID DUE, cancel ID, bucket_timer B DUE, bucket_fire B I/K
  (chunk I of K), bucket_cancel B, batch_error B N. A scenario whose expect lines use them is
  always compared with its trace.

Exit codes: 0 all passed, 1 an expectation failed, 2 usage or parse error (nothing runs),
  3 determinism check failed.)";

// A one-line progress bar on an interactive stderr, drawn only once a run has lasted half a
// second, redrawn ten times a second, erased at the end and around printed lines.
class Progress {
public:
  Progress(std::ostream& err, bool enabled, std::size_t total_units, std::size_t files)
      : err_(err), enabled_(enabled), total_units_(std::max<std::size_t>(total_units, 1)), files_(files) {
    if (enabled_) thread_ = std::thread([this] { loop(); });
  }
  ~Progress() { stop(); }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void add_units(std::size_t n) { units_.fetch_add(n, std::memory_order_relaxed); }
  void file_done() { files_done_.fetch_add(1, std::memory_order_relaxed); }

  // Prints `text` on `out` with the bar out of the way.
  void print(std::ostream& out, std::string_view text) {
    std::lock_guard lock(mutex_);
    if (drawn_) {
      err_ << "\r\033[K" << std::flush;
      drawn_ = false;
    }
    out << text << std::flush;
  }

  void stop() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
    std::lock_guard lock(mutex_);
    if (drawn_) err_ << "\r\033[K" << std::flush;
    drawn_ = false;
  }

private:
  void loop() {
    const auto start = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex_);
    while (!cv_.wait_for(lock, std::chrono::milliseconds(100), [this] { return stopping_; })) {
      if (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(500)) continue;
      const double frac = std::min(1.0, static_cast<double>(units_.load()) / static_cast<double>(total_units_));
      constexpr int width = 30;
      const int filled = static_cast<int>(frac * width);
      err_ << fmt::format("\r\033[K[{}{}] {:3.0f}%  {}/{} scenarios", std::string(static_cast<std::size_t>(filled), '#'),
                          std::string(static_cast<std::size_t>(width - filled), '.'), frac * 100, files_done_.load(),
                          files_)
           << std::flush;
      drawn_ = true;
    }
  }

  std::ostream& err_;
  bool enabled_;
  std::size_t total_units_;
  std::size_t files_;
  std::atomic<std::size_t> units_{0};
  std::atomic<std::size_t> files_done_{0};
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool drawn_ = false;
  std::thread thread_;
};

std::string indent(std::string_view text, std::string_view prefix) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    end = end == std::string_view::npos ? text.size() : end + 1;
    out += prefix;
    out += text.substr(pos, end - pos);
    pos = end;
  }
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out;
}

struct Settings {
  std::vector<std::string> paths;
  bool update = false;
  bool trace = false;
  bool show = false;
  bool check_determinism = false;
  std::string seed;
  std::string ties;
  std::string tolerance;
  std::string jitter;
  int jobs = 1;
  std::string shard;
  std::string junit;
  std::string report;
};

// Throws naming the option when --junit or --report may not be written: an input, a special
// file, both naming one file (see detail::check_output_path).
void check_outputs(const Settings& set, std::span<const fs::path> inputs) {
  if (!set.junit.empty()) detail::check_output_path("--junit", set.junit, inputs);
  if (!set.report.empty()) detail::check_output_path("--report", set.report, inputs);
  if (!set.junit.empty() && !set.report.empty() && detail::same_output_path(set.junit, set.report)) {
    throw std::runtime_error(fmt::format("--junit {} and --report {} are the same file: expected two", set.junit, set.report));
  }
}

// One file to replay.
struct Item {
  fs::path path;
  std::string name;
  std::string text;
  std::optional<Scenario> scenario;
  std::string parse_error;
};

template <class F>
void parallel_for(std::size_t n, unsigned jobs, F&& body) {
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i = next++; i < n; i = next++) body(i);
  };
  std::vector<std::thread> threads;
  for (unsigned j = 1; j < std::min<std::size_t>(jobs, n); ++j) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
}

// Calls `add` for every regular `*.txs` file under the folder `root`, following symlinks to
// folders, and returns how many it found; a symlink back to a folder it is inside is an error
// naming the link.
template <class Add>
std::size_t scan_folder(const std::string& root, Add&& add) {
  std::vector<detail::FileId> chain;  // chain[d]: the folder holding the entries at depth d
  if (const auto id = detail::file_id(root)) chain.push_back(*id);
  std::size_t found = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::follow_directory_symlink, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const auto depth = static_cast<std::size_t>(it.depth());
    std::error_code entry_ec;  // a dangling symlink is neither a folder nor a file
    if (it->is_directory(entry_ec)) {
      const auto id = detail::file_id(it->path());
      chain.resize(depth + 1);
      if (id && std::find(chain.begin(), chain.end(), *id) != chain.end()) {
        throw std::runtime_error(fmt::format("cannot read folder {}: symlink loop at {}", root, it->path().generic_string()));
      }
      if (id) chain.push_back(*id);
    } else if (it->is_regular_file(entry_ec) && it->path().extension() == ".txs") {
      add(it->path());
      ++found;
    }
  }
  if (ec) throw std::runtime_error(fmt::format("cannot read folder {}: {}", root, ec.message()));
  return found;
}

}  // namespace

std::optional<Shard> parse_shard(std::string_view text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto number = [](std::string_view s) -> std::optional<std::size_t> {
    if (s.empty() || s.size() > 9 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    return static_cast<std::size_t>(std::stoul(std::string(s)));
  };
  const auto k = number(text.substr(0, slash));
  const auto n = number(text.substr(slash + 1));
  if (!k || !n || *n == 0 || *k == 0 || *k > *n) return std::nullopt;
  return Shard{*k, *n};
}

std::vector<fs::path> collect_scenarios(std::span<const std::string> paths) {
  std::set<std::string> seen;
  std::vector<fs::path> out;
  auto add = [&](const fs::path& p) {
    const fs::path norm = p.lexically_normal();
    if (seen.insert(norm.generic_string()).second) out.push_back(norm);
  };
  for (const std::string& arg : paths) {
    const fs::path p(arg);
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) {
      if (errno == ELOOP) throw std::runtime_error(fmt::format("{}: symlink loop", arg));
      throw std::runtime_error(fmt::format("no such file or folder: {}", arg));
    }
    if (S_ISDIR(st.st_mode)) {
      if (scan_folder(arg, add) == 0) throw std::runtime_error(fmt::format("no *.txs scenario files under {}", arg));
    } else if (S_ISREG(st.st_mode)) {
      add(p);
    } else {
      // Checked here, without opening it: reading a FIFO would wait for a writer.
      throw std::runtime_error(
          fmt::format("{}: not a regular file ({}): expected a scenario file or a folder", arg, detail::kind_name(st.st_mode)));
    }
  }
  std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) { return a.generic_string() < b.generic_string(); });
  return out;
}

int run_cli(std::span<const std::string> args, std::ostream& out, std::ostream& err, bool interactive) {
  Settings set;
  CLI::App app{"Replays txaio timer scenarios (*.txs) on the virtual clock and checks their expectations.",
               "txaio-replay"};
  app.add_option("paths", set.paths, "Scenario files, or folders searched recursively for *.txs")->required();
  app.add_flag("--update", set.update, "Rewrite the expect lines from what was observed, keeping comments and ops");
  auto* seed = app.add_option("--seed", set.seed, "Seed for 'ties random' (overrides the scenario's seed)");
  auto* ties = app.add_option("--ties", set.ties, "Tie-break policy (overrides the scenario's ties)")
                   ->check(CLI::IsMember({"fifo", "lifo", "random"}));
  auto* jitter = app.add_option("--jitter", set.jitter,
                 "Run each timer late by up to DUR, drawn from the seed (overrides the scenario's jitter)")
      ->type_name("DUR");
  app.add_flag("--trace", set.trace, "Also observe schedule, cancel and the batched timers' loop timers");
  app.add_flag("--check-determinism", set.check_determinism, "Run every scenario twice and compare the event hashes (exit 3 on a difference)");
  auto* tolerance = app.add_option("--tolerance", set.tolerance, "Accept observed times this far from the expected ones (e.g. 5ms)");
  app.add_option("--jobs,-j", set.jobs, "Scenarios replayed in parallel (0: one per core)")->check(CLI::Range(0, 1024));
  auto* shard_option = app.add_option("--shard", set.shard, "Replay only shard K of N (K/N, from 1): files i with i % N == K - 1. "
                 "Without it, GTEST_TOTAL_SHARDS/GTEST_SHARD_INDEX or Bazel's TEST_TOTAL_SHARDS/TEST_SHARD_INDEX "
                 "(0-based) choose the shard");
  auto* junit = app.add_option("--junit", set.junit, "Write a JUnit XML report to FILE")->type_name("FILE");
  auto* report = app.add_option("--report", set.report, "Write a self-contained HTML report with timelines to FILE.html")->type_name("FILE.html");
  app.add_flag("--show", set.show, "Print the observed events of every scenario as expect lines");
  app.set_version_flag("--version", "txaio-replay 0.1.0");
  app.footer(std::string(footer));

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return exit_passed;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return exit_passed;
  } catch (const CLI::CallForVersion& e) {
    out << e.what() << '\n';
    return exit_passed;
  } catch (const CLI::ParseError& e) {
    err << "txaio-replay: error: " << e.what() << "\nRun 'txaio-replay --help' for usage.\n";
    return exit_usage;
  }

  auto usage_error = [&](const std::string& message) {
    err << "txaio-replay: error: " << message << "\nRun 'txaio-replay --help' for usage.\n";
    return exit_usage;
  };
  ReplayOptions options;
  options.trace = set.trace;
  options.check_determinism = set.check_determinism;
  if (seed->count() > 0) {
    std::string why;
    const auto v = parse_u64(set.seed, &why);
    if (!v) return usage_error(fmt::format("--seed '{}': {}", set.seed, why));
    options.run.seed = *v;
  }
  if (ties->count() > 0) options.run.ties = parse_ties(set.ties);
  if (jitter->count() > 0) {  // given, even as ''
    std::string why;
    const auto jitter_ns = parse_time(set.jitter, &why);
    if (!jitter_ns) return usage_error(fmt::format("--jitter '{}': {}", set.jitter, why));
    options.run.jitter_ns = *jitter_ns;
  }
  if (tolerance->count() > 0) {  // given, even as ''
    std::string why;
    const auto tol = parse_time(set.tolerance, &why);
    if (!tol) return usage_error(fmt::format("--tolerance '{}': {}", set.tolerance, why));
    options.tolerance_ns = *tol;
  }
  Shard shard;
  if (shard_option->count() > 0) {
    const auto s = parse_shard(set.shard);
    if (!s) return usage_error(fmt::format("--shard '{}': expected K/N with 1 <= K <= N, e.g. 2/4", set.shard));
    shard = *s;
  } else {
    try {
      if (const auto s = shard_from_process_environment()) shard = *s;
    } catch (const std::exception& e) {
      return usage_error(fmt::format("sharding variables: {}", e.what()));
    }
  }
  for (const auto* file_option : {junit, report}) {
    if (file_option->count() > 0 && file_option->as<std::string>().empty()) {
      return usage_error(fmt::format("{} '': expected a file path", file_option->get_name()));
    }
  }
  const unsigned jobs = set.jobs == 0 ? std::max(1u, std::thread::hardware_concurrency()) : static_cast<unsigned>(set.jobs);

  std::vector<fs::path> files;
  try {
    files = collect_scenarios(set.paths);
    check_outputs(set, files);
  } catch (const std::exception& e) {
    return usage_error(e.what());
  }

  const auto start = std::chrono::steady_clock::now();
  const auto started_at = std::chrono::system_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };

  // Read and parse every file, in every shard, so that a malformed file stops every shard.
  std::vector<Item> items(files.size());
  std::string read_error;
  std::mutex read_mutex;
  parallel_for(files.size(), jobs, [&](std::size_t i) {
    Item& item = items[i];
    item.path = files[i];
    item.name = files[i].generic_string();
    try {
      item.text = detail::read_input_file(files[i]);
      item.scenario = parse_scenario(item.text, item.name);
    } catch (const ParseError& e) {
      item.parse_error = e.what();
    } catch (const std::exception& e) {
      std::lock_guard lock(read_mutex);
      if (read_error.empty()) read_error = e.what();
    }
  });
  if (!read_error.empty()) return usage_error(read_error);

  const std::string subtitle = [&] {
    std::string s = "txaio-replay";
    for (const std::string& a : args) s += " " + a;
    return s;
  }();
  auto write_outputs = [&](std::span<const Verdict> outcomes) -> bool {
    bool ok = true;
    try {
      if (!set.junit.empty()) {
        std::ostringstream xml;
        write_junit(xml, outcomes, junit_run(started_at, elapsed()));
        detail::write_output_file(set.junit, xml.str());
      }
    } catch (const std::exception& e) {
      err << "txaio-replay: error: --junit: " << e.what() << '\n';
      ok = false;
    }
    try {
      if (!set.report.empty()) {
        std::ostringstream html;
        write_html_report(html, outcomes, ReportOptions{subtitle});
        detail::write_output_file(set.report, html.str());
        out << "report: " << fs::absolute(set.report).lexically_normal().generic_string() << '\n';
      }
    } catch (const std::exception& e) {
      err << "txaio-replay: error: --report: " << e.what() << '\n';
      ok = false;
    }
    return ok;
  };

  const std::size_t broken = static_cast<std::size_t>(
      std::count_if(items.begin(), items.end(), [](const Item& it) { return !it.scenario; }));
  if (broken > 0) {
    std::vector<Verdict> outcomes;
    for (const Item& item : items) {
      Verdict o;
      o.name = item.name;
      if (!item.scenario) {
        err << item.parse_error << '\n';
        o.status = Status::parse_error;
        o.message = item.parse_error;
      } else {
        o.status = Status::not_run;
        o.message = "not run: another scenario file has a parse error";
      }
      outcomes.push_back(std::move(o));
    }
    err << fmt::format("txaio-replay: {} of {} scenario files {} malformed; nothing was run\n", broken, items.size(),
                       broken == 1 ? "is" : "are");
    write_outputs(outcomes);
    return exit_usage;
  }

  // This shard's files.
  std::vector<std::size_t> selected;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i % shard.count == shard.index - 1) selected.push_back(i);
  }
  std::size_t total_units = 0;
  for (std::size_t i : selected) total_units += items[i].scenario->ops.size() + 1;

  Progress progress(err, interactive, total_units, selected.size());
  std::vector<std::optional<Verdict>> results(selected.size());
  std::mutex result_mutex;
  std::condition_variable result_cv;
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t k = next++; k < selected.size(); k = next++) {
      Item& item = items[selected[k]];
      ReplayOptions opts = options;
      std::size_t reported = 0;
      opts.run.progress = [&](std::size_t done) {
        if (done > reported) progress.add_units(done - reported);
        reported = done;
      };
      Verdict o = replay_scenario(std::move(*item.scenario), opts);
      progress.add_units(1);
      progress.file_done();
      {
        std::lock_guard lock(result_mutex);
        results[k] = std::move(o);
      }
      result_cv.notify_all();
    }
  };
  std::vector<std::thread> threads;
  for (unsigned j = 0; j < std::min<std::size_t>(jobs, selected.size()); ++j) threads.emplace_back(worker);

  std::size_t passed = 0, failed = 0, nondeterministic = 0, errors = 0, updated = 0;
  std::vector<Verdict> outcomes;
  outcomes.reserve(selected.size());
  bool write_failed = false;
  for (std::size_t k = 0; k < selected.size(); ++k) {
    {
      std::unique_lock lock(result_mutex);
      result_cv.wait(lock, [&] { return results[k].has_value(); });
    }
    Verdict& o = *results[k];
    const Item& item = items[selected[k]];
    std::string text;
    switch (o.status) {
      case Status::passed:
        ++passed;
        text = fmt::format("PASS  {}  ({} events)\n", o.name, o.compared.size());
        break;
      case Status::failed:
        if (set.update) {
          try {
            const std::string rewritten = rewrite_expectations(item.text, *o.scenario, o.compared, options.tolerance_ns);
            const detail::Replaced how = detail::replace_file_text(item.path, item.text, rewritten);
            // The report shows the file as it is now.
            o.scenario = parse_scenario(rewritten, o.name);
            o.comparison = compare(*o.scenario, o.compared, options.tolerance_ns);
            o.status = o.comparison.passed ? Status::passed : Status::failed;
            ++updated;
            ++passed;
            text = fmt::format("UPDATED  {}  ({} expect lines{})\n", o.name, o.compared.size(),
                               how == detail::Replaced::written ? "" : ", already written by another txaio-replay");
          } catch (const std::exception& e) {
            write_failed = true;
            text = fmt::format("ERROR  {}: {}\n", o.name, e.what());
          }
        } else {
          ++failed;
          text = fmt::format("FAIL  {}  (seed {}, ties {})\n", o.name, o.run.seed, to_string(o.run.ties));
          text += indent(o.comparison.report, "      ");
        }
        break;
      case Status::nondeterministic:
        ++nondeterministic;
        text = fmt::format("NONDETERMINISTIC  {}  (seed {}, ties {})\n", o.name, o.run.seed, to_string(o.run.ties));
        text += indent(o.message, "      ");
        break;
      case Status::run_error:
      case Status::parse_error:
      case Status::not_run:
        ++errors;
        text = fmt::format("ERROR  {}  (seed {}, ties {})\n", o.name, o.run.seed, to_string(o.run.ties));
        text += indent(o.message, "      ");
        break;
    }
    if (set.show) {
      for (const Event& e : o.compared) text += "  " + expect_line(e) + "\n";
    }
    progress.print(out, text);
    outcomes.push_back(std::move(o));
  }
  for (auto& t : threads) t.join();
  progress.stop();

  std::string summary = fmt::format("txaio-replay: {} scenario{}", selected.size(), selected.size() == 1 ? "" : "s");
  if (shard.count > 1) summary += fmt::format(" (shard {}/{} of {})", shard.index, shard.count, items.size());
  summary += fmt::format(": {} passed", passed);
  if (updated > 0) summary += fmt::format(" ({} updated)", updated);
  if (failed > 0) summary += fmt::format(", {} failed", failed);
  if (nondeterministic > 0) summary += fmt::format(", {} nondeterministic", nondeterministic);
  if (errors > 0) summary += fmt::format(", {} stopped early", errors);
  summary += fmt::format(" in {:.2f} s\n", elapsed());
  out << summary;
  if (!write_outputs(outcomes) || write_failed) return exit_usage;
  return exit_code_for(outcomes);
}

}  // namespace txaio::replay
