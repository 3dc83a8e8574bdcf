#pragma once
/// Decoding one UTF-8 character, strictly (no overlong forms, surrogates or values past
/// U+10FFFF), for the scenario parser's checks and the XML and message writers.

#include <cstddef>
#include <string_view>

namespace txaio::scenario::detail {

/// One decoded character: `length` bytes (0 when the bytes are not valid UTF-8) encoding
/// `code_point`.
struct Utf8Char {
  std::size_t length = 0;
  char32_t code_point = 0;
};

/// The character starting at `s[i]` (`i < s.size()`).
constexpr Utf8Char decode_utf8(std::string_view s, std::size_t i) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {1, b0};
  std::size_t len = 0;
  char32_t cp = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1Fu;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0Fu;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07u;
  } else {
    return {};
  }
  if (i + len > s.size()) return {};
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0u) != 0x80u) return {};
    cp = cp << 6 | (b & 0x3Fu);
  }
  if (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return {};  // overlong, surrogate
  if (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return {};
  return {len, cp};
}

}  // namespace txaio::scenario::detail
