// The runner: ops applied after everything due at their time, plain and batched timers,
// errors, ties, the run bound, determinism.
#include "txaio/replay/runner.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace txaio::replay;

std::vector<std::string> lines(const RunResult& r, bool trace) {
  std::vector<std::string> out;
  for (const Event& e : compared_events(r.events, trace)) out.push_back(format_event(e));
  return out;
}

std::vector<std::string> run_text(const std::string& body, bool trace = false, RunOptions options = {}) {
  const Scenario s = parse_scenario("txaio-scenario 1\n" + body, "test.txs");
  const RunResult r = run_scenario(s, options);
  EXPECT_FALSE(r.failure) << *r.failure;
  return lines(r, trace);
}

using Lines = std::vector<std::string>;

TEST(Runner, PlainTimersFireInDueOrderAtTheirTimes) {
  EXPECT_EQ(run_text("at 0 call_later a 3\nat 0 call_later b 1\nat 0.5 call_later c 1.5ms\n"),
            (Lines{"0.5015 fire c", "1 fire b", "3 fire a"}));
}

TEST(RunnerCausal, ACallbackCancellingACallDueAtTheSameInstantStopsIt) {
  // The op at 1 runs after everything due at 1; the op inside a's callback runs before b.
  EXPECT_EQ(run_text("at 0 call_later a 1\nat 0 call_later b 1\nat 1 cancel b\n"), (Lines{"1 fire a", "1 fire b"}));
  EXPECT_EQ(run_text("at 0 call_later a 1\nat 0 call_later b 1\non a cancel b\n"), (Lines{"1 fire a"}));
}

TEST(RunnerCausal, AndAppliesTheNextOpWithoutAdvancing) {
  // `at` runs everything due at its time first: a (due now) fires before b is scheduled.
  EXPECT_EQ(run_text("ties lifo\nat 0 call_later a 0\nat 0 call_later b 0\n"), (Lines{"0 fire a", "0 fire b"}));
  // `and` schedules b right after a: both are due at once, and lifo runs b first.
  EXPECT_EQ(run_text("ties lifo\nat 0 call_later a 0\nand call_later b 0\n"), (Lines{"0 fire b", "0 fire a"}));
}

TEST(RunnerCausal, OpsRunInsideTheCallbackBeforeItsRaiseAndNest) {
  EXPECT_EQ(run_text("at 0 call_later a 1 raise=boom\non a call_later b 0\non b call_later c 2.5s\non c cancel a\n", true),
            (Lines{"0 schedule a 1", "1 error a boom", "1 schedule b 1", "1 fire b", "1 schedule c 3.5", "3.5 fire c"}));
}

TEST(RunnerCausal, BatchedCallsApplyTheirOpsToo) {
  EXPECT_EQ(run_text("batched B bucket=1 chunk=1\nat 0 call_later a 1.2 via=B\nat 0 call_later b 1.7 via=B\n"
                     "at 0 call_later c 1.5\non a cancel b\non a call_later d 0 via=B\n"),
            (Lines{"1 fire a", "1 fire d", "1.5 fire c"}));
}

TEST(Runner, DesignExampleWithoutBatched) {
  EXPECT_EQ(run_text("at 0 call_later a 5.1\nat 0 call_later c 2\nat 0 call_later e 3 raise=boom\nat 1.2 cancel c\nrun 20\n"),
            (Lines{"3 error e boom", "5.1 fire a"}));
}

TEST(Runner, TimersDueAtAnOpsTimeFireBeforeTheOp) {
  // a is due at 2: it fires before the cancel at 2 is applied, so the cancel is a no-op.
  EXPECT_EQ(run_text("at 1 call_later a 1\nat 2 cancel a\n", true),
            (Lines{"1 schedule a 2", "2 fire a"}));
  // Cancelled one nanosecond earlier, it never runs.
  EXPECT_EQ(run_text("at 1 call_later a 1\nat 1.999999999 cancel a\n", true),
            (Lines{"1 schedule a 2", "1.999999999 cancel a"}));
}

