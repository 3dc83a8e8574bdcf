#pragma once
/// `txaio::sim::Ties`: how a `sim::Loop` orders calls due at the same instant (also the
/// scenario format's `ties` directive).

#include <cstdint>
#include <string_view>

namespace txaio::sim {

/// How calls due at the same instant are ordered.
enum class Ties : std::uint8_t {
  fifo,    ///< scheduling order (Twisted's Clock, asyncio)
  lifo,    ///< reverse scheduling order
  random,  ///< a permutation drawn from the loop's seeded PRNG
};

std::string_view to_string(Ties ties) noexcept;
/// Parses "fifo" / "lifo" / "random"; `std::invalid_argument` naming the valid values.
Ties parse_ties(std::string_view text);

}  // namespace txaio::sim
