#include "txaio/asio.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "txaio/sim.hpp"
#include "txaio/testutil.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using boost::system::error_code;
using txaio::nanoseconds;

// A wait's completion: when (loop time) and how.
struct Done {
  nanoseconds when;
  error_code ec;
  friend bool operator==(const Done&, const Done&) = default;
};
std::ostream& operator<<(std::ostream& os, const Done& d) {
  return os << "{" << d.when.count() << "ns " << d.ec.message() << "}";
}

const error_code aborted = asio::error::operation_aborted;

// ---- the timer's own interface on sim::Loop -----------------------------------------------

TEST(SteadyTimer, WaitsCompleteAtTheirExpiryInVirtualTime) {
  txaio::sim::Loop loop;
  txaio::steady_timer a(txaio::asio_executor(loop), 2500ms);
  txaio::steady_timer b(txaio::asio_executor(loop));
  EXPECT_EQ(b.expiry().time_since_epoch(), 0ns);
  EXPECT_EQ(b.expires_at(txaio::steady_timer::time_point(700ms)), 0u);
  EXPECT_EQ(a.expiry().time_since_epoch(), 2500ms);
  std::vector<std::pair<char, Done>> done;
  a.async_wait([&](error_code ec) { done.push_back({'a', {loop.now(), ec}}); });
  b.async_wait([&](error_code ec) { done.push_back({'b', {loop.now(), ec}}); });
  EXPECT_TRUE(done.empty()) << "completed inline";
  EXPECT_EQ(loop.pending_timers(), 2u) << "one loop timer per wait";
  loop.run_until_idle();
  EXPECT_EQ(done, (std::vector<std::pair<char, Done>>{{'b', {700ms, {}}}, {'a', {2500ms, {}}}}));
}

TEST(SteadyTimer, AnExpiredTimerCompletesOnTheNextLoopTurnNotInline) {
  txaio::sim::Loop loop;
  loop.advance(10s);
  txaio::steady_timer t(txaio::asio_executor(loop), txaio::steady_timer::time_point(3s));
  std::vector<Done> done;
  t.async_wait([&](error_code ec) { done.push_back({loop.now(), ec}); });
  EXPECT_TRUE(done.empty());
  loop.run_until_idle();
  EXPECT_EQ(done, (std::vector<Done>{{10s, {}}}));
}

TEST(SteadyTimer, CancelReturnsTheCountAndAbortsEachWaitNeverInline) {
  txaio::sim::Loop loop;
  txaio::steady_timer t(txaio::asio_executor(loop), 5s);
  std::vector<std::pair<int, Done>> done;
  for (int i = 0; i < 3; ++i) t.async_wait([&, i](error_code ec) { done.push_back({i, {loop.now(), ec}}); });
  loop.advance(1s);
  EXPECT_EQ(t.cancel(), 3u);
  EXPECT_TRUE(done.empty()) << "cancel completed a wait inline";
  EXPECT_EQ(t.cancel(), 0u);
  EXPECT_EQ(loop.pending_timers(), 0u);
  loop.run_until_idle();
  EXPECT_EQ(done, (std::vector<std::pair<int, Done>>{{0, {1s, aborted}}, {1, {1s, aborted}}, {2, {1s, aborted}}}));
}

TEST(SteadyTimer, CancelOneAbortsTheOldestWait) {
  txaio::sim::Loop loop;
  txaio::steady_timer t(txaio::asio_executor(loop), 5s);
  std::vector<std::pair<int, Done>> done;
  for (int i = 0; i < 2; ++i) t.async_wait([&, i](error_code ec) { done.push_back({i, {loop.now(), ec}}); });
  EXPECT_EQ(t.cancel_one(), 1u);
  loop.run_until_idle();
  EXPECT_EQ(done, (std::vector<std::pair<int, Done>>{{0, {0s, aborted}}, {1, {5s, {}}}}));
}

TEST(SteadyTimer, NewExpiryCancelsPendingWaits) {
  txaio::sim::Loop loop;
  txaio::steady_timer t(txaio::asio_executor(loop));
  std::vector<Done> done;
  EXPECT_EQ(t.expires_after(4s), 0u);
  t.async_wait([&](error_code ec) { done.push_back({loop.now(), ec}); });
  loop.advance(1s);
  EXPECT_EQ(t.expires_after(4s), 1u);
  EXPECT_EQ(t.expiry().time_since_epoch(), 5s);
  t.async_wait([&](error_code ec) { done.push_back({loop.now(), ec}); });
  loop.run_until_idle();
  EXPECT_EQ(done, (std::vector<Done>{{1s, aborted}, {5s, {}}}));
}

