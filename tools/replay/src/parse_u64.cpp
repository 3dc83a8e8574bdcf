#include "txaio/replay/scenario.hpp"

#include <fmt/format.h>

#include <limits>

namespace txaio::replay {

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

}  // namespace txaio::replay
