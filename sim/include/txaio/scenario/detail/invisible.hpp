#pragma once
/// Characters that show as a space or as nothing (a no-break space, a byte order mark, a
/// zero-width space): found in a token they make an error message whose quoted text looks
/// right, so messages name them instead.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace txaio::scenario::detail {

/// One invisible character in a text.
struct Invisible {
  std::size_t offset = 0;     ///< byte offset of its first byte
  char32_t code_point = 0;
  std::string_view name;      ///< e.g. "no-break space"
};

/// The first invisible character in the UTF-8 text `text`, if any (invalid bytes are skipped).
std::optional<Invisible> find_invisible(std::string_view text) noexcept;

/// The parser's message for the invisible character `c` in `token`: names it, shows the token
/// with it made visible, and says what was expected.
std::string invisible_message(const Invisible& c, std::string_view token);

/// `text` with each invisible character written as `<U+00A0>`.
std::string show_invisible(std::string_view text);

}  // namespace txaio::scenario::detail
