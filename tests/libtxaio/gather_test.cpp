#include "txaio/gather.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "txaio/api.hpp"
#include "txaio/errors.hpp"
#include "txaio/sim/loop.hpp"
#include "txaio/testutil/matchers.hpp"
#include "txaio/testutil/replace_loop.hpp"
#include "txaio/testutil/sim_test.hpp"

namespace {

using namespace std::chrono_literals;
using txaio::CancelledError;
using txaio::Dispatch;
using txaio::Failure;
using txaio::Future;
using txaio::Outcome;
using txaio::Unit;
using txaio::testutil::is_cancelled;
using txaio::testutil::is_pending;
using txaio::testutil::is_resolved;
using txaio::testutil::rejected_with;
using ::testing::HasSubstr;

class GatherTest : public txaio::testutil::DispatchSimTest {
protected:
  /// The value of a settled future (runs the loop first).
  template <class T>
  T value_of(const Future<T>& f) {
    return loop_.run_until_complete(f);
  }

  /// Futures with cancellers that count their calls.
  std::vector<Future<int>> counted_inputs(std::size_t n) {
    cancels_.assign(n, 0);
    std::vector<Future<int>> out;
    for (std::size_t i = 0; i < n; ++i) {
      out.push_back(txaio::create_future<int>([this, i] { ++cancels_[i]; }));
    }
    return out;
  }

  std::vector<int> cancels_;
};

INSTANTIATE_TEST_SUITE_P(Dispatch, GatherTest, txaio::testutil::both_dispatch_policies(),
                         txaio::testutil::dispatch_name);

std::vector<int> values(const std::vector<Outcome<int>>& outcomes) {
  std::vector<int> out;
  for (const Outcome<int>& o : outcomes) out.push_back(o.has_value() ? o.value() : -1);
  return out;
}

TEST_P(GatherTest, ResultsAreInInputOrderWhateverTheCompletionOrder) {
  std::vector<Future<int>> in = {txaio::create_future<int>(), txaio::create_future<int>(), txaio::create_future<int>()};
  Future<std::vector<Outcome<int>>> all = txaio::gather(in);
  txaio::resolve(in[2], 30);
  txaio::resolve(in[0], 10);
  run_ready();
  EXPECT_THAT(all, is_pending());
  txaio::resolve(in[1], 20);
  EXPECT_EQ(values(value_of(all)), (std::vector<int>{10, 20, 30}));
}

TEST_P(GatherTest, FailuresAreConsumedAsOutcomes) {
  std::vector<Future<int>> in = {txaio::create_future<int>(), txaio::create_future<int>()};
  auto all = txaio::gather(in);
  txaio::reject(in[0], std::runtime_error("first broke"));
  txaio::resolve(in[1], 2);
  const std::vector<Outcome<int>> out = value_of(all);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[0].has_failure());
  EXPECT_FALSE(static_cast<bool>(out[0]));
  EXPECT_EQ(txaio::failure_message(out[0].failure()), "std::runtime_error: first broke");
  EXPECT_THROW((void)out[0].value(), std::runtime_error);
  EXPECT_TRUE(out[1].has_value());
  EXPECT_EQ(out[1].value(), 2);
  EXPECT_THROW((void)out[1].failure(), txaio::UsageError);
  in.clear();
  all = {};
  EXPECT_EQ(loop_.unhandled_failures(), 0u);  // gather handled the input's failure
}

TEST_P(GatherTest, PropagateErrorsFailsFastWithTheFirstFailure) {
  std::vector<Future<int>> in = {txaio::create_future<int>(), txaio::create_future<int>(), txaio::create_future<int>()};
  auto all = txaio::gather(in, txaio::propagate_errors);
  static_assert(std::is_same_v<decltype(all), Future<std::vector<int>>>);
  txaio::resolve(in[0], 1);
  txaio::reject(in[2], std::runtime_error("third broke"));
  run_ready();
  EXPECT_THAT(all, rejected_with<std::runtime_error>("third broke"));  // in[1] still pending
  EXPECT_THAT(in[1], is_pending());
  txaio::reject(in[1], std::runtime_error("second broke later"));
  run_ready();
  EXPECT_THAT(all, rejected_with<std::runtime_error>("third broke"));
  in.clear();
  all = {};
  EXPECT_EQ(loop_.unhandled_failures(), 0u);
}

