// Coroutines returning txaio::Future: every point of the contract in coroutine.hpp, under both
// dispatch policies on sim::Loop.
#include "txaio/coroutine.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "txaio/sim.hpp"
#include "txaio/testutil.hpp"

namespace {

using namespace std::chrono_literals;
using txaio::CancelledError;
using txaio::Future;
using txaio::testutil::is_cancelled;
using txaio::testutil::is_pending;
using txaio::testutil::rejected_with;
using txaio::testutil::resolved_with;

class CoroutineTest : public txaio::testutil::DispatchSimTest {};
INSTANTIATE_TEST_SUITE_P(Dispatch, CoroutineTest, txaio::testutil::both_dispatch_policies(),
                         txaio::testutil::dispatch_name);

struct Oops : std::runtime_error {
  using std::runtime_error::runtime_error;
};

Future<int> add_one_later(Future<int> input, std::vector<std::string>& log) {
  log.push_back("started");
  int v = co_await input;
  log.push_back("resumed");
  co_return v + 1;
}

// ---- start -------------------------------------------------------------------------------

TEST_P(CoroutineTest, BodyRunsInlineUpToItsFirstSuspension) {
  std::vector<std::string> log;
  Future<int> input = txaio::create_future<int>();
  Future<int> g = add_one_later(input, log);
  EXPECT_EQ(log, std::vector<std::string>{"started"});
  EXPECT_THAT(g, is_pending());
}

Future<int> no_suspension(Future<int> input) { co_return co_await input * 2; }

TEST_P(CoroutineTest, AwaitingASettledFutureDoesNotSuspend) {
  Future<int> g = no_suspension(txaio::create_future_success(21));
  EXPECT_THAT(g, resolved_with(42));  // settled before the call returned, nothing run
  EXPECT_EQ(loop_.pending_calls().size(), 0u);
}

Future<int> throws_at_once() {
  throw Oops("before any suspension");
  co_return 0;
}

Future<int> throws_after_suspension(Future<void> gate) {
  co_await gate;
  throw Oops("after a suspension");
}

TEST_P(CoroutineTest, AnExceptionBeforeTheFirstSuspensionRejectsTheFuture) {
  Future<int> g;
  EXPECT_NO_THROW(g = throws_at_once());
  EXPECT_THAT(g, rejected_with<Oops>("before any suspension"));
}

TEST_P(CoroutineTest, AnExceptionAfterASuspensionRejectsTheFuture) {
  Future<void> gate = txaio::create_future();
  Future<int> g = throws_after_suspension(gate);
  txaio::resolve(gate);
  run_ready();
  EXPECT_THAT(g, rejected_with<Oops>("after a suspension"));
}

// ---- loop --------------------------------------------------------------------------------

Future<txaio::Loop*> on_api(txaio::Api api) {
  co_await api.sleep(1s);
  co_return &api.loop();
}

Future<txaio::Loop*> on_loop(txaio::Loop& loop) {
  co_await txaio::with_config(loop).sleep(1s);
  co_return &loop;
}

Future<txaio::Loop*> on_default() {
  co_await txaio::sleep(1s);
  co_return &txaio::default_loop();
}

struct Service {
  Future<txaio::Loop*> run(const txaio::Api& api) const {
    co_await api.sleep(1s);
    co_return &api.loop();
  }
};

TEST_P(CoroutineTest, ItsFutureBelongsToTheLoopOfAnApiOrLoopFirstParameter) {
  txaio::sim::Loop other(txaio::sim::Options{.dispatch = GetParam()});
  Future<txaio::Loop*> a = on_api(txaio::with_config(other));
  Future<txaio::Loop*> b = on_loop(other);
  const txaio::Api api = txaio::with_config(other);  // outlives the frame holding a reference to it
  Future<txaio::Loop*> c = Service{}.run(api);
  auto lambda = [](txaio::Loop& loop) -> Future<txaio::Loop*> {
    co_await txaio::with_config(loop).sleep(1s);
    co_return &loop;
  };
  Future<txaio::Loop*> d = lambda(other);
  for (auto* f : {&a, &b, &c, &d}) EXPECT_EQ(&f->loop(), &other);
  other.advance(1s);
  for (auto* f : {&a, &b, &c, &d}) EXPECT_THAT(*f, resolved_with(static_cast<txaio::Loop*>(&other)));
  EXPECT_EQ(loop_.pending_timers(), 0u);
}

TEST_P(CoroutineTest, WithoutALoopParameterItsFutureBelongsToTheDefaultLoop) {
  Future<txaio::Loop*> g = on_default();
  EXPECT_EQ(&g.loop(), &loop_);
  loop_.advance(1s);
  EXPECT_THAT(g, resolved_with(static_cast<txaio::Loop*>(&loop_)));
}

TEST_P(CoroutineTest, WithNeitherALoopParameterNorADefaultLoopTheCallThrowsUsageError) {
  txaio::Loop* previous = txaio::detail::exchange_default_loop(nullptr);
  EXPECT_THROW(
      {
        try {
          on_default();
        } catch (const txaio::UsageError& e) {
          EXPECT_THAT(e.what(), testing::HasSubstr("use_asio"));
          throw;
        }
      },
      txaio::UsageError);
  txaio::detail::exchange_default_loop(previous);
}

// ---- co_await ----------------------------------------------------------------------------

TEST_P(CoroutineTest, ResumesWhenAndHowACallbackWould) {
  std::vector<std::string> log;
  Future<int> input = txaio::create_future<int>();
  Future<int> g = add_one_later(input, log);
  txaio::resolve(input, 1);
  if (immediate()) {
    EXPECT_EQ(log, (std::vector<std::string>{"started", "resumed"}));  // inline, as a callback
  } else {
    EXPECT_EQ(log, std::vector<std::string>{"started"});  // never inside resolve
    run_ready();
    EXPECT_EQ(log, (std::vector<std::string>{"started", "resumed"}));
  }
  EXPECT_THAT(g, resolved_with(2));
}

TEST_P(CoroutineTest, ResumesAfterTheCallbacksAddedBeforeIt) {
  std::vector<std::string> log;
  Future<int> input = txaio::create_future<int>();
  txaio::add_callbacks(input, [&](int) { log.push_back("callback"); });
  Future<int> g = add_one_later(input, log);
  txaio::add_callbacks(input, [&](int) { log.push_back("callback after"); });
  txaio::resolve(input, 1);
  run_ready();
  EXPECT_EQ(log, (std::vector<std::string>{"started", "callback", "resumed", "callback after"}));
}

Future<std::string> catches_oops(Future<int> input) {
  try {
    co_await input;
  } catch (const Oops& e) {
    co_return std::string("caught ") + e.what();
  }
  co_return "no exception";
}

TEST_P(CoroutineTest, AwaitingARejectedFutureThrowsTheOriginalExceptionByItsType) {
  Future<int> input = txaio::create_future<int>();
  Future<std::string> g = catches_oops(input);
  txaio::reject(input, Oops("lost"));
  run_ready();
  EXPECT_THAT(g, resolved_with("caught lost"));
  EXPECT_EQ(loop_.unhandled_failures(), 0u);  // the coroutine handled the failure
}

Future<int> passes_on(Future<int> input) { co_return co_await input; }

TEST_P(CoroutineTest, AnAwaitedFailureEscapingTheBodyIsPassedOnAsItIs) {
  Future<int> input = txaio::create_future<int>();
  Future<int> g = passes_on(input);
  const txaio::Failure failure = txaio::create_failure(Oops("deep down"));
  txaio::reject(input, failure);
  run_ready();
  std::vector<txaio::Failure> seen;
  txaio::add_callbacks(g, nullptr, [&](const txaio::Failure& f) { seen.push_back(f); });
  run_ready();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen[0] == failure);  // the same failure, with the trace of where it began
}