TEST(Runner, CancelTwiceAndAfterFiringAreNoOps) {
  EXPECT_EQ(run_text("at 0 call_later a 1\nat 0.5 cancel a\nat 0.6 cancel a\nat 0.6 call_later b 1\nat 2 cancel b\n", true),
            (Lines{"0 schedule a 1", "0.5 cancel a", "0.6 schedule b 1.6", "1.6 fire b"}));
}

TEST(Runner, ZeroDelayFiresAtTheSameInstantAfterTheOp) {
  EXPECT_EQ(run_text("at 1 call_later a 0\nat 1 call_later b 0\n"), (Lines{"1 fire a", "1 fire b"}));
}

TEST(Runner, ThrowingCallbacksDoNotStopOthers) {
  EXPECT_EQ(run_text("at 0 call_later a 1 raise=first\nat 0 call_later b 1\nat 0 call_later c 1 raise=\"second one\"\n"
                     "at 0 call_later d 2\n"),
            (Lines{"1 error a first", "1 fire b", "1 error c second one", "2 fire d"}));
}

TEST(Runner, RunStopsAtItsTime) {
  const Scenario s = parse_scenario("txaio-scenario 1\nat 0 call_later a 1\nat 0 call_later b 5\nrun 3\n", "r.txs");
  const RunResult r = run_scenario(s);
  EXPECT_EQ(lines(r, false), (Lines{"1 fire a"}));
  EXPECT_EQ(r.end_ns, 3'000'000'000);
}

TEST(Runner, UntilIdleEndsAtTheLastTimer) {
  const Scenario s = parse_scenario("txaio-scenario 1\nat 0 call_later a 1\nat 0 call_later b 5\n", "r.txs");
  EXPECT_EQ(run_scenario(s).end_ns, 5'000'000'000);
}

TEST(Runner, TiesFifoAndLifo) {
  const std::string body = "at 0 call_later a 1\nat 0 call_later b 1\nat 0 call_later c 1\n";
  EXPECT_EQ(run_text("ties fifo\n" + body), (Lines{"1 fire a", "1 fire b", "1 fire c"}));
  EXPECT_EQ(run_text("ties lifo\n" + body), (Lines{"1 fire c", "1 fire b", "1 fire a"}));
}

TEST(Runner, TiesRandomIsReproducibleAndSeedDependent) {
  std::string body = "ties random\n";
  for (int i = 0; i < 8; ++i) body += "at 0 call_later t" + std::to_string(i) + " 1\n";
  std::set<Lines> orders;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    RunOptions o;
    o.seed = seed;
    const Lines first = run_text(body, false, o);
    EXPECT_EQ(run_text(body, false, o), first) << "seed " << seed;
    Lines sorted = first;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sorted.size(), 8u);
    orders.insert(first);
  }
  EXPECT_GT(orders.size(), 10u);  // 20 seeds, 8! orders: nearly all distinct
}

TEST(Runner, OptionsOverrideTheScenario) {
  const Scenario s = parse_scenario("txaio-scenario 1\nseed 5\nties lifo\nat 0 call_later a 1\n", "o.txs");
  RunOptions o;
  o.seed = 9;
  o.ties = Ties::fifo;
  const RunResult r = run_scenario(s, o);
  EXPECT_EQ(r.seed, 9u);
  EXPECT_EQ(r.ties, Ties::fifo);
  const RunResult d = run_scenario(s);
  EXPECT_EQ(d.seed, 5u);
  EXPECT_EQ(d.ties, Ties::lifo);
}

TEST(RunnerBatched, BucketKeyIsTruncatedThenFlooredSoCallsFireUpToOneBucketEarly) {
  EXPECT_EQ(run_text("batched B bucket=1\nat 0 call_later a 2.7 via=B\nat 0 call_later b 2.0009 via=B\n"
                     "at 0 call_later c 3 via=B\n"),
            (Lines{"2 fire a", "2 fire b", "3 fire c"}));
  // Sub-second buckets keep their own grid (Python txaio truncates to whole seconds first).
  EXPECT_EQ(run_text("batched B bucket=250ms\nat 0 call_later a 0.6 via=B\nat 0 call_later b 0.7999 via=B\n"),
            (Lines{"0.5 fire a", "0.75 fire b"}));
}

