// JUnit XML: counts, one test case per scenario, failures with their diff, escaping.
#include "txaio/replay/junit.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace txaio::replay;

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

TEST(Junit, Escape) {
  EXPECT_EQ(xml_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
  EXPECT_EQ(xml_escape(std::string("x\x01y\n", 4)), "x?y\n");
}

TEST(Junit, OneCasePerScenarioWithFailuresErrorsAndSkips) {
  std::vector<Verdict> outcomes;
  outcomes.push_back(replay_text("txaio-scenario 1\nat 0 call_later a 1\nexpect 1 fire a\n", "s/ok.txs", {}));
  outcomes.push_back(
      replay_text("txaio-scenario 1\nat 0 call_later a 1 raise=<&>\nexpect 1 error a <&>x\n", "s/sub/odd.txs", {}));
  outcomes.push_back(replay_text("txaio-scenario 1\nat 0 call_later a 1\nexpect 2 fire a\n", "s/sub/bad.txs", {}));
  outcomes.push_back(replay_text("nope\n", "broken.txs", {}));
  Verdict skipped;
  skipped.name = "s/later.txs";
  skipped.message = "not run: another scenario file has a parse error";
  outcomes.push_back(skipped);
  std::ostringstream out;
  write_junit(out, outcomes, 1.5);
  const std::string xml = out.str();
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", 0), 0u) << xml;
  EXPECT_NE(xml.find("<testsuite name=\"txaio-replay\" tests=\"5\" failures=\"2\" errors=\"1\" skipped=\"1\" time=\"1.500000\">"),
            std::string::npos)
      << xml;
  EXPECT_EQ(count(xml, "<testcase "), 5u);
  EXPECT_EQ(count(xml, "</testcase>"), 4u);  // the passed one closes itself
  EXPECT_NE(xml.find("classname=\"s\" name=\"ok.txs\" file=\"s/ok.txs\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("classname=\"s.sub\" name=\"bad.txs\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<failure type=\"expectation\" message=\"first divergence at line 3"), std::string::npos) << xml;
  EXPECT_NE(xml.find("- line 3     2 fire a"), std::string::npos) << xml;  // the diff is in the body
  EXPECT_NE(xml.find("<error type=\"parse\" message=\"broken.txs:1:1: error: missing header"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<skipped message=\"not run: another scenario file has a parse error\"/>"), std::string::npos);
  // Nothing unescaped leaks from messages into the markup.
  EXPECT_EQ(xml.find("<&>"), std::string::npos);
  EXPECT_NE(xml.find("1 error a &lt;&amp;&gt;x"), std::string::npos) << xml;
  EXPECT_EQ(count(xml, "<testsuite "), 1u);
  EXPECT_NE(xml.find("</testsuite>\n</testsuites>\n"), std::string::npos);
}

}  // namespace
