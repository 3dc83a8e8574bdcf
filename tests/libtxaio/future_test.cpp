#include "txaio/future.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "future_chain.hpp"
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
using txaio::InvalidStateError;
using txaio::UsageError;
using txaio::testutil::is_cancelled;
using txaio::testutil::is_pending;
using txaio::testutil::is_rejected;
using txaio::testutil::is_resolved;
using txaio::testutil::rejected_with;
using txaio::testutil::resolved_with;
using ::testing::HasSubstr;

// Every test runs under both dispatch policies, on a sim::Loop installed as the default.
class FutureTest : public txaio::testutil::DispatchSimTest {};

INSTANTIATE_TEST_SUITE_P(Dispatch, FutureTest, txaio::testutil::both_dispatch_policies(),
                         txaio::testutil::dispatch_name);

// ---- creation -----------------------------------------------------------------------------

TEST_P(FutureTest, CreateFutureIsPendingOnTheDefaultLoop) {
  Future<int> f = txaio::create_future<int>();
  EXPECT_TRUE(f.valid());
  EXPECT_FALSE(txaio::is_called(f));
  EXPECT_THAT(f, is_pending());
  EXPECT_EQ(&f.loop(), &loop_);
}

TEST_P(FutureTest, IsFutureRecognisesFuturesOnly) {
  static_assert(txaio::is_future_v<Future<int>>);
  static_assert(txaio::is_future_v<const Future<void>&>);
  static_assert(!txaio::is_future_v<int>);
  EXPECT_TRUE(txaio::is_future(txaio::create_future<std::string>()));
  EXPECT_FALSE(txaio::is_future(42));
}

TEST_P(FutureTest, CreateFutureSuccessIsResolved) {
  EXPECT_THAT(txaio::create_future_success(42), resolved_with(42));
  EXPECT_THAT(txaio::create_future_success(std::string("x")), resolved_with(std::string("x")));
  Future<void> v = txaio::create_future_success();
  EXPECT_THAT(v, is_resolved());
}

TEST_P(FutureTest, CreateFutureErrorAcceptsEveryErrorForm) {
  Future<int> a = txaio::create_future_error<int>(std::runtime_error("from object"));
  EXPECT_THAT(a, rejected_with<std::runtime_error>("from object"));
  Future<int> b = txaio::create_future_error<int>(std::make_exception_ptr(std::logic_error("from ptr")));
  EXPECT_THAT(b, rejected_with<std::logic_error>("from ptr"));
  const Failure failure = txaio::create_failure(std::out_of_range("from failure"));
  Future<void> c = txaio::create_future_error(failure);
  EXPECT_THAT(c, rejected_with<std::out_of_range>("from failure"));
  try {
    throw std::invalid_argument("current");
  } catch (...) {
    Future<double> d = txaio::create_future_error<double>();
    EXPECT_THAT(d, rejected_with<std::invalid_argument>("current"));
  }
}

TEST_P(FutureTest, CreateFutureErrorOutsideCatchIsUsageError) {
  EXPECT_THROW(txaio::create_future_error<int>(), UsageError);
}

TEST_P(FutureTest, FreeFunctionsNeedAChosenLoop) {
  txaio::Loop* previous = txaio::detail::exchange_default_loop(nullptr);
  try {
    txaio::create_future<int>();
    ADD_FAILURE() << "create_future without a loop did not throw";
  } catch (const UsageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("use_asio"));
    EXPECT_THAT(e.what(), HasSubstr("use_loop"));
  }
  EXPECT_THROW(txaio::create_future_success(1), UsageError);
  EXPECT_THROW(txaio::sleep(1s), UsageError);
  EXPECT_THROW(txaio::as_future([] { return 1; }), UsageError);
  txaio::detail::exchange_default_loop(previous);
}

TEST_P(FutureTest, FutureRemembersItsLoop) {
  txaio::sim::Loop other(txaio::sim::Options{.dispatch = Dispatch::scheduled});
  Future<int> f = txaio::with_config(other).create_future<int>();
  EXPECT_EQ(&f.loop(), &other);
  bool ran = false;
  txaio::add_callbacks(f, [&](int) { ran = true; });
  txaio::resolve(f, 1);  // resolved through the free function, dispatched on `other`
  run_ready();
  EXPECT_FALSE(ran);
  other.advance(0s);
  EXPECT_TRUE(ran);
}

