// The numbers of the scenario format: times and durations, seeds and counts.
#include "txaio/scenario.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "chars.hpp"

namespace txaio::scenario {

using detail::int64_max;
using detail::is_digit;
using detail::time_expected;

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


std::optional<std::uint64_t> parse_u64(std::string_view text, std::string* why) {
  auto bad = [&](std::string reason) -> std::optional<std::uint64_t> {
    if (why != nullptr) *why = std::move(reason);
    return std::nullopt;
  };
  constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  if (text.empty()) return bad("expected a non-negative decimal integer, found nothing");
  std::uint64_t v = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return bad("expected a non-negative decimal integer");
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (max - d) / 10) return bad(fmt::format("out of range: expected at most {}", max));
    v = v * 10 + d;
  }
  return v;
}

}  // namespace txaio::scenario
