#include "txaio/replay/html_report.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <unordered_map>

#include "html_timeline.hpp"

namespace txaio::replay {

namespace {

using detail::add_ns;
using detail::Marker;
using detail::render_timeline;
using detail::Row;
using detail::TimeLine;

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

// One scenario's section: its header, its timeline and the aligned expected / observed table.
class Section {
public:
  Section(std::string& s, const Verdict& o, const ReportOptions& options)
      : s_(s), o_(o), sc_(*o.scenario), options_(options), t_end_(o.run.end_ns) {
    if (sc_.run_ns) t_end_ = std::max(t_end_, *sc_.run_ns);
    find_mismatches();
  }

  void write() {
    write_meta();
    make_rows();
    add_ops();
    add_buckets();
    add_observed();
    add_expected();
    label_divergence();
    if (rows_[plain_row_].markers.empty() && std::none_of(sc_.calls.begin(), sc_.calls.end(), [](const Call& c) { return !c.via; })) {
      rows_.erase(rows_.begin() + static_cast<std::ptrdiff_t>(plain_row_));
    }
    // A little room after the last event.
    s_ += render_timeline(rows_, lines_, add_ns(t_end_, std::max<std::int64_t>(t_end_ / 50, 1)),
                          options_.max_markers_per_row);
    write_table();
  }

private:
  void write_meta() {
    auto out = std::back_inserter(s_);
    fmt::format_to(out,
                   R"(<div class="meta">seed {} · ties {} · {} calls · {} ops · {} batched timers · {} expect lines · {} events compared{} · ran to {} s in {:.3f} s</div>)",
                   o_.run.seed, to_string(o_.run.ties), sc_.calls.size(), sc_.ops.size(), sc_.batched.size(),
                   sc_.expects.size(), o_.compared.size(), o_.trace ? " (trace)" : "", format_time(o_.run.end_ns), o_.seconds);
    s_ += '\n';
    if (!o_.message.empty()) fmt::format_to(out, "<pre class=\"error\">{}</pre>\n", html_escape(o_.message));
    if (!o_.comparison.report.empty()) fmt::format_to(out, "<pre class=\"error\">{}</pre>\n", html_escape(o_.comparison.report));
  }

  // Which compared events and expectations are mismatched.
  void find_mismatches() {
    observed_bad_.assign(o_.compared.size(), false);
    expected_bad_.assign(sc_.expects.size(), false);
    for (const AlignStep& st : o_.comparison.steps) {
      if (st.kind == AlignStep::observed_only && st.observed < observed_bad_.size()) observed_bad_[st.observed] = true;
      if (st.kind == AlignStep::expected_only && st.expected < expected_bad_.size()) expected_bad_[st.expected] = true;
    }
  }

  // Rows: ops, one per batched timer, plain timers, expectations.
  void make_rows() {
    rows_.push_back(Row{"ops", "call_later ▲ cancel ✕", {}, {}, {}});
    for (const BatchedDecl& b : sc_.batched) {
      rows_.push_back(Row{"batched " + b.name, fmt::format("bucket {} s, chunk {}", format_time(b.bucket_ns), b.chunk), {}, {}, {}});
    }
    plain_row_ = rows_.size();
    rows_.push_back(Row{"timers", "fire ● error ●", {}, {}, {}});
    expect_row_ = rows_.size();
    rows_.push_back(Row{"expected", "expect lines ○", {}, {}, {}});
  }

  // Ops: `at` / `and` ops at their time; `on` ops where their parent ran (if it did).
  void add_ops() {
    std::unordered_map<std::string_view, std::int64_t> ran_at;
    for (const Event& e : o_.run.events) {
      if (e.kind == EventKind::fire || e.kind == EventKind::error) ran_at.emplace(e.id, e.time_ns);
    }
    for (const Op& op : sc_.ops) add_op(op, op.at_ns, op.chained ? "and" : "at " + format_time(op.at_ns));
    for (const Op& op : sc_.causal_ops) {
      const std::string& parent = sc_.calls[*op.on].id;
      if (const auto it = ran_at.find(parent); it != ran_at.end()) add_op(op, it->second, "on " + parent);
    }
  }