TEST_P(FutureTest, EmptyHandleIsUsageErrorNamingTheOperation) {
  Future<int> empty;
  EXPECT_FALSE(empty.valid());
  EXPECT_THROW(txaio::is_called(empty), UsageError);
  EXPECT_THROW(txaio::cancel(empty), UsageError);
  EXPECT_THROW(txaio::add_callbacks(empty, [](int) {}), UsageError);
  try {
    txaio::resolve(empty, 1);
    ADD_FAILURE() << "resolve on an empty handle did not throw";
  } catch (const UsageError& e) {
    EXPECT_THAT(e.what(), HasSubstr("resolve"));
    EXPECT_THAT(e.what(), HasSubstr("empty"));
  }
}

TEST_P(FutureTest, HandlesShareOneState) {
  Future<int> a = txaio::create_future<int>();
  Future<int> b = a;
  EXPECT_EQ(a, b);
  EXPECT_NE(a, txaio::create_future<int>());
  txaio::resolve(b, 7);
  EXPECT_THAT(a, resolved_with(7));
}

// ---- resolve / reject ---------------------------------------------------------------------

TEST_P(FutureTest, ResolveTwiceIsInvalidState) {
  Future<int> f = txaio::create_future<int>();
  txaio::resolve(f, 1);
  try {
    txaio::resolve(f, 2);
    ADD_FAILURE() << "second resolve did not throw";
  } catch (const InvalidStateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("resolve"));
    EXPECT_THAT(e.what(), HasSubstr("already resolved"));
  }
  EXPECT_THAT(f, resolved_with(1));
}

TEST_P(FutureTest, RejectAfterResolveAndResolveAfterRejectAreInvalidState) {
  Future<int> a = txaio::create_future<int>();
  txaio::resolve(a, 1);
  EXPECT_THROW(txaio::reject(a, std::runtime_error("late")), InvalidStateError);
  EXPECT_THAT(a, resolved_with(1));

  Future<int> b = txaio::create_future<int>();
  txaio::reject(b, std::runtime_error("first"));
  EXPECT_THROW(txaio::resolve(b, 1), InvalidStateError);
  EXPECT_THROW(txaio::reject(b, std::runtime_error("second")), InvalidStateError);
  EXPECT_THAT(b, rejected_with<std::runtime_error>("first"));
}

TEST_P(FutureTest, ResolveAndRejectAfterCancelAreIgnored) {
  Future<int> f = txaio::create_future<int>();
  EXPECT_TRUE(txaio::cancel(f, "stop"));
  EXPECT_NO_THROW(txaio::resolve(f, 1));
  EXPECT_NO_THROW(txaio::reject(f, std::runtime_error("late")));
  EXPECT_NO_THROW(txaio::reject(f, std::make_exception_ptr(std::runtime_error("late"))));
  EXPECT_THAT(f, is_cancelled());
  EXPECT_THAT(f, rejected_with<CancelledError>("stop"));
}

TEST_P(FutureTest, LateCompletionAfterACancellerThatSettledIsIgnored) {
  Future<int> f = txaio::create_future<int>([](Future<int>& self) { txaio::resolve(self, -1); });
  txaio::cancel(f);
  EXPECT_NO_THROW(txaio::resolve(f, 5));
  EXPECT_THAT(f, resolved_with(-1));
}

TEST_P(FutureTest, RejectAcceptsEveryErrorForm) {
  Future<int> a = txaio::create_future<int>();
  txaio::reject(a, txaio::create_failure(std::runtime_error("failure")));
  EXPECT_THAT(a, rejected_with<std::runtime_error>("failure"));

  Future<int> b = txaio::create_future<int>();
  txaio::reject(b, std::make_exception_ptr(std::domain_error("ptr")));
  EXPECT_THAT(b, rejected_with<std::domain_error>("ptr"));

  Future<void> c = txaio::create_future();
  txaio::reject(c, std::length_error("object"));
  EXPECT_THAT(c, rejected_with<std::length_error>("object"));

  Future<int> d = txaio::create_future<int>();
  try {
    throw std::range_error("current");
  } catch (...) {
    txaio::reject(d);
  }
  EXPECT_THAT(d, rejected_with<std::range_error>("current"));
}

