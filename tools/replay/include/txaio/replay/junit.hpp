#pragma once
/// `--junit FILE`: JUnit XML, one test case per scenario, as CI systems read it.

#include <chrono>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "txaio/replay/replay.hpp"

namespace txaio::replay {

/// Escapes `&`, `<`, `>`, `"` and `'`, replaces each byte that is not UTF-8 with U+FFFD and
/// each character XML 1.0 cannot hold (C0 controls but tab and newlines, U+FFFE, U+FFFF) with '?'.
std::string xml_escape(std::string_view text);

/// Where and when a run happened: the suite's `hostname`, `timestamp` (its start, UTC, ISO 8601
/// without a zone: `2026-11-30T04:20:00`, as the JUnit schema's pattern wants) and `time`.
struct JunitRun {
  std::string hostname;
  std::string timestamp;
  double seconds = 0;
};

/// This machine's host name ("localhost" if it has none) and `start` as a JUnit timestamp.
JunitRun junit_run(std::chrono::system_clock::time_point start, double seconds);

/// Writes `<testsuites>` holding one `<testsuite name="txaio-replay">`, in the JUnit XML that
/// Jenkins and GitLab read (tests/tools/replay/junit.xsd is the schema it is checked against):
/// a passed scenario is a plain test case, a failed or nondeterministic one has a `<failure>`
/// with the diff, a parse or run error an `<error>`, and a scenario not run a `<skipped>`.
/// `time` attributes are the measured seconds; the output is otherwise a function of
/// `outcomes` and `run`.
void write_junit(std::ostream& out, std::span<const Verdict> outcomes, const JunitRun& run);

}  // namespace txaio::replay
