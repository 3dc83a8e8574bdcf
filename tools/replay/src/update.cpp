#include "txaio/replay/update.hpp"

#include <vector>

namespace txaio::replay {

std::string expect_line(const Event& event) { return "expect " + format_event(event); }

std::string rewrite_expectations(std::string_view text, const Scenario& s, std::span<const Event> observed,
                                 std::int64_t tolerance_ns) {
  std::vector<Event> expected;
  expected.reserve(s.expects.size());
  for (const Expect& e : s.expects) expected.push_back(e.event);
  const std::vector<AlignStep> steps = align(expected, observed, tolerance_ns);

  // For each expect line: the observed events to insert before it, and whether it stays.
  std::vector<std::vector<std::size_t>> before(s.expects.size() + 1);
  std::vector<bool> keep(s.expects.size(), false);
  std::size_t next_expected = 0;
  for (const AlignStep& st : steps) {
    switch (st.kind) {
      case AlignStep::same:
        keep[st.expected] = true;
        next_expected = st.expected + 1;
        break;
      case AlignStep::expected_only: next_expected = st.expected + 1; break;
      case AlignStep::observed_only: before[next_expected].push_back(st.observed); break;
    }
  }
  // New lines go just before the expect line the alignment puts them before (kept or not);
  // `before[n]` goes right after the last expect line.
  std::vector<std::size_t> line_of(s.line_count + 2, 0);  // line number -> expect index + 1
  for (std::size_t i = 0; i < s.expects.size(); ++i) line_of[s.expects[i].line] = i + 1;

  const std::size_t first_nl = text.find('\n');
  const bool crlf = first_nl != std::string_view::npos && first_nl > 0 && text[first_nl - 1] == '\r';
  const std::string_view newline = crlf ? "\r\n" : "\n";

  std::string out;
  out.reserve(text.size() + observed.size() * 24);
  auto emit_inserts = [&](std::size_t index) {
    for (std::size_t o : before[index]) {
      out += expect_line(observed[o]);
      out += newline;
    }
  };
  std::size_t pos = 0;
  std::size_t line_no = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    end = end == std::string_view::npos ? text.size() : end + 1;
    const std::string_view line = text.substr(pos, end - pos);
    ++line_no;
    const std::size_t e = line_no < line_of.size() ? line_of[line_no] : 0;
    if (e == 0) {
      out += line;
    } else {
      emit_inserts(e - 1);
      if (keep[e - 1]) {
        out += line;
        if (!line.ends_with('\n')) out += newline;
      }
      if (e == s.expects.size()) emit_inserts(s.expects.size());
    }
    pos = end;
  }
  if (s.expects.empty() && !before[0].empty()) {
    if (!out.empty() && !out.ends_with('\n')) out += newline;
    emit_inserts(0);
  }
  return out;
}

}  // namespace txaio::replay
