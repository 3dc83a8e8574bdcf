// The text txaio-replay prints: a line (and details) per verdict, the summary line.
#include <fmt/format.h>

#include "cli_steps.hpp"
#include "txaio/replay/update.hpp"

namespace txaio::replay::detail {

namespace {

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

// "LABEL  name  (seed S, ties T)" and the indented details.
std::string verdict_with_details(std::string_view label, const Verdict& verdict, std::string_view details) {
  return fmt::format("{}  {}  (seed {}, ties {})\n", label, verdict.name, verdict.run.seed, to_string(verdict.run.ties)) +
         indent(details, "      ");
}

}  // namespace

std::string verdict_text(const Verdict& verdict) {
  switch (verdict.status) {
    case Status::passed: return fmt::format("PASS  {}  ({} events)\n", verdict.name, verdict.compared.size());
    case Status::failed: return verdict_with_details("FAIL", verdict, verdict.comparison.report);
    case Status::nondeterministic: return verdict_with_details("NONDETERMINISTIC", verdict, verdict.message);
    case Status::run_error:
    case Status::parse_error:
    case Status::not_run: break;
  }
  return verdict_with_details("ERROR", verdict, verdict.message);
}

std::string updated_text(const Verdict& verdict, Replaced how) {
  return fmt::format("UPDATED  {}  ({} expect lines{})\n", verdict.name, verdict.compared.size(),
                     how == Replaced::written ? "" : ", already written by another txaio-replay");
}

std::string update_error_text(const Verdict& verdict, std::string_view what) {
  return fmt::format("ERROR  {}: {}\n", verdict.name, what);
}

std::string shown_events(const Verdict& verdict) {
  std::string text;
  for (const Event& e : verdict.compared) text += "  " + expect_line(e) + "\n";
  return text;
}

std::string summary_line(const Tally& tally, std::size_t run, const Shard& shard, std::size_t files, double seconds) {
  std::string summary = fmt::format("txaio-replay: {} scenario{}", run, run == 1 ? "" : "s");
  if (shard.count > 1) summary += fmt::format(" (shard {}/{} of {})", shard.index, shard.count, files);
  summary += fmt::format(": {} passed", tally.passed);
  if (tally.updated > 0) summary += fmt::format(" ({} updated)", tally.updated);
  if (tally.failed > 0) summary += fmt::format(", {} failed", tally.failed);
  if (tally.nondeterministic > 0) summary += fmt::format(", {} nondeterministic", tally.nondeterministic);
  if (tally.errors > 0) summary += fmt::format(", {} stopped early", tally.errors);
  summary += fmt::format(" in {:.2f} s\n", seconds);
  return summary;
}

void print_malformed(std::span<const Verdict> verdicts, std::ostream& err) {
  std::size_t broken = 0;
  for (const Verdict& verdict : verdicts) {
    if (verdict.status != Status::parse_error) continue;
    err << verdict.message << '\n';
    ++broken;
  }
  err << fmt::format("txaio-replay: {} of {} scenario files {} malformed; nothing was run\n", broken, verdicts.size(),
                     broken == 1 ? "is" : "are");
}

}  // namespace txaio::replay::detail
