#include "txaio/scenario/detail/invisible.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "txaio/scenario/detail/utf8.hpp"

namespace txaio::scenario::detail {

namespace {

struct Named {
  char32_t code_point;
  std::string_view name;
};

// Sorted by code point.
constexpr std::array<Named, 38> invisible_chars{{
    {0x00A0, "no-break space"},
    {0x00AD, "soft hyphen"},
    {0x034F, "combining grapheme joiner"},
    {0x061C, "Arabic letter mark"},
    {0x1680, "Ogham space mark"},
    {0x180E, "Mongolian vowel separator"},
    {0x2000, "en quad"},
    {0x2001, "em quad"},
    {0x2002, "en space"},
    {0x2003, "em space"},
    {0x2004, "three-per-em space"},
    {0x2005, "four-per-em space"},
    {0x2006, "six-per-em space"},
    {0x2007, "figure space"},
    {0x2008, "punctuation space"},
    {0x2009, "thin space"},
    {0x200A, "hair space"},
    {0x200B, "zero width space"},
    {0x200C, "zero width non-joiner"},
    {0x200D, "zero width joiner"},
    {0x200E, "left-to-right mark"},
    {0x200F, "right-to-left mark"},
    {0x2028, "line separator"},
    {0x2029, "paragraph separator"},
    {0x202A, "left-to-right embedding"},
    {0x202B, "right-to-left embedding"},
    {0x202C, "pop directional formatting"},
    {0x202D, "left-to-right override"},
    {0x202E, "right-to-left override"},
    {0x202F, "narrow no-break space"},
    {0x205F, "medium mathematical space"},
    {0x2060, "word joiner"},
    {0x2066, "left-to-right isolate"},
    {0x2067, "right-to-left isolate"},
    {0x2068, "first strong isolate"},
    {0x2069, "pop directional isolate"},
    {0x3000, "ideographic space"},
    {0xFEFF, "zero width no-break space (byte order mark)"},
}};

std::optional<std::string_view> invisible_name(char32_t c) noexcept {
  const auto it = std::lower_bound(invisible_chars.begin(), invisible_chars.end(), c,
                                   [](const Named& n, char32_t v) { return n.code_point < v; });
  if (it != invisible_chars.end() && it->code_point == c) return it->name;
  return std::nullopt;
}

}  // namespace

std::optional<Invisible> find_invisible(std::string_view text) noexcept {
  for (std::size_t i = 0; i < text.size();) {
    const Utf8Char ch = decode_utf8(text, i);
    if (ch.length == 0) {
      ++i;
      continue;
    }
    if (const auto name = invisible_name(ch.code_point)) return Invisible{i, ch.code_point, *name};
    i += ch.length;
  }
  return std::nullopt;
}

std::string invisible_message(const Invisible& c, std::string_view token) {
  const std::string shown = show_invisible(token);
  return fmt::format("invisible character U+{:04X} {} in '{}': {}", static_cast<std::uint32_t>(c.code_point), c.name,
                     shown.size() > 60 ? shown.substr(0, 57) + "..." : shown,
                     c.code_point == 0xFEFF ? "expected a byte order mark only as the first character of the file"
                                            : "expected ASCII spaces or tabs between tokens, and none inside one");
}

std::string show_invisible(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const Utf8Char ch = decode_utf8(text, i);
    const std::size_t n = std::max<std::size_t>(ch.length, 1);
    if (ch.length > 0 && invisible_name(ch.code_point)) {
      out += fmt::format("<U+{:04X}>", static_cast<std::uint32_t>(ch.code_point));
    } else {
      out.append(text.substr(i, n));
    }
    i += n;
  }
  return out;
}

}  // namespace txaio::scenario::detail
