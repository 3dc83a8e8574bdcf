// One scenario from text to verdict, the determinism check and the exit codes.
#include "txaio/replay/replay.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace txaio::replay;

const std::string passing =
    "txaio-scenario 1\nbatched B bucket=1 chunk=1\n"
    "at 0 call_later a 1 via=B\nat 0 call_later b 1 via=B raise=boom\nat 0 call_later c 0.25\n"
    "expect 0.25 fire c\nexpect 1 fire a\nexpect 1.5 error b boom\n";

TEST(Replay, Passes) {
  const Verdict o = replay_text(passing, "p.txs", {});
  EXPECT_EQ(o.status, Status::passed) << o.comparison.report << o.message;
  EXPECT_EQ(o.compared.size(), 3u);
  EXPECT_FALSE(o.trace);
  ASSERT_TRUE(o.scenario);
  EXPECT_GT(o.run.events.size(), o.compared.size());  // the trace is kept for the report
  EXPECT_FALSE(o.run.buckets.empty());
}

// Five calls due at 1 and a batched pair in one chunk: any order at that instant.
const std::string unordered =
    "txaio-scenario 1\nbatched B bucket=1 chunk=5\n"
    "at 0 call_later a 1\nat 0 call_later b 1\nat 0 call_later c 1 raise=boom\nat 0 call_later d 1\n"
    "at 0 call_later e 1\nat 0 call_later x 2.5 via=B\nat 0 call_later y 2.5 via=B\nat 0 call_later z 3\n"
    "expect any 1 fire a\nexpect any 1 fire b\nexpect any 1 error c boom\nexpect any 1 fire d\nexpect any 1 fire e\n"
    "expect any 2 fire x\nexpect any 2 fire y\nexpect 3 fire z\n";

TEST(ReplayUnordered, PassesUnderRandomTiesForAHundredSeeds) {
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    ReplayOptions options;
    options.run.ties = Ties::random;
    options.run.seed = seed;
    const Verdict o = replay_text(unordered, "any.txs", options);
    EXPECT_EQ(o.status, Status::passed) << "seed " << seed << "\n" << o.comparison.report;
  }
}

TEST(ReplayUnordered, OrderedExpectationsFailUnderSomeSeed) {
  // Without 'any' the same file fails for some seed: the test above is not vacuous.
  std::string text = unordered;
  for (std::size_t at = text.find("expect any"); at != std::string::npos; at = text.find("expect any")) text.erase(at + 6, 4);
  int failed = 0;
  for (std::uint64_t seed = 0; seed < 100; ++seed) {
    ReplayOptions options;
    options.run.ties = Ties::random;
    options.run.seed = seed;
    failed += replay_text(text, "ordered.txs", options).status == Status::failed ? 1 : 0;
  }
  EXPECT_GT(failed, 50);
}

TEST(ReplayUnordered, FailsWhenAnEventIsMissingOrExtra) {
  ReplayOptions options;
  options.run.ties = Ties::random;
  options.run.seed = 3;
  std::string missing = unordered;  // expects a sixth call at 1 that does not exist
  missing.replace(missing.find("expect any 1 fire e\n"), 20, "expect any 1 fire e\nexpect any 1 fire f\n");
  missing.replace(missing.find("at 0 call_later e 1\n"), 20, "at 0 call_later e 1\nat 0 call_later f 9\n");
  const Verdict m = replay_text(missing, "missing.txs", options);
  EXPECT_EQ(m.status, Status::failed);
  EXPECT_NE(m.comparison.report.find("any 1 fire f"), std::string::npos) << m.comparison.report;
  std::string extra = unordered;  // d is not expected
  extra.erase(extra.find("expect any 1 fire d\n"), 20);
  const Verdict x = replay_text(extra, "extra.txs", options);
  EXPECT_EQ(x.status, Status::failed);
  EXPECT_NE(x.comparison.report.find("+            1 fire d"), std::string::npos) << x.comparison.report;
}

TEST(Replay, FailsOnAWrongExpectation) {
  std::string text = passing;
  text.replace(text.find("expect 1 fire a"), 15, "expect 2 fire a");
  const Verdict o = replay_text(text, "f.txs", {});
  EXPECT_EQ(o.status, Status::failed);
  EXPECT_NE(o.comparison.report.find("line 7"), std::string::npos) << o.comparison.report;
}

