#pragma once
/// How the scenario format writes a token or a message: as it is when it reads back as
/// written, else in quotes with the format's escapes. `sim::Recorder` and `txaio-replay` both
/// write scenarios with it.

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace txaio::sim::detail {

/// True when `text` would not read back as written: empty, a '#', a '"' or a control
/// character; for a token (`spaces_ok` false) any space, for a message leading or trailing ones.
inline bool scenario_needs_quotes(std::string_view text, bool spaces_ok) noexcept {
  const auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  if (text.empty()) return true;
  if (spaces_ok && (is_space(text.front()) || is_space(text.back()))) return true;
  for (char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (c == '#' || c == '"' || b < 0x20 || b == 0x7F) return true;
    if (!spaces_ok && c == ' ') return true;
  }
  return false;
}

/// `text` in quotes with the format's escapes; other control characters, which a scenario
/// cannot hold, show visibly as `<0xNN>`.
inline std::string scenario_quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
          out += fmt::format("<0x{:02X}>", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

/// `text` as a token (`spaces_ok` false) or a message (`spaces_ok` true) of a scenario line.
inline std::string scenario_text(std::string_view text, bool spaces_ok) {
  return scenario_needs_quotes(text, spaces_ok) ? scenario_quote(text) : std::string(text);
}

}  // namespace txaio::sim::detail
