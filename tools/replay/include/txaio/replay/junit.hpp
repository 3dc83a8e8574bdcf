#pragma once
/// `--junit FILE`: JUnit XML, one test case per scenario, as CI systems read it.

#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "txaio/replay/replay.hpp"

namespace txaio::replay {

/// Escapes `&`, `<`, `>`, `"` and `'`, and replaces characters XML 1.0 cannot hold with '?'.
std::string xml_escape(std::string_view text);

/// Writes one `<testsuite name="txaio-replay">`: a passed scenario is a plain test case, a
/// failed or nondeterministic one has a `<failure>` with the diff, a parse or run error an
/// `<error>`, and a scenario not run a `<skipped>`. Deterministic output (no timestamps);
/// `time` attributes are the measured seconds.
void write_junit(std::ostream& out, std::span<const Verdict> outcomes, double total_seconds);

}  // namespace txaio::replay
