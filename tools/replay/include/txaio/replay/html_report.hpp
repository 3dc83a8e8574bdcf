#pragma once
/// `--report FILE.html`: one self-contained HTML file (inline CSS and SVG, no script, no
/// network) with a timeline per scenario.

#include <cstddef>
#include <ostream>
#include <span>
#include <string>

#include "txaio/replay/replay.hpp"

namespace txaio::replay {

struct ReportOptions {
  /// Shown under the title, e.g. the command line.
  std::string subtitle;
  /// Above this many events in a row, the row shows a density histogram instead of markers.
  std::size_t max_markers_per_row = 800;
  /// Rows of the aligned expected / observed table per scenario.
  std::size_t max_table_rows = 200;
};

/// Escapes `&`, `<`, `>`, `"` and `'` for HTML text and attributes.
std::string html_escape(std::string_view text);

/// Writes the report: a summary table, then per scenario its status, the diff when it failed,
/// and an SVG timeline with a row of ops (call_later, cancel), a row per batched timer (its
/// buckets as the design computes them, its loop timers firing as chunk ticks, its calls'
/// fires and errors), a row of plain-timer fires and errors, and a row of expectations.
/// Mismatched events are ringed and marked by an orange line across the rows; the first
/// divergence is labelled. Deterministic output for the same outcomes.
void write_html_report(std::ostream& out, std::span<const Verdict> outcomes, const ReportOptions& options = {});

}  // namespace txaio::replay
