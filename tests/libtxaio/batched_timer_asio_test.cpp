#include "txaio/batched_timer.hpp"
// Batched timers on AsioLoop with a real io_context, and one test body run on both loops.
// Real-time tests assert completion and order only, never how long anything took.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "txaio/asio_loop.hpp"
#include "txaio/errors.hpp"
#include "txaio/sim/loop.hpp"

namespace {

using namespace std::chrono_literals;
using txaio::BatchedCall;
using txaio::nanoseconds;

// An infinite (or >= 292-year) delay puts the bucket key just below the end of loop time; its
// loop timer must wait, not fire and re-arm at once forever (100% CPU) as it did.
TEST(BatchedTimerAsio, InfiniteDelayWaitsInsteadOfSpinning) {
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  auto batched = txaio::make_batched_timer(loop, 1s);
  bool ran = false;
  BatchedCall never = batched.call_later(std::numeric_limits<double>::infinity(), [&] { ran = true; });
  BatchedCall later = batched.call_later(std::chrono::years(300), [&] { ran = true; });
  std::size_t handlers = 0;
  for (int i = 0; i < 100; ++i) handlers += io.poll_one();
  EXPECT_EQ(handlers, 0u);
  EXPECT_TRUE(never.active() && later.active());
  EXPECT_EQ(batched.underlying_timers(), 1u);
  EXPECT_FALSE(ran);
}

TEST(BatchedTimerAsio, TenThousandCallsOverTenMillisecondBucketsAllFireOnAFewLoopTimers) {
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  auto batched = txaio::make_batched_timer(loop, 10ms);
  constexpr int n = 10'000;
  std::vector<int> runs(n, 0);
  std::vector<std::int64_t> key_of(n, 0);
  std::map<std::int64_t, int> last_run_in_bucket;
  std::set<std::int64_t> keys;
  std::size_t max_pending = 0;
  bool counts_agree = true;
  bool bucket_order_kept = true;
  for (int i = 0; i < n; ++i) {
    // Spread over 0..100 ms in microseconds: about 11 buckets of 10 ms.
    const auto delay = std::chrono::microseconds((static_cast<std::int64_t>(i) * 7919) % 100'000);
    BatchedCall call = batched.call_later(delay, [&, i] {
      ++runs[i];
      max_pending = std::max(max_pending, loop.pending_timers());
      counts_agree = counts_agree && batched.underlying_timers() == loop.pending_timers();
      int& last = last_run_in_bucket.try_emplace(key_of[i], -1).first->second;
      bucket_order_kept = bucket_order_kept && last < i;
      last = i;
    });
    key_of[i] = call.key().count();
    keys.insert(key_of[i]);
  }
  EXPECT_EQ(batched.pending_count(), static_cast<std::size_t>(n));
  EXPECT_LE(loop.pending_timers(), keys.size());
  EXPECT_EQ(loop.pending_timers(), batched.underlying_timers());
  io.run();
  EXPECT_TRUE(std::all_of(runs.begin(), runs.end(), [](int r) { return r == 1; }));
  EXPECT_LE(max_pending, keys.size() + 1) << keys.size() << " buckets";
  EXPECT_TRUE(counts_agree);
  EXPECT_TRUE(bucket_order_kept);
  EXPECT_EQ(batched.pending_count(), 0u);
  EXPECT_EQ(batched.underlying_timers(), 0u);
  EXPECT_EQ(loop.pending_timers(), 0u);
}

TEST(BatchedTimerAsio, CancelledCallsNeverRunAndEmptiedBucketsReleaseTheirTimers) {
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  auto batched = txaio::make_batched_timer(loop, 10ms, 1);
  std::vector<int> ran;
  std::vector<BatchedCall> calls(6);
  for (int i = 0; i < 6; ++i) {
    calls[i] = batched.call_later(15ms, [&ran, &calls, i] {
      ran.push_back(i);
      // Call 0 cancels call 3, three chunks later, while the bucket is being worked through.
      if (i == 0) calls[3].cancel();
    });
  }
  BatchedCall lone = batched.call_later(50ms, [&ran] { ran.push_back(99); });
  EXPECT_EQ(loop.pending_timers(), 2u);
  lone.cancel();
  EXPECT_EQ(loop.pending_timers(), 1u);
  calls[1].cancel();
  io.run();
  EXPECT_EQ(ran, (std::vector<int>{0, 2, 4, 5}));
  EXPECT_EQ(loop.pending_timers(), 0u);
}

// ---------------------------------------------------------------------------------------
// One body, both loops.

/// Collects the errors a loop reports (AsioLoop logs them, sim::Loop also throws them).
struct ErrorEvents : txaio::Observer {
  std::vector<std::string> messages;
  void on_event(const txaio::Event& e) override {
    // The loop's own report (the batched timer's events about its calls are checked elsewhere).
    if (e.kind == txaio::EventKind::error && e.source == txaio::EventSource::loop) messages.emplace_back(e.message);
  }
};

struct SimDriver {
  txaio::sim::Loop loop;
  /// Runs until nothing is pending; a reported BatchError interrupts a run and is expected.
  void run() {
    for (int attempts = 0; attempts < 100; ++attempts) {
      try {
        loop.run_until_idle();
        return;
      } catch (const txaio::BatchError&) {
      }
    }
    FAIL() << "the loop kept reporting errors";
  }
};

struct AsioDriver {
  boost::asio::io_context io;
  txaio::AsioLoop loop{io};
  void run() {
    io.run();
    io.restart();
  }
};

template <class Driver>
class BatchedTimerOnBothLoops : public ::testing::Test {
protected:
  Driver driver_;
};

using Drivers = ::testing::Types<SimDriver, AsioDriver>;
TYPED_TEST_SUITE(BatchedTimerOnBothLoops, Drivers);

TYPED_TEST(BatchedTimerOnBothLoops, BucketsChunksCancellationAndErrors) {
  txaio::Loop& loop = this->driver_.loop;
  ErrorEvents errors;
  loop.add_observer(errors);
  auto batched = txaio::make_batched_timer(loop, 10ms, 2);
  std::map<std::int64_t, std::vector<std::string>> ran_by_bucket;
  std::vector<BatchedCall> calls;
  std::size_t max_timers = 0;
  // Records its name under its bucket's key; then cancels call `cancels`, if any.
  auto call = [&](const std::string& name, nanoseconds delay, int cancels = -1) {
    const std::size_t index = calls.size();
    calls.push_back(batched.call_later(delay, [&, name, index, cancels] {
      ran_by_bucket[calls[index].key().count()].push_back(name);
      max_timers = std::max(max_timers, loop.pending_timers());
      if (cancels >= 0) calls[static_cast<std::size_t>(cancels)].cancel();
    }));
    return index;
  };
  const std::size_t a = call("a", 5ms);        // bucket 0
  const std::size_t b = call("b", 52ms, 5);    // bucket 50; cancels d, two chunks later
  call("c", 52ms);                             // bucket 50
  const std::size_t g = call("g", 53ms);       // bucket 50, cancelled before it fires
  calls.push_back(batched.call_later(54ms, [] { throw std::runtime_error("h failed"); }));
  const std::size_t d = call("d", 55ms);       // bucket 50
  const std::size_t e = call("e", 56ms);       // bucket 50
  const std::size_t f = call("f", 95ms);       // bucket 90
  const std::size_t x = call("x", 135ms);      // bucket 130, emptied: its timer goes
  ASSERT_EQ(d, 5u);
  calls[g].cancel();
  calls[x].cancel();
  calls[x].cancel();
  // Bucket 50 fires with 5 calls: chunks [b c] [h d] [e] at 50, 53.3 and 56.7 ms.

  const std::size_t buckets = batched.underlying_timers();
  EXPECT_EQ(buckets, 3u);  // the buckets of a, of b..e, of f
  EXPECT_EQ(loop.pending_timers(), buckets);
  this->driver_.run();
  loop.remove_observer(errors);

  const std::int64_t key_a = calls[a].key().count();
  const std::int64_t key_b = calls[b].key().count();
  const std::int64_t key_f = calls[f].key().count();
  EXPECT_EQ(calls[e].key().count(), key_b);
  // Each bucket's calls ran once, in registration order; the cancelled ones never.
  EXPECT_EQ(ran_by_bucket[key_a], std::vector<std::string>{"a"});
  EXPECT_EQ(ran_by_bucket[key_b], (std::vector<std::string>{"b", "c", "e"}));
  EXPECT_EQ(ran_by_bucket[key_f], std::vector<std::string>{"f"});
  EXPECT_EQ(ran_by_bucket.size(), 3u);
  // The failing call's error was reported once, after its bucket's last chunk.
  ASSERT_EQ(errors.messages.size(), 1u);
  EXPECT_NE(errors.messages[0].find("std::runtime_error: h failed"), std::string::npos) << errors.messages[0];
  EXPECT_LE(max_timers, buckets + 1);
  for (const BatchedCall& h : calls) EXPECT_FALSE(h.active());
  EXPECT_EQ(batched.pending_count(), 0u);
  EXPECT_EQ(loop.pending_timers(), 0u);
}

}  // namespace