TEST(SteadyTimer, ExpiryArithmeticSaturates) {
  txaio::sim::Loop loop;
  loop.advance(1s);
  txaio::steady_timer t(txaio::asio_executor(loop));
  t.expires_after(nanoseconds::max());
  EXPECT_EQ(t.expiry().time_since_epoch(), nanoseconds::max());
}

TEST(SteadyTimer, DestructionCancelsItsWaits) {
  txaio::sim::Loop loop;
  std::vector<Done> done;
  {
    txaio::steady_timer t(txaio::asio_executor(loop), 5s);
    t.async_wait([&](error_code ec) { done.push_back({loop.now(), ec}); });
  }
  EXPECT_TRUE(done.empty());
  loop.run_until_idle();
  EXPECT_EQ(done, (std::vector<Done>{{0s, aborted}}));
  EXPECT_EQ(loop.now(), 0s);
}

TEST(SteadyTimer, WaitsFollowAMovedTimer) {
  txaio::sim::Loop loop;
  std::vector<Done> done;
  txaio::steady_timer a(txaio::asio_executor(loop), 2s);
  a.async_wait([&](error_code ec) { done.push_back({loop.now(), ec}); });
  txaio::steady_timer b(std::move(a));
  std::vector<txaio::steady_timer> timers;
  timers.push_back(std::move(b));
  EXPECT_EQ(timers[0].cancel(), 1u);
  loop.run_until_idle();
  EXPECT_EQ(done, (std::vector<Done>{{0s, aborted}}));
}

TEST(SteadyTimer, AnExecutorOfAnotherKindIsRejected) {
  asio::io_context io;
  EXPECT_THROW(txaio::steady_timer(asio::any_io_executor(asio::make_strand(io))), std::invalid_argument);
}

TEST(SteadyTimer, PendingWaitsCountForRunUntilCompleteAndIdle) {
  txaio::sim::Loop loop;
  txaio::steady_timer t(txaio::asio_executor(loop), 90s);
  auto f = t.async_wait(txaio::use_future);
  EXPECT_FALSE(loop.idle());
  loop.run_until_complete(f);
  EXPECT_EQ(loop.now(), 90s);
  EXPECT_TRUE(loop.idle());
}

// ---- completion tokens, each cancelled through bind_cancellation_slot ---------------------

// Starts a 10 s wait on `t` with one token kind bound to `slot`; `record` gets its result.
using Starter = std::function<void(txaio::sim::Loop&, txaio::steady_timer&, asio::cancellation_slot,
                                   std::function<void(error_code)>)>;

asio::awaitable<void> await_with(txaio::steady_timer& t, asio::cancellation_slot slot,
                                 std::function<void(error_code)> record, bool as_tuple) {
  if (as_tuple) {
    auto [ec] = co_await t.async_wait(asio::bind_cancellation_slot(slot, asio::as_tuple(asio::use_awaitable)));
    record(ec);
  } else {
    try {
      co_await t.async_wait(asio::bind_cancellation_slot(slot, asio::use_awaitable));
      record({});
    } catch (const boost::system::system_error& e) {
      record(e.code());
    }
  }
}

