#include "txaio/logging.hpp"

#include <fmt/chrono.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <limits>
#include <memory>
#include <mutex>
#include <ostream>
#include <set>
#include <shared_mutex>
#include <stdexcept>
#include <vector>

#include "txaio/config.hpp"
#include "txaio/detail/current_loop.hpp"
#include "txaio/loop.hpp"

namespace txaio {
namespace detail {

constinit std::atomic<std::uint8_t> g_log_threshold{static_cast<std::uint8_t>(LogLevel::warn)};

}  // namespace detail

namespace {

constexpr std::string_view level_names[] = {"none", "critical", "error", "warn", "info", "debug", "trace"};
constexpr std::string_view valid_levels = "none, critical, error, warn, info, debug, trace";

// Process-wide logging state. Never destroyed, so loggers keep working during static
// destruction.
struct State {
  std::mutex mutex;  // guards sink, level, started, and serializes every sink write
  LogSink sink;
  LogLevel level = LogLevel::info;
  bool started = false;

  std::shared_mutex categories_mutex;
  std::map<std::string, std::shared_ptr<const std::string>, std::less<>> categories;

  std::mutex names_mutex;
  std::set<std::string, std::less<>> names;
};

State& state() {
  static State* const s = new State();
  return *s;
}

// With the default sink only `warn` and more severe lines are written, so the others are not
// even formatted. Called with `state().mutex` held.
void update_threshold(const State& s) noexcept {
  const LogLevel active = s.sink ? s.level : std::min(s.level, LogLevel::warn);
  detail::g_log_threshold.store(static_cast<std::uint8_t>(active), std::memory_order_relaxed);
}

void write_file(std::FILE* file, std::string_view text) noexcept {
  std::fwrite(text.data(), 1, text.size(), file);
  std::fflush(file);
}

// Set while this thread is inside a sink: a log call made by the sink goes to stderr instead
// of deadlocking on the mutex.
thread_local bool t_in_sink = false;

void deliver(const LogLine& line) noexcept {
  if (t_in_sink) {
    write_file(stderr, line.text);
    return;
  }
  State& s = state();
  std::lock_guard lock(s.mutex);
  t_in_sink = true;
  try {
    if (s.sink) {
      s.sink.write(line);
    } else if (line.level <= LogLevel::warn) {
      write_file(stderr, line.text);
    }
  } catch (...) {
    // A failing sink loses the line; the caller must not notice.
  }
  t_in_sink = false;
}

std::chrono::system_clock::time_point log_clock_now() noexcept {
  if (Loop* loop = detail::current_loop()) return loop->wall_now();
  if (has_default_loop()) {
    try {
      return default_loop().wall_now();
    } catch (...) {
      // The default loop went away since the check.
    }
  }
  return std::chrono::system_clock::now();
}

// Writes `value` as exactly `width` decimal digits at `out`.
void put_digits(char* out, unsigned value, int width) noexcept {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// YYYY-MM-DDTHH:MM:SS.ffffff+0000. The part up to the seconds is kept per thread and redone
// only when the second changes.
void write_iso_time(fmt::memory_buffer& out, std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  struct SecondCache {
    std::int64_t second = std::numeric_limits<std::int64_t>::min();
    char text[40] = {};  // "YYYY-MM-DDTHH:MM:SS."; a year outside 0..9999 takes more digits
    std::size_t size = 0;
  };
  thread_local SecondCache cache;
  const auto us = floor<microseconds>(time);
  const auto secs = floor<seconds>(us);
  if (secs.time_since_epoch().count() != cache.second) {
    const auto day = floor<days>(secs);
    const year_month_day ymd{day};
    const hh_mm_ss<seconds> hms{secs - day};
    const int year = static_cast<int>(ymd.year());
    std::size_t n = 0;
    if (year >= 0 && year <= 9999) {
      put_digits(cache.text, static_cast<unsigned>(year), 4);
      n = 4;
    } else {
      n = fmt::format_to_n(cache.text, 12, "{}", year).size;
    }
    char* p = cache.text + n;
    p[0] = '-';
    put_digits(p + 1, static_cast<unsigned>(ymd.month()), 2);
    p[3] = '-';
    put_digits(p + 4, static_cast<unsigned>(ymd.day()), 2);
    p[6] = 'T';
    put_digits(p + 7, static_cast<unsigned>(hms.hours().count()), 2);
    p[9] = ':';
    put_digits(p + 10, static_cast<unsigned>(hms.minutes().count()), 2);
    p[12] = ':';
    put_digits(p + 13, static_cast<unsigned>(hms.seconds().count()), 2);
    p[15] = '.';
    cache.size = n + 16;
    cache.second = secs.time_since_epoch().count();
  }
  char text[sizeof cache.text + 11];
  std::memcpy(text, cache.text, cache.size);
  char* p = text + cache.size;
  put_digits(p, static_cast<unsigned>((us - secs).count()), 6);
  std::memcpy(p + 6, "+0000", 5);
  out.append(text, p + 11);
}

std::shared_ptr<const std::string> find_category(std::string_view key) {
  State& s = state();
  std::shared_lock lock(s.categories_mutex);
  const auto it = s.categories.find(key);
  return it == s.categories.end() ? nullptr : it->second;
}

// The message of a call naming a category nobody registered: the key and the arguments.
void format_unregistered(fmt::memory_buffer& out, std::string_view key, std::size_t arg_count,
                         fmt::format_args args) {
  fmt::format_to(fmt::appender(out), "[unregistered log category '{}']", key);
  for (std::size_t i = 0; i < arg_count; ++i) {
    out.push_back(' ');
    const std::string field = fmt::format("{{{}}}", i);
    fmt::vformat_to(fmt::appender(out), field, args);
  }
}

bool is_identifier_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Start of the qualified name ending at `end`: back to a space, '*' or '&' outside brackets.
std::size_t qualified_name_begin(std::string_view s, std::size_t end) {
  std::size_t begin = end;
  int depth = 0;
  while (begin > 0) {
    const char c = s[begin - 1];
    if (c == '>' || c == ')') {
      ++depth;
    } else if (c == '<' || c == '(') {
      if (depth == 0) break;
      --depth;
    } else if (depth == 0 && (c == ' ' || c == '*' || c == '&')) {
      break;
    }
    --begin;
  }
  return begin;
}

// The qualifier of the function named in `s` (a compiler's pretty function name):
// "void app::Bunny::hop(int)" -> "app::Bunny::". Empty at global scope.
std::string_view function_qualifier(std::string_view s) {
  if (!s.empty() && s.back() == ']') {
    if (const std::size_t with = s.rfind(" ["); with != std::string_view::npos) s = s.substr(0, with);
  }
  // operator functions: the qualifier ends where "operator" starts.
  for (std::size_t pos = s.find("operator"); pos != std::string_view::npos; pos = s.find("operator", pos + 1)) {
    const bool starts = pos == 0 || !is_identifier_char(s[pos - 1]);
    const bool ends = pos + 8 == s.size() || !is_identifier_char(s[pos + 8]);
    if (starts && ends) {
      const std::size_t begin = qualified_name_begin(s, pos);
      return s.substr(begin, pos - begin);
    }
  }
  // Otherwise the name ends at the first '(' outside template arguments that follows a name.
  int angle = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '<') {
      ++angle;
    } else if (c == '>') {
      --angle;
    } else if (c == '(' && angle == 0 && i > 0 && (is_identifier_char(s[i - 1]) || s[i - 1] == '>')) {
      const std::string_view name = s.substr(0, i).substr(qualified_name_begin(s, i));
      // Drop the function's own name, keep "X::Y::".
      std::size_t last = std::string_view::npos;
      int depth = 0;
      for (std::size_t j = 0; j + 1 < name.size(); ++j) {
        if (name[j] == '<' || name[j] == '(') ++depth;
        if (name[j] == '>' || name[j] == ')') --depth;
        if (depth == 0 && name[j] == ':' && name[j + 1] == ':') last = j + 2;
      }
      return last == std::string_view::npos ? std::string_view{} : name.substr(0, last);
    }
  }
  return {};
}

std::string file_stem(std::string_view file) {
  if (const std::size_t slash = file.find_last_of("/\\"); slash != std::string_view::npos) {
    file = file.substr(slash + 1);
  }
  if (const std::size_t dot = file.find('.'); dot != std::string_view::npos && dot > 0) file = file.substr(0, dot);
  return std::string(file);
}

// `std::invalid_argument` naming `where` and the valid levels for a value outside `LogLevel`.
void check_log_level(LogLevel level, std::string_view where) {
  if (static_cast<std::size_t>(level) < std::size(level_names)) return;
  throw std::invalid_argument(fmt::format("txaio::{}: invalid log level {}; valid levels are {}", where,
                                          static_cast<unsigned>(level), valid_levels));
}

}  // namespace

