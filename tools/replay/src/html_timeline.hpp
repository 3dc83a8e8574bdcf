#pragma once
// The SVG timeline of `--report`: rows of markers (events) and spans (buckets) on a time
// axis, with mismatch lines across the rows. Internal to txaio-replay's HTML report.

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace txaio::replay::detail {

/// a + b in nanoseconds, saturating: scenario times reach the limit of int64.
std::int64_t add_ns(std::int64_t a, std::int64_t b) noexcept;

/// One event drawn in a row.
struct Marker {
  std::int64_t time_ns;
  std::string shape;  ///< circle, ring, tick, cross, diamond, triangle
  std::string color;
  std::string title;
  bool mismatch = false;
  bool error = false;
};

/// One row: a label, its markers and its bucket spans.
struct Row {
  std::string label;
  std::string sub;
  std::vector<Marker> markers;
  std::vector<std::pair<std::int64_t, std::int64_t>> spans;  ///< bucket extents [begin, end)
  std::vector<std::size_t> span_counts;                      ///< calls in each bucket
};

/// A vertical line across the rows at a time, with an optional label.
using TimeLine = std::pair<std::int64_t, std::string>;

/// Renders `rows` from time 0 to `t_end` as an SVG element; a row with more than
/// `max_markers` markers is drawn as a density histogram (its mismatches still as markers).
std::string render_timeline(const std::vector<Row>& rows, const std::vector<TimeLine>& lines, std::int64_t t_end,
                            std::size_t max_markers);

}  // namespace txaio::replay::detail
