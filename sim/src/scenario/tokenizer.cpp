#include "tokenizer.hpp"

#include <fmt/format.h>

#include "chars.hpp"
#include "txaio/scenario.hpp"
#include "txaio/scenario/detail/invisible.hpp"
#include "txaio/scenario/detail/utf8.hpp"

namespace txaio::scenario::detail {

namespace {

std::string unescape(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  bool in_quote = false;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '"') {
      in_quote = !in_quote;
    } else if (in_quote && c == '\\' && i + 1 < raw.size()) {
      const char e = raw[++i];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        default: out += e; break;  // \" and \\ (others are rejected by the tokenizer)
      }
    } else {
      out += c;
    }
  }
  return out;
}

// Fails on a line too long, bytes that are not UTF-8 and control characters.
void check_bytes(const LineRef& where, std::string_view line) {
  if (line.size() > max_line_bytes) {
    fail_at(where, max_line_bytes + 1,
            fmt::format("line is {} bytes long: expected at most {} bytes per line", line.size(), max_line_bytes));
  }
  for (std::size_t i = 0; i < line.size();) {
    const auto b = static_cast<unsigned char>(line[i]);
    if (b >= 0x80) {
      const std::size_t n = decode_utf8(line, i).length;
      if (n == 0) fail_at(where, i + 1, fmt::format("invalid UTF-8 byte 0x{:02X}: expected UTF-8 text", b));
      i += n;
      continue;
    }
    if ((b < 0x20 && b != '\t') || b == 0x7F) {
      fail_at(where, i + 1,
              fmt::format("control character 0x{:02X}: expected printable text (tabs and spaces separate tokens)", b));
    }
    ++i;
  }
}

// The end of the token starting at `i`; sets `quoted` when it holds a quoted part.
std::size_t token_end(const LineRef& where, std::string_view line, std::size_t i, bool& quoted) {
  bool in_quote = false;
  std::size_t quote_col = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (in_quote) {
      if (c == '\\') {
        if (i + 1 >= line.size()) break;
        const char e = line[i + 1];
        if (e != '"' && e != '\\' && e != 'n' && e != 't' && e != 'r') {
          fail_at(where, i + 1, fmt::format("unknown escape '\\{}' in quoted text: expected \\\", \\\\, \\n, \\t or \\r", e));
        }
        i += 2;
        continue;
      }
      if (c == '"') in_quote = false;
      ++i;
      continue;
    }
    if (is_space(c) || c == '#') break;
    if (c == '"') {
      quoted = in_quote = true;
      quote_col = i + 1;
    }
    ++i;
  }
  if (in_quote) fail_at(where, quote_col, "unterminated quoted text: expected a closing '\"' on the same line");
  return i;
}

}  // namespace

void fail_at(const LineRef& where, std::size_t col, std::string message) {
  throw ParseError(std::string(where.file), where.line, col, std::move(message));
}

void fail_token(const LineRef& where, const Token& t, std::string message) {
  if (const auto c = find_invisible(t.raw)) fail_at(where, t.col + c->offset, invisible_message(*c, t.raw));
  fail_at(where, t.col, std::move(message));
}

std::string token_value(const Token& t) { return t.quoted ? unescape(t.raw) : std::string(t.raw); }

std::string show(std::string_view text) {
  if (text.size() > 40) return fmt::format("'{}...'", text.substr(0, 37));
  return fmt::format("'{}'", text);
}

void tokenize(const LineRef& where, std::string_view line, std::vector<Token>& out) {
  out.clear();
  check_bytes(where, line);
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_space(line[i])) ++i;
    if (i >= line.size() || line[i] == '#') break;
    const std::size_t start = i;
    bool quoted = false;
    i = token_end(where, line, i, quoted);
    out.push_back(Token{line.substr(start, i - start), start + 1, quoted});
  }
}

}  // namespace txaio::scenario::detail
