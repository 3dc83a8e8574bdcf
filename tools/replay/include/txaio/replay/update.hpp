#pragma once
/// `--update`: rewrites a scenario's `expect` lines from what was observed.

#include <span>
#include <string>
#include <string_view>

#include "txaio/replay/diff.hpp"
#include "txaio/replay/scenario.hpp"

namespace txaio::replay {

/// The `expect` line for an event: `expect <time> <kind> <id> [<detail>]`.
std::string expect_line(const Event& event);

/// Returns `text` (the file `scenario` was parsed from) with its expect lines replaced by
/// `observed`. Every other line stays byte for byte, comments and blank lines included. An
/// expect line matching its observed event (within `tolerance_ns`) is kept as written, with
/// its comment; new lines go where the alignment puts them, next to the kept ones; lines
/// with no observed event are removed. A file without expect lines gets them at its end.
std::string rewrite_expectations(std::string_view text, const Scenario& scenario, std::span<const Event> observed,
                                 std::int64_t tolerance_ns);

}  // namespace txaio::replay
