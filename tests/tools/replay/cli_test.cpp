// The txaio-replay command line: in-process through run_cli, and as the installed program
// the way a new user meets it.
#include "txaio/replay/cli.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "malformed_cases.hpp"
#include "process.hpp"
#include "txaio/replay/detail/input_file.hpp"
#include "txaio/replay/replay.hpp"

namespace {

using namespace txaio::replay;
namespace fs = std::filesystem;

struct CliResult {
  int code;
  std::string out;
  std::string err;
};

CliResult cli(std::vector<std::string> args) {
  std::ostringstream out, err;
  const int code = run_cli(args, out, err, false);
  return {code, out.str(), err.str()};
}

const std::string good_a = "txaio-scenario 1\nat 0 call_later a 1\nexpect 1 fire a\n";
const std::string good_b =
    "txaio-scenario 1\nbatched B bucket=1 chunk=1\nat 0 call_later x 2 via=B\nat 0 call_later y 2.5 via=B raise=oops\n"
    "expect 2 fire x\nexpect 2.5 error y oops\n";
const std::string wrong = "txaio-scenario 1\nat 0 call_later a 1\nat 0 call_later b 2\nexpect 1 fire a\nexpect 3 fire b\n";

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

TEST(Cli, HelpAndVersion) {
  const CliResult help = cli({"--help"});
  EXPECT_EQ(help.code, 0);
  for (const char* option : {"--update", "--seed", "--ties", "--trace", "--check-determinism", "--tolerance", "--jobs",
                             "--shard", "--junit", "--report", "Exit codes", "txaio-scenario 1"}) {
    EXPECT_NE(help.out.find(option), std::string::npos) << option;
  }
  EXPECT_EQ(cli({"--version"}).code, 0);
}

TEST(Cli, UsageErrorsExitTwo) {
  TempDir dir;
  dir.write("empty/readme.md", "no scenarios here");
  const auto a = dir.write("a.txs", good_a).string();
  for (const auto& args : std::vector<std::vector<std::string>>{
           {},
           {"--frobnicate", a},
           {"--tolerance", "5 parsecs", a},
           {"--tolerance", "-1", a},
           {"--shard", "3/2", a},
           {"--shard", "0/2", a},
           {"--shard", "1", a},
           {"--ties", "newest", a},
           {"--jobs", "-3", a},
           {(dir.path() / "missing.txs").string()},
           {(dir.path() / "empty").string()},
       }) {
    const CliResult r = cli(args);
    EXPECT_EQ(r.code, exit_usage) << (args.empty() ? "(no args)" : args[0]) << "\n" << r.err;
    EXPECT_NE(r.err.find("txaio-replay: error: "), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.find("PASS") == std::string::npos);
  }
}

TEST(Cli, ShardParsing) {
  EXPECT_EQ(parse_shard("2/4")->index, 2u);
  EXPECT_EQ(parse_shard("2/4")->count, 4u);
  EXPECT_TRUE(parse_shard("1/1"));
  for (const char* bad : {"", "/", "1/", "/2", "0/1", "3/2", "a/b", "1/2/3", "-1/2", "1/0"}) EXPECT_FALSE(parse_shard(bad)) << bad;
}

TEST(Cli, CollectsTxsFilesRecursivelySortedOnce) {
  TempDir dir;
  dir.write("b/z.txs", good_a);
  dir.write("b/a.txs", good_a);
  dir.write("a.txs", good_a);
  dir.write("b/c/deep.txs", good_a);
  dir.write("b/notes.txt", "not a scenario");
  const std::string root = dir.path().string();
  const std::vector<std::string> args = {root, root + "/b/a.txs"};
  const auto files = collect_scenarios(args);
  std::vector<std::string> names;
  for (const auto& f : files) names.push_back(fs::relative(f, dir.path()).generic_string());
  EXPECT_EQ(names, (std::vector<std::string>{"a.txs", "b/a.txs", "b/c/deep.txs", "b/z.txs"}));
}

TEST(Cli, PassingFolderExitsZeroWithALinePerScenario) {
  TempDir dir;
  dir.write("s/one.txs", good_a);
  dir.write("s/two.txs", good_b);
  const CliResult r = cli({(dir.path() / "s").string()});
  EXPECT_EQ(r.code, exit_passed) << r.out << r.err;
  EXPECT_LT(r.out.find("PASS  " + (dir.path() / "s/one.txs").string()), r.out.find("PASS  " + (dir.path() / "s/two.txs").string()));
  EXPECT_NE(r.out.find("txaio-replay: 2 scenarios: 2 passed"), std::string::npos) << r.out;
  EXPECT_EQ(r.err, "");  // quiet: no progress bar when not interactive
}

TEST(Cli, WrongExpectationExitsOneWithADiff) {
  TempDir dir;
  const auto f = dir.write("wrong.txs", wrong);
  dir.write("fine.txs", good_a);
  const CliResult r = cli({dir.path().string()});
  EXPECT_EQ(r.code, exit_failed);
  EXPECT_NE(r.out.find("FAIL  " + f.string() + "  (seed 0, ties fifo)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("first divergence at line 5 (event 2 of 2 expected)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("- line 5     3 fire b"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("+            2 fire b"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 passed, 1 failed"), std::string::npos) << r.out;
}

TEST(Cli, ParseErrorExitsTwoAndRunsNothing) {
  TempDir dir;
  dir.write("a_good.txs", good_a);
  const auto bad = dir.write("b_bad.txs", "txaio-scenario 1\nat 0 call_later a 1\nat 0 cancel b\n");
  const auto report = dir.path() / "out/report.html";
  const auto junit = dir.path() / "out/junit.xml";
  const CliResult r = cli({dir.path().string(), "--report", report.string(), "--junit", junit.string()});
  EXPECT_EQ(r.code, exit_usage);
  EXPECT_NE(r.err.find(bad.string() + ":3:13: error: unknown id 'b'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing was run"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("PASS"), std::string::npos) << r.out;
  // The reports say so too.
  const std::string xml = TempDir::read(junit);
  EXPECT_NE(xml.find("<error type=\"parse\""), std::string::npos);
  EXPECT_NE(xml.find("<skipped message=\"not run: another scenario file has a parse error\"/>"), std::string::npos);
  EXPECT_NE(TempDir::read(report).find("unknown id"), std::string::npos);
}

TEST(Cli, ShardsPartitionTheFilesAndEveryShardChecksSyntax) {
  TempDir dir;
  for (int i = 0; i < 7; ++i) dir.write("s" + std::to_string(i) + ".txs", good_a);
  std::size_t total = 0;
  std::vector<std::string> seen;
  for (int k = 1; k <= 3; ++k) {
    const auto junit = dir.path() / ("junit-" + std::to_string(k) + ".xml");
    const CliResult r = cli({dir.path().string(), "--shard", std::to_string(k) + "/3", "--junit", junit.string()});
    EXPECT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("(shard " + std::to_string(k) + "/3 of 7)"), std::string::npos) << r.out;
    total += count(r.out, "PASS  ");
    EXPECT_EQ(count(TempDir::read(junit), "<testcase "), count(r.out, "PASS  "));
    for (int i = 0; i < 7; ++i) {
      if (r.out.find("s" + std::to_string(i) + ".txs") != std::string::npos) seen.push_back(std::to_string(i));
    }
  }
  EXPECT_EQ(total, 7u);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end());
  // A malformed file fails every shard, even one that would not run it.
  dir.write("zz_bad.txs", "txaio-scenario 1\nnonsense\n");
  EXPECT_EQ(cli({dir.path().string(), "--shard", "1/8"}).code, exit_usage);
}

TEST(Cli, JobsGiveTheSameOutputInTheSameOrder) {
  TempDir dir;
  for (int i = 0; i < 12; ++i) dir.write("s" + std::to_string(i / 10) + std::to_string(i % 10) + ".txs", i % 5 == 3 ? wrong : good_b);
  auto strip_time = [](std::string s) { return s.substr(0, s.rfind(" in ")); };
  const CliResult one = cli({dir.path().string(), "--jobs", "1"});
  const CliResult four = cli({dir.path().string(), "--jobs", "4"});
  EXPECT_EQ(one.code, exit_failed);
  EXPECT_EQ(four.code, exit_failed);
  EXPECT_EQ(strip_time(one.out), strip_time(four.out));
  EXPECT_EQ(cli({dir.path().string(), "--jobs", "0"}).code, exit_failed);
}

TEST(Cli, AnUnreadableFileIsAUsageErrorNamingTheFirstWhateverTheJobs) {
  // Files over the size bound (sparse, never read) cannot be loaded: the worker's exception
  // becomes the usage error of the first such file in path order, with one job or several.
  TempDir dir;
  for (int i = 0; i < 8; ++i) dir.write("s" + std::to_string(i) + ".txs", good_a);
  for (const char* name : {"s3_big.txs", "s6_big.txs"}) {
    fs::resize_file(dir.write(name, ""), txaio::replay::detail::max_scenario_bytes + 1);
  }
  for (const char* jobs : {"1", "4"}) {
    const CliResult r = cli({dir.path().string(), "--jobs", jobs});
    EXPECT_EQ(r.code, exit_usage) << jobs;
    EXPECT_EQ(r.out, "") << jobs;
    EXPECT_EQ(count(r.err, "file is larger than"), 1u) << r.err;
    EXPECT_EQ(r.err.find("txaio-replay: error: " + (dir.path() / "s3_big.txs").lexically_normal().generic_string()), 0u)
        << r.err;
  }
}

TEST(Cli, UpdateRewritesThenPasses) {
  TempDir dir;
  const auto f = dir.write("w.txs", "txaio-scenario 1\n# keep me\nat 0 call_later a 1\nat 0 call_later b 2 # b\nexpect 1 fire a\nexpect 3 fire b\n");
  const CliResult up = cli({f.string(), "--update"});
  EXPECT_EQ(up.code, 0) << up.out << up.err;
  EXPECT_NE(up.out.find("UPDATED  " + f.string()), std::string::npos) << up.out;
  EXPECT_EQ(TempDir::read(f), "txaio-scenario 1\n# keep me\nat 0 call_later a 1\nat 0 call_later b 2 # b\nexpect 1 fire a\nexpect 2 fire b\n");
  EXPECT_EQ(cli({f.string()}).code, 0);
  // With --trace the schedule events join the expectations, and stay (the file is traced now).
  EXPECT_EQ(cli({f.string(), "--update", "--trace"}).code, 0);
  EXPECT_NE(TempDir::read(f).find("expect 0 schedule a 1\n"), std::string::npos);
  EXPECT_EQ(cli({f.string()}).code, 0);
}

TEST(Cli, SeedAndTiesOverrideTheFile) {
  TempDir dir;
  std::string text = "txaio-scenario 1\nties random\nseed 1\n";
  for (int i = 0; i < 6; ++i) text += "at 0 call_later t" + std::to_string(i) + " 1\n";
  const auto f = dir.write("r.txs", text);
  ASSERT_EQ(cli({f.string(), "--update"}).code, 0);
  EXPECT_EQ(cli({f.string()}).code, 0);
  EXPECT_EQ(cli({f.string(), "--seed", "1"}).code, 0);
  // Some other seed orders the six ties differently (the chance that 20 seeds all agree is nil).
  bool differs = false;
  for (int seed = 2; seed < 22 && !differs; ++seed) differs = cli({f.string(), "--seed", std::to_string(seed)}).code == exit_failed;
  EXPECT_TRUE(differs);
  const CliResult fifo = cli({f.string(), "--ties", "fifo", "--update"});
  EXPECT_EQ(fifo.code, 0);
  EXPECT_NE(TempDir::read(f).find("expect 1 fire t0\nexpect 1 fire t1\nexpect 1 fire t2\n"), std::string::npos);
}

TEST(Cli, ToleranceAndCheckDeterminism) {
  TempDir dir;
  const auto f = dir.write("t.txs", "txaio-scenario 1\nat 0 call_later a 1\nexpect 1.003 fire a\n");
  EXPECT_EQ(cli({f.string()}).code, exit_failed);
  EXPECT_EQ(cli({f.string(), "--tolerance", "5ms"}).code, 0);
  EXPECT_EQ(cli({f.string(), "--tolerance", "0.002"}).code, exit_failed);
  EXPECT_EQ(cli({f.string(), "--tolerance", "5ms", "--check-determinism"}).code, 0);
}

TEST(Cli, ReportAndJunitFilesAreWritten) {
  TempDir dir;
  dir.write("s/a.txs", good_a);
  dir.write("s/w.txs", wrong);
  const auto report = dir.path() / "r/report.html";
  const auto junit = dir.path() / "r/junit.xml";
  const CliResult r = cli({(dir.path() / "s").string(), "--report", report.string(), "--junit", junit.string()});
  EXPECT_EQ(r.code, exit_failed);
  EXPECT_NE(r.out.find("report: " + report.string()), std::string::npos) << r.out;
  EXPECT_EQ(count(TempDir::read(report), "<svg "), 2u);
  const std::string xml = TempDir::read(junit);
  EXPECT_NE(xml.find("tests=\"2\" failures=\"1\""), std::string::npos) << xml;
}

TEST(Cli, ShowPrintsObservedEventsAsExpectLines) {
  TempDir dir;
  const auto f = dir.write("n.txs", "txaio-scenario 1\nat 0 call_later a 1.5\n");
  const CliResult r = cli({f.string(), "--show"});
  EXPECT_EQ(r.code, exit_failed);  // nothing was expected
  EXPECT_NE(r.out.find("  expect 1.5 fire a\n"), std::string::npos) << r.out;
}

// --- As a process, the way a new user runs it -----------------------------------------

CommandResult replay(const std::string& args) { return run_command(shell_quote(TXAIO_REPLAY_EXE) + " " + args); }

class CliProcessMalformed : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(CliProcessMalformed, ExitsTwoWithFileLineAndColumn) {
  const MalformedCase& c = GetParam();
  TempDir dir;
  const auto f = dir.write(std::string(c.name) + ".txs", c.text);
  const CommandResult r = replay(shell_quote(f.string()));
  EXPECT_EQ(r.exit_code, exit_usage) << r.output;
  const std::string where = f.string() + ":" + std::to_string(c.line) + ":" + std::to_string(c.column) + ": error: ";
  EXPECT_EQ(r.output.rfind(where, 0), 0u) << r.output;
  EXPECT_NE(r.output.find(c.message), std::string::npos) << r.output;
}

INSTANTIATE_TEST_SUITE_P(Cases, CliProcessMalformed, ::testing::ValuesIn(malformed_cases()),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(CliProcess, HandWrittenScenarioFromTheHelpText) {
  // Written from the format description in --help only.
  TempDir dir;
  const auto f = dir.write("mine.txs",
                           "txaio-scenario 1\n"
                           "# two pings and a timeout\n"
                           "batched T bucket=100ms chunk=10\n"
                           "at 0     call_later ping1 250ms\n"
                           "at 0     call_later ping2 0.5\n"
                           "at 0     call_later timeout 1 via=T raise=\"timed out\"\n"
                           "at 0.3   cancel ping2\n"
                           "expect 0.25 fire ping1\n"
                           "expect 1    error timeout timed out\n");
  const CommandResult r = replay(shell_quote(f.string()));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("PASS  " + f.string() + "  (2 events)"), std::string::npos) << r.output;
}

TEST(CliProcess, WrongExpectationExitsOneAndHelpExitsZero) {
  TempDir dir;
  const auto f = dir.write("w.txs", wrong);
  const CommandResult r = replay(shell_quote(f.string()));
  EXPECT_EQ(r.exit_code, exit_failed) << r.output;
  EXPECT_NE(r.output.find("first divergence at line 5"), std::string::npos) << r.output;
  EXPECT_EQ(replay("--help").exit_code, 0);
  EXPECT_EQ(replay("").exit_code, exit_usage);
}

}  // namespace