TEST_P(CoroutineTest, AwaitingAnAlreadyRejectedFutureThrowsWithoutSuspending) {
  Future<std::string> g = catches_oops(txaio::create_future_error<int>(Oops("early")));
  EXPECT_THAT(g, resolved_with("caught early"));
}

Future<std::string> what_cancelled(Future<int> input) {
  try {
    co_await input;
  } catch (const CancelledError& e) {
    co_return std::string("cancelled: ") + e.what();
  }
  co_return "not cancelled";
}

TEST_P(CoroutineTest, AwaitingACancelledFutureThrowsCancelledError) {
  Future<int> input = txaio::create_future<int>();
  Future<std::string> g = what_cancelled(input);
  txaio::cancel(input, "stop");
  run_ready();
  EXPECT_THAT(g, resolved_with("cancelled: stop"));
}

Future<void> waits_void(Future<void> input, int& steps) {
  co_await input;
  ++steps;
}

TEST_P(CoroutineTest, FutureOfVoidCoroutinesAndAwaits) {
  int steps = 0;
  Future<void> input = txaio::create_future();
  Future<void> g = waits_void(input, steps);
  txaio::resolve(input);
  run_ready();
  EXPECT_EQ(steps, 1);
  EXPECT_THAT(g, txaio::testutil::is_resolved());
}

Future<int> sleeps_then(int value, txaio::nanoseconds delay) {
  co_await txaio::sleep(delay);
  co_return value;
}

