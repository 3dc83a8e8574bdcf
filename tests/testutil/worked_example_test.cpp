// The worked example of docs/fuzzing.md: a client that connects with a timeout, reconnects
// with backoff and then sends heartbeats, with a planted boundary bug (a connect that completes
// exactly at its timeout is lost under lifo ties, and retried forever). check_schedules finds
// it, shrinks it to the smallest schedule and prints a line that replays it.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <string>

#include "env_guard.hpp"
#include "txaio/testutil/rapidcheck.hpp"

namespace {

using namespace std::chrono_literals;
using txaio::nanoseconds;

/// Connects to a peer that answers after `latency`; gives an attempt up after `timeout` and
/// retries after a backoff that doubles up to 8 s; once connected, pings every second.
class Client {
public:
  Client(nanoseconds latency, nanoseconds timeout, bool planted_bug)
      : latency_(latency), timeout_(timeout), planted_bug_(planted_bug) {
    attempt();
  }

  bool connected() const { return connected_; }
  int attempts() const { return attempts_; }
  int pings() const { return pings_; }

private:
  void attempt() {
    const int id = ++attempts_;
    txaio::call_later(latency_, [this, id] { on_connect(id); });  // the peer's answer
    deadline_ = txaio::call_later(timeout_, [this] { on_timeout(); });
  }

  void on_connect(int id) {
    if (connected_) return;
    // The planted bug: an answer for an attempt that already timed out is dropped. When the
    // answer comes exactly at the deadline and the timeout runs first (lifo ties, or a late
    // clock), every attempt is dropped, forever.
    if (planted_bug_ && timed_out_id_ == id) return;
    connected_ = true;
    deadline_.cancel();
    retry_.cancel();
    heartbeat();
  }

  void on_timeout() {
    timed_out_id_ = attempts_;
    retry_ = txaio::call_later(backoff_, [this] { attempt(); });
    backoff_ = std::min<nanoseconds>(backoff_ * 2, 8s);
  }

  void heartbeat() {
    ++pings_;
    txaio::call_later(1s, [this] {
      if (pings_ < 5) heartbeat();
    });
  }

  nanoseconds latency_;
  nanoseconds timeout_;
  bool planted_bug_;
  bool connected_ = false;
  int attempts_ = 0;
  int timed_out_id_ = 0;
  int pings_ = 0;
  nanoseconds backoff_ = 1s;
  txaio::DelayedCall deadline_;
  txaio::DelayedCall retry_;
};

// The property: a peer that answers within the timeout is connected to, and the heartbeat runs.
void connects_in_time(bool planted_bug) {
  const nanoseconds timeout = 2s;
  const nanoseconds latency = *txaio::testutil::gen::delay(timeout, 500ms);
  Client client(latency, timeout, planted_bug);
  txaio::sim::Loop& loop = static_cast<txaio::sim::Loop&>(txaio::default_loop());
  loop.advance(60s);
  RC_ASSERT(client.connected());
  RC_ASSERT(client.pings() == 5);
}

TEST(WorkedExample, TheFixedClientConnectsOnEverySchedule) {
  txaio::testutil::check_schedules([](txaio::sim::Loop&) { connects_in_time(false); });
}

TEST(WorkedExample, CheckSchedulesFindsThePlantedBugShrinksItAndPrintsALineThatReplaysIt) {
  // Ties alone: with jitter too, a schedule where every attempt's answer happens to run late
  // also fails, and shrinking then ends at some jitter instead of at lifo.
  const auto found = txaio::testutil::explore_schedules([](txaio::sim::Loop&) { connects_in_time(true); },
                                                        {.runs = 500, .max_jitter = txaio::nanoseconds(0)});
  ASSERT_TRUE(found.failed);
  // Shrunk to the simplest schedule that loses the connect: lifo ties, nothing else.
  EXPECT_EQ(found.reproduce,
            "reproduce: TXAIO_SIM_SEED=0 TXAIO_SIM_TIES=lifo TXAIO_SIM_DISPATCH=scheduled TXAIO_SIM_JITTER=0ns");
  // ... and the latency to the boundary: exactly the timeout.
  EXPECT_NE(found.message.find("2000000000ns"), std::string::npos) << found.message;

  // The printed line, set in the environment, replays that schedule and fails again.
  EnvGuard guard;
  std::istringstream words(found.reproduce.substr(std::string("reproduce: ").size()));
  for (std::string word; words >> word;) guard.set(word.substr(0, word.find('=')), word.substr(word.find('=') + 1));
  int runs = 0;
  const auto replayed = txaio::testutil::explore_schedules([&](txaio::sim::Loop& loop) {
    ++runs;
    RC_ASSERT(loop.options().ties == txaio::sim::Ties::lifo);
    connects_in_time(true);
  });
  EXPECT_TRUE(replayed.failed);
  EXPECT_GE(runs, 1);
  EXPECT_EQ(replayed.reproduce, found.reproduce);
  EXPECT_NE(replayed.message.find("RC_ASSERT(client.connected())"), std::string::npos) << replayed.message;
}

}  // namespace
