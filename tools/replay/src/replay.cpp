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

std::optional<std::string> determinism_difference(const RunResult& first, const RunResult& second) {
  const std::uint64_t h1 = event_hash(first.events);
  const std::uint64_t h2 = event_hash(second.events);
  if (h1 == h2 && first.events == second.events && first.failure == second.failure) return std::nullopt;
  const auto& a = first.events;
  const auto& b = second.events;
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  auto at = [i](const std::vector<Event>& v) { return i < v.size() ? format_event(v[i]) : std::string("(no more events)"); };
  std::string out = fmt::format(
      "determinism check failed: run 1 observed {} events (hash {:016x}), run 2 observed {} (hash {:016x})",
      a.size(), h1, b.size(), h2);
  if (i < a.size() || i < b.size()) {
    out += fmt::format("; first difference at event {}:\n  run 1: {}\n  run 2: {}", i + 1, at(a), at(b));
  } else {
    out += fmt::format(";\n  run 1 stopped: {}\n  run 2 stopped: {}", first.failure.value_or("normally"),
                       second.failure.value_or("normally"));
  }
  return out;
}

int exit_code_for(std::span<const Verdict> outcomes) noexcept {
  bool failed = false, nondeterministic = false;
  for (const Verdict& o : outcomes) {
    switch (o.status) {
      case Status::parse_error: return exit_usage;
      case Status::nondeterministic: nondeterministic = true; break;
      case Status::failed:
      case Status::run_error: failed = true; break;
      case Status::passed:
      case Status::not_run: break;
    }
  }
  if (nondeterministic) return exit_nondeterministic;
  return failed ? exit_failed : exit_passed;
}

Verdict replay_scenario(Scenario scenario, const ReplayOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  Verdict out;
  out.name = scenario.name;
  out.tolerance_ns = options.tolerance_ns;
  out.trace = options.trace || scenario.expects_trace();
  out.run = run_scenario(scenario, options.run);
  out.hash = event_hash(out.run.events);
  out.compared = compared_events(out.run.events, out.trace);
  order_unordered(scenario, out.compared, options.tolerance_ns);
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
    if (auto difference = determinism_difference(out.run, again)) {
      out.status = Status::nondeterministic;
      out.message = std::move(*difference);
    }
  }
  out.scenario = std::move(scenario);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

Verdict replay_text(std::string_view text, std::string_view name, const ReplayOptions& options) {
  try {
    return replay_scenario(parse_scenario(text, name), options);
  } catch (const ParseError& e) {
    Verdict out;
    out.name = std::string(name);
    out.status = Status::parse_error;
    out.message = e.what();
    return out;
  }
}

}  // namespace txaio::replay