TEST(RunnerBatched, NeverEarlyRoundsUp) {
  EXPECT_EQ(run_text("batched B bucket=1 never_early=1\nat 0 call_later a 2.7 via=B\nat 0 call_later b 2 via=B\n"),
            (Lines{"2 fire b", "3 fire a"}));
}

TEST(RunnerBatched, ChunksSpreadOverTheBucket) {
  EXPECT_EQ(run_text("batched B bucket=1 chunk=2\n"
                     "at 0 call_later a 1 via=B\nat 0 call_later b 1 via=B\nat 0 call_later c 1 via=B\n"
                     "at 0 call_later d 1 via=B\nat 0 call_later e 1 via=B\n",
                     true),
            (Lines{"0 schedule a 1", "0 bucket_timer B 1", "0 schedule b 1", "0 schedule c 1", "0 schedule d 1",
                   "0 schedule e 1", "1 bucket_fire B 1/3", "1 fire a", "1 fire b", "1 bucket_timer B 1.333333333",
                   "1.333333333 bucket_fire B 2/3", "1.333333333 fire c", "1.333333333 fire d",
                   "1.333333333 bucket_timer B 1.666666666", "1.666666666 bucket_fire B 3/3", "1.666666666 fire e"}));
}

TEST(RunnerBatched, CancelledCallNeverRunsEvenMidBucket) {
  EXPECT_EQ(run_text("batched B bucket=1 chunk=1\n"
                     "at 0 call_later a 1 via=B\nat 0 call_later b 1 via=B\nat 0 call_later c 1 via=B\n"
                     "at 1.4 cancel c\n"),
            (Lines{"1 fire a", "1.333333333 fire b"}));
}

TEST(RunnerBatched, BucketEmptiedByCancellationCancelsItsTimer) {
  EXPECT_EQ(run_text("batched B bucket=1\nat 0 call_later a 5 via=B\nat 1 cancel a\n", true),
            (Lines{"0 schedule a 5", "0 bucket_timer B 5", "1 cancel a", "1 bucket_cancel B"}));
}

TEST(RunnerBatched, EachFailedCallIsOneErrorEventAndTheBatchErrorIsNotCountedAgain) {
  const std::string body =
      "batched B bucket=1 chunk=2\n"
      "at 0 call_later a 1 via=B raise=one\nat 0 call_later b 1 via=B\nat 0 call_later c 1 via=B raise=two\n"
      "at 0 call_later d 2 via=B raise=three\nat 0 call_later p 1.5 raise=plain\n";
  EXPECT_EQ(run_text(body), (Lines{"1 error a one", "1 fire b", "1.5 error p plain", "1.5 error c two", "2 error d three"}));
  const Lines trace = run_text(body, true);
  // One BatchError per bucket, after its last chunk, in the trace only.
  EXPECT_EQ(std::count_if(trace.begin(), trace.end(), [](const std::string& l) { return l.find("batch_error") != std::string::npos; }), 2);
  EXPECT_NE(std::find(trace.begin(), trace.end(), "1.5 batch_error B 2"), trace.end());
  EXPECT_NE(std::find(trace.begin(), trace.end(), "2 batch_error B 1"), trace.end());
}

TEST(RunnerBatched, CallDueInThePastFiresAtTheNextAdvance) {
  // Scheduled at 0.5 with delay 0.1: key 0 is already past, the bucket timer is due now.
  EXPECT_EQ(run_text("batched B bucket=1\nat 0.5 call_later a 0.1 via=B\n"), (Lines{"0.5 fire a"}));
}

TEST(Runner, ProgressReportsEveryOpAtTheEnd) {
  std::string body;
  for (int i = 0; i < 5000; ++i) body += "at 0 call_later t" + std::to_string(i) + " 1\n";
  const Scenario s = parse_scenario("txaio-scenario 1\n" + body, "p.txs");
  std::vector<std::size_t> seen;
  RunOptions o;
  o.progress = [&](std::size_t done) { seen.push_back(done); };
  (void)run_scenario(s, o);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), 5000u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
}