  void add_op(const Op& op, std::int64_t t, const std::string& where) {
    const Call& c = sc_.calls[op.call];
    t_end_ = std::max(t_end_, t);
    if (op.kind == OpKind::call_later) {
      rows_[0].markers.push_back(Marker{t, "triangle", "#7f8c8d",
                                        fmt::format("line {}: {} call_later {} {}{}", op.line, where, c.id,
                                                    format_time(c.delay_ns), c.via ? " via=" + sc_.batched[*c.via].name : ""),
                                        false, false});
    } else {
      rows_[0].markers.push_back(
          Marker{t, "cross", "#c0392b", fmt::format("line {}: {} cancel {}", op.line, where, c.id), false, false});
    }
  }

  // Buckets where the run saw them fire, with the calls they held then.
  void add_buckets() {
    std::vector<std::size_t> drawn(sc_.batched.size(), 0);
    for (const BucketActivity& a : o_.run.buckets) {
      if (a.kind != txaio::EventKind::fire || a.bucket.chunk != 0 || a.batched >= sc_.batched.size()) continue;
      if (++drawn[a.batched] > 5000) continue;
      const std::int64_t key = a.bucket.key.count();
      const std::int64_t end = add_ns(key, sc_.batched[a.batched].bucket_ns);
      rows_[1 + a.batched].spans.emplace_back(key, end);
      rows_[1 + a.batched].span_counts.push_back(a.bucket.calls);
      t_end_ = std::max(t_end_, end);
    }
  }

  void add_observed() {
    std::size_t compared = 0;
    for (const Event& e : o_.run.events) {
      const bool is_compared = o_.trace || !is_trace_kind(e.kind);
      const bool bad = is_compared && compared < observed_bad_.size() && observed_bad_[compared];
      if (is_compared) ++compared;
      t_end_ = std::max(t_end_, e.time_ns);
      if (bad && lines_.size() < 200) lines_.emplace_back(e.time_ns, "");
      add_event(e, fmt::format("{}{}", format_event(e), bad ? "  (not expected)" : ""), bad);
    }
  }

  // An observed event in its row: a call's in its batched timer's row or the timers row.
  void add_event(const Event& e, const std::string& title, bool bad) {
    const auto timer_row = [&] {
      const auto batched = sc_.find_batched(e.id);
      return batched ? 1 + *batched : plain_row_;
    };
    switch (e.kind) {
      case EventKind::fire:
      case EventKind::error: {
        const auto call = call_row(e.id);
        const bool err = e.kind == EventKind::error;
        rows_[call].markers.push_back(Marker{e.time_ns, "circle", err ? "#d64541" : "#27ae60", title, bad, err});
        break;
      }
      case EventKind::bucket_fire:
        rows_[timer_row()].markers.push_back(Marker{e.time_ns, "tick", "#2c5d9c", title + " (a loop timer of the batched timer ran)", bad, false});
        break;
      case EventKind::bucket_cancel:
        rows_[timer_row()].markers.push_back(Marker{e.time_ns, "cross", "#2c5d9c", title, bad, false});
        break;
      case EventKind::batch_error:
        rows_[timer_row()].markers.push_back(Marker{e.time_ns, "diamond", "#8e1b10", title, bad, true});
        break;
      case EventKind::schedule:
      case EventKind::cancel:
      case EventKind::bucket_timer:
        if (bad) rows_[0].markers.push_back(Marker{e.time_ns, "ring", "#f39c12", title, true, false});
        break;
    }
  }

  // The row of call `id`: its batched timer's, or the plain timers'.
  std::size_t call_row(std::string_view id) {
    if (call_of_.empty()) {
      for (std::uint32_t i = 0; i < sc_.calls.size(); ++i) call_of_.emplace(sc_.calls[i].id, i);
    }
    const auto it = call_of_.find(id);
    if (it != call_of_.end() && sc_.calls[it->second].via) return 1 + *sc_.calls[it->second].via;
    return plain_row_;
  }

