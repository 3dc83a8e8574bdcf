// Futures on AsioLoop with a real io_context: semantics, the future and gather properties, and
// one body written against the free functions that runs unchanged on AsioLoop and sim::Loop.
// Real timers: these tests assert order and completion, never durations.
#include "txaio/future.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "future_chain.hpp"
#include "future_model.hpp"
#include "gather_model.hpp"
#include "txaio/api.hpp"
#include "txaio/asio_loop.hpp"
#include "txaio/gather.hpp"
#include "txaio/logging.hpp"
#include "txaio/sim/loop.hpp"
#include "txaio/testutil/matchers.hpp"
#include "txaio/testutil/replace_loop.hpp"

namespace {

using namespace std::chrono_literals;
using txaio::Failure;
using txaio::Future;
using txaio::Outcome;
using txaio::testutil::is_cancelled;
using txaio::testutil::is_pending;
using txaio::testutil::is_resolved;
using txaio::testutil::rejected_with;
using txaio::testutil::resolved_with;

/// Silences txaio's logger (AsioLoop logs every exception it is given).
class QuietLogs {
public:
  QuietLogs() : previous_(txaio::get_global_log_level()) { txaio::set_global_log_level(txaio::LogLevel::none); }
  QuietLogs(const QuietLogs&) = delete;
  QuietLogs& operator=(const QuietLogs&) = delete;
  ~QuietLogs() { txaio::set_global_log_level(previous_); }

private:
  txaio::LogLevel previous_;
};

/// Counts the errors a loop reports.
struct ErrorCounter : txaio::Observer {
  void on_event(const txaio::Event& e) override {
    if (e.kind == txaio::EventKind::error) {
      ++errors;
      messages.emplace_back(e.message);
    }
  }
  int errors = 0;
  std::vector<std::string> messages;
};

class AsioFutures : public ::testing::Test {
protected:
  AsioFutures() { loop_.add_observer(errors_); }
  ~AsioFutures() override { loop_.remove_observer(errors_); }

