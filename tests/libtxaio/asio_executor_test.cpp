#include "txaio/asio.hpp"

#include <gtest/gtest.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/defer.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>

#include <string>
#include <vector>

#include "txaio/sim.hpp"
#include "txaio/testutil.hpp"

namespace {

namespace asio = boost::asio;
namespace execution = boost::asio::execution;
using namespace std::chrono_literals;

static_assert(execution::is_executor_v<txaio::loop_executor>);
static_assert(std::is_constructible_v<asio::any_io_executor, txaio::loop_executor>);

// ---- executor properties ------------------------------------------------------------------

TEST(LoopExecutor, PropertiesFollowTheStandardExecutorModel) {
  txaio::sim::Loop loop;
  const txaio::loop_executor ex = txaio::asio_executor(loop);
  EXPECT_EQ(&ex.loop(), &loop);
  EXPECT_EQ(asio::query(ex, execution::blocking), execution::blocking.possibly);
  EXPECT_EQ(asio::query(asio::require(ex, execution::blocking.never), execution::blocking), execution::blocking.never);
  EXPECT_EQ(asio::query(ex, execution::outstanding_work), execution::outstanding_work.untracked);
  EXPECT_EQ(asio::query(asio::require(ex, execution::outstanding_work.tracked), execution::outstanding_work),
            execution::outstanding_work.tracked);
  EXPECT_EQ(asio::query(ex, execution::relationship), execution::relationship.fork);
  EXPECT_EQ(asio::query(asio::require(ex, execution::relationship.continuation), execution::relationship),
            execution::relationship.continuation);
  // One execution context per loop, owned by the loop.
  EXPECT_EQ(&asio::query(ex, execution::context), &asio::query(txaio::asio_executor(loop), execution::context));
  txaio::sim::Loop other;
  EXPECT_NE(&asio::query(ex, execution::context), &asio::query(txaio::asio_executor(other), execution::context));
  EXPECT_EQ(ex, txaio::asio_executor(loop));
  EXPECT_FALSE(ex == txaio::asio_executor(other));
  EXPECT_FALSE(ex == asio::require(ex, execution::blocking.never));
}

TEST(LoopExecutor, OnAsioLoopTheContextIsTheIoContextAndTrackedWorkKeepsRunGoing) {
  asio::io_context io;
  txaio::AsioLoop loop(io);
  const txaio::loop_executor ex = txaio::asio_executor(loop);
  EXPECT_EQ(&asio::query(ex, execution::context), static_cast<asio::execution_context*>(&io));
  EXPECT_EQ(&txaio::asio_executor(io).loop(), &txaio::detail::context_loop(io));
  {
    auto work = asio::require(ex, execution::outstanding_work.tracked);
    EXPECT_EQ(asio::query(work, execution::outstanding_work), execution::outstanding_work.tracked);
    auto copy = work;
    EXPECT_EQ(io.poll(), 0u);
    EXPECT_FALSE(io.stopped()) << "tracked work must keep the io_context from stopping";
  }
  EXPECT_EQ(io.poll(), 0u);
  EXPECT_TRUE(io.stopped());
}

TEST(LoopExecutor, ExecutorLoopFindsTheLoopBehindAnyIoExecutor) {
  txaio::sim::Loop loop;
  asio::io_context io;
  EXPECT_EQ(txaio::executor_loop(txaio::asio_executor(loop)), &loop);
  EXPECT_EQ(txaio::executor_loop(asio::any_io_executor(txaio::asio_executor(loop))), &loop);
  EXPECT_EQ(txaio::executor_loop(io.get_executor()), &txaio::detail::context_loop(io));
  EXPECT_EQ(txaio::executor_loop(asio::any_io_executor(io.get_executor())), &txaio::detail::context_loop(io));
  EXPECT_EQ(txaio::executor_loop(asio::make_strand(io)), nullptr);
}

// ---- post, dispatch, defer, bind_executor on sim::Loop ------------------------------------

TEST(LoopExecutor, PostDispatchDeferRunInOrderOnTheLoopNeverInline) {
  txaio::sim::Loop loop;
  auto ex = txaio::asio_executor(loop);
  std::vector<std::string> order;
  loop.call_soon([&] {
    asio::post(ex, [&] { order.push_back("post"); });
    asio::defer(ex, [&] { order.push_back("defer"); });
    asio::dispatch(ex, [&] { order.push_back("dispatch (inline: on the loop)"); });
    order.push_back("after");
  });
  EXPECT_EQ(loop.ready_count(), 1u);
  loop.run_until_idle();
  EXPECT_EQ(order, (std::vector<std::string>{"dispatch (inline: on the loop)", "after", "post", "defer"}));
}

TEST(LoopExecutor, DispatchOutsideTheLoopQueues) {
  txaio::sim::Loop loop;
  bool ran = false;
  asio::dispatch(txaio::asio_executor(loop), [&] { ran = true; });
  EXPECT_FALSE(ran);
  EXPECT_EQ(loop.run_until_idle(), 1u);
  EXPECT_TRUE(ran);
}

TEST(LoopExecutor, BindExecutorRunsTheCompletionOnTheBoundLoop) {
  txaio::sim::Loop a;
  txaio::sim::Loop b;
  txaio::Loop* ran_on = nullptr;
  asio::post(txaio::asio_executor(a),
             asio::bind_executor(txaio::asio_executor(b), [&] { ran_on = txaio::detail::current_loop(); }));
  a.run_until_idle();
  EXPECT_EQ(ran_on, nullptr) << "the bound handler ran on the initiating loop";
  b.run_until_idle();
  EXPECT_EQ(ran_on, &b);
}

TEST(LoopExecutor, PostedWorkCountsForRunUntilIdleAndDeadlockDetection) {
  txaio::sim::Loop loop;
  auto ex = txaio::asio_executor(loop);
  int runs = 0;
  for (int i = 0; i < 3; ++i) asio::post(ex, [&] { ++runs; });
  EXPECT_FALSE(loop.idle());
  EXPECT_EQ(loop.run_until_idle(), 3u);
  EXPECT_EQ(runs, 3);

  // A future settled only by Asio work queued on the loop completes...
  txaio::Api api = txaio::with_config(loop);
  auto f = api.create_future<int>();
  asio::post(ex, [&] { txaio::resolve(f, 7); });
  EXPECT_EQ(loop.run_until_complete(f), 7);
  // ... and one nothing will settle is a deadlock, not a hang.
  auto never = api.create_future<int>();
  asio::post(ex, [] {});
  EXPECT_THROW(loop.run_until_complete(never), txaio::sim::DeadlockError);
  txaio::cancel(never);
}

TEST(LoopExecutor, ExceptionsEscapingPostedWorkPropagateFromTheSimLoop) {
  txaio::sim::Loop loop;
  asio::post(txaio::asio_executor(loop), [] { throw std::runtime_error("boom"); });
  EXPECT_THROW(loop.run_until_idle(), std::runtime_error);
}

// ---- co_spawn and awaitable ---------------------------------------------------------------

asio::awaitable<int> add_later(int a, int b, txaio::nanoseconds delay = 1500ms) {
  txaio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(delay);
  co_await timer.async_wait(asio::use_awaitable);
  co_return a + b;
}

TEST(LoopExecutor, CoSpawnRunsAwaitablesInVirtualTime) {
  txaio::sim::Loop loop;
  std::vector<std::pair<txaio::nanoseconds, int>> results;
  for (int i = 0; i < 3; ++i) {
    asio::co_spawn(txaio::asio_executor(loop), add_later(i, 10), [&](std::exception_ptr e, int v) {
      ASSERT_FALSE(e);
      results.emplace_back(loop.now(), v);
    });
  }
  loop.run_until_idle();
  EXPECT_EQ(results, (std::vector<std::pair<txaio::nanoseconds, int>>{{1500ms, 10}, {1500ms, 11}, {1500ms, 12}}));
  EXPECT_EQ(loop.now(), 1500ms);
}

TEST(LoopExecutor, CoSpawnOnAnAsioLoopRunsOnTheIoContext) {
  asio::io_context io;
  int result = 0;
  asio::co_spawn(txaio::asio_executor(io), add_later(2, 3, 1ms), [&](std::exception_ptr e, int v) {
    EXPECT_FALSE(e);
    result = v;
  });
  io.run();
  EXPECT_EQ(result, 5);
}

TEST(LoopExecutor, PostOnAnIoContextLoopRunsInOrder) {
  asio::io_context io;
  auto ex = txaio::asio_executor(io);
  std::vector<int> order;
  for (int i = 0; i < 5; ++i) asio::post(ex, [&order, i] { order.push_back(i); });
  asio::post(ex, [&] { asio::dispatch(ex, [&] { order.push_back(99); }); order.push_back(100); });
  io.run();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 99, 100}));
}

