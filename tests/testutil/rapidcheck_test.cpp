// The public generators and check_schedules: edges covered, shrinking to the minimal value,
// each kind of schedule-dependent bug found with a reproduce line that replays it.
#include "txaio/testutil/rapidcheck.hpp"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "env_guard.hpp"
#include "txaio/future.hpp"
#include "txaio/testutil/detail/event_trace.hpp"
#include "txaio/testutil/print.hpp"

namespace {

using namespace std::chrono_literals;
using txaio::nanoseconds;
using txaio::sim::Options;
using txaio::sim::Ties;
using txaio::testutil::ExploreOptions;
namespace gen = txaio::testutil::gen;

template <class T>
std::vector<T> sample(const rc::Gen<T>& g, int count) {
  std::vector<T> out;
  rc::Random random(12345);
  for (int i = 0; i < count; ++i) out.push_back(g(random.split(), i % 100).value());
  return out;
}

// The smallest value RapidCheck shrinks to for a property that fails when `fails(value)`.
template <class T, class Fails>
T shrunk(const rc::Gen<T>& g, Fails fails) {
  std::optional<T> last;
  const auto result = rc::detail::checkTestable([&] {
    const T value = *g;
    if (fails(value)) {
      last = value;
      RC_FAIL("deliberately failing");
    }
  });
  EXPECT_TRUE(result.template is<rc::detail::FailureResult>());
  return last.value();
}

TEST(GenDelay, CoversTheEdgesAndRepeatsValues) {
  const auto delays = sample(gen::delay(100ms), 2000);
  std::map<nanoseconds, int> seen;
  for (nanoseconds d : delays) {
    EXPECT_GE(d, 0ns);
    EXPECT_LE(d, 100ms);
    ++seen[d];
  }
  EXPECT_GT(seen[0ns], 100);
  EXPECT_GT(seen[1ns], 100);
  EXPECT_GT(seen[100ms], 100);
  int bucket_multiples = 0;
  int repeated = 0;
  for (const auto& [d, n] : seen) {
    if (d > 0ns && d % 6'250'000ns == 0ns) bucket_multiples += n;
    if (n > 1) repeated += n;
  }
  EXPECT_GT(bucket_multiples, 300);
  EXPECT_GT(repeated, 1000);  // equal delays, the ties timer code gets wrong
  EXPECT_GT(seen.size(), 300u);  // and still plenty of arbitrary values
}

TEST(GenDelay, ExplicitBucketMultiples) {
  std::set<nanoseconds> multiples;
  for (nanoseconds d : sample(gen::delay(1s, 250ms), 1000)) {
    if (d % 250ms == 0ns) multiples.insert(d);
  }
  EXPECT_EQ(multiples, (std::set<nanoseconds>{0ns, 250ms, 500ms, 750ms, 1s}));
}

TEST(GenDelay, ShrinksToTheSmallestFailingDelay) {
  EXPECT_EQ(shrunk(gen::delay(100ms), [](nanoseconds d) { return d > 0ns; }), 1ns);
  EXPECT_EQ(shrunk(gen::delay(100ms), [](nanoseconds) { return true; }), 0ns);
  EXPECT_EQ(shrunk(gen::delay(100ms), [](nanoseconds d) { return d >= 3ms; }), 3ms);
}

TEST(GenOptions, CoversEveryPolicyAndJitter) {
  std::set<std::pair<Ties, txaio::Dispatch>> combos;
  int jittered = 0;
  for (const Options& o : sample(gen::options(2ms), 600)) {
    combos.insert({o.ties, o.dispatch});
    EXPECT_GE(o.jitter, 0ns);
    EXPECT_LE(o.jitter, 2ms);
    jittered += o.jitter > 0ns ? 1 : 0;
  }
  EXPECT_EQ(combos.size(), 6u);
  EXPECT_GT(jittered, 100);
  for (const Options& o : sample(gen::options(0ns), 100)) EXPECT_EQ(o.jitter, 0ns);
}

TEST(GenOptions, ShrinksTowardFifoScheduledAndNoJitter) {
  const Options lifo = shrunk(gen::options(), [](const Options& o) { return o.ties == Ties::lifo; });
  EXPECT_EQ(lifo.seed, 0u);
  EXPECT_EQ(lifo.dispatch, txaio::Dispatch::scheduled);
  EXPECT_EQ(lifo.jitter, 0ns);
  const Options jitter = shrunk(gen::options(), [](const Options& o) { return o.jitter > 0ns; });
  EXPECT_EQ(jitter.ties, Ties::fifo);
  EXPECT_EQ(jitter.dispatch, txaio::Dispatch::scheduled);
  EXPECT_EQ(jitter.jitter, 1ns);
  const Options any = shrunk(gen::options(), [](const Options&) { return true; });
  EXPECT_EQ(testing::PrintToString(any), "sim::Options{seed=0, ties=fifo, dispatch=scheduled, jitter=0s}");
}

TEST(GenTimerProgram, UsesEveryOpWithinTheBound) {
  std::set<txaio::testutil::TimerOp::Kind> kinds;
  bool tie = false;
  for (const auto& p : sample(gen::timer_program(20), 300)) {
    EXPECT_LE(p.ops.size(), 20u);
    std::set<nanoseconds> delays;
    for (const auto& op : p.ops) {
      kinds.insert(op.kind);
      if (op.kind == txaio::testutil::TimerOp::Kind::call_later) tie |= !delays.insert(op.delay).second;
    }
  }
  EXPECT_EQ(kinds.size(), 4u);
  EXPECT_TRUE(tie);
}

TEST(GenTimerProgram, ShrinksToTheSmallestProgramAndPrintsAsAScenario) {
  using Kind = txaio::testutil::TimerOp::Kind;
  const auto program = shrunk(gen::timer_program(50), [](const txaio::testutil::TimerProgram& p) {
    return std::any_of(p.ops.begin(), p.ops.end(), [](const auto& op) { return op.kind == Kind::cancel; });
  });
  const txaio::testutil::TimerProgram minimal{{{Kind::call_later, 1, 0ns}, {Kind::cancel, 1, 0ns}}};
  EXPECT_EQ(program, minimal);
  EXPECT_EQ(rc::toString(program), "txaio-scenario 1\nat 0ns call_later t1 0ns\nat 0ns cancel t1\n");
}

TEST(GenTimerProgram, RunsOnALoop) {
  using Kind = txaio::testutil::TimerOp::Kind;
  const txaio::testutil::TimerProgram program{{{Kind::call_later, 1, 5ms},
                                              {Kind::call_later, 2, 2ms},
                                              {Kind::call_soon, 3, 0ns},
                                              {Kind::advance, 0, 3ms},
                                              {Kind::call_later, 4, 1ms},
                                              {Kind::cancel, 1, 0ns}}};
  txaio::sim::Loop loop;
  std::vector<std::pair<int, nanoseconds>> ran;
  program.run(loop, [&](int id) { ran.emplace_back(id, loop.now()); });
  loop.run_until_idle();
  EXPECT_EQ(ran, (std::vector<std::pair<int, nanoseconds>>{{3, 0ms}, {2, 2ms}, {4, 4ms}}));
  EXPECT_EQ(program.to_scenario(),
            "txaio-scenario 1\nat 0ns call_later t1 5ms\nat 0ns call_later t2 2ms\nat 0ns call_later t3 0ns  # "
            "call_soon\n# advance 3ms\nat 3ms call_later t4 1ms\nat 3ms cancel t1\n");
}

TEST(Printers, ShowTheConfigurationTypesByName) {
  EXPECT_EQ(testing::PrintToString(Ties::lifo), "lifo");
  EXPECT_EQ(testing::PrintToString(txaio::Dispatch::immediate), "immediate");
  EXPECT_EQ(testing::PrintToString(Options{.seed = 7, .ties = Ties::random, .max_events = 9, .jitter = 2500us}),
            "sim::Options{seed=7, ties=random, dispatch=scheduled, jitter=0.0025s, max_events=9}");
}

// Each of the bodies below is correct on one kind of schedule only.

// Two calls due at the same instant: assumes they run in scheduling order.
void tie_order_body(txaio::sim::Loop& loop) {
  std::vector<int> order;
  txaio::call_later(10ms, [&] { order.push_back(1); });
  txaio::call_later(10ms, [&] { order.push_back(2); });
  loop.run_until_idle();
  RC_ASSERT(order.front() == 1);
}

// A reply due 1 ns before its timeout: assumes the reply always comes first.
void perfect_clock_body(txaio::sim::Loop& loop) {
  bool replied = false;
  bool timed_out = false;
  txaio::call_later(5ms, [&] { timed_out = !replied; });
  txaio::call_later(5ms - 1ns, [&] { replied = true; });
  loop.run_until_idle();
  RC_ASSERT(!timed_out);
}

// Assumes a future's callbacks never run inside `resolve`.
void never_inline_body(txaio::sim::Loop& loop) {
  auto f = txaio::create_future<int>();
  bool inside_resolve = false;
  bool ran_inline = false;
  txaio::add_callbacks(f, [&](int) { ran_inline = inside_resolve; });
  inside_resolve = true;
  txaio::resolve(f, 1);
  inside_resolve = false;
  loop.run_until_idle();
  RC_ASSERT(!ran_inline);
}

// The variables of a "reproduce: A=1 B=2" line, set for the guard's scope.
EnvGuard environment_of(const std::string& reproduce) {
  EXPECT_EQ(reproduce.rfind("reproduce: ", 0), 0u) << reproduce;
  std::istringstream words(reproduce.substr(11));
  EnvGuard guard;
  std::string word;
  while (words >> word) {
    const auto eq = word.find('=');
    guard.set(word.substr(0, eq), word.substr(eq + 1));
  }
  return guard;
}

// Finds the bug, then replays the printed line: exactly one run, on the smallest schedule.
Options find_and_replay(void (*body)(txaio::sim::Loop&), ExploreOptions options = {}) {
  options.runs = 300;
  const auto found = txaio::testutil::explore_schedules(body, options);
  EXPECT_TRUE(found.failed);
  EXPECT_TRUE(found.smallest.has_value());
  EXPECT_NE(found.message.find(found.reproduce), std::string::npos);
  EXPECT_NE(found.message.find("smallest failing schedule: sim::Options{"), std::string::npos) << found.message;
  const auto guard = environment_of(found.reproduce);
  std::vector<Options> replayed;
  const auto again = txaio::testutil::explore_schedules([&](txaio::sim::Loop& loop) {
    replayed.push_back(loop.options());
    body(loop);
  });
  EXPECT_TRUE(again.failed);
  EXPECT_NE(again.message.find(found.reproduce), std::string::npos) << again.message;
  // That schedule only.
  EXPECT_FALSE(replayed.empty());
  for (const Options& o : replayed) {
    EXPECT_EQ(testing::PrintToString(o), testing::PrintToString(found.smallest.value_or(Options{})));
  }
  return found.smallest.value_or(Options{});
}

TEST(CheckSchedules, FindsALifoOnlyBug) {
  // Without jitter: jitter alone reorders calls due at the same instant too.
  const Options smallest = find_and_replay(tie_order_body, {.max_jitter = 0ns});
  EXPECT_EQ(smallest.ties, Ties::lifo);
  EXPECT_EQ(smallest.seed, 0u);
  EXPECT_EQ(smallest.dispatch, txaio::Dispatch::scheduled);
  EXPECT_EQ(smallest.jitter, 0ns);
}

TEST(CheckSchedules, FindsAJitterOnlyBug) {
  const Options smallest = find_and_replay(perfect_clock_body);
  EXPECT_GE(smallest.jitter, 1ns);  // 1 ns late is enough: the reply then ties with the timeout
  EXPECT_EQ(smallest.ties, Ties::fifo);
  EXPECT_EQ(smallest.dispatch, txaio::Dispatch::scheduled);
}

TEST(CheckSchedules, FindsAnImmediateDispatchOnlyBug) {
  const Options smallest = find_and_replay(never_inline_body);
  EXPECT_EQ(smallest.dispatch, txaio::Dispatch::immediate);
  EXPECT_EQ(smallest.ties, Ties::fifo);
  EXPECT_EQ(smallest.seed, 0u);
  EXPECT_EQ(smallest.jitter, 0ns);
}

TEST(CheckSchedules, ACorrectBodyPassesEveryRunOnItsOwnDefaultLoop) {
  int runs = 0;
  const auto result = txaio::testutil::explore_schedules(
      [&](txaio::sim::Loop& loop) {
        ++runs;
        RC_ASSERT(&txaio::default_loop() == &loop);
        std::vector<int> order;
        txaio::call_later(2ms, [&] { order.push_back(2); });
        txaio::call_later(1ms, [&] { order.push_back(1); });
        loop.run_until_idle();
        RC_ASSERT(order == (std::vector<int>{1, 2}));
      },
      {.runs = 150, .max_jitter = 500us});
  EXPECT_FALSE(result.failed) << result.message;
  EXPECT_EQ(result.runs, 150);
  EXPECT_EQ(runs, 150);
  EXPECT_FALSE(txaio::has_default_loop());
}

TEST(CheckSchedules, TheEnvironmentSetsTheNumberOfRuns) {
  const EnvGuard guard = EnvGuard().set("TXAIO_SIM_RUNS", "7");
  int runs = 0;
  txaio::testutil::check_schedules([&](txaio::sim::Loop&) { ++runs; }, {.runs = 100});
  EXPECT_EQ(runs, 7);
}

TEST(CheckSchedules, TheReproduceVariablesRunOneScheduleOnly) {
  const EnvGuard guard = EnvGuard().set("TXAIO_SIM_SEED", "9").set("TXAIO_SIM_DISPATCH", "immediate");
  std::vector<Options> runs;
  EXPECT_FALSE(
      txaio::testutil::explore_schedules([&](txaio::sim::Loop& loop) { runs.push_back(loop.options()); }, {.runs = 50})
          .failed);
  ASSERT_EQ(runs.size(), 50u);
  for (const Options& o : runs) {
    EXPECT_EQ(testing::PrintToString(o), "sim::Options{seed=9, ties=fifo, dispatch=immediate, jitter=0s}");
  }
}

TEST(CheckSchedules, MalformedVariablesAreNamed) {
  const EnvGuard guard = EnvGuard().set("TXAIO_SIM_TIES", "sideways");
  EXPECT_THROW(
      {
        try {
          txaio::testutil::explore_schedules([](txaio::sim::Loop&) {});
        } catch (const std::invalid_argument& e) {
          EXPECT_STREQ(e.what(), "TXAIO_SIM_TIES='sideways': expected fifo, lifo or random");
          throw;
        }
      },
      std::invalid_argument);
  const EnvGuard jitter = EnvGuard().set("TXAIO_SIM_JITTER", "2 ms");
  EXPECT_THROW(txaio::testutil::schedule_from_environment(), std::invalid_argument);
}

TEST(CheckSchedules, ParsesEveryJitterUnit) {
  for (const auto& [text, expected] : std::vector<std::pair<std::string, nanoseconds>>{
           {"250", 250ns}, {"250ns", 250ns}, {"3us", 3us}, {"2ms", 2ms}, {"1s", 1s}}) {
    const EnvGuard guard = EnvGuard().set("TXAIO_SIM_JITTER", text);
    EXPECT_EQ(txaio::testutil::schedule_from_environment()->jitter, expected) << text;
  }
}

TEST(CheckSchedules, AFailureFailsTheEnclosingTestWithTheReproduceLine) {
  testing::TestPartResultArray failures;
  {
    testing::ScopedFakeTestPartResultReporter reporter(testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD,
                                                       &failures);
    txaio::testutil::check_schedules(tie_order_body, {.max_jitter = 0ns});
  }
  ASSERT_EQ(failures.size(), 1);
  const std::string message = failures.GetTestPartResult(0).message();
  EXPECT_NE(message.find("reproduce: TXAIO_SIM_SEED=0 TXAIO_SIM_TIES=lifo TXAIO_SIM_DISPATCH=scheduled TXAIO_SIM_JITTER=0ns"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("--gtest_filter=CheckSchedules.AFailureFailsTheEnclosingTestWithTheReproduceLine"),
            std::string::npos);
}

// A body whose events depend on a global counter, not only on the schedule.
int g_calls = 0;

void global_counter_body(txaio::sim::Loop& loop) {
  const int n = ++g_calls;
  txaio::call_later(1ms * (n % 3), [] {});
  loop.run_until_idle();
}

TEST(CheckSchedules, CheckDeterminismCatchesABodyThatDependsOnAGlobal) {
  EXPECT_FALSE(txaio::testutil::explore_schedules(global_counter_body, {.runs = 20}).failed);
  const auto result = txaio::testutil::explore_schedules(global_counter_body, {.runs = 20, .check_determinism = true});
  ASSERT_TRUE(result.failed);
  EXPECT_NE(result.message.find("not deterministic: two runs of the same schedule differ: event #1: first run: "
                                "schedule of call 1 (due 0"),
            std::string::npos)
      << result.message;
}

TEST(CheckSchedules, CheckDeterminismPassesADeterministicBody) {
  const auto result = txaio::testutil::explore_schedules(
      [](txaio::sim::Loop& loop) {
        for (int i = 0; i < 5; ++i) txaio::call_later(1ms * (i % 2), [] {});
        loop.run_until_idle();
      },
      {.runs = 30, .check_determinism = true});
  EXPECT_FALSE(result.failed) << result.message;
}

}  // namespace

// The strict fixture's and the determinism check's times are the loop's one time text: exact,
// without padding, and right for negative times (once written "-1.-500000000s").
TEST(EventTrace, TimesAreWrittenAsTheLoopWritesThem) {
  using txaio::testutil::detail::format_seconds;
  EXPECT_EQ(format_seconds(std::chrono::milliseconds(-1500)), "-1.5s");
  EXPECT_EQ(format_seconds(std::chrono::nanoseconds(5'000'000'000)), "5s");
  EXPECT_EQ(format_seconds(std::chrono::nanoseconds(1)), "0.000000001s");
  const txaio::testutil::detail::TraceEvent e{txaio::EventKind::fire, std::chrono::milliseconds(5),
                                              std::chrono::milliseconds(5), 3, {}};
  EXPECT_EQ(txaio::testutil::detail::describe(e), "fire of call 3 (due 0.005s) at 0.005s");
}
