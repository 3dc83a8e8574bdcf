#pragma once
/// GoogleTest printers for the loop's configuration types, so assertion messages and
/// parameterised test names show `lifo` or `sim::Options{seed=7, ...}` instead of raw bytes.
///
///     EXPECT_EQ(loop.options().ties, txaio::sim::Ties::fifo);   // "Which is: lifo"
///
/// Include it (or `<txaio/testutil.hpp>`, or `sim_test.hpp`) in every test file that prints
/// these types: GoogleTest instantiates one printer per type for the whole program.

#include <ostream>

#include "txaio/loop.hpp"
#include "txaio/sim/loop.hpp"

namespace txaio {

/// "scheduled" / "immediate".
inline void PrintTo(Dispatch dispatch, std::ostream* os) {
  *os << (dispatch == Dispatch::immediate ? "immediate" : "scheduled");
}

}  // namespace txaio

namespace txaio::sim {

/// "fifo" / "lifo" / "random".
inline void PrintTo(Ties ties, std::ostream* os) { *os << to_string(ties); }

/// "sim::Options{seed=7, ties=lifo, dispatch=immediate, jitter=0.001s}".
inline void PrintTo(const Options& options, std::ostream* os) { *os << options; }

}  // namespace txaio::sim
