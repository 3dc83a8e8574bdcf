#include "txaio/replay/replay.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace txaio::replay {

std::string_view to_string(Status status) noexcept {
  switch (status) {
    case Status::passed: return "passed";
    case Status::failed: return "failed";
    case Status::nondeterministic: return "nondeterministic";
    case Status::parse_error: return "parse error";
    case Status::run_error: return "run error";
    case Status::not_run: return "not run";
  }
  return "?";
}

Outcome replay_scenario(Scenario scenario, const ReplayOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  Outcome out;
  out.name = scenario.name;
  out.tolerance_ns = options.tolerance_ns;
  out.trace = options.trace || scenario.expects_trace();
  out.run = run_scenario(scenario, options.run);
  out.hash = event_hash(out.run.events);
  out.compared = compared_events(out.run.events, out.trace);
  out.comparison = compare(scenario, out.compared, options.tolerance_ns);
  if (out.run.failure) {
    out.status = Status::run_error;
    out.message = *out.run.failure;
  } else {
    out.status = out.comparison.passed ? Status::passed : Status::failed;
  }
  if (options.check_determinism) {
    RunOptions quiet = options.run;
    quiet.progress = nullptr;
    const RunResult again = run_scenario(scenario, quiet);
    const std::uint64_t hash2 = event_hash(again.events);
    if (hash2 != out.hash || again.failure != out.run.failure) {
      const auto& a = out.run.events;
      const auto& b = again.events;
      std::size_t i = 0;
      while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
      auto at = [i](const std::vector<Event>& v) { return i < v.size() ? format_event(v[i]) : std::string("(end)"); };
      out.status = Status::nondeterministic;
      out.message = fmt::format(
          "determinism check failed: run 1 observed {} events (hash {:016x}), run 2 observed {} (hash {:016x}); "
          "first difference at event {}:\n  run 1: {}\n  run 2: {}",
          a.size(), out.hash, b.size(), hash2, i + 1, at(a), at(b));
    }
  }
  out.scenario = std::move(scenario);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

Outcome replay_text(std::string_view text, std::string_view name, const ReplayOptions& options) {
  try {
    return replay_scenario(parse_scenario(text, name), options);
  } catch (const ParseError& e) {
    Outcome out;
    out.name = std::string(name);
    out.status = Status::parse_error;
    out.message = e.what();
    return out;
  }
}

}  // namespace txaio::replay