  void add_expected() {
    for (std::size_t i = 0; i < sc_.expects.size(); ++i) {
      const Expect& x = sc_.expects[i];
      t_end_ = std::max(t_end_, x.event.time_ns);
      const bool bad = expected_bad_[i];
      rows_[expect_row_].markers.push_back(Marker{x.event.time_ns, "ring", bad ? "#e67e22" : "#95a5a6",
                                                  fmt::format("line {}: expect {}{}", x.line, format_event(x.event),
                                                              bad ? "  (not observed)" : ""),
                                                  bad, x.event.kind == EventKind::error});
      if (bad && lines_.size() < 200) lines_.emplace_back(x.event.time_ns, "");
    }
  }

  // Labels the first divergence.
  void label_divergence() {
    if (o_.comparison.passed) return;
    std::int64_t t = 0;
    std::string label;
    if (o_.comparison.first_expected < sc_.expects.size()) {
      t = sc_.expects[o_.comparison.first_expected].event.time_ns;
      label = fmt::format("first divergence (line {})", sc_.expects[o_.comparison.first_expected].line);
    } else if (o_.comparison.first_observed < o_.compared.size()) {
      t = o_.compared[o_.comparison.first_observed].time_ns;
      label = "first divergence (unexpected event)";
    }
    lines_.emplace_back(t, label);
  }

  // The aligned lists, mismatches highlighted.
  void write_table() {
    const auto& steps = o_.comparison.steps;
    if (steps.empty()) return;
    auto out = std::back_inserter(s_);
    std::size_t begin = 0;
    if (!o_.comparison.passed) begin = o_.comparison.first_expected > 10 ? o_.comparison.first_expected - 10 : 0;
    const std::size_t end = std::min(steps.size(), begin + options_.max_table_rows);
    fmt::format_to(out, "<details{}><summary>expected and observed events{}</summary>\n", o_.comparison.passed ? "" : " open",
                   end - begin < steps.size() ? fmt::format(" (rows {}–{} of {})", begin + 1, end, steps.size()) : "");
    s_ += "<table class=\"events\"><tr><th>line</th><th>expected</th><th>observed</th></tr>\n";
    for (std::size_t i = begin; i < end; ++i) {
      const AlignStep& st = steps[i];
      const char* cls = st.kind == AlignStep::same ? "same" : st.kind == AlignStep::expected_only ? "expected_only" : "observed_only";
      const std::string line = st.kind == AlignStep::observed_only ? "" : std::to_string(sc_.expects[st.expected].line);
      const std::string exp = st.kind == AlignStep::observed_only ? "" : format_event(sc_.expects[st.expected].event);
      const std::string obs = st.kind == AlignStep::expected_only ? "" : format_event(o_.compared[st.observed]);
      fmt::format_to(out, "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td></tr>\n", cls, line, html_escape(exp),
                     html_escape(obs));
    }
    s_ += "</table></details>\n";
  }

  std::string& s_;
  const Verdict& o_;
  const Scenario& sc_;
  const ReportOptions& options_;
  std::int64_t t_end_;
  std::vector<bool> observed_bad_, expected_bad_;
  std::vector<Row> rows_;
  std::vector<TimeLine> lines_;
  std::size_t plain_row_ = 0, expect_row_ = 0;
  std::unordered_map<std::string_view, std::uint32_t> call_of_;
};

void write_section(std::string& s, const Verdict& o, std::size_t index, const ReportOptions& options) {
  fmt::format_to(std::back_inserter(s), R"(<section class="scenario" id="s{}"><h2>{}</h2><span class="badge {}">{}</span>)",
                 index, html_escape(o.name), css_class(o.status), to_string(o.status));
  s += '\n';
  if (!o.scenario) {
    fmt::format_to(std::back_inserter(s), "<pre class=\"error\">{}</pre></section>\n",
                   html_escape(o.message.empty() ? "not run" : o.message));
    return;
  }
  Section(s, o, options).write();
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
  for (std::size_t i = 0; i < outcomes.size(); ++i) write_section(s, outcomes[i], i, options);
  s += "</body>\n</html>\n";
  os << s;
}

}  // namespace txaio::replay
