#pragma once
/// txaio's logging on fmt: `make_logger`, levels, `start_logging`, `add_log_categories`.
///
///     namespace app {
///     class Bunny {
///       txaio::Logger log_ = txaio::make_logger();  // namespace "app::Bunny"
///     public:
///       void hop(int times) { log_.debug("Hopping {times} times.", fmt::arg("times", times)); }
///     };
///     }
///     txaio::start_logging(stdout, "debug");
///     // 2000-01-01T00:00:01.500000+0000 Hopping 42 times.
///
/// A line is `<time> <message>\n`; the time is `YYYY-MM-DDTHH:MM:SS.ffffff+0000`: UTC,
/// microseconds, rounded down. It is the `wall_now()` of the loop dispatching callbacks on the
/// calling thread, else of the default loop if one is chosen, else the system clock. Under
/// `sim::Loop` that is a fixed epoch plus virtual time, so logs are identical from run to run.
/// (`sim::Loop` is single-threaded: while it runs, other threads that log must not rely on it
/// as the default loop's clock.)
///
/// A call below the active level costs one relaxed atomic load: its arguments are not
/// formatted and nothing is allocated. A log call never throws: a format that does not match
/// its arguments still produces a line, showing the format and the error.
///
/// The first argument is always a format, as with `fmt::print`: log a computed string with
/// `log.critical("{}", txaio::failure_format_traceback(f))`, a computed format with
/// `fmt::runtime(text)`. Log lines from library code go through the same loggers, so one
/// `start_logging` collects them all.

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <iosfwd>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "txaio/detail/source_location.hpp"

namespace txaio {

/// Log levels, most severe first. At level L the calls at L and every more severe level are
/// emitted; `none` emits nothing.
enum class LogLevel : std::uint8_t { none, critical, error, warn, info, debug, trace };

/// The level's name: "none", "critical", "error", "warn", "info", "debug" or "trace".
std::string_view to_string(LogLevel level) noexcept;

/// Parses a level name (exactly as `to_string` spells it); `std::invalid_argument` naming the
/// valid levels otherwise.
LogLevel parse_log_level(std::string_view name);

/// A log line's time, available in formats as `{log_time}`: without a spec it prints as the
/// line's timestamp; with a `strftime`-style spec (`{log_time:%H:%M:%S}`) as that, in UTC.
struct LogTime {
  std::chrono::system_clock::time_point value;
};

/// One line as a sink receives it.
struct LogLine {
  LogLevel level;
  std::string_view log_namespace;  ///< the logger's namespace
  std::chrono::system_clock::time_point time;
  std::string_view message;  ///< the formatted message: no timestamp, no newline
  std::string_view text;     ///< the whole line: "<time> <message>\n"
};

/// Where log lines go: a `FILE*` (not null) or a `std::ostream` (not owned, must outlive their
/// use, flushed after each line), or a copyable callable taking the line's text
/// (`std::string_view`, ending in '\n') or a `const LogLine&`. The sink is called with one
/// whole line at a time under a process-wide mutex, so lines from several threads never
/// interleave. That mutex guards writes only: a sink may call `set_log_sink`, `start_logging`
/// and the level functions (a sink replaced while it writes finishes its line, and lives as
/// long as a write uses it). Exceptions escaping a sink are swallowed; a log call made from
/// inside a sink goes to stderr. An empty `LogSink` stands for the default: stderr, `warn` and
/// more severe only.
class LogSink {
public:
  LogSink() noexcept = default;
  LogSink(std::FILE* file);
  LogSink(std::ostream& out);

  template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, LogSink> &&
             (std::is_invocable_v<std::remove_cvref_t<F>&, std::string_view> ||
              std::is_invocable_v<std::remove_cvref_t<F>&, const LogLine&>))
  LogSink(F&& fn) {
    if constexpr (std::is_invocable_v<std::remove_cvref_t<F>&, std::string_view>) {
      write_ = [f = std::forward<F>(fn)](const LogLine& line) mutable { f(line.text); };
    } else {
      write_ = std::forward<F>(fn);
    }
  }

  /// False for the default (empty) sink.
  explicit operator bool() const noexcept { return static_cast<bool>(write_); }

  /// Writes one line; may throw whatever the sink throws.
  void write(const LogLine& line) const { write_(line); }

private:
  std::function<void(const LogLine&)> write_;
};

