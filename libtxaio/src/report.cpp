// Fallback reporting until logging is started: plain lines on stderr.
#include "txaio/detail/report.hpp"

#include <cstdio>
#include <exception>
#include <string>

namespace txaio::detail {

void log_exception(std::exception_ptr error, std::string_view where) noexcept {
  std::string message = "unknown exception";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    message = e.what();
  } catch (...) {
  }
  std::fprintf(stderr, "txaio: exception in %.*s: %s\n", static_cast<int>(where.size()), where.data(), message.c_str());
}

void log_unhandled_failure(const Failure&) noexcept { std::fprintf(stderr, "txaio: unhandled failure\n"); }

}  // namespace txaio::detail
