// txaio-replay's command line: the options, their help, and their values checked into Settings.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "cli_steps.hpp"
#include "txaio/replay/shard.hpp"

namespace txaio::replay {

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

// The options as typed, before their values are checked.
struct Typed {
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

// The options whose values are checked after parsing; each counts whether it was given
// (even as '').
struct Given {
  CLI::Option* seed;
  CLI::Option* ties;
  CLI::Option* jitter;
  CLI::Option* tolerance;
  CLI::Option* shard;
  CLI::Option* junit;
  CLI::Option* report;
};

Given add_options(CLI::App& app, Typed& typed) {
  app.add_option("paths", typed.paths, "Scenario files, or folders searched recursively for *.txs")->required();
  app.add_flag("--update", typed.update, "Rewrite the expect lines from what was observed, keeping comments and ops");
  Given given{};
  given.seed = app.add_option("--seed", typed.seed, "Seed for 'ties random' (overrides the scenario's seed)");
  given.ties = app.add_option("--ties", typed.ties, "Tie-break policy (overrides the scenario's ties)")
                   ->check(CLI::IsMember({"fifo", "lifo", "random"}));
  given.jitter = app.add_option("--jitter", typed.jitter,
                                "Run each timer late by up to DUR, drawn from the seed (overrides the scenario's jitter)")
                     ->type_name("DUR");
  app.add_flag("--trace", typed.trace, "Also observe schedule, cancel and the batched timers' loop timers");
  app.add_flag("--check-determinism", typed.check_determinism,
               "Run every scenario twice and compare the event hashes (exit 3 on a difference)");
  given.tolerance = app.add_option("--tolerance", typed.tolerance,
                                   "Accept observed times this far from the expected ones (e.g. 5ms)");
  app.add_option("--jobs,-j", typed.jobs, "Scenarios replayed in parallel (0: one per core)")->check(CLI::Range(0, 1024));
  given.shard = app.add_option("--shard", typed.shard,
                               "Replay only shard K of N (K/N, from 1): files i with i % N == K - 1. "
                               "Without it, GTEST_TOTAL_SHARDS/GTEST_SHARD_INDEX or Bazel's TEST_TOTAL_SHARDS/TEST_SHARD_INDEX "
                               "(0-based) choose the shard");
  given.junit = app.add_option("--junit", typed.junit, "Write a JUnit XML report to FILE (default: $XML_OUTPUT_FILE when set, as Bazel sets it)")->type_name("FILE");
  given.report = app.add_option("--report", typed.report, "Write a self-contained HTML report with timelines to FILE.html")
                     ->type_name("FILE.html");
  app.add_flag("--show", typed.show, "Print the observed events of every scenario as expect lines");
  app.set_version_flag("--version", "txaio-replay 0.1.0");
  app.footer(std::string(footer));
  return given;
}

// A duration option's value; throws naming the option and the value.
std::int64_t duration_value(std::string_view option, const std::string& text) {
  std::string why;
  const auto ns = parse_time(text, &why);
  if (!ns) throw std::runtime_error(fmt::format("{} '{}': {}", option, text, why));
  return *ns;
}

// The replay options given; throws naming a malformed value.
ReplayOptions replay_options(const Typed& typed, const Given& given) {
  ReplayOptions options;
  options.trace = typed.trace;
  options.check_determinism = typed.check_determinism;
  if (given.seed->count() > 0) {
    std::string why;
    const auto seed = parse_u64(typed.seed, &why);
    if (!seed) throw std::runtime_error(fmt::format("--seed '{}': {}", typed.seed, why));
    options.run.seed = *seed;
  }
  if (given.ties->count() > 0) options.run.ties = parse_ties(typed.ties);
  if (given.jitter->count() > 0) options.run.jitter_ns = duration_value("--jitter", typed.jitter);
  if (given.tolerance->count() > 0) options.tolerance_ns = duration_value("--tolerance", typed.tolerance);
  return options;
}

// --shard, else the shard the environment's sharding variables choose, else the whole run.
Shard shard_option(const Typed& typed, const Given& given) {
  if (given.shard->count() > 0) {
    const auto shard = parse_shard(typed.shard);
    if (!shard) throw std::runtime_error(fmt::format("--shard '{}': expected K/N with 1 <= K <= N, e.g. 2/4", typed.shard));
    return *shard;
  }
  try {
    return shard_from_process_environment().value_or(Shard{});
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("sharding variables: {}", e.what()));
  }
}

detail::Settings checked_settings(Typed typed, const Given& given, std::span<const std::string> args) {
  detail::Settings settings;
  settings.replay = replay_options(typed, given);
  settings.shard = shard_option(typed, given);
  for (const CLI::Option* file_option : {given.junit, given.report}) {
    if (file_option->count() > 0 && file_option->as<std::string>().empty()) {
      throw std::runtime_error(fmt::format("{} '': expected a file path", file_option->get_name()));
    }
  }
  settings.paths = std::move(typed.paths);
  settings.update = typed.update;
  settings.show = typed.show;
  settings.jobs = static_cast<unsigned>(typed.jobs);
  settings.junit = given.junit->count() > 0 ? std::move(typed.junit) : junit_from_environment(std::getenv);
  settings.report = std::move(typed.report);
  settings.command_line = "txaio-replay";
  for (const std::string& arg : args) settings.command_line += " " + arg;
  return settings;
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

namespace detail {

int usage_error(std::ostream& err, std::string_view message) {
  err << "txaio-replay: error: " << message << "\nRun 'txaio-replay --help' for usage.\n";
  return exit_usage;
}

std::variant<Settings, int> parse_command_line(std::span<const std::string> args, std::ostream& out,
                                               std::ostream& err) {
  Typed typed;
  CLI::App app{"Replays txaio timer scenarios (*.txs) on the virtual clock and checks their expectations.",
               "txaio-replay"};
  const Given given = add_options(app, typed);
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
    return usage_error(err, e.what());
  }
  try {
    return checked_settings(std::move(typed), given, args);
  } catch (const std::exception& e) {
    return usage_error(err, e.what());
  }
}

}  // namespace detail

}  // namespace txaio::replay