TEST_P(GatherTest, PropagateErrorsResolvesWithTheValues) {
  std::vector<Future<std::string>> in = {txaio::create_future<std::string>(), txaio::create_future<std::string>()};
  auto all = txaio::gather(in, txaio::propagate_errors);
  txaio::resolve(in[1], "b");
  txaio::resolve(in[0], "a");
  EXPECT_EQ(value_of(all), (std::vector<std::string>{"a", "b"}));
}

TEST_P(GatherTest, VoidInputsGiveUnits) {
  std::vector<Future<void>> in = {txaio::create_future(), txaio::create_future()};
  auto consumed = txaio::gather(in);
  auto propagated = txaio::gather(in, txaio::propagate_errors);
  txaio::resolve(in[0]);
  txaio::resolve(in[1]);
  const std::vector<Outcome<void>> out = value_of(consumed);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].value(), Unit{});
  EXPECT_EQ(value_of(propagated), (std::vector<Unit>{Unit{}, Unit{}}));
}

TEST_P(GatherTest, VariadicFormGivesATupleOfOutcomes) {
  Future<int> a = txaio::create_future<int>();
  Future<std::string> b = txaio::create_future<std::string>();
  Future<void> c = txaio::create_future();
  auto all = txaio::gather(a, b, c);
  static_assert(std::is_same_v<decltype(all), Future<std::tuple<Outcome<int>, Outcome<std::string>, Outcome<void>>>>);
  txaio::resolve(c);
  txaio::reject(b, std::logic_error("no string"));
  run_ready();
  EXPECT_THAT(all, is_pending());
  txaio::resolve(a, 1);
  const auto [ra, rb, rc] = value_of(all);
  EXPECT_EQ(ra.value(), 1);
  EXPECT_TRUE(rb.failure().is<std::logic_error>());
  EXPECT_TRUE(rc.has_value());
}

TEST_P(GatherTest, EmptyInputResolvesAtOnce) {
  auto consumed = txaio::gather(std::vector<Future<int>>{});
  auto propagated = txaio::gather(std::vector<Future<int>>{}, txaio::propagate_errors);
  EXPECT_TRUE(txaio::is_called(consumed));
  EXPECT_TRUE(txaio::is_called(propagated));
  EXPECT_TRUE(value_of(consumed).empty());
  EXPECT_TRUE(value_of(propagated).empty());
}

TEST_P(GatherTest, AlreadySettledInputs) {
  std::vector<Future<int>> in = {txaio::create_future_success(1), txaio::create_future_success(2)};
  auto all = txaio::gather(in);
  EXPECT_EQ(values(value_of(all)), (std::vector<int>{1, 2}));
}

TEST_P(GatherTest, CancellingTheGatheredFutureCancelsExactlyThePendingInputs) {
  std::vector<Future<int>> in = counted_inputs(4);
  auto all = txaio::gather(in);
  txaio::resolve(in[1], 1);
  txaio::reject(in[3], std::runtime_error("done already"));
  EXPECT_TRUE(txaio::cancel(all, "shutting down"));
  EXPECT_EQ(cancels_, (std::vector<int>{1, 0, 1, 0}));
  EXPECT_THAT(in[0], rejected_with<CancelledError>("shutting down"));
  EXPECT_THAT(in[2], rejected_with<CancelledError>("shutting down"));
  EXPECT_THAT(all, is_cancelled());
  run_ready();
  EXPECT_THAT(all, rejected_with<CancelledError>("shutting down"));
  EXPECT_FALSE(txaio::cancel(all));
  EXPECT_EQ(cancels_, (std::vector<int>{1, 0, 1, 0}));
}

TEST_P(GatherTest, CancellingInputsWhoseResultIsQueuedDoesNotCancelThem) {
  // Settled inputs are not pending even if gather has not seen their result yet.
  std::vector<Future<int>> in = counted_inputs(2);
  auto all = txaio::gather(in, txaio::propagate_errors);
  txaio::resolve(in[0], 1);
  txaio::cancel(all);
  EXPECT_EQ(cancels_, (std::vector<int>{0, 1}));
  EXPECT_THAT(all, is_cancelled());
}