std::string_view to_string(LogLevel level) noexcept {
  const auto index = static_cast<std::size_t>(level);
  return index < std::size(level_names) ? level_names[index] : std::string_view("?");
}

LogLevel parse_log_level(std::string_view name) {
  for (std::size_t i = 0; i < std::size(level_names); ++i) {
    if (level_names[i] == name) return static_cast<LogLevel>(i);
  }
  throw std::invalid_argument(fmt::format("txaio: invalid log level '{}'; valid levels are {}", name, valid_levels));
}

LogSink::LogSink(std::FILE* file) {
  if (file == nullptr) throw std::invalid_argument("txaio::LogSink: null FILE*");
  write_ = [file](const LogLine& line) { write_file(file, line.text); };
}

LogSink::LogSink(std::ostream& out) {
  write_ = [out = &out](const LogLine& line) {
    out->write(line.text.data(), static_cast<std::streamsize>(line.text.size()));
    out->flush();
  };
}

void start_logging(LogSink out, std::string_view level) { start_logging(std::move(out), parse_log_level(level)); }

void start_logging(LogSink out, LogLevel level) {
  if (!out) throw std::invalid_argument("txaio::start_logging: empty sink: pass a FILE*, an ostream or a callable");
  check_log_level(level, "start_logging");
  State& s = state();
  std::lock_guard lock(s.mutex);
  if (s.started) return;
  s.started = true;
  std::swap(s.sink, out);  // the previous sink dies after the lock is released
  s.level = level;
  update_threshold(s);
}

