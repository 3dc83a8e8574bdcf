// txaio-replay's option values, run as a process: every malformed value is a usage error
// (exit 2) naming the option and the value, never silently clamped, zeroed or ignored.
#include "txaio/replay/cli.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "process.hpp"
#include "txaio/replay/replay.hpp"

namespace {

using namespace txaio::replay;

const std::string good = "txaio-scenario 1\nties random\nat 0 call_later a 1\nexpect 1 fire a\n";

CommandResult replay(const std::string& args) {
  return run_command("timeout 60 " + shell_quote(TXAIO_REPLAY_EXE) + " " + args);
}

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

struct BadValue {
  std::string args;     // as written on a shell command line
  std::string message;  // what the error says
};

// Runs the program with `c.args` on the scenario `file`: it must exit 2 with `c.message`, running nothing.
void expect_usage_error(const BadValue& c, const std::string& file) {
  const CommandResult r = replay(c.args + " " + file);
  EXPECT_EQ(r.exit_code, exit_usage) << c.args << "\n" << r.output;
  EXPECT_TRUE(has(r.output, "txaio-replay: error: " + c.message)) << c.args << "\n" << r.output;
  EXPECT_FALSE(has(r.output, "PASS")) << c.args << "\n" << r.output;
}

TEST(CliOptions, MalformedSeedsAreRejectedAsTheScenarioParserRejectsThem) {
  TempDir dir;
  const std::string f = shell_quote(dir.write("s.txs", good).string());
  for (const BadValue& c : std::vector<BadValue>{
           {"--seed 18446744073709551616", "--seed '18446744073709551616': out of range: expected at most 18446744073709551615"},
           {"--seed 99999999999999999999999", "--seed '99999999999999999999999': out of range"},
           {"--seed=-1", "--seed '-1': expected a non-negative decimal integer"},
           {"--seed ''", "--seed '': expected a non-negative decimal integer, found nothing"},
           {"--seed ' 1'", "--seed ' 1': expected a non-negative decimal integer"},
           {"--seed 0x10", "--seed '0x10': expected a non-negative decimal integer"},
           {"--seed 1e3", "--seed '1e3': expected a non-negative decimal integer"},
       }) {
    expect_usage_error(c, f);
  }
  EXPECT_EQ(replay("--seed 18446744073709551615 " + f).exit_code, 0);
  EXPECT_EQ(replay("--seed 007 " + f).exit_code, 0);
}

TEST(CliOptions, EmptyValuesAreRejectedNotIgnored) {
  TempDir dir;
  const std::string f = shell_quote(dir.write("s.txs", good).string());
  for (const BadValue& c : std::vector<BadValue>{
           {"--shard ''", "--shard '': expected K/N with 1 <= K <= N"},
           {"--tolerance ''", "--tolerance '': "},
           {"--junit ''", "--junit '': expected a file path"},
           {"--report ''", "--report '': expected a file path"},
       }) {
    expect_usage_error(c, f);
  }
}

TEST(CliOptions, TheSameSeedTextsFailTheSameWayInAScenario) {
  for (const char* text : {"18446744073709551616", "-1", "0x10"}) {
    std::string why;
    EXPECT_FALSE(parse_u64(text, &why)) << text;
    EXPECT_THROW(parse_scenario(std::string("txaio-scenario 1\nseed ") + text + "\n", "s.txs"), ParseError) << text;
  }
  EXPECT_EQ(parse_u64("18446744073709551615"), 18446744073709551615u);
  EXPECT_EQ(parse_u64("0"), 0u);
}

}  // namespace