/// Begins logging to `out` at `level` (txaio's `start_logging`). The first call wins: later
/// calls change nothing, but an invalid level (naming the valid ones) or an empty sink is
/// `std::invalid_argument` even then. Before any sink is chosen, lines at `warn` and more
/// severe go to stderr (as Python's logging does with no handler).
void start_logging(LogSink out = LogSink(stdout), std::string_view level = "info");
void start_logging(LogSink out, LogLevel level);

/// Replaces the sink, whether or not logging was started, and returns the previous one (empty
/// for the default). For tests and for routing txaio's lines into another logging system.
LogSink set_log_sink(LogSink sink);

/// Sets the level of every logger (default `info`). A value outside `LogLevel` is
/// `std::invalid_argument` naming it and the valid levels; the level stays as it was.
void set_global_log_level(LogLevel level);
/// As above by name; `std::invalid_argument` naming the valid levels for an unknown name.
void set_global_log_level(std::string_view level);
/// The level set by `set_global_log_level` or `start_logging`.
LogLevel get_global_log_level() noexcept;

/// Registers message formats by category key (txaio's `add_log_categories`): a call carrying
/// `log_category(key)` uses the format registered for `key`. Later registrations of a key
/// override earlier ones. An empty key is `std::invalid_argument`. A registered format is
/// checked when used: if it does not fit the call's arguments the line shows the error and the
/// format; a key never registered gives `[unregistered log category 'KEY']` and the arguments.
///
///     txaio::add_log_categories({{"AB1001", "Hopping {times} times."}});
///     log.info(txaio::log_category("AB1001"), fmt::arg("times", 42));
void add_log_categories(const std::map<std::string, std::string>& categories);

/// A category key given to a log call in place of its format.
struct LogCategory {
  std::string_view key;
};

/// The category `key`, for `logger.info(txaio::log_category("AB1001"), args...)`.
constexpr LogCategory log_category(std::string_view key) noexcept { return LogCategory{key}; }

namespace detail {

/// The most verbose level emitted, as a number; read inline by every log call.
extern std::atomic<std::uint8_t> g_log_threshold;

/// What a log call knows before it is formatted; `time` is filled in when the line is made.
struct LogRecord {
  LogTime time;
  LogLevel level;
  std::string_view log_namespace;
};

/// Formats and writes one line. `category` is null for a call with a format; `checked` says
/// the format was checked at compile time; `arg_count` is the number of the caller's own
/// arguments (the implicit named ones follow them). Never throws.
void vlog(LogRecord& record, fmt::string_view format, bool checked, const LogCategory* category,
          std::size_t arg_count, fmt::format_args args) noexcept;

/// How many positional arguments `format` refers to (one more than the largest index used,
/// automatic or explicit, nested width and precision fields included). Named fields do not
/// count. Malformed formats are left to fmt to reject.
constexpr std::size_t positional_args_used(std::string_view format) noexcept {
  std::size_t used = 0;
  std::size_t next_auto = 0;
  std::size_t i = 0;
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  const auto is_name_char = [&](char c) {
    return is_digit(c) || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  };
  // Reads an arg-id at `i` and records the positional index it stands for.
  const auto arg_id = [&] {
    if (i < format.size() && is_digit(format[i])) {
      std::size_t index = 0;
      while (i < format.size() && is_digit(format[i])) index = index * 10 + static_cast<std::size_t>(format[i++] - '0');
      used = index + 1 > used ? index + 1 : used;
    } else if (i < format.size() && is_name_char(format[i])) {
      while (i < format.size() && is_name_char(format[i])) ++i;
    } else {
      ++next_auto;
      used = next_auto > used ? next_auto : used;
    }
  };
  while (i < format.size()) {
    const char c = format[i++];
    if (c != '{') continue;
    if (i < format.size() && format[i] == '{') {
      ++i;  // "{{"
      continue;
    }
    const std::size_t used_before = used;
    const std::size_t next_auto_before = next_auto;
    arg_id();
    if (i < format.size() && format[i] == ':') {
      while (i < format.size() && format[i] != '}') {
        if (format[i++] == '{') {
          arg_id();
          while (i < format.size() && format[i] != '}') ++i;
          if (i < format.size()) ++i;
        }
      }
    }
    if (i >= format.size()) {  // unterminated field: fmt's error, not ours
      used = used_before;
      next_auto = next_auto_before;
      break;
    }
    ++i;
  }
  return used;
}

/// Not constexpr: calling it while checking a format at compile time is the error.
void log_format_uses_more_positional_arguments_than_given();

/// Writes a `LogTime` as the line timestamp (empty `spec`) or with a strftime-style spec.
void format_log_time(fmt::memory_buffer& out, const LogTime& time, std::string_view spec);

/// The namespace `make_logger` deduces for a call from `where`: the scope of the calling
/// function (`"void app::Bunny::hop(int)"` -> `"app::Bunny"`), without template arguments;
/// the file's stem when the function is at global scope or unknown.
std::string deduce_log_namespace(std::string_view function_name, std::string_view file_name);

/// The process-lifetime copy of `name`, shared by every logger of that namespace.
std::string_view intern_log_namespace(std::string_view name);

/// Back to the initial state: default sink, level `info`, not started, no categories.
void reset_logging() noexcept;

// The types of the names every format may use, for fmt's compile-time check.
namespace log_args {
using namespace fmt::literals;
using time_arg = decltype("log_time"_a = std::declval<const LogTime&>());
using level_arg = decltype("log_level"_a = std::declval<const LogLevel&>());
using namespace_arg = decltype("log_namespace"_a = std::declval<const std::string_view&>());
}  // namespace log_args

}  // namespace detail