TEST(Replay, ParseErrorsRunNothing) {
  const Verdict o = replay_text("txaio-scenario 1\nbogus\n", "e.txs", {});
  EXPECT_EQ(o.status, Status::parse_error);
  EXPECT_FALSE(o.scenario);
  EXPECT_TRUE(o.run.events.empty());
  EXPECT_EQ(o.message.rfind("e.txs:2:1: error: ", 0), 0u) << o.message;
}

TEST(Replay, TraceExpectationsSwitchTraceModeOn) {
  const Verdict o = replay_text("txaio-scenario 1\nat 0 call_later a 1\nexpect 0 schedule a 1\nexpect 1 fire a\n", "t.txs", {});
  EXPECT_TRUE(o.trace);
  EXPECT_EQ(o.status, Status::passed) << o.comparison.report;
  ReplayOptions traced;
  traced.trace = true;
  const Verdict t = replay_text("txaio-scenario 1\nat 0 call_later a 1\nexpect 1 fire a\n", "t.txs", traced);
  EXPECT_EQ(t.status, Status::failed);  // the schedule event is not expected
}

TEST(Replay, ToleranceIsApplied) {
  ReplayOptions o;
  o.tolerance_ns = 10'000'000;
  EXPECT_EQ(replay_text("txaio-scenario 1\nat 0 call_later a 1\nexpect 1.01 fire a\n", "t.txs", o).status, Status::passed);
  EXPECT_EQ(replay_text("txaio-scenario 1\nat 0 call_later a 1\nexpect 1.011 fire a\n", "t.txs", o).status, Status::failed);
}

TEST(Replay, DeterminismCheckPassesForTheRunner) {
  ReplayOptions o;
  o.check_determinism = true;
  std::string text = "txaio-scenario 1\nties random\nseed 7\nbatched B bucket=10ms chunk=3\n";
  for (int i = 0; i < 50; ++i) {
    text += "at 0 call_later t" + std::to_string(i) + " " + std::to_string(i % 5) + "ms" + (i % 2 ? " via=B" : "") + "\n";
  }
  const Verdict out = replay_text(text, "d.txs", o);
  EXPECT_NE(out.status, Status::nondeterministic) << out.message;
}

TEST(Replay, DeterminismDifferenceNamesHashesAndTheFirstDifferingEvent) {
  RunResult a, b;
  a.events = {{1, EventKind::fire, "x", "", 0}, {2, EventKind::fire, "y", "", 0}};
  b.events = {{1, EventKind::fire, "x", "", 0}, {2, EventKind::fire, "z", "", 0}};
  EXPECT_FALSE(determinism_difference(a, a));
  const auto d = determinism_difference(a, b);
  ASSERT_TRUE(d);
  EXPECT_NE(d->find("determinism check failed"), std::string::npos);
  EXPECT_NE(d->find("first difference at event 2"), std::string::npos) << *d;
  EXPECT_NE(d->find("run 1: 0.000000002 fire y"), std::string::npos) << *d;
  EXPECT_NE(d->find("run 2: 0.000000002 fire z"), std::string::npos) << *d;
  RunResult c = a;
  c.failure = "stopped";
  EXPECT_TRUE(determinism_difference(a, c));
}

TEST(Replay, ExitCodes) {
  auto code = [](std::vector<Status> statuses) {
    std::vector<Verdict> outcomes(statuses.size());
    for (std::size_t i = 0; i < statuses.size(); ++i) outcomes[i].status = statuses[i];
    return exit_code_for(outcomes);
  };
  EXPECT_EQ(code({}), exit_passed);
  EXPECT_EQ(code({Status::passed, Status::passed}), 0);
  EXPECT_EQ(code({Status::passed, Status::failed}), 1);
  EXPECT_EQ(code({Status::run_error}), 1);
  EXPECT_EQ(code({Status::failed, Status::nondeterministic}), 3);
  EXPECT_EQ(code({Status::nondeterministic, Status::parse_error, Status::not_run}), 2);
}

}  // namespace
