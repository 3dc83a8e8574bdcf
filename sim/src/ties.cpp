#include "txaio/sim/ties.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "txaio/scenario.hpp"

namespace txaio::sim {

std::string_view to_string(Ties ties) noexcept {
  switch (ties) {
    case Ties::fifo: return "fifo";
    case Ties::lifo: return "lifo";
    case Ties::random: return "random";
  }
  return "?";
}

Ties parse_ties(std::string_view text) {
  if (const std::optional<Ties> ties = scenario::parse_ties(text)) return *ties;
  throw std::invalid_argument(fmt::format("unknown ties policy '{}': expected fifo, lifo or random", text));
}

}  // namespace txaio::sim