const std::vector<std::pair<std::string, Starter>>& token_kinds() {
  static const std::vector<std::pair<std::string, Starter>> kinds = {
      {"callback", [](auto&, auto& t, auto slot, auto record) { t.async_wait(asio::bind_cancellation_slot(slot, record)); }},
      {"use_awaitable",
       [](auto& loop, auto& t, auto slot, auto record) {
         asio::co_spawn(txaio::asio_executor(loop), await_with(t, slot, record, false), asio::detached);
       }},
      {"as_tuple(use_awaitable)",
       [](auto& loop, auto& t, auto slot, auto record) {
         asio::co_spawn(txaio::asio_executor(loop), await_with(t, slot, record, true), asio::detached);
       }},
      {"deferred",
       [](auto&, auto& t, auto slot, auto record) {
         auto op = t.async_wait(asio::deferred);
         std::move(op)(asio::bind_cancellation_slot(slot, record));
       }},
      {"asio::use_future",
       [](auto& loop, auto& t, auto slot, auto record) {
         auto f = std::make_shared<std::future<void>>(t.async_wait(asio::bind_cancellation_slot(slot, asio::use_future)));
         // std::future has no callback: poll it from a loop call after every completion could have run.
         loop.call_later(20s, [f, record] {
           try {
             f->get();
             record({});
           } catch (const boost::system::system_error& e) {
             record(e.code());
           }
         });
       }},
      {"txaio::use_future",
       [](auto&, auto& t, auto slot, auto record) {
         txaio::Future<void> f = t.async_wait(asio::bind_cancellation_slot(slot, txaio::use_future));
         txaio::add_callbacks(f, [record] { record({}); }, [record](const txaio::Failure& e) {
           auto* se = e.as<boost::system::system_error>();
           record(se != nullptr ? se->code() : error_code(asio::error::fault));
         });
       }},
  };
  return kinds;
}

TEST(SteadyTimerTokens, EachTokenCompletesAtExpiry) {
  for (const auto& [name, start] : token_kinds()) {
    SCOPED_TRACE(name);
    txaio::sim::Loop loop;
    // bind_cancellation_slot hides the timer's executor from txaio::use_future: its future
    // is on the default loop.
    auto replaced = txaio::testutil::replace_loop(loop);
    txaio::steady_timer t(txaio::asio_executor(loop), 10s);
    asio::cancellation_signal signal;
    std::vector<Done> done;
    start(loop, t, signal.slot(), [&](error_code ec) { done.push_back({loop.now(), ec}); });
    loop.run_until_idle();
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].ec, error_code());
    EXPECT_EQ(done[0].when, name == "asio::use_future" ? 20s : 10s);
  }
}

TEST(SteadyTimerTokens, EachTokenCancelsThroughItsSlotWithEveryCancellationType) {
  for (auto type : {asio::cancellation_type::terminal, asio::cancellation_type::partial, asio::cancellation_type::total}) {
    for (const auto& [name, start] : token_kinds()) {
      SCOPED_TRACE(name + " type " + std::to_string(static_cast<int>(type)));
      txaio::sim::Loop loop;
      auto replaced = txaio::testutil::replace_loop(loop);
      txaio::steady_timer t(txaio::asio_executor(loop), 10s);
      txaio::steady_timer other(txaio::asio_executor(loop), 10s);
      bool other_done = false;
      other.async_wait([&](error_code ec) { other_done = !ec; });
      asio::cancellation_signal signal;
      std::vector<Done> done;
      start(loop, t, signal.slot(), [&](error_code ec) { done.push_back({loop.now(), ec}); });
      loop.call_later(3s, [&] { signal.emit(type); });
      loop.run_until_idle();
      ASSERT_EQ(done.size(), 1u);
      EXPECT_EQ(done[0].ec, aborted);
      EXPECT_EQ(done[0].when, name == "asio::use_future" ? 20s : 3s);
      EXPECT_TRUE(other_done) << "the signal cancelled more than its own wait";
      signal.emit(type);  // after completion: nothing happens
    }
  }
}

TEST(SteadyTimerTokens, ACancellationTypeTheTimerDoesNotKnowIsIgnored) {
  txaio::sim::Loop loop;
  txaio::steady_timer t(txaio::asio_executor(loop), 4s);
  asio::cancellation_signal signal;
  std::vector<Done> done;
  t.async_wait(asio::bind_cancellation_slot(signal.slot(), [&](error_code ec) { done.push_back({loop.now(), ec}); }));
  loop.call_later(1s, [&] { signal.emit(asio::cancellation_type::none); });
  loop.run_until_idle();
  EXPECT_EQ(done, (std::vector<Done>{{4s, {}}}));
}

// ---- awaitable operators and parallel groups in virtual time ------------------------------

using namespace asio::experimental::awaitable_operators;

asio::awaitable<void> sleep_for(nanoseconds d) {
  txaio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::use_awaitable);
}

asio::awaitable<std::string> slow_reply(nanoseconds d) {
  co_await sleep_for(d);
  co_return "reply";
}