  boost::asio::io_context io_;
  txaio::AsioLoop loop_{io_};
  ErrorCounter errors_;

private:
  txaio::testutil::LoopGuard guard_{loop_};
};

TEST_F(AsioFutures, DispatchIsScheduled) { EXPECT_EQ(loop_.dispatch(), txaio::Dispatch::scheduled); }

TEST_F(AsioFutures, CallbacksRunOnTheLoopNeverInsideResolve) {
  Future<int> f = txaio::create_future<int>();
  std::vector<int> seen;
  txaio::add_callbacks(f, [&](int v) { seen.push_back(v); });
  txaio::resolve(f, 1);
  EXPECT_TRUE(seen.empty());
  txaio::add_callbacks(f, [&](int v) { seen.push_back(v + 1); });
  EXPECT_TRUE(seen.empty());
  io_.run();
  EXPECT_EQ(seen, (std::vector<int>{1, 2}));
}

TEST_F(AsioFutures, ThrowingCallbackIsLoggedAndTheOthersRun) {
  QuietLogs quiet;
  Future<int> f = txaio::create_future<int>();
  std::vector<int> ran;
  txaio::add_callbacks(f, [&](int) { ran.push_back(1); });
  txaio::add_callbacks(f, [](int) -> void { throw std::runtime_error("callback broke"); });
  txaio::add_callbacks(f, [&](int) { ran.push_back(3); });
  txaio::resolve(f, 0);
  EXPECT_NO_THROW(io_.run());
  EXPECT_EQ(ran, (std::vector<int>{1, 3}));
  EXPECT_EQ(errors_.errors, 1);
  EXPECT_EQ(errors_.messages, std::vector<std::string>{"callback broke"});
}

TEST_F(AsioFutures, SleepsCompleteInDelayOrder) {
  std::vector<int> order;
  for (int ms : {30, 10, 20}) txaio::add_callbacks(txaio::sleep(std::chrono::milliseconds(ms)), [&order, ms] { order.push_back(ms); });
  io_.run();
  EXPECT_EQ(order, (std::vector<int>{10, 20, 30}));
}

TEST_F(AsioFutures, CancellingASleepCancelsItsTimer) {
  Future<void> s = txaio::sleep(20ms);
  bool woke = false;
  txaio::add_callbacks(s, [&] { woke = true; }, [](const Failure&) {});
  EXPECT_EQ(loop_.pending_timers(), 1u);
  txaio::cancel(s);
  EXPECT_EQ(loop_.pending_timers(), 0u);
  io_.run();
  EXPECT_FALSE(woke);
  EXPECT_THAT(s, is_cancelled());
}

TEST_F(AsioFutures, GatherKeepsInputOrder) {
  std::vector<Future<int>> in;
  for (int i = 0; i < 5; ++i) {
    Future<int> f = txaio::create_future<int>();
    txaio::call_later(std::chrono::milliseconds(10 - 2 * i), [f, i] { txaio::resolve(f, i); });
    in.push_back(f);
  }
  std::vector<int> got;
  txaio::add_callbacks(txaio::gather(in, txaio::propagate_errors), [&](const std::vector<int>& v) { got = v; });
  io_.run();
  EXPECT_EQ(got, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST_F(AsioFutures, CompletingFromAnotherThreadThroughCallSoonThreadsafe) {
  Future<int> f = txaio::create_future<int>();
  int seen = 0;
  txaio::add_callbacks(f, [&](int v) { seen = v; });
  std::thread worker([this, f] {
    // Handles may be copied and dropped on any thread; the future is completed on its loop.
    loop_.call_soon_threadsafe([f] { txaio::resolve(f, 99); });
  });
  worker.join();
  io_.run();
  EXPECT_EQ(seen, 99);
}

TEST_F(AsioFutures, LongChainOnAsio) {
  constexpr int n = 100'000;
  const auto last = txaio::test::start_future_chain(n);
  io_.run();
  EXPECT_EQ(*last, n);
}

TEST(AsioFuturesTeardown, DispatchDiscardedAfterItsLoopIsGoneDoesNotTouchIt) {
  auto io = std::make_unique<boost::asio::io_context>();
  auto loop = std::make_unique<txaio::AsioLoop>(*io);
  {
    Future<int> f = txaio::with_config(*loop).create_future<int>();
    txaio::add_callbacks(f, [](int) {});  // no errback: would be reported as unhandled
    txaio::reject(f, std::runtime_error("never dispatched"));
  }
  loop.reset();  // the future's dispatch is still queued in the io_context...
  io.reset();    // ...and is discarded here, after its loop is gone
  SUCCEED();
}

// ---- the properties on AsioLoop -----------------------------------------------------------

RC_GTEST_PROP(AsioFutureModel, MatchesTheModelOnAsioLoop, ()) {
  using namespace txaio::test::future_model;
  QuietLogs quiet;
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  ErrorCounter errors;
  loop.add_observer(errors);
  Sut sut;
  sut.loop = &loop;
  sut.drain = [&] {
    io.restart();
    io.poll();
    return std::exchange(errors.errors, 0);
  };
  Model initial;  // AsioLoop dispatches scheduled
  sut.last = initial;
  rc::state::check(initial, sut, commands());
  Run().run(sut.last, sut);
  sut.futures.clear();
  loop.remove_observer(errors);
}

RC_GTEST_PROP(AsioGatherProperty, MatchesTheModelOnAsioLoop, ()) {
  using namespace txaio::test::gather_model;
  const Plan plan = *gen_plan();
  // The order events run in: by planned time, ties in a generated order.
  std::vector<std::pair<std::pair<int, int>, int>> order;  // ((time, tie), event; -1 = cancel gather)
  for (std::size_t i = 0; i < plan.inputs.size(); ++i) {
    order.push_back({{plan.inputs[i].time_s, *rc::gen::inRange(0, 100)}, static_cast<int>(i)});
  }
  if (plan.cancel_gather_s) order.push_back({{*plan.cancel_gather_s, *rc::gen::inRange(0, 100)}, -1});
  std::sort(order.begin(), order.end());
  RC_LOG() << "plan: " << plan << "\n";

  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  {
    Harness h(loop, plan);
    // Each event posts the next one, so the loop interleaves its own queued work in between.
    std::function<void(std::size_t)> step = [&](std::size_t k) {
      if (k == order.size()) return;
      const int event = order[k].second;
      if (event < 0) {
        h.cancel_gather_event();
      } else {
        h.input_event(static_cast<std::size_t>(event));
      }
      loop.call_soon(step, k + 1);
    };
    loop.call_soon(step, std::size_t{0});
    io.run();
    check(plan, h, false);
  }
}

// ---- one body, both loops -----------------------------------------------------------------

/// A library routine written once against the free functions: fetches four parts. Part 1 fails
/// on its first attempt and is retried; part 3 never arrives and is cancelled after `timeout`.
/// The result has every part in order, a failure as its message.
constexpr std::chrono::milliseconds part_latency[] = {80ms, 20ms, 5ms};

Future<std::string> fetch_once(int i, int attempt, std::vector<std::string>& log) {
  return txaio::as_future([i, attempt, &log]() -> Future<std::string> {
    log.push_back("fetch " + std::to_string(i) + (attempt > 0 ? " again" : ""));
    if (i == 1 && attempt == 0) throw std::runtime_error("part 1 flaked");
    Future<std::string> part = txaio::create_future<std::string>();
    if (i < 3) {
      txaio::call_later(part_latency[i], [part, i, &log] {
        log.push_back("got " + std::to_string(i));
        txaio::resolve(part, "part " + std::to_string(i));
      });
    }
    return part;
  });
}

Future<std::string> fetch_with_retry(int i, std::vector<std::string>& log) {
  Future<std::string> result = txaio::create_future<std::string>();
  auto pass_on = [result](const std::string& s) { txaio::resolve(result, s); };
  txaio::add_callbacks(fetch_once(i, 0, log), pass_on, [=, &log](const Failure& f) {
    log.push_back("retry " + std::to_string(i) + " after " + txaio::failure_message(f));
    txaio::add_callbacks(fetch_once(i, 1, log), pass_on, [result](const Failure& again) { txaio::reject(result, again); });
  });
  return result;
}

Future<std::vector<std::string>> fetch_parts(std::chrono::milliseconds timeout, std::vector<std::string>& log) {
  std::vector<Future<std::string>> parts;
  for (int i = 0; i < 4; ++i) parts.push_back(fetch_with_retry(i, log));
  txaio::add_callbacks(txaio::sleep(timeout), [part = parts[3], &log] {
    if (txaio::cancel(part, "timed out")) log.push_back("timeout 3");
  });
  Future<std::vector<std::string>> out = txaio::create_future<std::vector<std::string>>();
  txaio::add_callbacks(txaio::gather(parts), [out](const std::vector<Outcome<std::string>>& all) {
    std::vector<std::string> text;
    for (const auto& o : all) text.push_back(o ? o.value() : txaio::failure_message(o.failure()));
    txaio::resolve(out, text);
  });
  return out;
}

struct SimBackend {
  txaio::sim::Loop loop;
  void run() { loop.run_until_idle(); }
};

struct AsioBackend {
  boost::asio::io_context io;
  txaio::AsioLoop loop{io};
  void run() { io.run(); }
};

template <class Backend>
class PortableFutures : public ::testing::Test {
protected:
  Backend backend_;
  txaio::testutil::LoopGuard guard_{backend_.loop};
};

using Backends = ::testing::Types<SimBackend, AsioBackend>;
TYPED_TEST_SUITE(PortableFutures, Backends);

TYPED_TEST(PortableFutures, TheSameCodeRunsUnchangedOnEitherLoop) {
  std::vector<std::string> log;
  Future<std::vector<std::string>> result = fetch_parts(120ms, log);
  EXPECT_THAT(result, is_pending());
  this->backend_.run();
  EXPECT_THAT(result, resolved_with(std::vector<std::string>{"part 0", "part 1", "part 2",
                                                             "txaio::CancelledError: timed out"}));
  // Both loops dispatch scheduled: the retry runs once the loop runs, after every first
  // attempt; parts arrive fastest first; the hung part times out last.
  EXPECT_EQ(log, (std::vector<std::string>{"fetch 0", "fetch 1", "fetch 2", "fetch 3",
                                           "retry 1 after std::runtime_error: part 1 flaked", "fetch 1 again",
                                           "got 2", "got 1", "got 0", "timeout 3"}));
}

}  // namespace
