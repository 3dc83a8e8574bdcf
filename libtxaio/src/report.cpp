// What loops report goes through txaio's logger, namespace "txaio": the message at error
// level, the traceback (`failure_format_traceback`) at debug level.
#include "txaio/detail/report.hpp"

#include <exception>
#include <string>

#include "txaio/failure.hpp"
#include "txaio/logging.hpp"

namespace txaio::detail {
namespace {

const Logger& report_logger() {
  static const Logger log = make_logger("txaio");
  return log;
}

void log_traceback(const Logger& log, const Failure& failure) noexcept {
  if (Logger::enabled(LogLevel::debug)) log.debug("{}", failure_format_traceback(failure));
}

}  // namespace

std::string exception_text(std::exception_ptr error) {
  if (!error) return "no exception";
  try {
    std::rethrow_exception(std::move(error));
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

std::string current_exception_text() { return exception_text(std::current_exception()); }

void log_exception(std::exception_ptr error, std::string_view where) noexcept {
  if (!Logger::enabled(LogLevel::error)) return;
  try {
    const Logger& log = report_logger();
    if (!error) {
      log.error("Unhandled exception in {}: (no exception)", where);
      return;
    }
    const Failure failure = create_failure(std::move(error));
    log.error("Unhandled exception in {}: {}", where, failure_message(failure));
    log_traceback(log, failure);
  } catch (...) {
    // Out of memory while building the failure: nothing more can be said.
  }
}

void log_unhandled_failure(const Failure& failure) noexcept {
  if (!Logger::enabled(LogLevel::error)) return;
  try {
    const Logger& log = report_logger();
    log.error("Unhandled error in a rejected future nobody handled: {}", failure_message(failure));
    log_traceback(log, failure);
  } catch (...) {
  }
}

}  // namespace txaio::detail