TEST(Runner, RunawayBoundStopsTheRunWithAMessage) {
  std::string body;
  for (int i = 0; i < 10; ++i) body += "at 0 call_later t" + std::to_string(i) + " 1\n";
  const Scenario s = parse_scenario("txaio-scenario 1\n" + body, "b.txs");
  RunOptions o;
  o.max_events = 3;
  const RunResult r = run_scenario(s, o);
  ASSERT_TRUE(r.failure);
  EXPECT_NE(r.failure->find("more than 3 callbacks"), std::string::npos) << *r.failure;
}

TEST(Runner, EventHashDependsOnEveryEvent) {
  std::vector<Event> a = {{1, EventKind::fire, "a", "", 0}, {2, EventKind::fire, "b", "", 0}};
  std::vector<Event> b = a;
  EXPECT_EQ(event_hash(a), event_hash(b));
  b[1].time_ns = 3;
  EXPECT_NE(event_hash(a), event_hash(b));
  std::swap(b[0], b[1]);
  EXPECT_NE(event_hash(a), event_hash(b));
  EXPECT_NE(event_hash(a), event_hash(std::span<const Event>(a).first(1)));
}

// Random plain-timer programs against a model: every live call fires once, at its due time,
// in (due, scheduling order).
RC_GTEST_PROP(Runner, PlainProgramsMatchASortedModel, ()) {
  const auto n = *rc::gen::inRange(1, 40);
  std::string body;
  struct M {
    std::string id;
    std::int64_t due;
    int seq;
    bool live;
  };
  std::vector<M> model;
  std::int64_t at = 0;
  for (int i = 0; i < n; ++i) {
    at += *rc::gen::inRange<std::int64_t>(0, 3) * 500'000'000;
    if (!model.empty() && *rc::gen::inRange(0, 4) == 0) {
      const auto k = static_cast<std::size_t>(*rc::gen::inRange<std::size_t>(0, model.size()));
      body += "at " + format_time(at) + " cancel " + model[k].id + "\n";
      // A call due at or before the cancel's time already fired.
      if (model[k].due > at) model[k].live = false;
      continue;
    }
    const std::int64_t delay = *rc::gen::inRange<std::int64_t>(0, 5) * 250'000'000;
    const std::string id = "t" + std::to_string(i);
    body += "at " + format_time(at) + " call_later " + id + " " + format_time(delay) + "\n";
    model.push_back({id, at + delay, i, true});
  }
  std::vector<M> live;
  std::copy_if(model.begin(), model.end(), std::back_inserter(live), [](const M& m) { return m.live; });
  std::stable_sort(live.begin(), live.end(), [](const M& a, const M& b) { return a.due < b.due; });
  Lines expected;
  for (const M& m : live) expected.push_back(format_time(m.due) + " fire " + m.id);
  const Scenario s = parse_scenario("txaio-scenario 1\n" + body, "prop.txs");
  RC_ASSERT(lines(run_scenario(s), false) == expected);
}

}  // namespace

