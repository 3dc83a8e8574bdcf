// Making log lines: the timestamp, the message from its format (or its category's), the
// text shown when a format does not fit its arguments, and `{log_time:...}`.
#include <fmt/chrono.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <exception>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include "logging_state.hpp"
#include "txaio/config.hpp"
#include "txaio/detail/current_loop.hpp"
#include "txaio/loop.hpp"

namespace txaio::detail {

namespace {

std::chrono::system_clock::time_point log_clock_now() noexcept {
  if (Loop* loop = current_loop()) return loop->wall_now();
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

// "YYYY-MM-DDTHH:MM:SS." for one second, kept per thread and redone only when the second
// changes.
struct SecondText {
  std::int64_t second = std::numeric_limits<std::int64_t>::min();
  char text[40] = {};  // a year outside 0..9999 takes more digits
  std::size_t size = 0;

  void set(std::chrono::sys_seconds secs) {
    using namespace std::chrono;
    const auto day = floor<days>(secs);
    const year_month_day ymd{day};
    const hh_mm_ss<seconds> hms{secs - day};
    const int year = static_cast<int>(ymd.year());
    std::size_t n = 4;
    if (year >= 0 && year <= 9999) {
      put_digits(text, static_cast<unsigned>(year), 4);
    } else {
      n = fmt::format_to_n(text, 12, "{}", year).size;
    }
    char* p = text + n;
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
    size = n + 16;
    second = secs.time_since_epoch().count();
  }
};

// YYYY-MM-DDTHH:MM:SS.ffffff+0000.
void write_iso_time(fmt::memory_buffer& out, std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  thread_local SecondText cache;
  const auto us = floor<microseconds>(time);
  const auto secs = floor<seconds>(us);
  if (secs.time_since_epoch().count() != cache.second) cache.set(secs);
  char text[sizeof cache.text + 11];
  std::memcpy(text, cache.text, cache.size);
  char* p = text + cache.size;
  put_digits(p, static_cast<unsigned>((us - secs).count()), 6);
  std::memcpy(p + 6, "+0000", 5);
  out.append(text, p + 11);
}

// What one call formats.
struct Message {
  fmt::string_view format;  // the call's, or its category's registered format
  bool checked;
  const LogCategory* category;
  std::shared_ptr<const std::string> registered;  // keeps a category's format alive
  std::size_t arg_count;
  fmt::format_args args;
};

// The message of a call naming a category nobody registered: the key and the arguments.
void format_unregistered(fmt::memory_buffer& out, const Message& m) {
  fmt::format_to(fmt::appender(out), "[unregistered log category '{}']", m.category->key);
  for (std::size_t i = 0; i < m.arg_count; ++i) {
    out.push_back(' ');
    const std::string field = fmt::format("{{{}}}", i);
    fmt::vformat_to(fmt::appender(out), field, m.args);
  }
}

void format_message(fmt::memory_buffer& out, const Message& m) {
  if (m.category != nullptr && !m.registered) {
    format_unregistered(out, m);
    return;
  }
  // The implicit named arguments follow the caller's: a positional field past the caller's
  // arguments must not reach them.
  if (!m.checked && positional_args_used(std::string_view(m.format.data(), m.format.size())) > m.arg_count) {
    throw fmt::format_error("argument not found");
  }
  fmt::vformat_to(fmt::appender(out), m.format, m.args);
}

// Replaces what a failed format wrote from `begin` on with the error and the format.
void write_format_error(fmt::memory_buffer& out, std::size_t begin, fmt::string_view format,
                        const LogCategory* category, std::string_view error) {
  out.resize(begin);
  const std::string_view text(format.data(), format.size());
  if (category != nullptr) {
    fmt::format_to(fmt::appender(out), "[log format error in category '{}': {}] {}", category->key, error, text);
  } else {
    fmt::format_to(fmt::appender(out), "[log format error: {}] {}", error, text);
  }
}

std::tm to_tm(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(time);
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
  return tm;
}

}  // namespace

void log_format_uses_more_positional_arguments_than_given() {}

void vlog(LogRecord& record, fmt::string_view format, bool checked, const LogCategory* category,
          std::size_t arg_count, fmt::format_args args) noexcept {
  try {
    record.time.value = log_clock_now();
    Message m{format, checked, category, nullptr, arg_count, args};
    if (category != nullptr) {
      m.registered = find_category(category->key);
      if (m.registered) m.format = fmt::string_view(*m.registered);
    }
    fmt::memory_buffer line;
    write_iso_time(line, record.time.value);
    line.push_back(' ');
    const std::size_t begin = line.size();
    try {
      format_message(line, m);
    } catch (const std::exception& e) {
      write_format_error(line, begin, m.format, category, e.what());
    } catch (...) {
      write_format_error(line, begin, m.format, nullptr, "unknown exception");
    }
    const std::size_t end = line.size();
    line.push_back('\n');
    const std::string_view text(line.data(), line.size());
    deliver(LogLine{record.level, record.log_namespace, record.time.value, text.substr(begin, end - begin), text});
  } catch (...) {
    // Out of memory while making the line: the line is lost, the caller carries on.
  }
}

void format_log_time(fmt::memory_buffer& out, const LogTime& time, std::string_view spec) {
  if (spec.empty()) {
    write_iso_time(out, time.value);
    return;
  }
  const std::string field = fmt::format("{{:{}}}", spec);
  fmt::format_to(fmt::appender(out), fmt::runtime(field), to_tm(time.value));
}

}  // namespace txaio::detail
