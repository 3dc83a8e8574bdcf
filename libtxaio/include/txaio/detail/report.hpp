#pragma once
/// Where loops send what they report: exceptions that escaped callbacks and unhandled
/// failures. Goes through txaio's logger.

#include <exception>
#include <string>
#include <string_view>

namespace txaio {
class Failure;
}

namespace txaio::detail {

/// `what()` of `error` (or of the exception being handled), "unknown exception" for one that
/// is not a `std::exception`. What loop observers see as an error's message. Never throws
/// anything but `std::bad_alloc`.
std::string exception_text(std::exception_ptr error);
std::string current_exception_text();

/// Logs an exception that escaped a callback (`where` says which) at error level, with its
/// traceback at debug level. Never throws.
void log_exception(std::exception_ptr error, std::string_view where) noexcept;

/// Logs a rejected future that nobody handled. Never throws.
void log_unhandled_failure(const Failure& failure) noexcept;

}  // namespace txaio::detail