TEST(SteadyTimerOperators, OrIsATimeoutRaceInVirtualTime) {
  for (auto [work, limit] : {std::pair{2s, 5s}, std::pair{7s, 5s}}) {
    txaio::sim::Loop loop;
    auto f = asio::co_spawn(txaio::asio_executor(loop), slow_reply(work) || sleep_for(limit), txaio::use_future);
    auto result = loop.run_until_complete(f);
    if (work < limit) {
      ASSERT_EQ(result.index(), 0u);
      EXPECT_EQ(std::get<0>(result), "reply");
    } else {
      EXPECT_EQ(result.index(), 1u);
    }
    EXPECT_EQ(loop.now(), std::min(work, limit));
    EXPECT_TRUE(loop.idle()) << "the loser's timer must have been cancelled";
  }
}

TEST(SteadyTimerOperators, AndWaitsForBoth) {
  txaio::sim::Loop loop;
  auto f = asio::co_spawn(txaio::asio_executor(loop), sleep_for(3s) && slow_reply(8s), txaio::use_future);
  EXPECT_EQ(loop.run_until_complete(f), "reply");
  EXPECT_EQ(loop.now(), 8s);
}

TEST(SteadyTimerOperators, ParallelGroupWaitForOneCancelsTheRest) {
  txaio::sim::Loop loop;
  auto ex = txaio::asio_executor(loop);
  txaio::steady_timer a(ex, 6s);
  txaio::steady_timer b(ex, 2s);
  txaio::steady_timer c(ex, 9s);
  std::vector<std::size_t> order;
  std::array<error_code, 3> ecs;
  nanoseconds when{-1};
  asio::experimental::make_parallel_group(a.async_wait(asio::deferred), b.async_wait(asio::deferred),
                                          c.async_wait(asio::deferred))
      .async_wait(asio::experimental::wait_for_one(),
                  [&](std::array<std::size_t, 3> o, error_code e0, error_code e1, error_code e2) {
                    order.assign(o.begin(), o.end());
                    ecs = {e0, e1, e2};
                    when = loop.now();
                  });
  loop.run_until_idle();
  EXPECT_EQ(when, 2s);
  EXPECT_EQ(order[0], 1u);
  EXPECT_EQ(ecs[1], error_code());
  EXPECT_EQ(ecs[0], aborted);
  EXPECT_EQ(ecs[2], aborted);
  EXPECT_EQ(loop.now(), 2s);
}

TEST(SteadyTimerOperators, ParallelGroupWaitForAllInVirtualTime) {
  txaio::sim::Loop loop;
  auto ex = txaio::asio_executor(loop);
  txaio::steady_timer a(ex, 6s);
  txaio::steady_timer b(ex, 2s);
  std::vector<std::size_t> order;
  asio::experimental::make_parallel_group(a.async_wait(asio::deferred), b.async_wait(asio::deferred))
      .async_wait(asio::experimental::wait_for_all(), [&](std::array<std::size_t, 2> o, error_code, error_code) {
        order.assign(o.begin(), o.end());
      });
  loop.run_until_idle();
  EXPECT_EQ(order, (std::vector<std::size_t>{1, 0}));
  EXPECT_EQ(loop.now(), 6s);
}

// ---- on a real io_context (order and completion only) -------------------------------------

TEST(SteadyTimerOnIoContext, AWaitIsOneEntryInTxaiosTimerQueue) {
  asio::io_context io;
  txaio::steady_timer t(io.get_executor(), 1ms);
  txaio::Loop& loop = txaio::detail::context_loop(io);
  EXPECT_EQ(&t.get_executor().loop(), &loop);
  bool fired = false;
  t.async_wait([&](error_code ec) { fired = !ec; });
  t.async_wait([&](error_code) {});
  EXPECT_EQ(loop.pending_timers(), 2u);
  io.run();
  EXPECT_TRUE(fired);
  EXPECT_EQ(loop.pending_timers(), 0u);
}

TEST(SteadyTimerOnIoContext, CancelAndDestructionAbortWaits) {
  asio::io_context io;
  std::vector<error_code> ecs;
  {
    txaio::steady_timer t(io, 1h);
    t.async_wait([&](error_code ec) { ecs.push_back(ec); });
    t.async_wait([&](error_code ec) { ecs.push_back(ec); });
    EXPECT_EQ(t.cancel_one(), 1u);
  }
  io.run();
  EXPECT_EQ(ecs, (std::vector<error_code>{aborted, aborted}));
}