TEST_P(FutureTest, RejectWithoutErrorOutsideCatchIsUsageErrorAndLeavesThePending) {
  Future<int> f = txaio::create_future<int>();
  EXPECT_THROW(txaio::reject(f), UsageError);
  EXPECT_THAT(f, is_pending());
  EXPECT_THROW(txaio::reject(f, std::exception_ptr()), std::invalid_argument);
  EXPECT_THAT(f, is_pending());
}

TEST_P(FutureTest, ResolveVoidAndConvertibleValues) {
  Future<void> v = txaio::create_future();
  txaio::resolve(v);
  EXPECT_THAT(v, is_resolved());
  Future<long> l = txaio::create_future<long>();
  txaio::resolve(l, 3);  // int converts to long
  EXPECT_THAT(l, resolved_with(3L));
  Future<std::unique_ptr<int>> u = txaio::create_future<std::unique_ptr<int>>();
  txaio::resolve(u, std::make_unique<int>(9));  // move-only values
  int seen = 0;
  txaio::add_callbacks(u, [&](const std::unique_ptr<int>& p) { seen = *p; });
  run_ready();
  EXPECT_EQ(seen, 9);
}

// ---- cancel -------------------------------------------------------------------------------

TEST_P(FutureTest, CancellerRunsOnceSynchronouslyWithTheFuture) {
  int calls = 0;
  Future<int> seen;
  Future<int> f = txaio::create_future<int>([&](Future<int>& self) {
    ++calls;
    seen = self;
  });
  EXPECT_TRUE(txaio::cancel(f));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen, f);
  EXPECT_FALSE(txaio::cancel(f));
  EXPECT_FALSE(txaio::cancel(f, "again"));
  EXPECT_EQ(calls, 1);
}

TEST_P(FutureTest, CancellerThatDoesNotSettleLeavesCancelledError) {
  Future<int> f = txaio::create_future<int>([](Future<int>&) {});
  txaio::cancel(f, "user gave up");
  EXPECT_THAT(f, is_cancelled());
  EXPECT_THAT(f, rejected_with<CancelledError>("user gave up"));
}

TEST_P(FutureTest, CancelWithoutCancellerRejectsWithCancelledError) {
  Future<void> f = txaio::create_future();
  EXPECT_TRUE(txaio::cancel(f));
  EXPECT_THAT(f, rejected_with<CancelledError>(""));
}

TEST_P(FutureTest, CancellerMaySettleTheFuture) {
  Future<int> resolved = txaio::create_future<int>([](Future<int>& self) { txaio::resolve(self, 0); });
  EXPECT_TRUE(txaio::cancel(resolved));
  EXPECT_THAT(resolved, resolved_with(0));

  Future<int> rejected =
      txaio::create_future<int>([](Future<int>& self) { txaio::reject(self, std::runtime_error("aborted")); });
  EXPECT_TRUE(txaio::cancel(rejected));
  EXPECT_THAT(rejected, rejected_with<std::runtime_error>("aborted"));
  EXPECT_THAT(rejected, ::testing::Not(is_cancelled()));
}

TEST_P(FutureTest, CancelOnSettledFutureDoesNotRunTheCanceller) {
  int calls = 0;
  Future<int> f = txaio::create_future<int>([&] { ++calls; });
  txaio::resolve(f, 1);
  EXPECT_FALSE(txaio::cancel(f));
  EXPECT_EQ(calls, 0);
  EXPECT_THAT(f, resolved_with(1));
}

TEST_P(FutureTest, CancelFromInsideTheCancellerIsANoOp) {
  int calls = 0;
  Future<int> f = txaio::create_future<int>([&](Future<int>& self) {
    ++calls;
    EXPECT_FALSE(txaio::cancel(self));
  });
  EXPECT_TRUE(txaio::cancel(f));
  EXPECT_EQ(calls, 1);
  EXPECT_THAT(f, is_cancelled());
}

TEST_P(FutureTest, ThrowingCancellerIsReportedAndTheFutureStillCancelled) {
  Future<int> f = txaio::create_future<int>([](Future<int>&) { throw std::runtime_error("canceller broke"); });
  EXPECT_TRUE(txaio::cancel(f));
  EXPECT_THAT(f, is_cancelled());
  EXPECT_THROW(run_ready(), std::runtime_error);
}

TEST_P(FutureTest, CancellerIsReleasedOnceTheFutureSettles) {
  auto token = std::make_shared<int>(0);
  Future<int> f = txaio::create_future<int>([token](Future<int>&) {});
  EXPECT_EQ(token.use_count(), 2);
  txaio::resolve(f, 1);
  EXPECT_EQ(token.use_count(), 1);
}