// ---- txaio::use_future --------------------------------------------------------------------

TEST(UseFuture, CoSpawnOfAnAwaitableGivesAFutureOnTheExecutorsLoop) {
  txaio::sim::Loop loop;
  txaio::Future<int> f = asio::co_spawn(txaio::asio_executor(loop), add_later(20, 22), txaio::use_future);
  EXPECT_EQ(&f.loop(), &loop);
  EXPECT_FALSE(txaio::is_called(f));
  EXPECT_EQ(loop.run_until_complete(f), 42);
  EXPECT_EQ(loop.now(), 1500ms);
}

asio::awaitable<void> fail_later() {
  txaio::steady_timer timer(co_await asio::this_coro::executor, 2s);
  co_await timer.async_wait(asio::use_awaitable);
  throw std::runtime_error("late failure");
}

TEST(UseFuture, AnExceptionRejectsTheFuture) {
  txaio::sim::Loop loop;
  auto f = asio::co_spawn(txaio::asio_executor(loop), fail_later(), txaio::use_future);
  EXPECT_THROW(loop.run_until_complete(f), std::runtime_error);
  EXPECT_EQ(loop.now(), 2s);
}

TEST(UseFuture, AnErrorCodeRejectsWithSystemError) {
  txaio::sim::Loop loop;
  txaio::steady_timer timer(txaio::asio_executor(loop), 5s);
  txaio::Future<void> f = timer.async_wait(txaio::use_future);
  loop.call_later(1s, [&] { EXPECT_EQ(timer.cancel(), 1u); });
  try {
    loop.run_until_complete(f);
    FAIL() << "expected operation_aborted";
  } catch (const boost::system::system_error& e) {
    EXPECT_EQ(e.code(), asio::error::operation_aborted);
  }
  EXPECT_EQ(loop.now(), 1s);
}