/// The format of a log call with arguments `Args`: a literal is checked at compile time as fmt
/// checks it, with `{log_time}`, `{log_level}` and `{log_namespace}` as known names, and no
/// positional field may go past the arguments given. `fmt::runtime(s)` passes a format known
/// only at run time: a mismatch then shows in the line instead.
template <class... Args>
class BasicLogFormat {
public:
  template <class S>
    requires std::is_convertible_v<const S&, std::string_view>
  consteval BasicLogFormat(const S& format) : text_(std::string_view(format)), checked_(true) {
    [[maybe_unused]] const fmt::basic_format_string<char, Args..., detail::log_args::time_arg,
                                                    detail::log_args::level_arg, detail::log_args::namespace_arg>
        fmt_check(format);
    if (detail::positional_args_used(std::string_view(format)) > sizeof...(Args)) {
      detail::log_format_uses_more_positional_arguments_than_given();
    }
  }
  BasicLogFormat(fmt::basic_runtime<char> format) noexcept : text_(format.str), checked_(false) {}

  fmt::string_view get() const noexcept { return text_; }
  /// True when the format was checked at compile time.
  bool checked() const noexcept { return checked_; }

private:
  fmt::string_view text_;
  bool checked_;
};

template <class... Args>
using LogFormat = BasicLogFormat<fmt::type_identity_t<Args>...>;

/// Logs under a namespace (txaio's `ILogger`). Cheap to copy. Every method is `noexcept`.
/// Arguments are fmt's: positional, `fmt::arg("times", 42)` or `"times"_a = 42`.
class Logger {
public:
  /// A logger for `log_namespace` (copied once per distinct name, for the process's life).
  explicit Logger(std::string_view log_namespace) : ns_(detail::intern_log_namespace(log_namespace)) {}

  std::string_view log_namespace() const noexcept { return ns_; }

  /// True when a call at `level` is emitted (`none` never is).
  static bool enabled(LogLevel level) noexcept {
    return static_cast<unsigned>(level) - 1U <
           static_cast<unsigned>(detail::g_log_threshold.load(std::memory_order_relaxed));
  }

