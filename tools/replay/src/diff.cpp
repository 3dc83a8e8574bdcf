#include "txaio/replay/diff.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace txaio::replay {

namespace {

std::int64_t distance(std::int64_t a, std::int64_t b) noexcept {
  return a > b ? a - b : b - a;  // times are non-negative, so this does not overflow
}

// The events of a scenario's expect lines, read in place (a sequence like std::span<const Event>).
class ExpectedEvents {
public:
  explicit ExpectedEvents(std::span<const Expect> expects) noexcept : expects_(expects) {}
  std::size_t size() const noexcept { return expects_.size(); }
  bool empty() const noexcept { return expects_.empty(); }
  const Event& operator[](std::size_t i) const noexcept { return expects_[i].event; }
  ExpectedEvents subspan(std::size_t offset, std::size_t count) const noexcept {
    return ExpectedEvents(expects_.subspan(offset, count));
  }

private:
  std::span<const Expect> expects_;
};

// Myers' O((N+M)D) shortest edit script over a[ab, ae) and b[bb, be); appends to `out` in
// order. Returns false (and appends nothing) when more than `max_edits` edits are needed.
// `Expected` is std::span<const Event> or ExpectedEvents.
template <class Expected>
bool myers(Expected a, std::span<const Event> b, std::int64_t tol, std::size_t max_edits, std::size_t a_base,
           std::size_t b_base, std::vector<AlignStep>& out) {
  const auto n = static_cast<std::int64_t>(a.size());
  const auto m = static_cast<std::int64_t>(b.size());
  const std::int64_t max_d = std::min<std::int64_t>(n + m, static_cast<std::int64_t>(max_edits));
  const std::int64_t offset = max_d + 1;
  std::vector<std::int64_t> v(static_cast<std::size_t>(2 * max_d + 3), 0);
  std::vector<std::vector<std::int64_t>> trace;  // trace[d]: v[-d..d] at the start of round d
  std::int64_t found = -1;
  for (std::int64_t d = 0; d <= max_d && found < 0; ++d) {
    trace.emplace_back(v.begin() + (offset - d), v.begin() + (offset + d + 1));
    for (std::int64_t k = -d; k <= d; k += 2) {
      std::int64_t x = 0;
      if (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) {
        x = v[offset + k + 1];
      } else {
        x = v[offset + k - 1] + 1;
      }
      std::int64_t y = x - k;
      while (x < n && y < m && events_match(a[x], b[y], tol)) ++x, ++y;
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) return false;
  std::vector<AlignStep> rev;
  std::int64_t x = n, y = m;
  for (std::int64_t d = found; d >= 0; --d) {
    std::int64_t prev_x = 0, prev_y = 0;
    if (d > 0) {
      const std::vector<std::int64_t>& t = trace[static_cast<std::size_t>(d)];
      auto at = [&](std::int64_t k) { return t[static_cast<std::size_t>(k + d)]; };
      const std::int64_t k = x - y;
      const std::int64_t prev_k = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? k + 1 : k - 1;
      prev_x = at(prev_k);
      prev_y = prev_x - prev_k;
    }
    while (x > prev_x && y > prev_y) {
      --x, --y;
      rev.push_back({AlignStep::same, a_base + static_cast<std::size_t>(x), b_base + static_cast<std::size_t>(y)});
    }
    if (d > 0) {
      if (x == prev_x) {
        rev.push_back({AlignStep::observed_only, 0, b_base + static_cast<std::size_t>(prev_y)});
      } else {
        rev.push_back({AlignStep::expected_only, a_base + static_cast<std::size_t>(prev_x), 0});
      }
    }
    x = prev_x, y = prev_y;
  }
  out.insert(out.end(), rev.rbegin(), rev.rend());
  return true;
}

std::string expect_text(const Scenario& s, std::size_t i) {
  return fmt::format("line {:<5} {}{}", s.expects[i].line, s.expects[i].unordered ? "any " : "",
                     format_event(s.expects[i].event));
}

}  // namespace

bool events_match(const Event& e, const Event& o, std::int64_t tolerance_ns) noexcept {
  if (e.kind != o.kind || e.id != o.id || e.message != o.message) return false;
  if (distance(e.time_ns, o.time_ns) > tolerance_ns) return false;
  if (e.kind == EventKind::schedule || e.kind == EventKind::bucket_timer) {
    return distance(e.value, o.value) <= tolerance_ns;
  }
  return e.value == o.value;
}

namespace {

template <class Expected>
std::vector<AlignStep> align_events(Expected expected, std::span<const Event> observed, std::int64_t tolerance_ns,
                                    std::size_t max_edits) {
  std::vector<AlignStep> steps;
  steps.reserve(std::max(expected.size(), observed.size()));
  std::size_t pre = 0;
  while (pre < expected.size() && pre < observed.size() && events_match(expected[pre], observed[pre], tolerance_ns)) {
    steps.push_back({AlignStep::same, pre, pre});
    ++pre;
  }
  std::size_t suf = 0;
  while (suf < expected.size() - pre && suf < observed.size() - pre &&
         events_match(expected[expected.size() - 1 - suf], observed[observed.size() - 1 - suf], tolerance_ns)) {
    ++suf;
  }
  const auto mid_e = expected.subspan(pre, expected.size() - pre - suf);
  const auto mid_o = observed.subspan(pre, observed.size() - pre - suf);
  if (!myers(mid_e, mid_o, tolerance_ns, max_edits, pre, pre, steps)) {
    // Too different to align exactly within the bound: pair them up in order.
    const std::size_t common = std::min(mid_e.size(), mid_o.size());
    for (std::size_t i = 0; i < common; ++i) {
      if (events_match(mid_e[i], mid_o[i], tolerance_ns)) {
        steps.push_back({AlignStep::same, pre + i, pre + i});
      } else {
        steps.push_back({AlignStep::expected_only, pre + i, 0});
        steps.push_back({AlignStep::observed_only, 0, pre + i});
      }
    }
    for (std::size_t i = common; i < mid_e.size(); ++i) steps.push_back({AlignStep::expected_only, pre + i, 0});
    for (std::size_t i = common; i < mid_o.size(); ++i) steps.push_back({AlignStep::observed_only, 0, pre + i});
  }
  for (std::size_t i = 0; i < suf; ++i) {
    steps.push_back({AlignStep::same, expected.size() - suf + i, observed.size() - suf + i});
  }
  return steps;
}

}  // namespace

std::vector<AlignStep> align(std::span<const Event> expected, std::span<const Event> observed,
                             std::int64_t tolerance_ns, std::size_t max_edits) {
  return align_events(expected, observed, tolerance_ns, max_edits);
}

namespace {

// Reorders observed[begin, end) into the order of expects[begin, end) when they are the same
// events; returns false (and leaves them) otherwise.
bool order_set(const Scenario& s, std::vector<Event>& observed, std::size_t begin, std::size_t end,
               std::int64_t tolerance_ns) {
  std::vector<bool> used(end - begin, false);
  std::vector<Event> ordered;
  ordered.reserve(end - begin);
  for (std::size_t e = begin; e < end; ++e) {
    std::size_t o = begin;
    while (o < end && (used[o - begin] || !events_match(s.expects[e].event, observed[o], tolerance_ns))) ++o;
    if (o == end) return false;
    used[o - begin] = true;
    ordered.push_back(observed[o]);
  }
  std::move(ordered.begin(), ordered.end(), observed.begin() + static_cast<std::ptrdiff_t>(begin));
  return true;
}

}  // namespace

void order_unordered(const Scenario& s, std::vector<Event>& observed, std::int64_t tolerance_ns) {
  const std::size_t n = std::min(s.expects.size(), observed.size());
  for (std::size_t i = 0; i < n;) {
    if (!s.expects[i].unordered) {
      ++i;
      continue;
    }
    std::size_t j = i + 1;
    while (j < s.expects.size() && s.expects[j].unordered && s.expects[j].event.time_ns == s.expects[i].event.time_ns) ++j;
    if (j > observed.size()) return;  // too few events observed: compare reports it
    order_set(s, observed, i, j, tolerance_ns);
    i = j;
  }
}

Comparison compare(const Scenario& s, std::span<const Event> observed, std::int64_t tolerance_ns,
                   std::size_t max_diff_lines) {
  const ExpectedEvents expected(s.expects);

  Comparison c;
  c.steps = align_events(expected, observed, tolerance_ns, default_max_edits);
  const auto first = std::find_if(c.steps.begin(), c.steps.end(), [](const AlignStep& st) { return st.kind != AlignStep::same; });
  if (first == c.steps.end()) {
    c.first_expected = expected.size();
    c.first_observed = observed.size();
    return c;
  }
  c.passed = false;
  // Where the lists part: count the matched events before the first difference.
  const auto head = static_cast<std::size_t>(first - c.steps.begin());
  c.first_expected = head;
  c.first_observed = head;

  std::string& r = c.report;
  const std::string tol = tolerance_ns > 0 ? fmt::format(" (times compared within {} s)", format_time(tolerance_ns)) : "";
  const bool has_e = c.first_expected < expected.size();
  const bool has_o = c.first_observed < observed.size();
  if (has_e && has_o) {
    r += fmt::format("first divergence at line {} (event {} of {} expected){}:\n  expected: {}\n  observed: {}\n",
                     s.expects[c.first_expected].line, c.first_expected + 1, expected.size(), tol,
                     format_event(expected[c.first_expected]), format_event(observed[c.first_observed]));
  } else if (has_e) {
    r += fmt::format("first divergence at line {} (event {} of {} expected){}:\n  expected: {}\n"
                     "  observed: nothing more ({} events observed in all)\n",
                     s.expects[c.first_expected].line, c.first_expected + 1, expected.size(), tol,
                     format_event(expected[c.first_expected]), observed.size());
  } else {
    const std::string after = expected.empty() ? std::string("(the file has no expect lines)")
                                               : fmt::format("after the last expect line (line {})", s.expects.back().line);
    r += fmt::format("first divergence {}{}:\n  expected: nothing more\n  observed: {} (event {} of {} observed)\n",
                     after, tol, format_event(observed[c.first_observed]), c.first_observed + 1, observed.size());
  }

  // The diff: two events of context around each change, up to max_diff_lines lines.
  r += "diff (- expected, + observed; line numbers are the scenario's):\n";
  const std::size_t context = 2;
  std::vector<bool> show(c.steps.size(), false);
  for (std::size_t i = 0; i < c.steps.size(); ++i) {
    if (c.steps[i].kind == AlignStep::same) continue;
    const std::size_t lo = i >= context ? i - context : 0;
    const std::size_t hi = std::min(c.steps.size(), i + context + 1);
    for (std::size_t j = lo; j < hi; ++j) show[j] = true;
  }
  std::size_t lines = 0, changes_left = 0;
  bool gap = false;
  std::size_t i = 0;
  for (; i < c.steps.size() && lines < max_diff_lines; ++i) {
    if (!show[i]) {
      gap = true;
      continue;
    }
    if (gap && lines > 0) r += "  ...\n";
    gap = false;
    const AlignStep& st = c.steps[i];
    switch (st.kind) {
      case AlignStep::same:
        r += fmt::format("    {}\n", expect_text(s, st.expected));
        break;
      case AlignStep::expected_only:
        r += fmt::format("  - {}\n", expect_text(s, st.expected));
        break;
      case AlignStep::observed_only:
        r += fmt::format("  + {:<10} {}\n", "", format_event(observed[st.observed]));
        break;
    }
    ++lines;
  }
  for (; i < c.steps.size(); ++i) changes_left += c.steps[i].kind != AlignStep::same ? 1 : 0;
  if (changes_left > 0) r += fmt::format("  ... and {} more differing events\n", changes_left);
  return c;
}

}  // namespace txaio::replay
