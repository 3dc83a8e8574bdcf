// Failures: the exception, its demangled type, its message and the creation stack.
//
// Symbolization: with TXAIO_STACKTRACE_BACKTRACE (set by CMake when GCC's libbacktrace links)
// Boost.Stacktrace resolves function, file and line through libbacktrace; otherwise it falls
// back to its dladdr backend (function names of exported symbols only). The backend macro is
// defined in this file only, so no other translation unit sees a different Boost.Stacktrace.
#if defined(TXAIO_STACKTRACE_BACKTRACE)
#define BOOST_STACKTRACE_USE_BACKTRACE
#endif

#include "txaio/failure.hpp"

#include <boost/core/demangle.hpp>
#include <boost/stacktrace.hpp>
#include <cxxabi.h>

#include <fmt/format.h>

#include <stdexcept>
#include <typeinfo>

#include "txaio/errors.hpp"

namespace txaio {

namespace detail {

struct FailureData {
  std::exception_ptr error;
  std::string type_name;
  std::string message;
  boost::stacktrace::stacktrace trace;
};

}  // namespace detail

namespace {

// Deep enough to show the caller's context, bounded so creating a failure stays cheap.
constexpr std::size_t max_frames = 64;

void describe(const std::exception_ptr& error, std::string& type_name, std::string& message) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    type_name = boost::core::demangle(typeid(e).name());
    try {
      message = e.what();
    } catch (...) {
      message.clear();
    }
  } catch (const std::string& s) {
    type_name = "std::string";
    message = s;
  } catch (const char* s) {
    type_name = "const char*";
    message = s == nullptr ? "" : s;
  } catch (...) {
    const std::type_info* type = abi::__cxa_current_exception_type();
    type_name = type == nullptr ? "unknown exception" : boost::core::demangle(type->name());
  }
}

// Keeps the calling function's frame on the stack by forbidding a tail call to `make_failure`.
inline void keep_frame() noexcept { asm volatile("" ::: "memory"); }

const detail::FailureData& empty_data() noexcept {
  static const detail::FailureData data{};
  return data;
}

}  // namespace

const std::exception_ptr& Failure::exception() const noexcept { return (data_ ? *data_ : empty_data()).error; }

std::string_view Failure::type_name() const noexcept { return (data_ ? *data_ : empty_data()).type_name; }

std::string_view Failure::message() const noexcept { return (data_ ? *data_ : empty_data()).message; }

std::size_t Failure::frame_count() const noexcept { return data_ ? data_->trace.size() : 0; }

void Failure::rethrow() const { std::rethrow_exception(exception()); }

// Not inlined, and its callers below neither inline it nor tail-call it, so the depth to skip
// is known: its own frame plus `skip`.
// The bounded capture is the only stack walk: a default-constructed `FailureData` would walk the
// whole stack first (Boost.Stacktrace's default constructor captures every frame), making a
// failure cost grow with the stack's depth.
[[gnu::noinline]] Failure detail::make_failure(std::exception_ptr error, std::size_t skip) {
  boost::stacktrace::stacktrace trace(skip + 1, max_frames);
  auto data = std::make_shared<detail::FailureData>(detail::FailureData{{}, {}, {}, std::move(trace)});
  describe(error, data->type_name, data->message);
  data->error = std::move(error);
  return Failure(std::move(data));
}

[[gnu::noinline]] Failure create_failure(std::exception_ptr error) {
  if (!error) throw std::invalid_argument("txaio::create_failure: the std::exception_ptr is empty (no exception)");
  Failure failure = detail::make_failure(std::move(error), 1);
  keep_frame();
  return failure;
}

[[gnu::noinline]] Failure create_failure() {
  std::exception_ptr error = std::current_exception();
  if (!error) {
    throw UsageError("txaio::create_failure(): no exception is being handled; call it inside a catch block, "
                     "or pass the exception (or a std::exception_ptr)");
  }
  Failure failure = detail::make_failure(std::move(error), 1);
  keep_frame();
  return failure;
}

std::string failure_message(const Failure& failure) noexcept {
  try {
    std::string out(failure.type_name());
    if (!failure.message().empty()) {
      out += ": ";
      out += failure.message();
    }
    return out;
  } catch (...) {
    return {};
  }
}

std::vector<StackFrame> failure_traceback(const Failure& failure) noexcept {
  std::vector<StackFrame> frames;
  if (!failure.data_) return frames;
  try {
    frames.reserve(failure.data_->trace.size());
    for (const boost::stacktrace::frame& f : failure.data_->trace) {
      StackFrame out;
      out.address = reinterpret_cast<std::uintptr_t>(f.address());
      out.function = f.name();
      out.file = f.source_file();
      out.line = f.source_line();
      frames.push_back(std::move(out));
    }
  } catch (...) {
    frames.clear();
  }
  return frames;
}

std::string failure_format_traceback(const Failure& failure) noexcept {
  try {
    std::string out = failure_message(failure);
    const std::vector<StackFrame> frames = failure_traceback(failure);
    if (frames.empty()) return out;
    out += "\nStack where the failure was created (innermost first):";
    std::size_t i = 0;
    for (const StackFrame& f : frames) {
      out += fmt::format("\n  #{} ", i++);
      if (f.function.empty()) {
        out += fmt::format("0x{:x}", f.address);
      } else {
        out += f.function;
      }
      if (!f.file.empty()) {
        out += fmt::format(" at {}:{}", f.file, f.line);
      } else if (!f.function.empty()) {
        out += fmt::format(" (0x{:x})", f.address);
      }
    }
    return out;
  } catch (...) {
    return failure_message(failure);
  }
}

}  // namespace txaio
