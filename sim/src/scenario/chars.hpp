#pragma once
// Characters, limits and messages the scenario tokenizer, grammar and text forms share.
// Internal to txaio-replay.

#include <cstdint>
#include <limits>
#include <string_view>

namespace txaio::scenario::detail {

constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();

constexpr std::string_view time_expected =
    "expected decimal seconds with up to 9 decimals (e.g. 5 or 1.25) or a number with unit s, ms, us or ns "
    "(e.g. 250ms)";

inline bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
inline bool is_space(char c) noexcept { return c == ' ' || c == '\t'; }

inline bool is_id_char(char c, bool first) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_') return true;
  return !first && (c == '.' || c == '-' || c == ':');
}

}  // namespace txaio::scenario::detail
