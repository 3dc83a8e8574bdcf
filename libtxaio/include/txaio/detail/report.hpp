#pragma once
/// Where loops send what they report: exceptions that escaped callbacks and unhandled
/// failures. Goes through txaio's logger.

#include <exception>
#include <string_view>

namespace txaio {
class Failure;
}

namespace txaio::detail {

/// Logs an exception that escaped a callback (`where` says which) at error level, with its
/// traceback at debug level. Never throws.
void log_exception(std::exception_ptr error, std::string_view where) noexcept;

/// Logs a rejected future that nobody handled. Never throws.
void log_unhandled_failure(const Failure& failure) noexcept;

}  // namespace txaio::detail