TEST_P(GatherTest, CancellingTheTupleFormCancelsThePendingInputs) {
  int cancelled = 0;
  Future<int> a = txaio::create_future<int>([&] { ++cancelled; });
  Future<std::string> b = txaio::create_future<std::string>([&] { ++cancelled; });
  auto all = txaio::gather(a, b);
  txaio::resolve(b, "x");
  txaio::cancel(all);
  EXPECT_EQ(cancelled, 1);
  EXPECT_THAT(a, is_cancelled());
  EXPECT_THAT(all, is_cancelled());
}

TEST_P(GatherTest, CancellingAfterCompletionDoesNothing) {
  std::vector<Future<int>> in = counted_inputs(2);
  auto all = txaio::gather(in);
  txaio::resolve(in[0], 1);
  txaio::resolve(in[1], 2);
  run_ready();
  EXPECT_FALSE(txaio::cancel(all));
  EXPECT_EQ(cancels_, (std::vector<int>{0, 0}));
  EXPECT_THAT(all, is_resolved());
}

TEST_P(GatherTest, CancelledInputBecomesACancelledErrorOutcome) {
  std::vector<Future<int>> in = {txaio::create_future<int>(), txaio::create_future<int>()};
  auto consumed = txaio::gather(in);
  auto propagated = txaio::gather(in, txaio::propagate_errors);
  txaio::cancel(in[0], "input cancelled");
  txaio::resolve(in[1], 5);
  const auto out = value_of(consumed);
  EXPECT_TRUE(out[0].failure().is<CancelledError>());
  EXPECT_EQ(out[1].value(), 5);
  EXPECT_THROW(value_of(propagated), CancelledError);
}

TEST_P(GatherTest, SameFutureTwice) {
  Future<int> f = txaio::create_future<int>();
  auto all = txaio::gather(std::vector<Future<int>>{f, f});
  txaio::resolve(f, 3);
  EXPECT_EQ(values(value_of(all)), (std::vector<int>{3, 3}));
}

TEST_P(GatherTest, CallbacksOnADroppedGatheredFutureStillRun) {
  std::vector<Future<int>> in = {txaio::create_future<int>(), txaio::create_future<int>()};
  std::vector<int> seen;
  txaio::add_callbacks(txaio::gather(in, txaio::propagate_errors), [&](const std::vector<int>& v) { seen = v; });
  txaio::resolve(in[0], 1);
  txaio::resolve(in[1], 2);
  run_ready();
  EXPECT_EQ(seen, (std::vector<int>{1, 2}));
}

TEST_P(GatherTest, EmptyHandleInputIsInvalidArgumentNamingItsIndex) {
  try {
    txaio::gather(std::vector<Future<int>>{txaio::create_future<int>(), Future<int>()});
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("input 1"));
  }
  EXPECT_THROW(txaio::gather(txaio::create_future<int>(), Future<void>()), std::invalid_argument);
}

TEST_P(GatherTest, GatherOfAbandonedInputsFreesEverything) {
  // Inputs nobody can settle any more, the gathered future and the gather's links to them
  // form no cycle: dropping every handle frees every state.
  auto token = std::make_shared<int>(0);
  {
    std::vector<Future<int>> in;
    for (int i = 0; i < 3; ++i) in.push_back(txaio::create_future<int>([token] {}));
    auto all = txaio::gather(in);
    auto fast = txaio::gather(in, txaio::propagate_errors);
    auto tuple = txaio::gather(in[0], in[1]);
    txaio::resolve(in[1], 1);
    run_ready();
    EXPECT_EQ(token.use_count(), 3);  // in[0] and in[2] are pending
  }
  EXPECT_EQ(token.use_count(), 1);
  EXPECT_EQ(loop_.unhandled_failures(), 0u);
}

TEST_P(GatherTest, CancellingAGatherWhoseInputsWereDroppedStillCancelsIt) {
  auto all = txaio::gather(std::vector<Future<int>>{txaio::create_future<int>()});
  // The only input went away with its temporary vector: nothing can complete it.
  EXPECT_TRUE(txaio::cancel(all));
  EXPECT_THAT(all, is_cancelled());
}

TEST_P(GatherTest, GatheredFutureDescribesItsInputs) {
  std::vector<Future<int>> in = {txaio::create_future<int>(), txaio::create_future<int>()};
  auto all = txaio::gather(in);
  txaio::resolve(in[0], 1);
  run_ready();
  try {
    loop_.run_until_complete(all);
    ADD_FAILURE() << "no deadlock";
  } catch (const txaio::sim::DeadlockError& e) {
    EXPECT_THAT(e.what(), HasSubstr("gather of 2 futures (1 pending)"));
  }
}

