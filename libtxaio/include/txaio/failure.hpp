#pragma once
/// `txaio::Failure`: an exception together with its demangled type name, its message and the
/// stack where the failure was created (txaio's `IFailedFuture`, Twisted's `Failure`).
///
///     try {
///       connect();
///     } catch (...) {
///       txaio::Failure f = txaio::create_failure();
///       log(txaio::failure_message(f));  // "std::runtime_error: connection refused"
///     }

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace txaio {

class Failure;

namespace detail {
struct FailureData;
/// Creates a failure, capturing the stack above `skip` frames of txaio's own.
Failure make_failure(std::exception_ptr error, std::size_t skip);
}  // namespace detail

/// One frame of the stack captured when a failure was created.
struct StackFrame {
  std::uintptr_t address = 0;  ///< the return address
  std::string function;        ///< demangled function name; empty when unknown
  std::string file;            ///< source file; empty without debug information
  std::size_t line = 0;        ///< source line; 0 when unknown
};

/// An exception as a value: cheap to copy (shared, immutable). Always holds an exception.
class Failure {
public:
  /// The exception.
  const std::exception_ptr& exception() const noexcept;
  /// The exception's demangled dynamic type, e.g. `"std::runtime_error"`.
  std::string_view type_name() const noexcept;
  /// `what()` of the exception (for `std::string` / C-string exceptions, the string itself);
  /// empty for other types.
  std::string_view message() const noexcept;
  /// Number of stack frames captured where the failure was created.
  std::size_t frame_count() const noexcept;

  /// Throws the exception.
  [[noreturn]] void rethrow() const;

  /// The exception as `E` when it is an `E` (or derives from it), else nullptr. The pointer
  /// lives as long as any copy of this failure.
  template <class E>
  const E* as() const noexcept {
    try {
      std::rethrow_exception(exception());
    } catch (const E& e) {
      return &e;
    } catch (...) {
    }
    return nullptr;
  }
  /// True when the exception is an `E` or derives from it.
  template <class E>
  bool is() const noexcept {
    return as<E>() != nullptr;
  }

  /// True when both refer to the same failure (copies of one `create_failure`).
  friend bool operator==(const Failure& a, const Failure& b) noexcept { return a.data_ == b.data_; }

private:
  explicit Failure(std::shared_ptr<const detail::FailureData> data) noexcept : data_(std::move(data)) {}
  friend Failure detail::make_failure(std::exception_ptr error, std::size_t skip);
  friend std::vector<StackFrame> failure_traceback(const Failure& failure) noexcept;
  friend std::string failure_format_traceback(const Failure& failure) noexcept;

  std::shared_ptr<const detail::FailureData> data_;
};

/// A failure from the exception being handled; `UsageError` outside a `catch` block.
Failure create_failure();
/// A failure from `error`; `std::invalid_argument` when `error` is empty. The stack is the
/// caller's.
Failure create_failure(std::exception_ptr error);
/// A failure holding a copy of the exception object `error`.
template <class E>
  requires(std::is_base_of_v<std::exception, std::remove_cvref_t<E>>)
Failure create_failure(E&& error) {
  return create_failure(std::make_exception_ptr(std::forward<E>(error)));
}
/// A failure is its own failure (lets generic code accept every error form).
inline Failure create_failure(const Failure& failure) noexcept { return failure; }

/// `"<type>: <message>"`, e.g. `"std::runtime_error: it failed"`; just `"<type>"` when the
/// message is empty. Never throws (returns what it can, possibly empty, on allocation failure).
std::string failure_message(const Failure& failure) noexcept;

/// The frames captured where `failure` was created, innermost first, symbolized (function,
/// file and line where debug information allows). Never throws; empty if symbolizing fails.
std::vector<StackFrame> failure_traceback(const Failure& failure) noexcept;

/// `failure_message` and then one line per frame, innermost first:
///
///     std::runtime_error: it failed
///     Stack where the failure was created (innermost first):
///       #0 connect() at src/net.cpp:42
///       #1 main at src/main.cpp:7
///
/// Never throws.
std::string failure_format_traceback(const Failure& failure) noexcept;

}  // namespace txaio
