// What txaio-replay does with each verdict, in file order: --update, the printed lines, counts.
#include <exception>

#include "cli_steps.hpp"

namespace txaio::replay::detail {

void Tally::add(Status status) noexcept {
  switch (status) {
    case Status::passed: ++passed; break;
    case Status::failed: ++failed; break;
    case Status::nondeterministic: ++nondeterministic; break;
    case Status::run_error:
    case Status::parse_error:
    case Status::not_run: ++errors; break;
  }
}

VerdictLog::VerdictLog(const Settings& settings, Progress& progress, std::ostream& out)
    : settings_(settings), progress_(progress), out_(out) {}

void VerdictLog::take(Verdict verdict, const Item& item) {
  std::string text = judge(verdict, item);
  if (settings_.show) text += shown_events(verdict);
  progress_.print(out_, text);
  verdicts_.push_back(std::move(verdict));
}

// Counts the verdict, after rewriting its file under --update, and returns its lines.
std::string VerdictLog::judge(Verdict& verdict, const Item& item) {
  if (!settings_.update || verdict.status != Status::failed) {
    tally_.add(verdict.status);
    return verdict_text(verdict);
  }
  try {
    const Replaced how = update_scenario_file(verdict, item, settings_.replay.tolerance_ns);
    ++tally_.updated;
    ++tally_.passed;
    return updated_text(verdict, how);
  } catch (const std::exception& e) {
    tally_.write_failed = true;
    return update_error_text(verdict, e.what());
  }
}

}  // namespace txaio::replay::detail