TEST_P(GatherTest, GatherOfSleeps) {
  auto all = txaio::gather(std::vector<Future<void>>{txaio::sleep(3s), txaio::sleep(1s), txaio::sleep(2s)});
  loop_.advance(2s);
  EXPECT_THAT(all, is_pending());
  loop_.advance(1s);
  EXPECT_THAT(all, is_resolved());
}

// Each level: a gather of the level below, and a future whose canceller cancels that gather.
// Cancelling the top cancels every level, down to the innermost future.
TEST_P(GatherTest, CancellingOneHundredThousandNestedGathersCompletes) {
  constexpr int depth = 100'000;
  int innermost_cancels = 0;
  std::vector<Future<void>> levels;  // a gather does not keep its inputs alive
  levels.reserve(depth + 1);
  levels.push_back(txaio::create_future<void>([&] { ++innermost_cancels; }));
  Future<std::vector<Outcome<void>>> top_gather;
  for (int i = 0; i < depth; ++i) {
    top_gather = txaio::gather(std::vector<Future<void>>{levels.back()});
    levels.push_back(txaio::create_future<void>([g = top_gather] { txaio::cancel(g, "all the way down"); }));
  }
  EXPECT_TRUE(txaio::cancel(levels.back(), "from the top"));
  EXPECT_EQ(innermost_cancels, 1);
  EXPECT_THAT(levels.front(), rejected_with<CancelledError>("all the way down"));
  EXPECT_THAT(top_gather, is_cancelled());
  EXPECT_THAT(levels.back(), rejected_with<CancelledError>("from the top"));
  run_ready();
}

TEST_P(GatherTest, CancelsRequestedByACancellerRunInOrderBeforeItsFutureSettles) {
  std::vector<std::string> order;
  auto record = [&](std::string name, const Future<int>& f) {
    txaio::add_callbacks(f, nullptr, [&order, name](const Failure&) { order.push_back(name); });
  };
  Future<int> a1 = txaio::create_future<int>([&] { order.push_back("cancel a1"); });
  Future<int> a = txaio::create_future<int>([&, a1] {
    order.push_back("cancel a");
    txaio::cancel(a1);
  });
  Future<int> b = txaio::create_future<int>([&] { order.push_back("cancel b"); });
  Future<int> outer = txaio::create_future<int>([&, a, b](Future<int>& self) {
    order.push_back("cancel outer");
    EXPECT_TRUE(txaio::cancel(a));
    EXPECT_FALSE(txaio::cancel(a)) << "already being cancelled";
    EXPECT_TRUE(txaio::cancel(b));
    txaio::resolve(b, 5);  // ignored: b's cancellation was asked for first
    EXPECT_THAT(self, is_pending());
  });
  record("a1", a1);
  record("a", a);
  record("b", b);
  record("outer", outer);
  EXPECT_TRUE(txaio::cancel(outer));
  run_ready();
  // Every cancellation completes (its errback runs inline when immediate, is queued when
  // scheduled) before the next one the canceller asked for begins.
  const std::vector<std::string> expected =
      immediate() ? std::vector<std::string>{"cancel outer", "cancel a", "cancel a1", "a1", "a", "cancel b", "b", "outer"}
                  : std::vector<std::string>{"cancel outer", "cancel a", "cancel a1", "cancel b", "a1", "a", "b", "outer"};
  EXPECT_EQ(order, expected);
  EXPECT_THAT(b, is_cancelled());
}

TEST_P(GatherTest, AGatherWhoseCancelIsQueuedIgnoresAnInputFailingMeanwhile) {
  std::vector<Future<int>> in = counted_inputs(2);
  auto all = txaio::gather(in, txaio::propagate_errors);
  Future<int> outer = txaio::create_future<int>([&] {
    EXPECT_TRUE(txaio::cancel(all));  // runs when this canceller returns
    txaio::reject(in[0], std::runtime_error("failed while the cancel waited"));
  });
  txaio::cancel(outer);
  run_ready();
  EXPECT_THAT(all, is_cancelled());
  EXPECT_EQ(cancels_, (std::vector<int>{0, 1}));
}

}  // namespace