TEST(UseFuture, CancellingTheFutureCancelsTheOperation) {
  txaio::sim::Loop loop;
  txaio::steady_timer timer(txaio::asio_executor(loop), 5s);
  auto f = timer.async_wait(txaio::use_future);
  bool later_ran = false;
  timer.async_wait([&](boost::system::error_code ec) { later_ran = !ec; });
  loop.call_later(1s, [&] { EXPECT_TRUE(txaio::cancel(f)); });
  loop.run_until_idle();
  EXPECT_THAT(f, txaio::testutil::is_cancelled());
  EXPECT_TRUE(later_ran) << "a terminal cancellation must cancel that wait alone";
  EXPECT_EQ(loop.now(), 5s);
  EXPECT_EQ(loop.pending_timers(), 0u);
}

TEST(UseFuture, CancellingACoSpawnedFutureCancelsTheCoroutinesWait) {
  txaio::sim::Loop loop;
  auto f = asio::co_spawn(txaio::asio_executor(loop), add_later(1, 1), txaio::use_future);
  loop.advance(1s);
  txaio::cancel(f);
  loop.run_until_idle();
  EXPECT_EQ(loop.now(), 1s) << "the coroutine's timer must have been cancelled, not waited for";
  EXPECT_THAT(f, txaio::testutil::is_cancelled());
}