TEST_P(FutureTest, ErrbacksSeeTheCancellation) {
  Future<int> f = txaio::create_future<int>();
  std::string message;
  txaio::add_callbacks(f, nullptr, [&](const Failure& e) { message = txaio::failure_message(e); });
  txaio::cancel(f, "bye");
  run_ready();
  EXPECT_EQ(message, "txaio::CancelledError: bye");
}

// ---- callbacks ----------------------------------------------------------------------------

TEST_P(FutureTest, CallbacksRunPerTheDispatchPolicy) {
  Future<int> f = txaio::create_future<int>();
  std::vector<std::string> log;
  txaio::add_callbacks(f, [&](int v) { log.push_back("cb " + std::to_string(v)); });
  txaio::resolve(f, 5);
  if (immediate()) {
    EXPECT_EQ(log, std::vector<std::string>{"cb 5"});  // Twisted: inline in resolve
  } else {
    EXPECT_TRUE(log.empty());  // asyncio: never inside resolve
  }
  txaio::add_callbacks(f, [&](int v) { log.push_back("late " + std::to_string(v)); });
  if (!immediate()) {
    EXPECT_TRUE(log.empty());  // never inside add_callbacks either
  }
  run_ready();
  EXPECT_EQ(log, (std::vector<std::string>{"cb 5", "late 5"}));
  run_ready();
  EXPECT_EQ(log.size(), 2u);  // exactly once
}

TEST(FutureDispatch, ScheduledCallbacksAreOneQueuedLoopCallPerSettle) {
  txaio::sim::Loop loop;  // scheduled by default
  Future<int> f = txaio::with_config(loop).create_future<int>();
  int runs = 0;
  txaio::add_callbacks(f, [&](int) { ++runs; });
  txaio::add_callbacks(f, [&](int) { ++runs; });
  EXPECT_EQ(loop.ready_count(), 0u);
  txaio::resolve(f, 1);
  EXPECT_EQ(loop.ready_count(), 1u);
  loop.advance(0s);
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(loop.ready_count(), 0u);
}

TEST(FutureDispatch, PolicyIsReadWhenCallbacksBecomeRunnable) {
  txaio::sim::Loop loop;
  Future<int> f = txaio::with_config(loop).create_future<int>();
  int runs = 0;
  txaio::add_callbacks(f, [&](int) { ++runs; });
  loop.set_dispatch(Dispatch::immediate);
  txaio::resolve(f, 1);
  EXPECT_EQ(runs, 1);
}

