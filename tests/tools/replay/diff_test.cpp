// Comparing observed events with expect lines: the alignment is a shortest edit script, the
// report names the first divergence with its line number and shows a diff.
#include "txaio/replay/diff.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace txaio::replay;

Event fire(std::int64_t ms, std::string id) { return Event{ms * 1'000'000, EventKind::fire, std::move(id), "", 0}; }

// Longest common subsequence length, by dynamic programming (the reference for minimality).
std::size_t lcs(const std::vector<Event>& a, const std::vector<Event>& b) {
  std::vector<std::vector<std::size_t>> t(a.size() + 1, std::vector<std::size_t>(b.size() + 1, 0));
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      t[i][j] = a[i - 1] == b[j - 1] ? t[i - 1][j - 1] + 1 : std::max(t[i - 1][j], t[i][j - 1]);
    }
  }
  return t[a.size()][b.size()];
}

// The steps visit each list in order, once, and `same` pairs really match.
void check_walk(const std::vector<AlignStep>& steps, const std::vector<Event>& a, const std::vector<Event>& b,
                std::int64_t tol) {
  std::size_t i = 0, j = 0;
  for (const AlignStep& st : steps) {
    if (st.kind != AlignStep::observed_only) RC_ASSERT(st.expected == i++);
    if (st.kind != AlignStep::expected_only) RC_ASSERT(st.observed == j++);
    if (st.kind == AlignStep::same) RC_ASSERT(events_match(a[st.expected], b[st.observed], tol));
  }
  RC_ASSERT(i == a.size());
  RC_ASSERT(j == b.size());
}

std::vector<Event> gen_events() {
  const auto ids = *rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 4));
  std::vector<Event> out;
  for (int id : ids) out.push_back(fire(id % 2, std::string(1, static_cast<char>('a' + id))));
  return out;
}

RC_GTEST_PROP(DiffAlign, IsAShortestEditScript, ()) {
  const std::vector<Event> a = gen_events();
  const std::vector<Event> b = gen_events();
  const auto steps = align(a, b, 0);
  check_walk(steps, a, b, 0);
  const auto same = static_cast<std::size_t>(
      std::count_if(steps.begin(), steps.end(), [](const AlignStep& s) { return s.kind == AlignStep::same; }));
  RC_ASSERT(same == lcs(a, b));
}

RC_GTEST_PROP(DiffAlign, StaysAValidWalkPastTheEditBound, ()) {
  const std::vector<Event> a = gen_events();
  const std::vector<Event> b = gen_events();
  const auto steps = align(a, b, 0, /*max_edits=*/1);
  check_walk(steps, a, b, 0);
}

TEST(DiffMatch, ToleranceAppliesToTimesAndDueTimesOnly) {
  const Event e = fire(1000, "a");
  Event o = e;
  o.time_ns += 4'000'000;
  EXPECT_FALSE(events_match(e, o, 0));
  EXPECT_TRUE(events_match(e, o, 4'000'000));
  EXPECT_FALSE(events_match(e, o, 3'999'999));
  o.id = "b";
  EXPECT_FALSE(events_match(e, o, 10'000'000'000));
  const Event err{0, EventKind::error, "a", "boom", 0};
  Event err2 = err;
  err2.message = "bang";
  EXPECT_FALSE(events_match(err, err2, 1'000'000'000));
  const Event s1{0, EventKind::schedule, "a", "", 5'000'000'000};
  Event s2 = s1;
  s2.value += 2'000'000;
  EXPECT_TRUE(events_match(s1, s2, 2'000'000));
  EXPECT_FALSE(events_match(s1, s2, 1'000'000));
}

Scenario scenario(const std::string& body) { return parse_scenario("txaio-scenario 1\n" + body, "d.txs"); }

TEST(DiffCompare, PassesOnEqualLists) {
  const Scenario s = scenario("at 0 call_later a 1\nexpect 1 fire a\n");
  const Comparison c = compare(s, std::vector<Event>{fire(1000, "a")}, 0);
  EXPECT_TRUE(c.passed);
  EXPECT_TRUE(c.report.empty());
}

TEST(DiffCompare, NamesTheFirstDivergenceWithItsLineAndShowsADiff) {
  const Scenario s = scenario(
      "at 0 call_later a 1\nat 0 call_later b 2\nat 0 call_later c 3\n"
      "expect 1 fire a\n"  // line 5
      "# a comment between expectations\n"
      "expect 2.5 fire b\n"  // line 7
      "expect 3 fire c\n");
  const std::vector<Event> observed = {fire(1000, "a"), fire(2000, "b"), fire(3000, "c")};
  const Comparison c = compare(s, observed, 0);
  ASSERT_FALSE(c.passed);
  EXPECT_EQ(c.first_expected, 1u);
  EXPECT_EQ(c.first_observed, 1u);
  EXPECT_NE(c.report.find("first divergence at line 7 (event 2 of 3 expected)"), std::string::npos) << c.report;
  EXPECT_NE(c.report.find("expected: 2.5 fire b"), std::string::npos) << c.report;
  EXPECT_NE(c.report.find("observed: 2 fire b"), std::string::npos) << c.report;
  EXPECT_NE(c.report.find("  - line 7     2.5 fire b"), std::string::npos) << c.report;
  EXPECT_NE(c.report.find("  +            2 fire b"), std::string::npos) << c.report;
  EXPECT_NE(c.report.find("    line 5     1 fire a"), std::string::npos) << c.report;
  // Within a tolerance of half a second it passes.
  EXPECT_TRUE(compare(s, observed, 500'000'000).passed);
}

TEST(DiffCompare, MissingAndExtraEvents) {
  const Scenario s = scenario("at 0 call_later a 1\nat 0 call_later b 2\nexpect 1 fire a\nexpect 2 fire b\n");
  const Comparison missing = compare(s, std::vector<Event>{fire(1000, "a")}, 0);
  ASSERT_FALSE(missing.passed);
  EXPECT_NE(missing.report.find("first divergence at line 5"), std::string::npos) << missing.report;
  EXPECT_NE(missing.report.find("observed: nothing more (1 events observed in all)"), std::string::npos) << missing.report;

  const Comparison extra = compare(s, std::vector<Event>{fire(1000, "a"), fire(2000, "b"), fire(3000, "c")}, 0);
  ASSERT_FALSE(extra.passed);
  EXPECT_NE(extra.report.find("after the last expect line (line 5)"), std::string::npos) << extra.report;
  EXPECT_NE(extra.report.find("observed: 3 fire c (event 3 of 3 observed)"), std::string::npos) << extra.report;

  const Scenario none = scenario("at 0 call_later a 1\n");
  const Comparison c = compare(none, std::vector<Event>{fire(1000, "a")}, 0);
  EXPECT_NE(c.report.find("the file has no expect lines"), std::string::npos) << c.report;
}

TEST(DiffCompare, LongDiffsAreCut) {
  std::string body;
  std::vector<Event> observed;
  for (int i = 0; i < 200; ++i) {
    body += "at 0 call_later t" + std::to_string(i) + " 1\n";
  }
  for (int i = 0; i < 200; ++i) {
    body += "expect 1 fire t" + std::to_string(i) + "\n";
    observed.push_back(fire(2000, "t" + std::to_string(i)));
  }
  const Comparison c = compare(scenario(body), observed, 0, 40);
  ASSERT_FALSE(c.passed);
  EXPECT_NE(c.report.find("more differing events"), std::string::npos);
  EXPECT_LT(std::count(c.report.begin(), c.report.end(), '\n'), 50);
}

}  // namespace
