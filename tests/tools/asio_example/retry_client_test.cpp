// The example's retry client on sim::Loop: exact virtual times under every tie policy, with a
// scripted transport whose latency is a txaio::steady_timer.
#include "retry_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>

#include <deque>

#include "txaio/sim.hpp"

namespace {

using namespace std::chrono_literals;
using asio_example::Attempt;
using std::chrono::nanoseconds;

// One scripted answer: after `latency`, reply `text`, or fail when `text` is empty.
struct Answer {
  nanoseconds latency;
  std::string text;
};

// A transport that plays a script, one answer per request, and logs when each request began.
struct ScriptedTransport {
  boost::asio::any_io_executor executor;
  std::deque<Answer> script;
  std::vector<nanoseconds> started;
  txaio::Loop* loop;

  boost::asio::awaitable<std::string> request() {
    started.push_back(loop->now());
    Answer answer = script.front();
    script.pop_front();
    txaio::steady_timer latency(executor, answer.latency);
    co_await latency.async_wait(boost::asio::use_awaitable);
    if (answer.text.empty()) throw boost::system::system_error(boost::asio::error::connection_refused);
    co_return answer.text;
  }
};

struct Outcome {
  asio_example::Result result;
  nanoseconds finished;
  std::vector<nanoseconds> started;
};

Outcome run_on_sim(txaio::sim::Options options, std::deque<Answer> script, asio_example::RetryPolicy policy) {
  txaio::sim::Loop loop(options);
  boost::asio::any_io_executor ex = txaio::asio_executor(loop);
  ScriptedTransport transport{ex, std::move(script), {}, &loop};
  auto f = boost::asio::co_spawn(ex, asio_example::fetch_with_retry(ex, transport, policy), txaio::use_future);
  Outcome run{loop.run_until_complete(f), loop.now(), transport.started};
  EXPECT_TRUE(loop.idle()) << "a timer outlived the client";
  return run;
}

std::vector<txaio::sim::Options> every_tie_policy() {
  std::vector<txaio::sim::Options> all = {{.ties = txaio::sim::Ties::fifo}, {.ties = txaio::sim::Ties::lifo}};
  for (std::uint64_t seed = 1; seed <= 20; ++seed) all.push_back({.seed = seed, .ties = txaio::sim::Ties::random});
  return all;
}

std::string describe(const txaio::sim::Options& o) {
  return std::string(txaio::sim::to_string(o.ties)) + " seed=" + std::to_string(o.seed);
}

TEST(RetryClient, TimeoutThenFailureThenReplyAtExactVirtualTimes) {
  for (const auto& options : every_tie_policy()) {
    SCOPED_TRACE(describe(options));
    // Attempt 1 hangs past the 1 s timeout; backoff 100 ms; attempt 2 is refused after 10 ms;
    // backoff 200 ms; attempt 3 replies after 300 ms.
    Outcome run = run_on_sim(options, {{5s, "late"}, {10ms, ""}, {300ms, "pong"}}, {});
    EXPECT_EQ(run.result.reply, "pong");
    EXPECT_EQ(run.result.attempts, (std::vector<Attempt>{Attempt::timed_out, Attempt::failed, Attempt::replied}));
    EXPECT_EQ(run.started, (std::vector<nanoseconds>{0s, 1100ms, 1310ms}));
    EXPECT_EQ(run.finished, 1610ms);
  }
}

TEST(RetryClient, AReplyExactlyAtTheTimeoutDependsOnTheTiePolicyOnly) {
  // The reply and the timeout are due at the same instant: the winner is the tie policy's
  // choice, and the same seed gives the same winner every time.
  for (const auto& options : every_tie_policy()) {
    SCOPED_TRACE(describe(options));
    Outcome first = run_on_sim(options, {{1s, "photo finish"}, {1ms, "ok"}}, {});
    Outcome again = run_on_sim(options, {{1s, "photo finish"}, {1ms, "ok"}}, {});
    EXPECT_EQ(first.result.attempts, again.result.attempts);
    EXPECT_EQ(first.finished, again.finished);
    if (first.result.attempts.size() == 1) {
      EXPECT_EQ(first.finished, 1s);
    } else {
      EXPECT_EQ(first.result.attempts, (std::vector<Attempt>{Attempt::timed_out, Attempt::replied}));
      EXPECT_EQ(first.finished, 1101ms);
    }
  }
}

TEST(RetryClient, MinutesOfBackoffRunInstantly) {
  // Ten attempts that all time out after 30 s, backoff 1 s doubling to 60 s: 9 minutes 7 s of
  // virtual time.
  asio_example::RetryPolicy policy{.max_attempts = 10, .timeout = 30s, .first_backoff = 1s, .max_backoff = 60s};
  std::deque<Answer> script(10, Answer{1h, "never"});
  for (const auto& options : every_tie_policy()) {
    SCOPED_TRACE(describe(options));
    Outcome run = run_on_sim(options, script, policy);
    EXPECT_FALSE(run.result.reply);
    EXPECT_EQ(run.result.attempts, std::vector<Attempt>(10, Attempt::timed_out));
    // 10 timeouts of 30 s, backoffs 1+2+4+8+16+32+60+60+60 s.
    EXPECT_EQ(run.finished, 10 * 30s + 243s);
  }
}

}  // namespace