Future<int> fan_out() {
  std::vector<Future<int>> sleepers;
  sleepers.push_back(sleeps_then(1, 3s));
  sleepers.push_back(sleeps_then(2, 1s));
  std::vector<int> all = co_await txaio::gather(sleepers, txaio::propagate_errors);
  co_return all[0] * 10 + all[1];
}

TEST_P(CoroutineTest, SleepAndGatherAreAwaitable) {
  Future<int> g = fan_out();
  loop_.advance(2s);
  EXPECT_THAT(g, is_pending());
  loop_.advance(1s);
  EXPECT_THAT(g, resolved_with(12));
  EXPECT_EQ(loop_.now(), 3s);
}

// ---- cancellation ------------------------------------------------------------------------

struct Awaited {
  int cancellers = 0;
  Future<int> future = txaio::create_future<int>([this] { ++cancellers; });
};

Future<int> waits(Future<int> input, std::vector<std::string>& log) {
  log.push_back("waiting");
  int v = co_await input;
  log.push_back("got a value");
  co_return v;
}

TEST_P(CoroutineTest, CancelCancelsWhatItAwaitsAndTheFutureEndsCancelled) {
  Awaited awaited;
  std::vector<std::string> log;
  Future<int> g = waits(awaited.future, log);
  EXPECT_TRUE(txaio::cancel(g, "enough"));
  run_ready();
  EXPECT_EQ(awaited.cancellers, 1);
  EXPECT_THAT(awaited.future, is_cancelled());
  EXPECT_EQ(log, std::vector<std::string>{"waiting"});  // resumed by CancelledError
  EXPECT_THAT(g, is_cancelled());
  EXPECT_THAT(g, rejected_with<CancelledError>("enough"));
  EXPECT_EQ(loop_.unhandled_failures(), 0u);
}

TEST_P(CoroutineTest, CatchingTheCancellationAndReturningResolvesTheFuture) {
  Awaited awaited;
  Future<std::string> g = what_cancelled(awaited.future);
  txaio::cancel(g, "enough");
  run_ready();
  EXPECT_THAT(g, resolved_with("cancelled: enough"));
}

TEST_P(CoroutineTest, CancelThrowsCancelledErrorEvenWhenTheCancellerResolvedTheAwaitedFuture) {
  Future<int> input = txaio::create_future<int>([](Future<int>& self) { txaio::resolve(self, 7); });
  Future<std::string> g = what_cancelled(input);
  txaio::cancel(g, "enough");
  run_ready();
  EXPECT_THAT(input, resolved_with(7));
  EXPECT_THAT(g, resolved_with("cancelled: enough"));
}

TEST_P(CoroutineTest, CancelAfterTheAwaitedFutureSettledButBeforeResumptionStillCancels) {
  std::vector<std::string> log;
  Future<int> input = txaio::create_future<int>();
  Future<int> g = waits(input, log);
  txaio::resolve(input, 1);
  txaio::cancel(g);  // immediate: g already finished, so this does nothing
  run_ready();
  if (immediate()) {
    EXPECT_THAT(g, resolved_with(1));
  } else {
    EXPECT_THAT(g, is_cancelled());
    EXPECT_EQ(log, std::vector<std::string>{"waiting"});
  }
}

Future<int> counts_cancels(Future<int> first, Future<int> second, int& seen) {
  try {
    co_await first;
  } catch (const CancelledError&) {
    ++seen;
  }
  try {
    co_await second;
  } catch (const CancelledError&) {
    ++seen;
  }
  co_return seen;
}

TEST_P(CoroutineTest, OnlyTheFirstCancelHasAnEffect) {
  Awaited first;
  Awaited second;
  int seen = 0;
  Future<int> g = counts_cancels(first.future, second.future, seen);
  txaio::cancel(g);
  txaio::cancel(g);  // scheduled: the body has not seen the first; immediate: it has
  run_ready();
  txaio::cancel(g);  // the body awaits `second` now
  run_ready();
  EXPECT_EQ(first.cancellers, 1);
  EXPECT_EQ(second.cancellers, 0);
  EXPECT_EQ(seen, 1);
  EXPECT_THAT(g, is_pending());  // now awaiting `second`
  txaio::resolve(second.future, 5);
  run_ready();
  EXPECT_THAT(g, resolved_with(1));
}

TEST_P(CoroutineTest, CancelOnAFinishedCoroutineDoesNothing) {
  Future<int> g = no_suspension(txaio::create_future_success(1));
  EXPECT_FALSE(txaio::cancel(g));
  EXPECT_THAT(g, resolved_with(2));
}

