// JUnit XML: counts, one test case per scenario, failures with their diff, escaping.
#include "txaio/replay/junit.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "process.hpp"

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

TEST(Junit, EscapeReplacesWhatXmlCannotHold) {
  // Bytes that are not UTF-8 (a lone continuation, a truncated sequence, an overlong form, a
  // surrogate) become U+FFFD; valid text, including non-ASCII, is kept.
  EXPECT_EQ(xml_escape("a\xFF\x80" "b"), "a\uFFFD\uFFFD" "b");
  EXPECT_EQ(xml_escape("c\xC3"), "c\uFFFD");
  EXPECT_EQ(xml_escape("\xC0\xAF"), "\uFFFD\uFFFD");
  EXPECT_EQ(xml_escape("\xED\xA0\x80"), "\uFFFD\uFFFD\uFFFD");
  EXPECT_EQ(xml_escape("caf\u00E9 \u2713 \U0001F600"), "caf\u00E9 \u2713 \U0001F600");
  EXPECT_EQ(xml_escape("\uFFFE\uFFFF\x7F"), "???");
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
  write_junit(out, outcomes, JunitRun{"ci-7", "2026-11-30T04:20:00", 1.5});
  const std::string xml = out.str();
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", 0), 0u) << xml;
  EXPECT_NE(xml.find("<testsuites name=\"txaio-replay\" tests=\"5\" failures=\"2\" errors=\"1\" time=\"1.500000\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testsuite name=\"txaio-replay\" tests=\"5\" failures=\"2\" errors=\"1\" skipped=\"1\" "
                     "time=\"1.500000\" timestamp=\"2026-11-30T04:20:00\" hostname=\"ci-7\">"),
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

TEST(Junit, RunTimestampIsUtcIsoWithoutZone) {
  using namespace std::chrono;
  const auto t = sys_days{year{2026} / 11 / 30} + hours{4} + minutes{5} + seconds{6} + milliseconds{789};
  const JunitRun run = junit_run(t, 2.0);
  EXPECT_EQ(run.timestamp, "2026-11-30T04:05:06");
  EXPECT_FALSE(run.hostname.empty());
  EXPECT_EQ(run.seconds, 2.0);
}

#if defined(TXAIO_XMLLINT)
/// Validates `file` against tests/tools/replay/junit.xsd; xmllint's verdict and messages.
CommandResult validate(const std::filesystem::path& file) {
  return run_command(shell_quote(TXAIO_XMLLINT) + " --noout --schema " + shell_quote(TXAIO_JUNIT_XSD) + " " +
                     shell_quote(file.string()));
}

TEST(JunitSchema, ReportsOfEveryOutcomeValidate) {
  TempDir dir;
  dir.write("ok/pass.txs", "txaio-scenario 1\nat 0 call_later a 1\nexpect 1 fire a\n");
  dir.write("ok/raise.txs", "txaio-scenario 1\nat 0 call_later a 1 raise=\"<&>\"\nexpect 1 error a <&>\n");
  dir.write("bad/wrong.txs", "txaio-scenario 1\nat 0 call_later a 1\nexpect 2 fire a\n");
  const auto report = dir.path() / "junit.xml";
  const auto replay = shell_quote(TXAIO_REPLAY_EXE) + " --junit " + shell_quote(report.string()) + " ";
  EXPECT_EQ(run_command(replay + shell_quote(dir.path().string())).exit_code, 1);
  CommandResult v = validate(report);
  EXPECT_EQ(v.exit_code, 0) << v.output << TempDir::read(report);
  // A parse error: one <error>, the others <skipped>.
  dir.write("ok/broken.txs", "txaio-scenario 1\nnonsense\n");
  EXPECT_EQ(run_command(replay + shell_quote(dir.path().string())).exit_code, 2);
  const std::string xml = TempDir::read(report);
  EXPECT_NE(xml.find("<error "), std::string::npos) << xml;
  EXPECT_NE(xml.find("<skipped "), std::string::npos) << xml;
  v = validate(report);
  EXPECT_EQ(v.exit_code, 0) << v.output << xml;
}

TEST(JunitSchema, RejectsWhatCiServersDoNotAccept) {
  TempDir dir;
  const std::string suite = R"(<testsuite name="s" tests="1" failures="0" errors="0" skipped="0" time="0.1" )";
  const std::string end = R"(><testcase classname="c" name="n" time="0.1"/></testsuite></testsuites>)";
  const std::string head = R"(<testsuites tests="1" failures="0" errors="0" time="0.1">)";
  const std::string good = head + suite + R"(timestamp="2026-11-30T04:20:00" hostname="h")" + end;
  EXPECT_EQ(validate(dir.write("good.xml", good)).exit_code, 0);
  for (const std::string& bad : {
           head + suite + R"(hostname="h")" + end,                                        // no timestamp
           head + suite + R"(timestamp="2026-11-30T04:20:00Z" hostname="h")" + end,       // a zone
           head + suite + R"(timestamp="2026-11-30T04:20:00")" + end,                     // no hostname
           R"(<testsuites tests="1" failures="0" errors="0" skipped="0" time="0.1">)" + suite +
               R"(timestamp="2026-11-30T04:20:00" hostname="h")" + end,                   // skipped on testsuites
           head + suite + R"(timestamp="2026-11-30T04:20:00" hostname="h")" +
               R"(><testcase classname="c" name="n" time="-1"/></testsuite></testsuites>)",  // negative time
       }) {
    EXPECT_NE(validate(dir.write("bad.xml", bad)).exit_code, 0) << bad;
  }
}
#else
TEST(JunitSchema, ReportsOfEveryOutcomeValidate) {
  GTEST_SKIP() << "xmllint not found at configure time (Debian: libxml2-utils; tools/setup installs it)";
}
#endif

}  // namespace
