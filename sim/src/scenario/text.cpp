// The text forms of the scenario format: ties, event kinds, times, quoted tokens, events,
// and the parse error.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "chars.hpp"
#include "txaio/detail/time_text.hpp"
#include "txaio/scenario.hpp"

namespace txaio::scenario {

namespace {

// True when `text` would not read back as written: empty, a '#', a '"' or a control
// character; for a token (`spaces_ok` false) any space, for a message leading or trailing ones.
bool scenario_needs_quotes(std::string_view text, bool spaces_ok) noexcept {
  using detail::is_space;
  if (text.empty()) return true;
  if (spaces_ok && (is_space(text.front()) || is_space(text.back()))) return true;
  for (char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (c == '#' || c == '"' || b < 0x20 || b == 0x7F) return true;
    if (!spaces_ok && c == ' ') return true;
  }
  return false;
}

// `text` in quotes with the format's escapes; other control characters, which a scenario
// cannot hold, show visibly as `<0xNN>`.
std::string scenario_quote(std::string_view text) {
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

// `text` as a token (`spaces_ok` false) or a message (`spaces_ok` true) of a scenario line.
std::string scenario_text(std::string_view text, bool spaces_ok) {
  return scenario_needs_quotes(text, spaces_ok) ? scenario_quote(text) : std::string(text);
}

}  // namespace


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

std::string quote_token(std::string_view text) { return scenario_text(text, false); }

std::string quote_message(std::string_view text) { return scenario_text(text, true); }

void append_event(std::string& out, const Event& e) {
  append_time(out, e.time_ns);
  out += ' ';
  out += to_string(e.kind);
  out += ' ';
  out += e.id;
  switch (e.kind) {
    case EventKind::error:
      out += ' ';
      out += quote_message(e.message);
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

}  // namespace txaio::scenario
