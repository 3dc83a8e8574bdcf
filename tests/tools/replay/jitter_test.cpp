// Lateness in scenarios: the `jitter` directive and `--jitter` replay a trace on a loop whose
// timers run late by a seeded amount (sim::Options::jitter).
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "process.hpp"
#include "txaio/replay/cli.hpp"
#include "txaio/replay/replay.hpp"
#include "txaio/replay/runner.hpp"
#include "txaio/replay/scenario.hpp"

namespace {

using namespace txaio::replay;

std::vector<std::int64_t> fire_times(const std::string& text, RunOptions options = {}) {
  const RunResult r = run_scenario(parse_scenario(text, "jitter.txs"), options);
  EXPECT_FALSE(r.failure);
  std::vector<std::int64_t> out;
  for (const Event& e : compared_events(r.events, false)) out.push_back(e.time_ns);
  return out;
}

RunOptions seeded(std::uint64_t seed) {
  RunOptions o;
  o.seed = seed;
  return o;
}

const std::string three_timers =
    "txaio-scenario 1\njitter 2ms\nat 0 call_later a 1\nat 0 call_later b 1\nat 0 call_later c 1.001\n";

TEST(ReplayJitter, TheDirectiveMakesTimersLateWithinTheBound) {
  const auto times = fire_times(three_timers);
  ASSERT_EQ(times.size(), 3u);
  for (std::size_t i = 0; i < times.size(); ++i) {
    const std::int64_t due = i < 2 ? 1'000'000'000 : 1'001'000'000;
    EXPECT_GE(times[i], due);
    EXPECT_LE(times[i], due + 2'000'000);
    if (i > 0) {
      EXPECT_LE(times[i - 1], times[i]);
    }
  }
  EXPECT_NE(times, (std::vector<std::int64_t>{1'000'000'000, 1'000'000'000, 1'001'000'000}));
}

TEST(ReplayJitter, TheSeedChoosesTheDraw) {
  EXPECT_EQ(fire_times(three_timers), fire_times(three_timers));
  EXPECT_EQ(fire_times("txaio-scenario 1\nseed 5\n" + three_timers.substr(17)),
            fire_times(three_timers, seeded(5)));
  EXPECT_NE(fire_times(three_timers, seeded(1)), fire_times(three_timers, seeded(2)));
}

TEST(ReplayJitter, TheOptionOverridesTheDirective) {
  RunOptions no_jitter;
  no_jitter.jitter_ns = 0;
  EXPECT_EQ(fire_times(three_timers, no_jitter),
            (std::vector<std::int64_t>{1'000'000'000, 1'000'000'000, 1'001'000'000}));
}

TEST(ReplayJitter, MalformedDirectivesAreParseErrors) {
  auto error = [](const std::string& body) -> std::string {
    try {
      parse_scenario("txaio-scenario 1\n" + body, "bad.txs");
    } catch (const ParseError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_NE(error("jitter\n").find("bad.txs:2:"), std::string::npos);
  EXPECT_NE(error("jitter 5 parsecs\n").find("after the jitter"), std::string::npos);
  EXPECT_NE(error("jitter soon\n").find("bad jitter"), std::string::npos);
  EXPECT_NE(error("jitter 1ms\njitter 2ms\n").find("duplicate 'jitter' (already set on line 2)"), std::string::npos);
  EXPECT_NE(error("at 0 call_later a 1\njitter 1ms\n").find("expected seed, ties and jitter before the ops"),
            std::string::npos);
}

int cli(std::vector<std::string> args) {
  std::ostringstream out, err;
  return run_cli(args, out, err, false);
}

TEST(ReplayJitter, AnExactTraceFailsOnASloppyClockUnlessTheToleranceCoversIt) {
  TempDir dir;
  const auto f = dir.write("exact.txs", "txaio-scenario 1\nat 0 call_later a 1\nat 0 call_later b 2\nexpect 1 fire a\nexpect 2 fire b\n");
  EXPECT_EQ(cli({f.string()}), exit_passed);
  EXPECT_EQ(cli({f.string(), "--jitter", "5ms"}), exit_failed);
  EXPECT_EQ(cli({f.string(), "--jitter", "5ms", "--tolerance", "5ms", "--check-determinism"}), exit_passed);
  EXPECT_EQ(cli({f.string(), "--jitter", "5 parsecs"}), exit_usage);
}

}  // namespace