TEST(UseFuture, SeveralValuesGiveATuple) {
  txaio::sim::Loop loop;
  auto replaced = txaio::testutil::replace_loop(loop);  // the initiation has no executor
  auto ex = txaio::asio_executor(loop);
  auto op = [ex](auto token) {
    return asio::async_initiate<decltype(token), void(boost::system::error_code, int, std::string)>(
        [ex](auto handler) { asio::post(ex, [h = std::move(handler)]() mutable { std::move(h)({}, 3, "x"); }); },
        token);
  };
  txaio::Future<std::tuple<int, std::string>> f = op(txaio::use_future);
  EXPECT_EQ(loop.run_until_complete(f), std::make_tuple(3, std::string("x")));
}

TEST(UseFuture, WithoutATxaioExecutorTheFutureIsOnTheDefaultLoop) {
  txaio::sim::Loop loop;
  auto replaced = txaio::testutil::replace_loop(loop);
  auto op = [&](auto token) {
    return asio::async_initiate<decltype(token), void()>(
        [&](auto handler) { loop.call_soon([h = std::move(handler)]() mutable { std::move(h)(); }); }, token);
  };
  txaio::Future<void> f = op(txaio::use_future);
  EXPECT_EQ(&f.loop(), &loop);
  loop.run_until_complete(f);
}

// ---- txaio::async_wait(future, token) -----------------------------------------------------

asio::awaitable<int> await_future(txaio::Future<int> f) {
  auto [error, value] = co_await txaio::async_wait(f, asio::as_tuple(asio::use_awaitable));
  if (error) std::rethrow_exception(error);
  co_return value * 2;
}

TEST(AsyncWaitFuture, AwaitableCodeAwaitsATxaioFutureInVirtualTime) {
  txaio::sim::Loop loop;
  txaio::Api api = txaio::with_config(loop);
  auto f = api.create_future<int>();
  loop.call_later(3s, [&] { txaio::resolve(f, 21); });
  auto doubled = asio::co_spawn(txaio::asio_executor(loop), await_future(f), txaio::use_future);
  EXPECT_EQ(loop.run_until_complete(doubled), 42);
  EXPECT_EQ(loop.now(), 3s);
}

TEST(AsyncWaitFuture, ASettledFutureCompletesNeverInline) {
  for (auto dispatch : {txaio::Dispatch::scheduled, txaio::Dispatch::immediate}) {
    txaio::sim::Loop loop(txaio::sim::Options{.dispatch = dispatch});
    txaio::Api api = txaio::with_config(loop);
    auto f = api.create_future_success(5);
    int got = 0;
    txaio::async_wait(f, [&](std::exception_ptr e, int v) { got = e ? -1 : v; });
    EXPECT_EQ(got, 0) << "completed inline";
    loop.run_until_idle();
    EXPECT_EQ(got, 5);
  }
}

TEST(AsyncWaitFuture, AFailureCompletesWithItsException) {
  txaio::sim::Loop loop;
  txaio::Api api = txaio::with_config(loop);
  auto f = api.create_future<void>();
  std::exception_ptr got;
  txaio::async_wait(f, [&](std::exception_ptr e) { got = e; });
  txaio::reject(f, std::logic_error("nope"));
  loop.run_until_idle();
  ASSERT_TRUE(got);
  EXPECT_THROW(std::rethrow_exception(got), std::logic_error);
}

TEST(AsyncWaitFuture, TerminalCancellationCancelsTheFuture) {
  for (auto dispatch : {txaio::Dispatch::scheduled, txaio::Dispatch::immediate}) {
    txaio::sim::Loop loop(txaio::sim::Options{.dispatch = dispatch});
    txaio::Api api = txaio::with_config(loop);
    auto f = api.create_future<int>();
    asio::cancellation_signal signal;
    std::exception_ptr got;
    txaio::async_wait(f, asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e, int) { got = e; }));
    loop.call_later(2s, [&] { signal.emit(asio::cancellation_type::partial); });
    loop.call_later(3s, [&] { signal.emit(asio::cancellation_type::terminal); });
    loop.run_until_idle();
    EXPECT_THAT(f, txaio::testutil::is_cancelled());
    ASSERT_TRUE(got);
    EXPECT_THROW(std::rethrow_exception(got), txaio::CancelledError);
    EXPECT_EQ(loop.now(), 3s);
    signal.emit(asio::cancellation_type::terminal);  // after completion: nothing happens
  }
}

}  // namespace