TEST_P(FutureTest, PairsRunInTheOrderAdded) {
  Future<int> f = txaio::create_future<int>();
  std::vector<int> order;
  for (int i = 0; i < 5; ++i) txaio::add_callbacks(f, [&order, i](int) { order.push_back(i); });
  txaio::resolve(f, 0);
  for (int i = 5; i < 8; ++i) txaio::add_callbacks(f, [&order, i](int) { order.push_back(i); });
  run_ready();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST_P(FutureTest, OnlyTheMatchingBranchRuns) {
  int callbacks = 0;
  int errbacks = 0;
  auto cb = [&](int) { ++callbacks; };
  auto eb = [&](const Failure&) { ++errbacks; };
  Future<int> ok = txaio::create_future<int>();
  Future<int> bad = txaio::create_future<int>();
  txaio::add_callbacks(ok, cb, eb);
  txaio::add_callbacks(bad, cb, eb);
  txaio::resolve(ok, 1);
  txaio::reject(bad, std::runtime_error("no"));
  run_ready();
  EXPECT_EQ(callbacks, 1);
  EXPECT_EQ(errbacks, 1);
}

TEST_P(FutureTest, ErrbackReceivesTheFailure) {
  Future<int> f = txaio::create_future<int>();
  std::string message;
  txaio::add_callbacks(f, nullptr, [&](const Failure& e) { message = txaio::failure_message(e); });
  txaio::reject(f, std::runtime_error("it failed"));
  run_ready();
  EXPECT_EQ(message, "std::runtime_error: it failed");
}

TEST_P(FutureTest, NullCallbacks) {
  Future<int> f = txaio::create_future<int>();
  EXPECT_THROW(txaio::add_callbacks(f, nullptr, nullptr), std::invalid_argument);
  EXPECT_THROW(txaio::add_callbacks(f, std::function<void(int)>(), std::function<void(const Failure&)>()),
               std::invalid_argument);
  void (*null_fn)(int) = nullptr;
  EXPECT_THROW(txaio::add_callbacks(f, null_fn), std::invalid_argument);
  int errbacks = 0;
  // An empty std::function is skipped, the other half of the pair still runs.
  txaio::add_callbacks(f, std::function<void(int)>(), [&](const Failure&) { ++errbacks; });
  txaio::add_callbacks(f, [](int) {}, std::function<void(const Failure&)>());
  txaio::reject(f, std::runtime_error("x"));
  run_ready();
  EXPECT_EQ(errbacks, 1);
}

TEST_P(FutureTest, VoidFutureCallbacksTakeNoArgument) {
  Future<void> f = txaio::create_future();
  int ran = 0;
  txaio::add_callbacks(f, [&] { ++ran; });
  txaio::resolve(f);
  run_ready();
  EXPECT_EQ(ran, 1);
}

TEST_P(FutureTest, CallbackReturnValuesAreIgnored) {
  Future<int> f = txaio::create_future<int>();
  std::vector<int> seen;
  txaio::add_callbacks(f, [&](int v) {
    seen.push_back(v);
    return v * 100;  // not chained: the next pair still sees the future's value
  });
  txaio::add_callbacks(f, [&](int v) { seen.push_back(v); });
  txaio::resolve(f, 2);
  run_ready();
  EXPECT_EQ(seen, (std::vector<int>{2, 2}));
}

TEST_P(FutureTest, ThrowingCallbackIsReportedAndTheOthersStillRun) {
  Future<int> f = txaio::create_future<int>();
  std::vector<int> ran;
  txaio::add_callbacks(f, [&](int) { ran.push_back(1); });
  txaio::add_callbacks(f, [&](int) -> void { throw std::runtime_error("callback broke"); });
  txaio::add_callbacks(f, [&](int) { ran.push_back(3); });
  EXPECT_NO_THROW(txaio::resolve(f, 1));  // never reaches resolve
  try {
    run_ready();  // sim::Loop rethrows what the loop reported
    ADD_FAILURE() << "the callback's exception was not reported";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "callback broke");
  }
  EXPECT_EQ(ran, (std::vector<int>{1, 3}));
  EXPECT_NO_THROW(run_ready());  // reported once
}

TEST_P(FutureTest, CallbackAddingACallbackToItsOwnFuture) {
  Future<int> f = txaio::create_future<int>();
  std::vector<std::string> log;
  txaio::add_callbacks(f, [&](int) {
    log.push_back("outer");
    txaio::add_callbacks(f, [&](int) { log.push_back("inner"); });
  });
  txaio::resolve(f, 1);
  run_ready();
  EXPECT_EQ(log, (std::vector<std::string>{"outer", "inner"}));
}

TEST_P(FutureTest, NestedResolvesRunAfterTheRunningCallback) {
  Future<int> a = txaio::create_future<int>();
  Future<int> b = txaio::create_future<int>();
  std::vector<std::string> log;
  txaio::add_callbacks(b, [&](int) { log.push_back("b"); });
  txaio::add_callbacks(a, [&](int) {
    log.push_back("a begins");
    txaio::resolve(b, 2);
    log.push_back("a ends");
  });
  txaio::resolve(a, 1);
  if (immediate()) {
    // The whole cascade ran before resolve(a) returned, one level deep.
    EXPECT_EQ(log, (std::vector<std::string>{"a begins", "a ends", "b"}));
  }
  run_ready();
  EXPECT_EQ(log, (std::vector<std::string>{"a begins", "a ends", "b"}));
}

// ---- unhandled failures -------------------------------------------------------------------

TEST_P(FutureTest, RejectedFutureWithoutErrbackIsReportedWhenItsLastHandleGoes) {
  allow_unhandled_failures();  // the report is what this test checks
  {
    Future<int> f = txaio::create_future<int>();
    Future<int> copy = f;
    txaio::reject(f, std::runtime_error("nobody listens"));
    f = Future<int>();
    EXPECT_EQ(loop_.unhandled_failures(), 0u);  // `copy` still holds it
  }
  EXPECT_EQ(loop_.unhandled_failures(), 1u);
}

