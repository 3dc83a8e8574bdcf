// The strict SimTest's tear-down checks.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "txaio/failure.hpp"
#include "txaio/testutil/detail/event_trace.hpp"
#include "txaio/testutil/detail/strict_checks.hpp"

namespace txaio::testutil::detail {
namespace {

// The innermost frame with a source file: where the failure was created.
std::string creation_site(const Failure& failure) {
  for (const StackFrame& frame : failure_traceback(failure)) {
    if (!frame.file.empty()) return fmt::format("{}:{} in {}", frame.file, frame.line, frame.function);
  }
  const std::vector<StackFrame> frames = failure_traceback(failure);
  if (!frames.empty() && !frames.front().function.empty()) return frames.front().function;
  return "an unknown place (build with debug information to see it)";
}

}  // namespace

void CallbackErrorLog::on_event(const Event& event) {
  if (event.source != EventSource::loop) return;  // batched calls' events name their own ids
  switch (event.kind) {
    case EventKind::schedule: scheduled_at_[event.id] = event.time; break;
    case EventKind::cancel: scheduled_at_.erase(event.id); break;
    case EventKind::fire: {
      const auto it = scheduled_at_.find(event.id);
      fired_id_ = event.id;
      fired_scheduled_at_ = it == scheduled_at_.end() ? nanoseconds(-1) : it->second;
      if (it != scheduled_at_.end()) scheduled_at_.erase(it);
      break;
    }
    case EventKind::error: {
      if (errors_.size() == max_errors) return;
      if (event.id == 0 || event.id != fired_id_) {
        errors_.push_back(fmt::format("a call_soon or future callback threw at virtual time {}: {}", format_seconds(event.time),
                                      event.message));
      } else {
        const std::string when = fired_scheduled_at_ < nanoseconds::zero()
                                     ? std::string("before the fixture watched the loop")
                                     : "at virtual time " + format_seconds(fired_scheduled_at_);
        errors_.push_back(fmt::format("call {}, scheduled {}, due {}, threw at virtual time {}: {}", event.id, when,
                                      format_seconds(event.due), format_seconds(event.time), event.message));
      }
      break;
    }
    case EventKind::done: break;
  }
}

void check_at_tear_down(const sim::Loop& loop, const CallbackErrorLog& errors, bool allow_unhandled) {
  if (!allow_unhandled && loop.unhandled_failures() > 0) {
    std::string report = fmt::format(
        "{} rejected future(s) were never handled (no errback before the last handle went away); handle them, "
        "or call allow_unhandled_failures() in this test:",
        loop.unhandled_failures());
    for (const Failure& f : loop.unhandled_failure_list()) {
      report += fmt::format("\n  {}\n    created at {}", failure_message(f), creation_site(f));
    }
    if (loop.unhandled_failures() > loop.unhandled_failure_list().size()) report += "\n  ...";
    ADD_FAILURE() << report;
  }
  if (::testing::Test::HasFailure() && !errors.errors().empty()) {
    std::string note = "note: callbacks that threw during this test:";
    for (const std::string& e : errors.errors()) note += "\n  " + e;
    ADD_FAILURE() << note;
  }
}

}  // namespace txaio::testutil::detail