LogSink set_log_sink(LogSink sink) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  std::swap(s.sink, sink);
  update_threshold(s);
  return sink;
}

void set_global_log_level(LogLevel level) {
  check_log_level(level, "set_global_log_level");
  State& s = state();
  std::lock_guard lock(s.mutex);
  s.level = level;
  update_threshold(s);
}

void set_global_log_level(std::string_view level) { set_global_log_level(parse_log_level(level)); }

LogLevel get_global_log_level() noexcept {
  State& s = state();
  std::lock_guard lock(s.mutex);
  return s.level;
}

void add_log_categories(const std::map<std::string, std::string>& categories) {
  for (const auto& entry : categories) {
    if (entry.first.empty()) throw std::invalid_argument("txaio::add_log_categories: empty category key");
  }
  std::vector<std::pair<std::string, std::shared_ptr<const std::string>>> added;
  added.reserve(categories.size());
  for (const auto& [key, format] : categories) added.emplace_back(key, std::make_shared<const std::string>(format));
  State& s = state();
  std::unique_lock lock(s.categories_mutex);
  for (auto& [key, format] : added) s.categories.insert_or_assign(std::move(key), std::move(format));
}

namespace detail {

void log_format_uses_more_positional_arguments_than_given() {}

void vlog(LogRecord& record, fmt::string_view format, bool checked, const LogCategory* category,
          std::size_t arg_count, fmt::format_args args) noexcept {
  try {
    record.time.value = log_clock_now();
    fmt::memory_buffer line;
    write_iso_time(line, record.time.value);
    line.push_back(' ');
    const std::size_t message_begin = line.size();
    std::shared_ptr<const std::string> registered;
    if (category != nullptr) {
      registered = find_category(category->key);
      if (registered) format = fmt::string_view(*registered);
    }
    try {
      if (category != nullptr && !registered) {
        format_unregistered(line, category->key, arg_count, args);
      } else {
        // The implicit named arguments follow the caller's: a positional field past the
        // caller's arguments must not reach them.
        if (!checked && positional_args_used(std::string_view(format.data(), format.size())) > arg_count) {
          throw fmt::format_error("argument not found");
        }
        fmt::vformat_to(fmt::appender(line), format, args);
      }
    } catch (const std::exception& e) {
      line.resize(message_begin);
      if (category != nullptr) {
        fmt::format_to(fmt::appender(line), "[log format error in category '{}': {}] {}", category->key, e.what(),
                       std::string_view(format.data(), format.size()));
      } else {
        fmt::format_to(fmt::appender(line), "[log format error: {}] {}", e.what(),
                       std::string_view(format.data(), format.size()));
      }
    } catch (...) {
      line.resize(message_begin);
      fmt::format_to(fmt::appender(line), "[log format error: unknown exception] {}",
                     std::string_view(format.data(), format.size()));
    }
    const std::size_t message_end = line.size();
    line.push_back('\n');
    const std::string_view text(line.data(), line.size());
    deliver(LogLine{record.level, record.log_namespace, record.time.value,
                    text.substr(message_begin, message_end - message_begin), text});
  } catch (...) {
    // Out of memory while making the line: the line is lost, the caller carries on.
  }
}

void format_log_time(fmt::memory_buffer& out, const LogTime& time, std::string_view spec) {
  if (spec.empty()) {
    write_iso_time(out, time.value);
    return;
  }
  using namespace std::chrono;
  const auto secs = floor<seconds>(time.value);
  const auto day = floor<days>(secs);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> hms{secs - day};
  std::tm tm{};
  tm.tm_year = static_cast<int>(ymd.year()) - 1900;
  tm.tm_mon = static_cast<int>(static_cast<unsigned>(ymd.month())) - 1;
  tm.tm_mday = static_cast<int>(static_cast<unsigned>(ymd.day()));
  tm.tm_hour = static_cast<int>(hms.hours().count());
  tm.tm_min = static_cast<int>(hms.minutes().count());
  tm.tm_sec = static_cast<int>(hms.seconds().count());
  tm.tm_wday = static_cast<int>(weekday(day).c_encoding());
  tm.tm_yday = static_cast<int>((day - sys_days(ymd.year() / January / 1)).count());
  const std::string field = fmt::format("{{:{}}}", spec);
  fmt::format_to(fmt::appender(out), fmt::runtime(field), tm);
}

std::string deduce_log_namespace(std::string_view function_name, std::string_view file_name) {
  std::string_view qualifier = function_qualifier(function_name);
  // Keep the scopes up to the first one inside a function ("hop(int)", "<lambda()>").
  std::string out;
  while (!qualifier.empty()) {
    std::size_t end = 0;
    int depth = 0;
    while (end < qualifier.size() && !(depth == 0 && qualifier.substr(end, 2) == "::")) {
      if (qualifier[end] == '<' || qualifier[end] == '(') ++depth;
      if (qualifier[end] == '>' || qualifier[end] == ')') --depth;
      ++end;
    }
    const std::string_view part = qualifier.substr(0, end);
    qualifier.remove_prefix(std::min(qualifier.size(), end + 2));
    if (part.empty() || part.front() == '<' || part.front() == '(' || part.find('(') != std::string_view::npos) break;
    std::string name;
    int angle = 0;
    for (const char c : part) {
      if (c == '<') {
        ++angle;
      } else if (c == '>') {
        --angle;
      } else if (angle == 0) {
        name += c;
      }
    }
    if (!out.empty()) out += "::";
    out += name;
  }
  return out.empty() ? file_stem(file_name) : out;
}

std::string_view intern_log_namespace(std::string_view name) {
  State& s = state();
  std::lock_guard lock(s.names_mutex);
  auto it = s.names.find(name);
  if (it == s.names.end()) it = s.names.emplace(name).first;
  return *it;
}

void reset_logging() noexcept {
  State& s = state();
  LogSink previous;
  {
    std::lock_guard lock(s.mutex);
    std::swap(previous, s.sink);
    s.level = LogLevel::info;
    s.started = false;
    update_threshold(s);
  }
  std::unique_lock lock(s.categories_mutex);
  s.categories.clear();
}

}  // namespace detail
}  // namespace txaio
