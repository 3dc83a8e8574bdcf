#pragma once
// The scenario tokenizer: checks one line's bytes (length, UTF-8, control characters) and
// splits it into whitespace-separated tokens, with double-quoted parts and their escapes.
// Internal to the scenario parser (grammar.cpp).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace txaio::scenario::detail {

/// One whitespace-separated token of a line. `raw` is the text as written; quoted parts are
/// unescaped by `token_value`.
struct Token {
  std::string_view raw;
  std::size_t col = 0;  ///< 1-based byte column of the first character
  bool quoted = false;  ///< contains a double-quoted part
};

/// Where the parser is: the file name for messages and the 1-based line number.
struct LineRef {
  std::string_view file;
  std::size_t line = 0;
};

/// Throws `ParseError` at `where`, column `col`.
[[noreturn]] void fail_at(const LineRef& where, std::size_t col, std::string message);
/// A problem with token `t`; one that holds an invisible character is reported as that.
[[noreturn]] void fail_token(const LineRef& where, const Token& t, std::string message);

/// The token's text with its quoted parts unescaped.
std::string token_value(const Token& t);
/// Shows a token in a message, in quotes, shortened when long.
std::string show(std::string_view text);

/// Checks `line` (without its terminator) and splits it into `out` (cleared first), stopping
/// at a '#' outside quotes. Throws `ParseError` on a line over `max_line_bytes`, bytes that
/// are not UTF-8, control characters other than tab, an unknown escape or an unterminated
/// quote.
void tokenize(const LineRef& where, std::string_view line, std::vector<Token>& out);

}  // namespace txaio::scenario::detail
