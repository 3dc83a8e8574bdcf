// Coroutines on AsioLoop with a real io_context: the main points of the contract and the
// examples. Real timers: these tests assert order and completion, never durations.
#include "txaio/coroutine.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "coroutine_examples.hpp"
#include "txaio/asio_loop.hpp"
#include "txaio/testutil/matchers.hpp"
#include "txaio/testutil/replace_loop.hpp"

namespace {

using namespace std::chrono_literals;
using txaio::Future;
using txaio::testutil::is_cancelled;
using txaio::testutil::is_pending;
using txaio::testutil::rejected_with;
using txaio::testutil::resolved_with;

class AsioCoroutines : public ::testing::Test {
protected:
  boost::asio::io_context io_;
  txaio::AsioLoop loop_{io_};
  txaio::Api api_ = txaio::with_config(loop_);

private:
  txaio::testutil::LoopGuard guard_{loop_};
};

Future<int> add_one(Future<int> input, std::vector<std::string>& log) {
  log.push_back("started");
  const int v = co_await input;
  log.push_back("resumed");
  co_return v + 1;
}

TEST_F(AsioCoroutines, StartsInlineAndResumesFromTheLoopNeverInsideResolve) {
  std::vector<std::string> log;
  Future<int> input = txaio::create_future<int>();
  Future<int> g = add_one(input, log);
  EXPECT_EQ(log, std::vector<std::string>{"started"});
  txaio::resolve(input, 41);
  EXPECT_EQ(log, std::vector<std::string>{"started"});
  io_.run();
  EXPECT_EQ(log, (std::vector<std::string>{"started", "resumed"}));
  EXPECT_THAT(g, resolved_with(42));
}

struct Oops : std::runtime_error {
  using std::runtime_error::runtime_error;
};

Future<std::string> catches(Future<void> input) {
  try {
    co_await input;
  } catch (const Oops& e) {
    co_return std::string("oops: ") + e.what();
  } catch (const txaio::CancelledError&) {
    co_return "cancelled";
  }
  co_return "fine";
}

TEST_F(AsioCoroutines, AwaitYieldsTheOriginalExceptionOrCancelledError) {
  Future<void> rejected = txaio::create_future();
  Future<void> cancelled = txaio::create_future();
  Future<std::string> a = catches(rejected);
  Future<std::string> b = catches(cancelled);
  Future<std::string> c = catches(txaio::sleep(1ms));
  txaio::reject(rejected, Oops("lost"));
  txaio::cancel(cancelled);
  io_.run();
  EXPECT_THAT(a, resolved_with("oops: lost"));
  EXPECT_THAT(b, resolved_with("cancelled"));
  EXPECT_THAT(c, resolved_with("fine"));
}

Future<void> sleeps_long(txaio::Api api, std::vector<std::string>& log) {
  co_await api.sleep(1h);
  log.push_back("woke");
}

TEST_F(AsioCoroutines, CancelEndsTheCoroutineCancelledAndItsTimerGoes) {
  std::vector<std::string> log;
  Future<void> g = sleeps_long(api_, log);
  EXPECT_EQ(loop_.pending_timers(), 1u);
  txaio::cancel(g);
  io_.run();  // returns at once: the hour-long timer was cancelled
  EXPECT_THAT(g, is_cancelled());
  EXPECT_TRUE(log.empty());
  EXPECT_EQ(loop_.pending_timers(), 0u);
}

Future<void> ticks(txaio::Api api, std::vector<int>& order, int id, int count) {
  for (int i = 0; i < count; ++i) {
    co_await api.sleep(std::chrono::milliseconds(id));
    order.push_back(id);
  }
}

TEST_F(AsioCoroutines, FramesWithNoHandleLeftRunToTheEnd) {
  std::vector<int> order;
  ticks(api_, order, 1, 3);  // futures dropped at once
  ticks(api_, order, 2, 1);
  io_.run();
  EXPECT_EQ(order.size(), 4u);
  EXPECT_EQ(std::count(order.begin(), order.end(), 1), 3);
}

struct Tracked {
  std::shared_ptr<int> destroyed;
  ~Tracked() { ++*destroyed; }
};

Future<void> holds([[maybe_unused]] Tracked tracked, txaio::Api api, bool& resumed) {
  co_await api.sleep(1h);
  resumed = true;
}

TEST(AsioCoroutineLifetime, ADestroyedLoopDestroysSuspendedFramesAndNeverResumesThem) {
  auto destroyed = std::make_shared<int>(0);
  bool resumed = false;
  Future<void> kept;
  {
    boost::asio::io_context io;
    txaio::AsioLoop loop(io);
    kept = holds(Tracked{destroyed}, txaio::with_config(loop), resumed);
    holds(Tracked{destroyed}, txaio::with_config(loop), resumed);
    *destroyed = 0;
  }
  EXPECT_EQ(*destroyed, 2);
  EXPECT_FALSE(resumed);
  EXPECT_THAT(kept, is_pending());
}

Future<int> next_link(Future<int> previous) { co_return co_await previous + 1; }

TEST_F(AsioCoroutines, AMillionCoroutinesEachAwaitingTheNextComplete) {
  constexpr int deep = 1'000'000;
  Future<int> leaf = txaio::create_future<int>();
  Future<int> top = leaf;
  for (int i = 0; i < deep; ++i) top = next_link(std::move(top));
  txaio::resolve(leaf, 0);
  io_.run();
  EXPECT_THAT(top, resolved_with(deep));
}

// ---- the examples on a real io_context -----------------------------------------------------

struct FlakyServer {
  txaio::Api api;
  std::vector<txaio::nanoseconds> latency;
  std::vector<bool> fails;
  int calls = 0;

  Future<int> call() {
    const auto i = static_cast<std::size_t>(calls++);
    co_await api.sleep(latency.at(i));
    if (fails.at(i)) throw std::runtime_error("server error");
    co_return calls;
  }
};

TEST_F(AsioCoroutines, RetryAfterATimeoutAndAFailureSucceeds) {
  FlakyServer server{api_, {1h, 1ms, 1ms}, {false, true, false}};
  Future<int> g = example::retry<int>(api_, [&] { return server.call(); }, 4, 1ms, 20ms);
  io_.run();
  EXPECT_THAT(g, resolved_with(3));
  EXPECT_EQ(server.calls, 3);
  EXPECT_EQ(loop_.pending_timers(), 0u);
}

TEST_F(AsioCoroutines, FanOutGathersEveryLookupInInputOrder) {
  example::SlowStore store{api_, {}};
  int missing = 0;
  Future<int> g = example::total_of(api_, store, {"a", "bb", "!x", "cccc"}, {3ms, 1ms, 2ms, 4ms}, missing);
  io_.run();
  EXPECT_THAT(g, resolved_with(7));
  EXPECT_EQ(missing, 1);
  EXPECT_THAT(store.log, testing::UnorderedElementsAre("get a", "get bb", "get !x", "get cccc"));
}

TEST_F(AsioCoroutines, ACancelledSessionSaysGoodbyeAndReleasesItsConnection) {
  example::Pool pool;
  Future<int> g = example::session(api_, pool, 1000);
  loop_.call_later(2ms, [&] { txaio::cancel(g); });
  io_.run();
  EXPECT_THAT(g, is_cancelled());
  EXPECT_FALSE(pool.leased);
  ASSERT_EQ(pool.log.size(), 3u);
  EXPECT_THAT(pool.log[0], testing::StartsWith("cancelled after "));
  EXPECT_EQ(pool.log[1], "goodbye sent");
  EXPECT_EQ(pool.log[2], "released");
}

}  // namespace
