#pragma once
/// Compares observed events with a scenario's `expect` lines: the first divergence, a diff
/// with line numbers, and an alignment the report and `--update` reuse.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "txaio/replay/scenario.hpp"

namespace txaio::replay {

/// Equal kinds, ids, messages and values, and times at most `tolerance_ns` apart.
bool events_match(const Event& expected, const Event& observed, std::int64_t tolerance_ns) noexcept;

/// One step of an alignment of the expected list with the observed list.
struct AlignStep {
  enum Kind : std::uint8_t { same, expected_only, observed_only } kind;
  std::size_t expected = 0;  ///< index into the expected list (same, expected_only)
  std::size_t observed = 0;  ///< index into the observed list (same, observed_only)
};

/// The most edits `align` looks for before it falls back to pairing the lists up in order.
inline constexpr std::size_t default_max_edits = 2000;

/// A shortest edit script between `expected` and `observed` (Myers), with `events_match` as
/// equality. When the lists differ in more than `max_edits` places past their common prefix
/// and suffix, the middle is aligned pairwise instead (never exact, always bounded).
std::vector<AlignStep> align(std::span<const Event> expected, std::span<const Event> observed,
                             std::int64_t tolerance_ns, std::size_t max_edits = default_max_edits);

struct Comparison {
  bool passed = true;
  /// Index of the first differing event in each list (the list's size when it ran out).
  std::size_t first_expected = 0;
  std::size_t first_observed = 0;
  std::vector<AlignStep> steps;
  /// Readable: the first divergence with line numbers, then a diff. Empty when passed.
  std::string report;
};

/// For each set of `expect any` lines (consecutive, same time): when the observed events at
/// the set's places are the set's events in another order (times within `tolerance_ns`),
/// puts them in the set's order, so that `compare` sees them equal. Anything else (an event
/// missing, extra or different) is left as observed for `compare` to report.
void order_unordered(const Scenario& scenario, std::vector<Event>& observed, std::int64_t tolerance_ns);

/// Compares `observed` (already filtered for the mode) with `scenario.expects`.
Comparison compare(const Scenario& scenario, std::span<const Event> observed, std::int64_t tolerance_ns,
                   std::size_t max_diff_lines = 40);

}  // namespace txaio::replay
