#include "txaio/replay/html_report.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <unordered_map>

#include "txaio/time.hpp"

namespace txaio::replay {

namespace {

constexpr double svg_width = 1100;
constexpr double label_width = 170;
constexpr double right_margin = 24;
constexpr double plot_width = svg_width - label_width - right_margin;
constexpr double row_height = 52;
constexpr double top_margin = 22;
constexpr double axis_height = 34;

constexpr std::string_view style = R"(
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px; color: #1d2330; background: #fafbfc; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 0; display: inline-block; }
.sub { color: #5b6475; margin: 0 0 16px; }
table.index { border-collapse: collapse; margin: 12px 0 20px; background: #fff; }
table.index td, table.index th { border: 1px solid #d8dde6; padding: 3px 10px; text-align: left; }
table.index th { background: #eef1f6; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 9px; color: #fff; font-size: 12px; font-weight: 600; vertical-align: 2px; margin-left: 8px; }
.passed { background: #2e8540; } .failed { background: #c0392b; } .nondeterministic { background: #8e44ad; }
.parse-error, .run-error { background: #b35900; } .not-run { background: #7f8c8d; }
section.scenario { background: #fff; border: 1px solid #d8dde6; border-radius: 6px; padding: 14px 16px; margin: 0 0 18px; }
.meta { color: #5b6475; font-size: 13px; margin: 4px 0 8px; }
pre { background: #f4f6fa; border: 1px solid #e1e5ec; padding: 8px 10px; overflow-x: auto; font-size: 12.5px; }
pre.error { border-color: #e6b0aa; background: #fdf2f1; }
svg { display: block; background: #fff; }
svg text { font: 11px system-ui, sans-serif; fill: #394150; }
svg .rowlabel { font-size: 12px; font-weight: 600; }
svg .rowsub { font-size: 10px; fill: #6b7385; }
table.events { border-collapse: collapse; font: 12px ui-monospace, Menlo, Consolas, monospace; margin-top: 6px; }
table.events td, table.events th { padding: 1px 10px; border-bottom: 1px solid #eef0f4; text-align: left; }
tr.expected_only td { background: #fde2d2; } tr.observed_only td { background: #fff1c7; }
details summary { cursor: pointer; color: #2c5d9c; margin-top: 6px; }
.legend span { display: inline-block; margin-right: 14px; font-size: 12px; }
)";

std::string css_class(Status s) {
  std::string c(to_string(s));
  std::replace(c.begin(), c.end(), ' ', '-');
  return c;
}

// a + b in nanoseconds, saturating: scenario times reach the limit of int64.
std::int64_t add_ns(std::int64_t a, std::int64_t b) noexcept {
  return saturating_add(std::chrono::nanoseconds(a), std::chrono::nanoseconds(b)).count();
}

// "Nice" tick spacing in ns: 1, 2 or 5 times a power of ten, about `target` ticks.

std::int64_t tick_step(std::int64_t span, int target) {
  const double raw = static_cast<double>(span) / target;
  double step = std::pow(10.0, std::floor(std::log10(std::max(raw, 1.0))));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (step * m >= raw) {
      step *= m;
      break;
    }
  }
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(step));
}

struct Marker {
  std::int64_t time_ns;
  std::string shape;  // circle, ring, tick, cross, diamond, triangle
  std::string color;
  std::string title;
  bool mismatch = false;
  bool error = false;
};

struct Row {
  std::string label;
  std::string sub;
  std::vector<Marker> markers;
  std::vector<std::pair<std::int64_t, std::int64_t>> spans;  // bucket extents [begin, end)
  std::vector<std::size_t> span_counts;
};

class Timeline {
public:
  Timeline(std::int64_t t_end, std::size_t max_markers) : t_end_(std::max<std::int64_t>(t_end, 1)), max_markers_(max_markers) {}

  double x(std::int64_t t) const {
    return label_width + plot_width * static_cast<double>(t) / static_cast<double>(t_end_);
  }

  std::string render(const std::vector<Row>& rows, const std::vector<std::pair<std::int64_t, std::string>>& lines) const {
    std::string s;
    auto out = std::back_inserter(s);
    const double height = top_margin + row_height * static_cast<double>(rows.size()) + axis_height;
    fmt::format_to(out, R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" role="img">)",
                   svg_width, height);
    s += '\n';
    // Row backgrounds and labels.
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const double y = top_margin + row_height * static_cast<double>(r);
      fmt::format_to(out, R"(<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>)", label_width, y, plot_width,
                     row_height, r % 2 == 0 ? "#f7f9fc" : "#ffffff");
      fmt::format_to(out, R"(<text class="rowlabel" x="8" y="{}">{}</text>)", y + row_height / 2 - 2,
                     html_escape(rows[r].label));
      if (!rows[r].sub.empty()) {
        fmt::format_to(out, R"(<text class="rowsub" x="8" y="{}">{}</text>)", y + row_height / 2 + 11,
                       html_escape(rows[r].sub));
      }
      s += '\n';
    }
    // Time axis with grid lines.
    const double axis_y = top_margin + row_height * static_cast<double>(rows.size());
    const std::int64_t step = tick_step(t_end_, 8);
    for (std::int64_t t = 0; t <= t_end_; t += step) {
      fmt::format_to(out, R"(<line x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}" stroke="#e3e7ee"/>)", x(t), top_margin,
                     axis_y);
      fmt::format_to(out, R"(<text x="{:.1f}" y="{}" text-anchor="middle">{} s</text>)", x(t), axis_y + 16,
                     format_time(t));
      if (t > t_end_ - step) break;
    }
    fmt::format_to(out, R"(<line x1="{0}" y1="{2}" x2="{1}" y2="{2}" stroke="#8a93a6"/>)", label_width,
                   label_width + plot_width, axis_y);
    s += '\n';
    // Buckets.
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const double y = top_margin + row_height * static_cast<double>(r);
      for (std::size_t i = 0; i < rows[r].spans.size(); ++i) {
        const auto [b, e] = rows[r].spans[i];
        const double x0 = x(b), x1 = std::max(x(e), x0 + 1.5);
        fmt::format_to(out,
                       R"(<rect x="{:.1f}" y="{}" width="{:.1f}" height="{}" fill="#dbe9fb" stroke="#8fb3e3" rx="2"><title>bucket [{} s, {} s): {} calls</title></rect>)",
                       x0, y + 6, x1 - x0, row_height - 12, format_time(b), format_time(e), rows[r].span_counts[i]);
      }
    }
    s += '\n';
    // Mismatch lines across every row.
    for (const auto& [t, label] : lines) {
      fmt::format_to(out, R"(<line x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}" stroke="#f39c12" stroke-width="2" stroke-dasharray="5 3" opacity="0.8"/>)",
                     x(t), top_margin - 4, axis_y);
      if (!label.empty()) {
        const bool right = x(t) > label_width + plot_width * 0.75;
        fmt::format_to(out, R"(<text x="{:.1f}" y="{}" text-anchor="{}" style="fill:#c0392b;font-weight:600">{}</text>)",
                       x(t) + (right ? -4 : 4), top_margin - 8, right ? "end" : "start", html_escape(label));
      }
    }
    // Markers (or densities).
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const double y = top_margin + row_height * static_cast<double>(r);
      if (rows[r].markers.size() > max_markers_) {
        render_density(s, rows[r], y);
      } else {
        render_markers(s, rows[r].markers, y);
      }
      s += '\n';
    }
    s += "</svg>\n";
    return s;
  }

private:
  void render_markers(std::string& s, const std::vector<Marker>& markers, double y) const {
    auto out = std::back_inserter(s);
    static constexpr double offsets[] = {0, -7, 7, -14, 14, -3.5, 3.5, -10.5, 10.5, -17.5, 17.5};
    std::unordered_map<long, int> stack;
    const double cy0 = y + row_height / 2;
    for (const Marker& m : markers) {
      const double cx = x(m.time_ns);
      const int n = stack[std::lround(cx / 3)]++;
      const double cy = cy0 + offsets[n % std::size(offsets)];
      s += "<g>";
      fmt::format_to(out, "<title>{}</title>", html_escape(m.title));
      if (m.mismatch) {
        fmt::format_to(out, R"(<circle cx="{:.1f}" cy="{:.1f}" r="7.5" fill="none" stroke="#f39c12" stroke-width="2.5"/>)", cx, cy);
      }
      if (m.shape == "circle") {
        fmt::format_to(out, R"(<circle cx="{:.1f}" cy="{:.1f}" r="4" fill="{}" stroke="#ffffff" stroke-width="0.8"/>)", cx, cy, m.color);
      } else if (m.shape == "ring") {
        fmt::format_to(out, R"(<circle cx="{:.1f}" cy="{:.1f}" r="4" fill="#ffffff" stroke="{}" stroke-width="1.6"/>)", cx, cy, m.color);
      } else if (m.shape == "tick") {
        fmt::format_to(out, R"(<line x1="{0:.1f}" y1="{1:.1f}" x2="{0:.1f}" y2="{2:.1f}" stroke="{3}" stroke-width="2"/>)", cx,
                       y + 5, y + row_height - 5, m.color);
      } else if (m.shape == "cross") {
        fmt::format_to(out, R"(<path d="M{0:.1f},{1:.1f}l7,7m0,-7l-7,7" stroke="{2}" stroke-width="2"/>)", cx - 3.5, cy - 3.5, m.color);
      } else if (m.shape == "diamond") {
        fmt::format_to(out, R"(<path d="M{0:.1f},{1:.1f}l5,5l-5,5l-5,-5z" fill="{2}"/>)", cx, cy - 5, m.color);
      } else {  // triangle
        fmt::format_to(out, R"(<path d="M{0:.1f},{1:.1f}l4,7h-8z" fill="{2}"/>)", cx, cy - 4, m.color);
      }
      s += "</g>";
    }
  }

  void render_density(std::string& s, const Row& row, double y) const {
    auto out = std::back_inserter(s);
    constexpr std::size_t bins = 400;
    std::vector<std::size_t> ok(bins, 0), bad(bins, 0);
    std::vector<const Marker*> mismatches;
    for (const Marker& m : row.markers) {
      const auto b = std::min<std::size_t>(
          bins - 1, static_cast<std::size_t>(static_cast<double>(m.time_ns) / static_cast<double>(t_end_) * bins));
      (m.error ? bad : ok)[b]++;
      if (m.mismatch && mismatches.size() < 200) mismatches.push_back(&m);
    }
    const std::size_t peak = std::max(*std::max_element(ok.begin(), ok.end()), *std::max_element(bad.begin(), bad.end()));
    const double w = plot_width / bins;
    const double h_max = row_height - 10;
    for (std::size_t b = 0; b < bins; ++b) {
      if (ok[b] + bad[b] == 0) continue;
      const double h1 = h_max * std::sqrt(static_cast<double>(ok[b]) / static_cast<double>(peak));
      const double h2 = h_max * std::sqrt(static_cast<double>(bad[b]) / static_cast<double>(peak));
      const double x0 = label_width + w * static_cast<double>(b);
      const std::string color = row.markers.front().color;
      if (ok[b] > 0) {
        fmt::format_to(out, R"(<rect x="{:.1f}" y="{:.1f}" width="{:.2f}" height="{:.1f}" fill="{}"><title>{} events</title></rect>)",
                       x0, y + row_height - 5 - h1, w, h1, color, ok[b]);
      }
      if (bad[b] > 0) {
        fmt::format_to(out, R"(<rect x="{:.1f}" y="{:.1f}" width="{:.2f}" height="{:.1f}" fill="#d64541" opacity="0.85"><title>{} errors</title></rect>)",
                       x0, y + row_height - 5 - h2, w, h2, bad[b]);
      }
    }
    fmt::format_to(out, R"(<text x="{}" y="{}" text-anchor="end" class="rowsub">density of {} events (sqrt scale)</text>)",
                   label_width + plot_width - 4, y + 11, row.markers.size());
    std::vector<Marker> shown;
    for (const Marker* m : mismatches) shown.push_back(*m);
    render_markers(s, shown, y);
  }

  std::int64_t t_end_;
  std::size_t max_markers_;
};

void write_scenario(std::string& s, const Verdict& o, std::size_t index, const ReportOptions& options) {
  auto out = std::back_inserter(s);
  fmt::format_to(out, R"(<section class="scenario" id="s{}"><h2>{}</h2><span class="badge {}">{}</span>)", index,
                 html_escape(o.name), css_class(o.status), to_string(o.status));
  s += '\n';
  if (!o.scenario) {
    fmt::format_to(out, "<pre class=\"error\">{}</pre></section>\n", html_escape(o.message.empty() ? "not run" : o.message));
    return;
  }
  const Scenario& sc = *o.scenario;
  fmt::format_to(out,
                 R"(<div class="meta">seed {} · ties {} · {} calls · {} ops · {} batched timers · {} expect lines · {} events compared{} · ran to {} s in {:.3f} s</div>)",
                 o.run.seed, to_string(o.run.ties), sc.calls.size(), sc.ops.size(), sc.batched.size(),
                 sc.expects.size(), o.compared.size(), o.trace ? " (trace)" : "", format_time(o.run.end_ns), o.seconds);
  s += '\n';
  if (!o.message.empty()) fmt::format_to(out, "<pre class=\"error\">{}</pre>\n", html_escape(o.message));
  if (!o.comparison.report.empty()) fmt::format_to(out, "<pre class=\"error\">{}</pre>\n", html_escape(o.comparison.report));

  // Which compared events and expectations are mismatched.
  std::vector<bool> observed_bad(o.compared.size(), false), expected_bad(sc.expects.size(), false);
  for (const AlignStep& st : o.comparison.steps) {
    if (st.kind == AlignStep::observed_only && st.observed < observed_bad.size()) observed_bad[st.observed] = true;
    if (st.kind == AlignStep::expected_only && st.expected < expected_bad.size()) expected_bad[st.expected] = true;
  }

  std::unordered_map<std::string_view, std::uint32_t> call_of;
  for (std::uint32_t i = 0; i < sc.calls.size(); ++i) call_of.emplace(sc.calls[i].id, i);

  // Rows: ops, one per batched timer, plain timers, expectations.
  std::vector<Row> rows;
  rows.push_back(Row{"ops", "call_later ▲ cancel ✕", {}, {}, {}});
  for (const BatchedDecl& b : sc.batched) {
    rows.push_back(Row{"batched " + b.name, fmt::format("bucket {} s, chunk {}", format_time(b.bucket_ns), b.chunk), {}, {}, {}});
  }
  const std::size_t plain_row = rows.size();
  rows.push_back(Row{"timers", "fire ● error ●", {}, {}, {}});
  const std::size_t expect_row = rows.size();
  rows.push_back(Row{"expected", "expect lines ○", {}, {}, {}});

  std::int64_t t_end = o.run.end_ns;
  if (sc.run_ns) t_end = std::max(t_end, *sc.run_ns);
  // Ops: `at` / `and` ops at their time; `on` ops where their parent ran (if it did).
  std::unordered_map<std::string_view, std::int64_t> ran_at;
  for (const Event& e : o.run.events) {
    if (e.kind == EventKind::fire || e.kind == EventKind::error) ran_at.emplace(e.id, e.time_ns);
  }
  auto add_op = [&](const Op& op, std::int64_t t, const std::string& where) {
    const Call& c = sc.calls[op.call];
    t_end = std::max(t_end, t);
    if (op.kind == OpKind::call_later) {
      rows[0].markers.push_back(Marker{t, "triangle", "#7f8c8d",
                                       fmt::format("line {}: {} call_later {} {}{}", op.line, where, c.id,
                                                   format_time(c.delay_ns), c.via ? " via=" + sc.batched[*c.via].name : ""),
                                       false, false});
    } else {
      rows[0].markers.push_back(
          Marker{t, "cross", "#c0392b", fmt::format("line {}: {} cancel {}", op.line, where, c.id), false, false});
    }
  };
  for (const Op& op : sc.ops) add_op(op, op.at_ns, op.chained ? "and" : "at " + format_time(op.at_ns));
  for (const Op& op : sc.causal_ops) {
    const std::string& parent = sc.calls[*op.on].id;
    if (const auto it = ran_at.find(parent); it != ran_at.end()) add_op(op, it->second, "on " + parent);
  }
  // Buckets where the run saw them fire, with the calls they held then.
  std::vector<std::size_t> drawn(sc.batched.size(), 0);
  for (const BucketActivity& a : o.run.buckets) {
    if (a.kind != txaio::EventKind::fire || a.bucket.chunk != 0 || a.batched >= sc.batched.size()) continue;
    if (++drawn[a.batched] > 5000) continue;
    const std::int64_t key = a.bucket.key.count();
    const std::int64_t end = add_ns(key, sc.batched[a.batched].bucket_ns);
    rows[1 + a.batched].spans.emplace_back(key, end);
    rows[1 + a.batched].span_counts.push_back(a.bucket.calls);
    t_end = std::max(t_end, end);
  }
  // Observed events.
  std::vector<std::pair<std::int64_t, std::string>> lines;
  std::size_t ci = 0;
  for (const Event& e : o.run.events) {
    const bool is_compared = o.trace || !is_trace_kind(e.kind);
    const bool bad = is_compared && ci < observed_bad.size() && observed_bad[ci];
    if (is_compared) ++ci;
    t_end = std::max(t_end, e.time_ns);
    const std::string title = fmt::format("{}{}", format_event(e), bad ? "  (not expected)" : "");
    if (bad && lines.size() < 200) lines.emplace_back(e.time_ns, "");
    std::size_t row = plain_row;
    auto batched_row = [&](std::string_view name) -> std::size_t {
      const auto b = sc.find_batched(name);
      return b ? 1 + *b : plain_row;
    };
    switch (e.kind) {
      case EventKind::fire:
      case EventKind::error: {
        const auto it = call_of.find(e.id);
        if (it != call_of.end() && sc.calls[it->second].via) row = 1 + *sc.calls[it->second].via;
        const bool err = e.kind == EventKind::error;
        rows[row].markers.push_back(Marker{e.time_ns, "circle", err ? "#d64541" : "#27ae60", title, bad, err});
        break;
      }
      case EventKind::bucket_fire:
        rows[batched_row(e.id)].markers.push_back(Marker{e.time_ns, "tick", "#2c5d9c", title + " (a loop timer of the batched timer ran)", bad, false});
        break;
      case EventKind::bucket_cancel:
        rows[batched_row(e.id)].markers.push_back(Marker{e.time_ns, "cross", "#2c5d9c", title, bad, false});
        break;
      case EventKind::batch_error:
        rows[batched_row(e.id)].markers.push_back(Marker{e.time_ns, "diamond", "#8e1b10", title, bad, true});
        break;
      case EventKind::schedule:
      case EventKind::cancel:
      case EventKind::bucket_timer:
        if (bad) rows[0].markers.push_back(Marker{e.time_ns, "ring", "#f39c12", title, true, false});
        break;
    }
  }
  for (std::size_t i = 0; i < sc.expects.size(); ++i) {
    const Expect& x = sc.expects[i];
    t_end = std::max(t_end, x.event.time_ns);
    const bool bad = expected_bad[i];
    rows[expect_row].markers.push_back(Marker{x.event.time_ns, "ring", bad ? "#e67e22" : "#95a5a6",
                                              fmt::format("line {}: expect {}{}", x.line, format_event(x.event),
                                                          bad ? "  (not observed)" : ""),
                                              bad, x.event.kind == EventKind::error});
    if (bad && lines.size() < 200) lines.emplace_back(x.event.time_ns, "");
  }
  if (!o.comparison.passed) {
    // Label the first divergence.
    std::int64_t t = 0;
    std::string label;
    if (o.comparison.first_expected < sc.expects.size()) {
      t = sc.expects[o.comparison.first_expected].event.time_ns;
      label = fmt::format("first divergence (line {})", sc.expects[o.comparison.first_expected].line);
    } else if (o.comparison.first_observed < o.compared.size()) {
      t = o.compared[o.comparison.first_observed].time_ns;
      label = "first divergence (unexpected event)";
    }
    lines.emplace_back(t, label);
  }
  if (rows[plain_row].markers.empty() && std::none_of(sc.calls.begin(), sc.calls.end(), [](const Call& c) { return !c.via; })) {
    rows.erase(rows.begin() + static_cast<std::ptrdiff_t>(plain_row));
  }
  // A little room after the last event.
  t_end = add_ns(t_end, std::max<std::int64_t>(t_end / 50, 1));
  s += Timeline(t_end, options.max_markers_per_row).render(rows, lines);

  // The aligned lists, mismatches highlighted.
  const auto& steps = o.comparison.steps;
  if (!steps.empty()) {
    std::size_t begin = 0;
    if (!o.comparison.passed) {
      begin = o.comparison.first_expected > 10 ? o.comparison.first_expected - 10 : 0;
    }
    const std::size_t end = std::min(steps.size(), begin + options.max_table_rows);
    fmt::format_to(out, "<details{}><summary>expected and observed events{}</summary>\n",
                   o.comparison.passed ? "" : " open",
                   end - begin < steps.size() ? fmt::format(" (rows {}–{} of {})", begin + 1, end, steps.size()) : "");
    s += "<table class=\"events\"><tr><th>line</th><th>expected</th><th>observed</th></tr>\n";
    for (std::size_t i = begin; i < end; ++i) {
      const AlignStep& st = steps[i];
      const char* cls = st.kind == AlignStep::same ? "same" : st.kind == AlignStep::expected_only ? "expected_only" : "observed_only";
      const std::string line = st.kind == AlignStep::observed_only ? "" : std::to_string(sc.expects[st.expected].line);
      const std::string exp = st.kind == AlignStep::observed_only ? "" : format_event(sc.expects[st.expected].event);
      const std::string obs = st.kind == AlignStep::expected_only ? "" : format_event(o.compared[st.observed]);
      fmt::format_to(out, "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td></tr>\n", cls, line, html_escape(exp),
                     html_escape(obs));
    }
    s += "</table></details>\n";
  }
  s += "</section>\n";
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

void write_html_report(std::ostream& os, std::span<const Verdict> outcomes, const ReportOptions& options) {
  std::map<Status, std::size_t> counts;
  for (const Verdict& o : outcomes) counts[o.status]++;
  std::string s;
  auto out = std::back_inserter(s);
  s += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>txaio-replay report</title>\n<style>";
  s += style;
  s += "</style>\n</head>\n<body>\n<h1>txaio-replay report</h1>\n";
  std::string summary = fmt::format("{} scenarios", outcomes.size());
  for (const auto& [status, n] : counts) summary += fmt::format(" · {} {}", n, to_string(status));
  fmt::format_to(out, "<p class=\"sub\">{}{}</p>\n", html_escape(summary),
                 options.subtitle.empty() ? "" : " · " + html_escape(options.subtitle));
  s += R"(<div class="legend"><span style="color:#27ae60">● fire</span><span style="color:#d64541">● error</span>)"
       R"(<span style="color:#7f8c8d">▲ call_later</span><span style="color:#c0392b">✕ cancel</span>)"
       R"(<span style="color:#2c5d9c">| loop timer of a batched timer (bucket or chunk)</span>)"
       R"(<span style="color:#8fb3e3">▭ bucket</span><span style="color:#8e1b10">◆ BatchError</span>)"
       R"(<span style="color:#95a5a6">○ expected</span><span style="color:#f39c12">◯ ┆ mismatch</span></div>)";
  s += "\n<table class=\"index\"><tr><th>scenario</th><th>status</th><th>events</th><th>seed</th><th>ties</th><th>seconds</th></tr>\n";
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    const Verdict& o = outcomes[i];
    fmt::format_to(out, R"(<tr><td><a href="#s{}">{}</a></td><td><span class="badge {}">{}</span></td>)", i,
                   html_escape(o.name), css_class(o.status), to_string(o.status));
    if (o.scenario) {
      fmt::format_to(out, "<td>{}</td><td>{}</td><td>{}</td><td>{:.3f}</td></tr>\n", o.compared.size(), o.run.seed,
                     to_string(o.run.ties), o.seconds);
    } else {
      s += "<td></td><td></td><td></td><td></td></tr>\n";
    }
  }
  s += "</table>\n";
  for (std::size_t i = 0; i < outcomes.size(); ++i) write_scenario(s, outcomes[i], i, options);
  s += "</body>\n</html>\n";
  os << s;
}

}  // namespace txaio::replay