namespace {

// Random scenarios with plain and batched calls (several batched timers, both roundings,
// cancels, raises, with or without 'run'), checked against the design's promises: runs are
// deterministic; plain calls run exactly when due; a batched call runs within one bucket of
// its key, never late (down) or never early (never_early); a call runs at most once and never
// after it was cancelled; exactly the raising calls give error events; and, run until idle,
// the batch_error counts add up to the batched calls that threw.
RC_GTEST_PROP(Runner, RandomBatchedScenariosKeepTheDesignsPromises, ()) {
  struct Decl {
    std::int64_t bucket;
    std::uint64_t chunk;
    bool never_early;
  };
  const std::vector<std::int64_t> buckets = {1'000'000, 7'000'000, 250'000'000, 1'000'000'000};
  std::vector<Decl> decls;
  std::string text = "txaio-scenario 1\nties " + std::string(*rc::gen::element("fifo", "lifo", "random")) + "\nseed " +
                     std::to_string(*rc::gen::inRange(0, 1000)) + "\n";
  const auto n_batched = *rc::gen::inRange(0, 3);
  for (int b = 0; b < n_batched; ++b) {
    decls.push_back({*rc::gen::elementOf(buckets), *rc::gen::element<std::uint64_t>(1, 2, 3, 100), *rc::gen::arbitrary<bool>()});
    text += "batched B" + std::to_string(b) + " bucket=" + format_time(decls.back().bucket) +
            " chunk=" + std::to_string(decls.back().chunk) + (decls.back().never_early ? " never_early=1" : "") + "\n";
  }
  struct C {
    std::string id;
    std::int64_t at, due;
    int via;
    bool raise;
  };
  std::vector<C> calls;
  std::int64_t at = 0;
  const auto n_ops = *rc::gen::inRange(1, 60);
  for (int i = 0; i < n_ops; ++i) {
    at += *rc::gen::element<std::int64_t>(0, 0, 1'000'000, 3'000'000, 100'000'000, 700'000'000);
    if (!calls.empty() && *rc::gen::inRange(0, 5) == 0) {
      text += "at " + format_time(at) + " cancel " + calls[*rc::gen::inRange<std::size_t>(0, calls.size())].id + "\n";
      continue;
    }
    const std::int64_t delay = *rc::gen::inRange<std::int64_t>(0, 3'000'000'000);
    const int via = decls.empty() ? -1 : *rc::gen::inRange(-1, static_cast<int>(decls.size()));
    const bool raise = *rc::gen::inRange(0, 4) == 0;
    calls.push_back({"c" + std::to_string(i), at, at + delay, via, raise});
    text += "at " + format_time(at) + " call_later c" + std::to_string(i) + " " + format_time(delay) +
            (via >= 0 ? " via=B" + std::to_string(via) : "") + (raise ? " raise=r" + std::to_string(i) : "") + "\n";
  }
  const bool until_idle = *rc::gen::arbitrary<bool>();
  if (!until_idle) text += "run " + format_time(at + *rc::gen::inRange<std::int64_t>(0, 4'000'000'000)) + "\n";

  const Scenario s = parse_scenario(text, "random.txs");
  const RunResult r = run_scenario(s);
  RC_ASSERT(!r.failure);
  RC_ASSERT(run_scenario(s).events == r.events);

  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < calls.size(); ++i) index[calls[i].id] = i;
  std::set<std::string> ran, cancelled;
  std::int64_t batched_errors = 0, batch_error_total = 0;
  for (const Event& e : r.events) {
    if (e.kind == EventKind::cancel) cancelled.insert(e.id);
    if (e.kind == EventKind::batch_error) batch_error_total += e.value;
    if (e.kind != EventKind::fire && e.kind != EventKind::error) continue;
    const C& c = calls[index.at(e.id)];
    RC_ASSERT(ran.insert(e.id).second);       // at most once
    RC_ASSERT(!cancelled.contains(e.id));     // never after a cancel
    RC_ASSERT((e.kind == EventKind::error) == c.raise);
    if (e.kind == EventKind::error) {
      RC_ASSERT(e.message == "r" + c.id.substr(1));
      if (c.via >= 0) ++batched_errors;
    }
    if (c.via < 0) {
      RC_ASSERT(e.time_ns == c.due);
      continue;
    }
    const Decl& d = decls[static_cast<std::size_t>(c.via)];
    const std::int64_t ms = c.due - c.due % 1'000'000;
    const std::int64_t key = d.never_early ? (c.due % d.bucket == 0 ? c.due : (c.due / d.bucket + 1) * d.bucket)
                                           : ms - ms % d.bucket;
    const std::int64_t start = std::max(key, c.at);
    RC_ASSERT(e.time_ns >= start);
    RC_ASSERT(e.time_ns < start + d.bucket);
    if (d.never_early) RC_ASSERT(e.time_ns >= c.due);
  }
  if (until_idle) {
    // Every call neither cancelled nor run ... ran.
    for (const C& c : calls) RC_ASSERT(ran.contains(c.id) || cancelled.contains(c.id));
    RC_ASSERT(batch_error_total == batched_errors);
  }
}

}  // namespace