// One program, run on asio::steady_timer and on txaio::steady_timer: waits at distinct
// delays 20 ms apart (so that scheduling jitter on a loaded machine cannot reorder them), a
// cancel, a re-arm from a handler to after all the others, a per-operation cancellation.
template <class Timer>
std::vector<std::string> run_program(asio::io_context& io, const std::function<Timer(nanoseconds)>& make) {
  std::vector<std::string> log;
  std::vector<std::unique_ptr<Timer>> timers;
  for (int i = 0; i < 6; ++i) timers.push_back(std::make_unique<Timer>(make(std::chrono::milliseconds(20 * (6 - i)))));
  asio::cancellation_signal signal;
  for (int i = 0; i < 6; ++i) {
    auto record = [&log, i](error_code ec) { log.push_back(std::to_string(i) + (ec ? " aborted" : " fired")); };
    if (i == 2) {
      timers[i]->async_wait(asio::bind_cancellation_slot(signal.slot(), record));
    } else if (i == 5) {
      timers[i]->async_wait([&, record](error_code ec) {
        record(ec);
        timers[0]->expires_after(200ms);  // re-arm 0 (aborts its wait) from a handler
        timers[0]->async_wait([&](error_code e) { log.push_back(e ? "0' aborted" : "0' fired"); });
      });
    } else {
      timers[i]->async_wait(record);
    }
  }
  timers[3]->cancel();
  signal.emit(asio::cancellation_type::terminal);
  io.run();
  return log;
}

TEST(SteadyTimerOnIoContext, SameOrderAsAsioSteadyTimer) {
  asio::io_context io1;
  auto theirs = run_program<asio::steady_timer>(
      io1, [&](nanoseconds d) { return asio::steady_timer(io1, std::chrono::duration_cast<asio::steady_timer::duration>(d)); });
  asio::io_context io2;
  auto ours = run_program<txaio::steady_timer>(io2, [&](nanoseconds d) { return txaio::steady_timer(io2, d); });
  EXPECT_EQ(ours, theirs);
  EXPECT_EQ(ours.size(), 7u);
}

}  // namespace

namespace {

// ---- a loop destroyed under pending waits ---------------------------------------------------

asio::awaitable<void> wait_forever(std::shared_ptr<int> alive) {
  txaio::steady_timer t(co_await asio::this_coro::executor, 5s);
  co_await t.async_wait(asio::use_awaitable);
  ADD_FAILURE() << "the wait completed: " << *alive;
}

// As an io_context destroys the handlers it still holds, a destroyed loop destroys the
// handlers of the waits pending on it, uninvoked: a coroutine suspended in a wait is unwound
// (its locals destroyed), not leaked. Before, the handler and its frame were never freed.
TEST(SteadyTimer, ADestroyedSimLoopDestroysTheHandlersOfItsPendingWaits) {
  auto alive = std::make_shared<int>(0);
  bool ran = false;
  {
    txaio::sim::Loop loop;
    asio::co_spawn(txaio::asio_executor(loop), wait_forever(alive), asio::detached);
    auto timer = std::make_shared<txaio::steady_timer>(txaio::asio_executor(loop), 5s);
    timer->async_wait([timer, alive, &ran](error_code) { ran = true; });  // owns its timer
    loop.advance(1s);
    EXPECT_EQ(alive.use_count(), 3) << "the coroutine and the handler hold it";
  }
  EXPECT_FALSE(ran);
  EXPECT_EQ(alive.use_count(), 1) << "a handler or a coroutine frame was not destroyed";
}

TEST(SteadyTimer, ADestroyedAsioLoopDestroysTheHandlersOfItsPendingWaits) {
  auto alive = std::make_shared<int>(0);
  bool ran = false;
  asio::io_context io;
  {
    txaio::AsioLoop loop(io);
    auto timer = std::make_shared<txaio::steady_timer>(txaio::asio_executor(loop), 1h);
    timer->async_wait([timer, alive, &ran](error_code) { ran = true; });
    io.poll();
    EXPECT_EQ(alive.use_count(), 2);
  }
  EXPECT_FALSE(ran);
  EXPECT_EQ(alive.use_count(), 1) << "the handler was not destroyed";
}

}  // namespace
