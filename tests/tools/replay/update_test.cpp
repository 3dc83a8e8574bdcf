// --update: expect lines rewritten in place, everything else kept byte for byte.
#include "txaio/replay/update.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

#include "txaio/replay/runner.hpp"

namespace {

using namespace txaio::replay;

Event fire(std::int64_t ms, std::string id) { return Event{ms * 1'000'000, EventKind::fire, std::move(id), "", 0}; }

std::string rewrite(const std::string& text, const std::vector<Event>& observed, std::int64_t tol = 0) {
  return rewrite_expectations(text, parse_scenario(text, "u.txs"), observed, tol);
}

TEST(Update, ExpectLine) {
  EXPECT_EQ(expect_line(fire(1500, "a")), "expect 1.5 fire a");
  EXPECT_EQ(expect_line(Event{0, EventKind::error, "e", "a # b", 0}), "expect 0 error e \"a # b\"");
}

TEST(Update, KeepsCommentsOpsAndMatchingLinesAndReplacesTheRest) {
  const std::string text =
      "txaio-scenario 1\n"
      "# header comment\n"
      "at 0 call_later a 1   # op comment\n"
      "at 0 call_later b 2\n"
      "at 0 call_later c 3\n"
      "\n"
      "expect 1 fire a   # a is first\n"
      "# between\n"
      "expect 2.5 fire b # wrong time\n"
      "expect 9 fire zz_gone\n"
      "at 0 call_later zz_gone 9\n"
      "# trailing comment\n";
  const std::string out = rewrite(text, {fire(1000, "a"), fire(2000, "b"), fire(3000, "c"), fire(9000, "zz_gone")});
  EXPECT_EQ(out,
            "txaio-scenario 1\n"
            "# header comment\n"
            "at 0 call_later a 1   # op comment\n"
            "at 0 call_later b 2\n"
            "at 0 call_later c 3\n"
            "\n"
            "expect 1 fire a   # a is first\n"
            "# between\n"
            "expect 2 fire b\n"
            "expect 3 fire c\n"
            "expect 9 fire zz_gone\n"
            "at 0 call_later zz_gone 9\n"
            "# trailing comment\n");
}

TEST(Update, RemovesLinesNothingMatches) {
  const std::string text = "txaio-scenario 1\nat 0 call_later a 1\nexpect 1 fire a\nexpect 1 fire a\n# end\n";
  EXPECT_EQ(rewrite(text, {fire(1000, "a")}), "txaio-scenario 1\nat 0 call_later a 1\nexpect 1 fire a\n# end\n");
  EXPECT_EQ(rewrite(text, {}), "txaio-scenario 1\nat 0 call_later a 1\n# end\n");
}

TEST(Update, AppendsWhenThereAreNoExpectLines) {
  EXPECT_EQ(rewrite("txaio-scenario 1\nat 0 call_later a 1", {fire(1000, "a")}),
            "txaio-scenario 1\nat 0 call_later a 1\nexpect 1 fire a\n");
}

TEST(Update, KeepsCrLfLineEndings) {
  EXPECT_EQ(rewrite("txaio-scenario 1\r\nat 0 call_later a 1\r\nexpect 2 fire a\r\n", {fire(1000, "a")}),
            "txaio-scenario 1\r\nat 0 call_later a 1\r\nexpect 1 fire a\r\n");
}

TEST(Update, LinesWithinToleranceStayAsWritten) {
  const std::string text = "txaio-scenario 1\nat 0 call_later a 1\nexpect 1.001 fire a # measured\n";
  EXPECT_EQ(rewrite(text, {fire(1000, "a")}, 5'000'000), text);
  EXPECT_EQ(rewrite(text, {fire(1000, "a")}, 0), "txaio-scenario 1\nat 0 call_later a 1\nexpect 1 fire a\n");
}

// Whatever the expect lines say, after --update the scenario passes, and a second update
// changes nothing.
RC_GTEST_PROP(Update, RewrittenScenarioPassesAndIsStable, ()) {
  std::string text = "txaio-scenario 1\nbatched B bucket=1 chunk=2\n";
  const auto n = *rc::gen::inRange(1, 12);
  for (int i = 0; i < n; ++i) {
    text += "at 0 call_later t" + std::to_string(i) + " " + std::to_string(*rc::gen::inRange(0, 4)) +
            (*rc::gen::arbitrary<bool>() ? " via=B" : "") + (*rc::gen::inRange(0, 4) == 0 ? " raise=x" : "") + "\n";
  }
  const auto junk = *rc::gen::inRange(0, 6);
  for (int i = 0; i < junk; ++i) {
    text += (*rc::gen::arbitrary<bool>() ? "# note\n" : "") + std::string("expect ") +
            std::to_string(*rc::gen::inRange(0, 4)) + " fire t" + std::to_string(*rc::gen::inRange(0, n)) + "\n";
  }
  const Scenario s = parse_scenario(text, "p.txs");
  const auto observed = compared_events(run_scenario(s).events, false);
  const std::string once = rewrite_expectations(text, s, observed, 0);
  const Scenario s2 = parse_scenario(once, "p.txs");
  RC_ASSERT(compare(s2, observed, 0).passed);
  RC_ASSERT(rewrite_expectations(once, s2, observed, 0) == once);
  // Everything but expect lines is unchanged.
  auto strip = [](const std::string& t) {
    std::string out;
    std::size_t pos = 0;
    while (pos < t.size()) {
      const std::size_t end = t.find('\n', pos) + 1;
      const std::string line = t.substr(pos, end - pos);
      if (!line.starts_with("expect ")) out += line;
      pos = end;
    }
    return out;
  };
  RC_ASSERT(strip(once) == strip(text));
}

}  // namespace