TEST_P(CoroutineTest, CancelWhileTheBodyRunsIsSeenAtItsNextAwait) {
  Future<int> input = txaio::create_future<int>();
  std::vector<std::string> log;
  Future<int> g;
  auto body = [&](Future<void> gate) -> Future<int> {
    co_await gate;
    txaio::cancel(g, "from inside");  // the body is running
    log.push_back("still running");
    co_return co_await input;  // pending, but the cancel is seen here
  };
  Future<void> gate = txaio::create_future();
  g = body(gate);
  txaio::resolve(gate);
  run_ready();
  EXPECT_EQ(log, std::vector<std::string>{"still running"});
  EXPECT_THAT(g, rejected_with<CancelledError>("from inside"));
  EXPECT_THAT(input, is_pending());  // it was never awaited
}

TEST_P(CoroutineTest, CancellationPropagatesThroughAChainOfCoroutines) {
  Awaited leaf;
  std::vector<std::string> log;
  Future<int> inner = waits(leaf.future, log);
  Future<int> outer = waits(inner, log);
  txaio::cancel(outer);
  run_ready();
  EXPECT_EQ(leaf.cancellers, 1);
  EXPECT_THAT(inner, is_cancelled());
  EXPECT_THAT(outer, is_cancelled());
}

// ---- lifetime ----------------------------------------------------------------------------

struct Tracked {
  std::shared_ptr<int> destroyed;
  ~Tracked() { ++*destroyed; }
};

Future<void> holds([[maybe_unused]] Tracked tracked, Future<void> input, int& resumed) {
  co_await input;
  ++resumed;
}

TEST_P(CoroutineTest, TheFrameLivesUntilTheBodyEndsWithNoHandleLeft) {
  auto destroyed = std::make_shared<int>(0);
  int resumed = 0;
  Future<void> input = txaio::create_future();
  holds(Tracked{destroyed}, input, resumed);  // the future is dropped at once
  const int temporaries = *destroyed;
  txaio::resolve(input);
  run_ready();
  EXPECT_EQ(resumed, 1);
  EXPECT_EQ(*destroyed, temporaries + 1);
}

Future<void> sleeps_holding([[maybe_unused]] Tracked tracked, int& resumed, bool keep_own_future) {
  Future<void> mine = txaio::create_future();
  // Not `co_await (c ? a : b)`: GCC 12 destroys both branches' temporaries with the frame.
  Future<void> awaited = keep_own_future ? mine : txaio::sleep(1h);
  co_await awaited;
  ++resumed;
}

TEST_P(CoroutineTest, ADestroyedLoopDestroysSuspendedFramesAndNeverResumesThem) {
  auto destroyed = std::make_shared<int>(0);
  int resumed = 0;
  Future<void> kept;
  {
    txaio::sim::Loop loop(txaio::sim::Options{.dispatch = GetParam()});
    txaio::testutil::LoopGuard guard(loop);
    sleeps_holding(Tracked{destroyed}, resumed, false);  // awaits a timer of the loop
    sleeps_holding(Tracked{destroyed}, resumed, true);   // awaits a future only its frame holds
    kept = sleeps_holding(Tracked{destroyed}, resumed, false);
    *destroyed = 0;
  }
  EXPECT_EQ(*destroyed, 3);
  EXPECT_EQ(resumed, 0);
  EXPECT_THAT(kept, is_pending());
}

// ---- depth -------------------------------------------------------------------------------

constexpr int deep = 1'000'000;

Future<int> next_link(Future<int> previous) { co_return co_await previous + 1; }

TEST_P(CoroutineTest, AMillionCoroutinesEachAwaitingTheNextCompleteOnABoundedStack) {
  Future<int> leaf = txaio::create_future<int>();
  Future<int> top = leaf;
  for (int i = 0; i < deep; ++i) top = next_link(std::move(top));
  txaio::resolve(leaf, 0);
  run_ready();
  EXPECT_THAT(top, resolved_with(deep));
}

Future<int> recursive_link(int depth, Future<int> leaf) {
  if (depth == 0) co_return co_await leaf;
  co_await txaio::sleep(0s);  // the nested call happens from the loop, not from our caller
  co_return co_await recursive_link(depth - 1, leaf) + 1;
}

TEST_P(CoroutineTest, AMillionDeepRecursionThatSuspendsFirstCompletesOnABoundedStack) {
  Future<int> leaf = txaio::create_future<int>();
  Future<int> top = recursive_link(deep, leaf);
  loop_.run_until_idle();
  txaio::resolve(leaf, 0);
  run_ready();
  EXPECT_THAT(top, resolved_with(deep));
}

}  // namespace