TEST_P(FutureTest, CallbackWithoutErrbackDoesNotHandleTheFailure) {
  allow_unhandled_failures();  // the report is what this test checks
  {
    Future<int> f = txaio::create_future<int>();
    txaio::add_callbacks(f, [](int) {});
    txaio::reject(f, std::runtime_error("x"));
  }
  run_ready();
  EXPECT_EQ(loop_.unhandled_failures(), 1u);
}

TEST_P(FutureTest, HandledCancelledAndPendingFuturesAreNotReported) {
  {
    Future<int> handled = txaio::create_future<int>();
    txaio::add_callbacks(handled, nullptr, [](const Failure&) {});
    txaio::reject(handled, std::runtime_error("x"));
    Future<int> handled_later = txaio::create_future_error<int>(std::runtime_error("y"));
    txaio::add_callbacks(handled_later, nullptr, [](const Failure&) {});
    Future<int> cancelled = txaio::create_future<int>();
    txaio::cancel(cancelled);
    Future<int> pending = txaio::create_future<int>();
    Future<int> resolved = txaio::create_future_success(1);
  }
  run_ready();
  EXPECT_EQ(loop_.unhandled_failures(), 0u);
}

TEST_P(FutureTest, DroppingALoopWithQueuedCallbacksIsSafe) {
  auto other = std::make_unique<txaio::sim::Loop>(txaio::sim::Options{.dispatch = Dispatch::scheduled});
  {
    Future<int> f = txaio::with_config(*other).create_future<int>();
    txaio::add_callbacks(f, [](int) {});
    txaio::reject(f, std::runtime_error("never dispatched"));
  }
  EXPECT_EQ(other->ready_count(), 1u);
  other.reset();  // the queued dispatch is discarded without touching the dying loop
  SUCCEED();
}

// ---- as_future ----------------------------------------------------------------------------

int add(int a, int b) { return a + b; }

TEST_P(FutureTest, AsFutureWrapsValuesVoidAndExceptions) {
  EXPECT_THAT(txaio::as_future(add, 2, 3), resolved_with(5));
  int calls = 0;
  Future<void> v = txaio::as_future([&] { ++calls; });
  EXPECT_EQ(calls, 1);  // called now
  EXPECT_THAT(v, is_resolved());
  Future<int> e;
  EXPECT_NO_THROW(e = txaio::as_future([]() -> int { throw std::runtime_error("inside"); }));
  EXPECT_THAT(e, rejected_with<std::runtime_error>("inside"));
  Future<void> ev = txaio::as_future([] { throw 42; });
  EXPECT_THAT(ev, is_rejected());
}

TEST_P(FutureTest, AsFuturePassesAFutureThrough) {
  Future<int> inner = txaio::create_future<int>();
  Future<int> out = txaio::as_future([&] { return inner; });
  static_assert(std::is_same_v<decltype(out), Future<int>>);  // not Future<Future<int>>
  EXPECT_EQ(out, inner);
  Future<int> failed = txaio::as_future([]() -> Future<int> { throw std::logic_error("before"); });
  EXPECT_THAT(failed, rejected_with<std::logic_error>("before"));
}

TEST_P(FutureTest, AsFutureForwardsArguments) {
  auto p = std::make_unique<int>(4);
  Future<int> f = txaio::as_future([](std::unique_ptr<int> q, int k) { return *q * k; }, std::move(p), 3);
  EXPECT_THAT(f, resolved_with(12));
}

// ---- sleep --------------------------------------------------------------------------------

TEST_P(FutureTest, SleepResolvesAfterTheDelay) {
  Future<void> d = txaio::sleep(1.5);
  Future<void> c = txaio::sleep(250ms);
  Future<void> n = txaio::sleep(-3s);  // negative: 0
  loop_.advance(0s);
  EXPECT_THAT(n, is_resolved());
  loop_.advance(249ms);
  EXPECT_THAT(c, is_pending());
  loop_.advance(1ms);
  EXPECT_THAT(c, is_resolved());
  loop_.advance(1249ms);
  EXPECT_THAT(d, is_pending());
  loop_.advance(1ms);
  EXPECT_THAT(d, is_resolved());
}

TEST_P(FutureTest, CancellingASleepCancelsItsTimer) {
  Future<void> d = txaio::sleep(10s);
  EXPECT_EQ(loop_.pending_timers(), 1u);
  EXPECT_TRUE(txaio::cancel(d, "woken"));
  EXPECT_EQ(loop_.pending_timers(), 0u);
  EXPECT_THAT(d, rejected_with<CancelledError>("woken"));
  loop_.advance(20s);
  EXPECT_THAT(d, is_cancelled());
}

