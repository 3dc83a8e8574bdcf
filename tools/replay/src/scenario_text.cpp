// The text forms of the scenario format: ties, event kinds, times, quoted tokens, events.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>

#include "scenario_chars.hpp"
#include "txaio/sim/detail/scenario_quote.hpp"
#include "txaio/detail/time_text.hpp"
#include "txaio/replay/scenario.hpp"

namespace txaio::replay {

using detail::int64_max;
using detail::is_digit;
using detail::time_expected;

std::optional<Ties> parse_ties(std::string_view text) noexcept {
  if (text == "fifo") return Ties::fifo;
  if (text == "lifo") return Ties::lifo;
  if (text == "random") return Ties::random;
  return std::nullopt;
}

std::string_view to_string(EventKind kind) noexcept {
  switch (kind) {
    case EventKind::fire: return "fire";
    case EventKind::error: return "error";
    case EventKind::schedule: return "schedule";
    case EventKind::cancel: return "cancel";
    case EventKind::bucket_timer: return "bucket_timer";
    case EventKind::bucket_fire: return "bucket_fire";
    case EventKind::bucket_cancel: return "bucket_cancel";
    case EventKind::batch_error: return "batch_error";
  }
  return "?";
}

void append_time(std::string& out, std::int64_t ns) { txaio::detail::append_seconds(out, ns); }

std::string format_time(std::int64_t ns) {
  std::string out;
  append_time(out, ns);
  return out;
}

std::optional<std::int64_t> parse_time(std::string_view text, std::string* why) {
  auto bad = [&](std::string reason) -> std::optional<std::int64_t> {
    if (why != nullptr) *why = std::move(reason);
    return std::nullopt;
  };
  std::string_view s = text;
  std::uint64_t scale = 1'000'000'000;  // ns per unit
  std::size_t max_decimals = 9;
  std::string_view unit = "s";
  if (s.ends_with("ms")) {
    scale = 1'000'000, max_decimals = 6, unit = "ms";
  } else if (s.ends_with("us")) {
    scale = 1'000, max_decimals = 3, unit = "us";
  } else if (s.ends_with("ns")) {
    scale = 1, max_decimals = 0, unit = "ns";
  }
  if (unit != "s") {
    s.remove_suffix(2);
  } else if (s.ends_with('s')) {
    s.remove_suffix(1);
  }
  if (s.empty()) return bad(std::string(time_expected));
  const std::size_t dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  const bool digits_ok = !whole.empty() && std::all_of(whole.begin(), whole.end(), is_digit) &&
                         std::all_of(frac.begin(), frac.end(), is_digit) &&
                         (dot == std::string_view::npos || !frac.empty());
  if (!digits_ok) {
    if (!text.empty() && text.front() == '-') return bad(fmt::format("negative times are not allowed: {}", time_expected));
    return bad(std::string(time_expected));
  }
  if (frac.size() > max_decimals) {
    return bad(max_decimals == 0 ? std::string("nanoseconds are whole numbers: expected no decimals with unit ns")
                                 : fmt::format("{} decimals with unit {}: expected at most {} (times are exact to the "
                                               "nanosecond)",
                                               frac.size(), unit, max_decimals));
  }
  // whole * scale + frac * scale / 10^len, with overflow checks.
  std::uint64_t w = 0;
  for (char c : whole) {
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (w > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return bad("out of range: expected at most 9223372036.854775807 s");
    w = w * 10 + d;
  }
  std::uint64_t f = 0;
  std::uint64_t f_scale = scale;
  for (char c : frac) {
    f = f * 10 + static_cast<std::uint64_t>(c - '0');
    f_scale /= 10;
  }
  f *= f_scale;
  if (w > (static_cast<std::uint64_t>(int64_max) - f) / scale) {
    return bad("out of range: expected at most 9223372036.854775807 s");
  }
  return static_cast<std::int64_t>(w * scale + f);
}

std::string quote_token(std::string_view text) {
  return sim::detail::scenario_text(text, false);
}

std::string quote_message(std::string_view text) {
  return sim::detail::scenario_text(text, true);
}

void append_event(std::string& out, const Event& e) {
  append_time(out, e.time_ns);
  out += ' ';
  out += to_string(e.kind);
  out += ' ';
  out += e.id;
  switch (e.kind) {
    case EventKind::error:
      out += ' ';
      out += sim::detail::scenario_text(e.message, true);
      break;
    case EventKind::schedule:
    case EventKind::bucket_timer:
      out += ' ';
      append_time(out, e.value);
      break;
    case EventKind::batch_error: {
      char buf[24];
      out += ' ';
      out.append(buf, std::to_chars(buf, buf + sizeof buf, e.value).ptr);
      break;
    }
    case EventKind::bucket_fire:
      out += ' ';
      out += e.message;
      break;
    default: break;
  }
}

std::string format_event(const Event& e) {
  std::string out;
  append_event(out, e);
  return out;
}

ParseError::ParseError(std::string file, std::size_t line, std::size_t column, std::string message)
    : std::runtime_error(fmt::format("{}:{}:{}: error: {}", file, line, column, message)),
      file_(std::move(file)),
      line_(line),
      column_(column),
      message_(std::move(message)) {}

}  // namespace txaio::replay
