// The files txaio-replay writes: --junit, --report, and the scenario files --update rewrites.
#include <fmt/format.h>

#include <sstream>
#include <stdexcept>

#include "cli_steps.hpp"
#include "txaio/replay/html_report.hpp"
#include "txaio/replay/junit.hpp"
#include "txaio/replay/update.hpp"

namespace txaio::replay::detail {

namespace fs = std::filesystem;

namespace {

// Writes one report, printing the error naming `option` on `err`; false when it failed.
template <class Write>
bool write_report(std::string_view option, std::ostream& err, Write&& write) {
  try {
    write();
    return true;
  } catch (const std::exception& e) {
    err << "txaio-replay: error: " << option << ": " << e.what() << '\n';
    return false;
  }
}

}  // namespace

void check_outputs(const Settings& settings, std::span<const fs::path> inputs) {
  if (!settings.junit.empty()) check_output_path("--junit", settings.junit, inputs);
  if (!settings.report.empty()) check_output_path("--report", settings.report, inputs);
  if (!settings.junit.empty() && !settings.report.empty() && same_output_path(settings.junit, settings.report)) {
    throw std::runtime_error(
        fmt::format("--junit {} and --report {} are the same file: expected two", settings.junit, settings.report));
  }
}

Replaced update_scenario_file(Verdict& verdict, const Item& item, std::int64_t tolerance_ns) {
  const std::string rewritten = rewrite_expectations(item.text, *verdict.scenario, verdict.compared, tolerance_ns);
  const Replaced how = replace_file_text(item.path, item.text, rewritten);
  verdict.scenario = parse_scenario(rewritten, verdict.name);
  verdict.comparison = compare(*verdict.scenario, verdict.compared, tolerance_ns);
  verdict.status = verdict.comparison.passed ? Status::passed : Status::failed;
  return how;
}

bool write_outputs(const Settings& settings, std::span<const Verdict> verdicts, const RunClock& clock,
                   std::ostream& out, std::ostream& err) {
  const bool junit_ok = settings.junit.empty() || write_report("--junit", err, [&] {
    std::ostringstream xml;
    write_junit(xml, verdicts, junit_run(clock.started_at, clock.seconds()));
    write_output_file(settings.junit, xml.str());
  });
  const bool report_ok = settings.report.empty() || write_report("--report", err, [&] {
    std::ostringstream html;
    write_html_report(html, verdicts, ReportOptions{settings.command_line});
    write_output_file(settings.report, html.str());
    out << "report: " << fs::absolute(settings.report).lexically_normal().generic_string() << '\n';
  });
  return junit_ok && report_ok;
}

}  // namespace txaio::replay::detail