TEST_P(FutureTest, DroppedSleepStillFires) {
  bool ran = false;
  txaio::add_callbacks(txaio::sleep(1s), [&] { ran = true; });
  loop_.advance(1s);
  EXPECT_TRUE(ran);
}

// ---- long chains --------------------------------------------------------------------------

constexpr int chain_length = 100'000;

TEST_P(FutureTest, ChainOfAHundredThousandFuturesDoesNotOverflowTheStack) {
  std::vector<Future<int>> chain;
  chain.reserve(chain_length + 1);
  for (int i = 0; i <= chain_length; ++i) chain.push_back(txaio::create_future<int>());
  for (int i = 0; i < chain_length; ++i) {
    txaio::add_callbacks(chain[i], [next = chain[i + 1]](int v) { txaio::resolve(next, v + 1); });
  }
  txaio::resolve(chain[0], 0);
  if (immediate()) {
    EXPECT_THAT(chain.back(), resolved_with(chain_length));  // all inside resolve
  }
  loop_.run_until_idle();
  EXPECT_THAT(chain.back(), resolved_with(chain_length));
}

TEST_P(FutureTest, ChainBuiltFromCallbacksDoesNotOverflowTheStack) {
  // Each callback creates the next future, attaches the next link and resolves it.
  const auto last = txaio::test::start_future_chain(chain_length);
  loop_.run_until_idle();
  EXPECT_EQ(*last, chain_length);
}

TEST_P(FutureTest, DroppingAnUnresolvedChainDoesNotOverflowTheStack) {
  auto token = std::make_shared<int>(0);
  {
    Future<int> head = txaio::create_future<int>([token] {});
    Future<int> tail = head;
    for (int i = 0; i < chain_length; ++i) {
      Future<int> next = txaio::create_future<int>();
      // Each future's pair owns the next future: releasing the head releases them all.
      txaio::add_callbacks(next, [prev = tail](int) { (void)prev; });
      tail = next;
    }
  }
  EXPECT_EQ(token.use_count(), 1);  // every state was destroyed
}

// ---- Api ----------------------------------------------------------------------------------

TEST_P(FutureTest, ApiMembersUseTheirLoopNotTheDefault) {
  txaio::sim::Loop other(txaio::sim::Options{.dispatch = GetParam()});
  txaio::Api api = txaio::with_config(other);
  Future<int> f = api.create_future<int>();
  EXPECT_EQ(&f.loop(), &other);
  EXPECT_EQ(&api.create_future_success(1).loop(), &other);
  EXPECT_EQ(&api.create_future_success().loop(), &other);
  EXPECT_EQ(&api.create_future_error<int>(std::runtime_error("x")).loop(), &other);
  EXPECT_EQ(&api.as_future([] { return 1; }).loop(), &other);
  EXPECT_EQ(&api.gather(std::vector<Future<int>>{}).loop(), &other);
  EXPECT_EQ(&api.gather(std::vector<Future<int>>{}, txaio::propagate_errors).loop(), &other);
  EXPECT_EQ(&api.gather(f).loop(), &other);
  Future<void> s = api.sleep(1s);
  EXPECT_EQ(&s.loop(), &other);
  EXPECT_EQ(other.pending_timers(), 1u);
  EXPECT_EQ(loop_.pending_timers(), 0u);

  int value = 0;
  api.add_callbacks(f, [&](int v) { value = v; }, [](const Failure&) {});
  api.resolve(f, 3);
  EXPECT_TRUE(api.is_called(f));
  other.advance(0s);
  EXPECT_EQ(value, 3);
  Future<int> g = api.create_future<int>();
  api.reject(g, std::runtime_error("api"));
  EXPECT_THAT(g, rejected_with<std::runtime_error>("api"));
  Future<int> h = api.create_future<int>();
  EXPECT_TRUE(api.cancel(h, "api cancel"));
  EXPECT_THAT(h, rejected_with<CancelledError>("api cancel"));
  const Failure failure = api.create_failure(std::runtime_error("it failed"));
  EXPECT_EQ(api.failure_message(failure), "std::runtime_error: it failed");
  EXPECT_FALSE(api.failure_traceback(failure).empty());
  EXPECT_THAT(api.failure_format_traceback(failure), HasSubstr("it failed"));
  other.run_until_idle();
}

}  // namespace