  template <class... Args>
  void critical(LogFormat<Args...> format, Args&&... args) const noexcept {
    if (enabled(LogLevel::critical)) log(LogLevel::critical, format, args...);
  }
  template <class... Args>
  void critical(LogCategory category, Args&&... args) const noexcept {
    if (enabled(LogLevel::critical)) log(LogLevel::critical, category, args...);
  }
  template <class... Args>
  void error(LogFormat<Args...> format, Args&&... args) const noexcept {
    if (enabled(LogLevel::error)) log(LogLevel::error, format, args...);
  }
  template <class... Args>
  void error(LogCategory category, Args&&... args) const noexcept {
    if (enabled(LogLevel::error)) log(LogLevel::error, category, args...);
  }
  template <class... Args>
  void warn(LogFormat<Args...> format, Args&&... args) const noexcept {
    if (enabled(LogLevel::warn)) log(LogLevel::warn, format, args...);
  }
  template <class... Args>
  void warn(LogCategory category, Args&&... args) const noexcept {
    if (enabled(LogLevel::warn)) log(LogLevel::warn, category, args...);
  }
  template <class... Args>
  void info(LogFormat<Args...> format, Args&&... args) const noexcept {
    if (enabled(LogLevel::info)) log(LogLevel::info, format, args...);
  }
  template <class... Args>
  void info(LogCategory category, Args&&... args) const noexcept {
    if (enabled(LogLevel::info)) log(LogLevel::info, category, args...);
  }
  template <class... Args>
  void debug(LogFormat<Args...> format, Args&&... args) const noexcept {
    if (enabled(LogLevel::debug)) log(LogLevel::debug, format, args...);
  }
  template <class... Args>
  void debug(LogCategory category, Args&&... args) const noexcept {
    if (enabled(LogLevel::debug)) log(LogLevel::debug, category, args...);
  }
  template <class... Args>
  void trace(LogFormat<Args...> format, Args&&... args) const noexcept {
    if (enabled(LogLevel::trace)) log(LogLevel::trace, format, args...);
  }
  template <class... Args>
  void trace(LogCategory category, Args&&... args) const noexcept {
    if (enabled(LogLevel::trace)) log(LogLevel::trace, category, args...);
  }

  /// Logs at `level`, chosen at run time.
  template <class... Args>
  void emit(LogLevel level, LogFormat<Args...> format, Args&&... args) const noexcept {
    if (enabled(level)) log(level, format, args...);
  }
  template <class... Args>
  void emit(LogLevel level, LogCategory category, Args&&... args) const noexcept {
    if (enabled(level)) log(level, category, args...);
  }

private:
  template <class F, class... Args>
  void log(LogLevel level, const F& format, Args&... args) const noexcept {
    using namespace fmt::literals;
    fmt::string_view text;
    bool checked = false;
    const LogCategory* category = nullptr;
    if constexpr (std::is_same_v<F, LogCategory>) {
      category = &format;
    } else {
      text = format.get();
      checked = format.checked();
    }
    detail::LogRecord record{{}, level, ns_};
    detail::vlog(record, text, checked, category, sizeof...(Args),
                 fmt::make_format_args(args..., "log_time"_a = record.time, "log_level"_a = record.level,
                                       "log_namespace"_a = record.log_namespace));
  }

  std::string_view ns_;
};

/// A logger whose namespace is the calling function's scope, as txaio deduces `module.Class`:
/// `"app::Bunny"` from inside `app::Bunny::hop()`, and from a member initializer
/// (`txaio::Logger log_ = txaio::make_logger();`). Template arguments are dropped; at global
/// scope, and for static members (which have no enclosing function), the file's stem.
inline Logger make_logger(detail::source_location where = detail::source_location::current()) {
  return Logger(detail::deduce_log_namespace(where.function_name(), where.file_name()));
}

/// A logger for an explicit namespace.
inline Logger make_logger(std::string_view log_namespace) { return Logger(log_namespace); }

}  // namespace txaio

/// `{log_level}`: the level's name, with the specs of a string (`{log_level:>8}`).
template <>
struct fmt::formatter<txaio::LogLevel> : fmt::formatter<std::string_view> {
  auto format(txaio::LogLevel level, format_context& ctx) const -> format_context::iterator {
    return fmt::formatter<std::string_view>::format(txaio::to_string(level), ctx);
  }
};

/// `{log_time}`: the line's timestamp, or `{log_time:<strftime spec>}` in UTC.
template <>
struct fmt::formatter<txaio::LogTime> {
  std::string_view spec;

  constexpr auto parse(format_parse_context& ctx) -> format_parse_context::iterator {
    auto it = ctx.begin();
    while (it != ctx.end() && *it != '}') ++it;
    spec = std::string_view(ctx.begin(), static_cast<std::size_t>(it - ctx.begin()));
    return it;
  }
  auto format(const txaio::LogTime& time, format_context& ctx) const -> format_context::iterator {
    fmt::memory_buffer text;
    txaio::detail::format_log_time(text, time, spec);
    return std::copy(text.begin(), text.end(), ctx.out());
  }
};
