#include "txaio/batched_timer.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <ratio>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "txaio/api.hpp"
#include "txaio/errors.hpp"
#include "txaio/sim/loop.hpp"
#include "txaio/testutil/sim_test.hpp"

namespace {

using namespace std::chrono_literals;
using txaio::BatchedCall;
using txaio::BatchedTimer;
using txaio::BatchError;
using txaio::BatchRounding;
using txaio::nanoseconds;

/// A loop that forwards to a `sim::Loop` and records every delay it is asked to schedule
/// (Python txaio's tests wrap Twisted's `Clock.callLater` the same way).
class RecordingLoop final : public txaio::Loop {
public:
  txaio::sim::Loop inner;
  std::vector<nanoseconds> delays;

  nanoseconds now() const noexcept override { return inner.now(); }
  txaio::DelayedCall schedule(nanoseconds delay, txaio::Callback fn) override {
    delays.push_back(delay);
    return inner.schedule(delay, std::move(fn));
  }
  void post(txaio::Callback fn) override { inner.post(std::move(fn)); }
  void post_threadsafe(txaio::Callback fn) override { inner.post_threadsafe(std::move(fn)); }
  std::size_t pending_timers() const noexcept override { return inner.pending_timers(); }
  void report_exception(std::exception_ptr error, std::string_view where) noexcept override {
    inner.report_exception(std::move(error), where);
  }
  void report_unhandled_failure(const txaio::Failure& failure) noexcept override {
    inner.report_unhandled_failure(failure);
  }

protected:
  // The handles `schedule` returns belong to `inner`, so these are never reached.
  bool cancel_call(const txaio::DelayedCall&) noexcept override { return false; }
  bool call_active(const txaio::DelayedCall&) const noexcept override { return false; }
};

/// What ran, and when.
struct Ran {
  std::string name;
  nanoseconds time;
  bool operator==(const Ran&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Ran& r) { return os << r.name << "@" << r.time.count() << "ns"; }

/// One line per event of the loop's own timers (`source == loop`) and per `bucket_timer` event,
/// times in ms: "2000 loop fire t1 due 2000", "2000 bucket fire t1 due 2000 key 2000 chunk
/// 0/2 calls 3". The batched calls' events are left out; every event but a bucket_timer
/// schedule / fire / cancel must leave `Event::bucket` zero. Observes `loop` while it lives.
struct TimerLines final : txaio::Observer {
  TimerLines(txaio::Loop& loop, const BatchedTimer& timer) : loop_(loop), batched_(timer.id()) {
    loop_.add_observer(*this);
  }
  ~TimerLines() override { loop_.remove_observer(*this); }
  TimerLines(const TimerLines&) = delete;
  TimerLines& operator=(const TimerLines&) = delete;

  std::vector<std::string> lines;

  static long long ms(nanoseconds t) { return static_cast<long long>(t.count() / 1'000'000); }

  void on_event(const txaio::Event& e) override {
    const bool has_bucket = e.source == txaio::EventSource::bucket_timer && e.kind != txaio::EventKind::error;
    if (!has_bucket) {
      EXPECT_EQ(e.bucket, txaio::BucketInfo{}) << to_string(e.kind);
    }
    if (e.source == txaio::EventSource::batched_call) return;
    if (e.source == txaio::EventSource::loop) {
      lines.push_back(fmt::format("{} loop {} t{} due {}", ms(e.time), to_string(e.kind), e.id, ms(e.due)));
      return;
    }
    EXPECT_EQ(e.batched, batched_);
    if (!has_bucket) {
      lines.push_back(fmt::format("{} bucket {} {}", ms(e.time), to_string(e.kind), e.message));
      return;
    }
    lines.push_back(fmt::format("{} bucket {} t{} due {} key {} chunk {}/{} calls {}", ms(e.time), to_string(e.kind),
                                e.id, ms(e.due), ms(e.bucket.key), e.bucket.chunk, e.bucket.chunks, e.bucket.calls));
  }

private:
  txaio::Loop& loop_;
  std::uint64_t batched_;
};

class BatchedTimerTest : public txaio::testutil::SimTest {
protected:
  /// A callable recording its name and the loop time it ran at.
  auto record(std::string name) {
    return [this, name = std::move(name)] { ran_.push_back(Ran{name, loop_.now()}); };
  }

  std::vector<Ran> ran_;
};

// ---------------------------------------------------------------------------------------
// Python txaio's behaviour vectors (test_batched_timers_tx.py).

TEST_F(BatchedTimerTest, TxaioSuccessfulCallsLandInFiveSecondBuckets) {
  std::vector<std::string> calls;
  auto foo = [&calls](const std::string& what) { calls.push_back(what); };
  auto batched = txaio::make_batched_timer(5);
  batched.call_later(5.1, foo, std::string("first call"));
  batched.call_later(9.9, foo, std::string("second call"));
  batched.call_later(10.1, foo, std::string("third call"));

  loop_.advance(4.9);
  EXPECT_TRUE(calls.empty());

  // Past the "5 s -> 10 s" bucket: the first two calls, in order.
  loop_.advance(0.2);
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0], "first call");
  EXPECT_EQ(calls[1], "second call");

  loop_.advance(5);
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[2], "third call");
}

TEST_F(BatchedTimerTest, TxaioCancelBeforeTheBucketFires) {
  int calls = 0;
  auto batched = txaio::make_batched_timer(1);
  BatchedCall call = batched.call_later(2, [&calls] { ++calls; });
  loop_.advance(1.2);
  call.cancel();
  loop_.advance(4.0);
  EXPECT_EQ(calls, 0);
}

TEST_F(BatchedTimerTest, TxaioCancelTooLateIsHarmless) {
  int calls = 0;
  auto batched = txaio::make_batched_timer(1);
  BatchedCall call = batched.call_later(2, [&calls] { ++calls; });
  loop_.advance(2.1);
  EXPECT_EQ(calls, 1);
  call.cancel();
  EXPECT_EQ(calls, 1);
  loop_.advance(1);
  EXPECT_EQ(calls, 1);
}

TEST(BatchedTimer, TxaioChunksYieldToTheLoopSpreadOverTheBucket) {
  RecordingLoop loop;
  std::vector<std::string> calls;
  auto foo = [&calls](const char* what) { calls.emplace_back(what); };
  auto batched = txaio::make_batched_timer(loop, 1, 2);
  batched.call_later(2, foo, "call0");
  batched.call_later(2, foo, "call1");
  batched.call_later(2, foo, "call2");

  // Three calls in one bucket: one loop timer, 2 s from now.
  ASSERT_EQ(loop.delays.size(), 1u);
  EXPECT_EQ(loop.delays[0], 2s);

  loop.inner.advance(2);
  EXPECT_EQ(calls, (std::vector<std::string>{"call0", "call1"}));
  loop.inner.advance(1);
  EXPECT_EQ(calls, (std::vector<std::string>{"call0", "call1", "call2"}));
  // The second chunk: half the bucket later (k = 2 chunks).
  ASSERT_EQ(loop.delays.size(), 2u);
  EXPECT_EQ(loop.delays[1], 500ms);
}

TEST(BatchedTimer, TxaioChunkErrorsAreReportedAfterEveryCallRan) {
  RecordingLoop loop;
  std::vector<std::string> calls;
  auto foo = [&calls](const char* what) { calls.emplace_back(what); };
  auto batched = txaio::make_batched_timer(loop, 1, 2);
  batched.call_later(2, foo, "call0");
  batched.call_later(2, foo, "call1");
  batched.call_later(2, foo, "call2");
  batched.call_later(2, [] { throw std::runtime_error("sadness"); });

  loop.inner.advance(2);  // first chunk: no error yet
  try {
    loop.inner.advance(1);
    FAIL() << "expected a BatchError from the second chunk";
  } catch (const BatchError& e) {
    EXPECT_EQ(e.messages(), std::vector<std::string>{"std::runtime_error: sadness"});
    EXPECT_NE(std::string(e.what()).find("std::runtime_error: sadness"), std::string::npos);
  }
  EXPECT_EQ(calls, (std::vector<std::string>{"call0", "call1", "call2"}));
  EXPECT_EQ(batched.pending_count(), 0u);
  EXPECT_EQ(loop.pending_timers(), 0u);
}

TEST(BatchedTimer, TxaioCallCloseToAFractionalNowNeverSchedulesANegativeDelay) {
  RecordingLoop loop;
  loop.inner.advance(0.5);
  auto batched = txaio::make_batched_timer(loop, 1, 2);
  bool ran = false;
  batched.call_later(0.1, [&ran] { ran = true; });  // due 0.6 s: bucket 0, in the past
  ASSERT_EQ(loop.delays.size(), 1u);
  EXPECT_EQ(loop.delays[0], 0ns);
  loop.inner.advance(0);
  EXPECT_TRUE(ran);
  for (nanoseconds d : loop.delays) EXPECT_GE(d, 0ns);
}

// ---------------------------------------------------------------------------------------
// The bucket grid.

TEST_F(BatchedTimerTest, SubSecondBucketsKeepTheirOwnKeys) {
  // Python txaio truncates the due time to whole seconds first, which would put all of
  // these in bucket 0.
  auto batched = txaio::make_batched_timer(0.25);
  batched.call_later(0.1, record("a"));    // key 0
  batched.call_later(0.26, record("b"));   // key 0.25
  batched.call_later(0.49, record("c"));   // key 0.25
  batched.call_later(0.5, record("d"));    // key 0.5
  batched.call_later(0.999, record("e"));  // key 0.75
  batched.call_later(1.0, record("f"));    // key 1.0
  EXPECT_EQ(batched.waiting_buckets(), 5u);
  EXPECT_EQ(loop_.pending_timers(), 5u);
  loop_.advance(2);
  EXPECT_EQ(ran_, (std::vector<Ran>{{"a", 0ms}, {"b", 250ms}, {"c", 250ms}, {"d", 500ms}, {"e", 750ms}, {"f", 1s}}));
}

TEST_F(BatchedTimerTest, DueTimeIsFlooredStraightToTheGridInNanoseconds) {
  auto whole_ms = txaio::make_batched_timer(1ms);
  EXPECT_EQ(whole_ms.key_for(2999999ns), 2ms);
  EXPECT_EQ(whole_ms.key_for(3ms), 3ms);
  auto odd = txaio::make_batched_timer(1500us);
  EXPECT_EQ(odd.key_for(3200us), 3ms);     // 2 * 1.5 ms
  EXPECT_EQ(odd.key_for(2999us), 1500us);
  EXPECT_EQ(odd.key_for(1700us), 1500us);  // not 0: no truncation to 1 ms first
  EXPECT_EQ(odd.key_for(1500us), 1500us);
  EXPECT_EQ(odd.key_for(1499999ns), 0ms);
  auto uneven = txaio::make_batched_timer(1000001ns);
  EXPECT_EQ(uneven.key_for(1000001ns), 1000001ns);  // on the boundary
  EXPECT_EQ(uneven.key_for(1000000ns), 0ns);
  EXPECT_EQ(uneven.key_for(3000003ns), 3000003ns);
  EXPECT_EQ(txaio::bucket_key(-5ns, 1500us, txaio::BatchRounding::down), 0ns);
  EXPECT_EQ(txaio::bucket_key(1700us, 1500us, txaio::BatchRounding::never_early), 3ms);
}

TEST_F(BatchedTimerTest, OneAndAHalfMillisecondBucketsRunEachCallInTheBucketHoldingItsDueTime) {
  auto odd = txaio::make_batched_timer(1500us);
  odd.call_later(1700us, record("a"));  // bucket [1.5, 3) ms
  odd.call_later(3200us, record("b"));  // bucket [3, 4.5) ms
  odd.call_later(4400us, record("c"));  // bucket [3, 4.5) ms, not [1.5, 3) as with whole ms first
  loop_.advance(1499us);
  EXPECT_TRUE(ran_.empty());
  loop_.advance(1us);
  EXPECT_EQ(ran_, (std::vector<Ran>{{"a", 1500us}}));
  loop_.advance(2999us);
  EXPECT_EQ(ran_, (std::vector<Ran>{{"a", 1500us}, {"b", 3ms}, {"c", 3ms}}));
}

TEST_F(BatchedTimerTest, TheGridStartsAtTheLoopsEpochNotAtTheTimersCreation) {
  loop_.advance(370ms);
  auto batched = txaio::make_batched_timer(250ms);
  batched.call_later(200ms, record("a"));  // due 0.57 s: key 0.5 s
  BatchedCall b = batched.call_later(600ms, record("b"));  // due 0.97 s: key 0.75 s
  EXPECT_EQ(b.key(), 750ms);
  loop_.advance(1s);
  EXPECT_EQ(ran_, (std::vector<Ran>{{"a", 500ms}, {"b", 750ms}}));
}

TEST_F(BatchedTimerTest, DefaultRoundingFiresUpToOneBucketEarly) {
  auto batched = txaio::make_batched_timer(1s);
  EXPECT_EQ(batched.rounding(), BatchRounding::down);
  batched.call_later(1.9, record("a"));
  loop_.advance(1s);
  EXPECT_EQ(ran_, (std::vector<Ran>{{"a", 1s}}));
}

TEST_F(BatchedTimerTest, NeverEarlyFiresAtTheFirstBoundaryAtOrAfterTheDueTime) {
  auto batched = txaio::make_batched_timer(1s, 100, BatchRounding::never_early);
  EXPECT_EQ(batched.key_for(1200ms), 2s);
  EXPECT_EQ(batched.key_for(2s), 2s);
  EXPECT_EQ(batched.key_for(1ns), 1s);
  EXPECT_EQ(batched.key_for(0ns), 0s);
  // Not truncated to milliseconds first: that could make it early.
  EXPECT_EQ(batched.key_for(2000000001ns), 3s);
  batched.call_later(1.2, record("a"));
  batched.call_later(2.0, record("b"));
  batched.call_later(0.0, record("c"));
  loop_.advance(0);
  EXPECT_EQ(ran_, (std::vector<Ran>{{"c", 0s}}));
  loop_.advance(1999ms);
  EXPECT_EQ(ran_.size(), 1u);
  loop_.advance(1ms);
  EXPECT_EQ(ran_, (std::vector<Ran>{{"c", 0s}, {"a", 2s}, {"b", 2s}}));
}

TEST_F(BatchedTimerTest, NeverEarlyAtTheEndOfTimeSaturates) {
  auto batched = txaio::make_batched_timer(1s, 100, BatchRounding::never_early);
  const nanoseconds end = nanoseconds::max();
  EXPECT_LE(batched.key_for(end), end);
  EXPECT_GT(batched.key_for(end), end - 1s);
  BatchedCall never = batched.call_later(nanoseconds::max(), record("never"));
  EXPECT_TRUE(never.active());
  loop_.advance(1000s);
  EXPECT_TRUE(ran_.empty());
  never.cancel();
  EXPECT_EQ(loop_.pending_timers(), 0u);
}

// 10^10 thirds of a second is 105 years: the key must be there, not at once (the delay's
// conversion overflowed and came out negative).
TEST_F(BatchedTimerTest, ADelayInThirdsOfASecondLandsInItsBucketNotAtOnce) {
  using thirds = std::chrono::duration<std::int64_t, std::ratio<1, 3>>;
  auto batched = txaio::make_batched_timer(1s);
  BatchedCall later = batched.call_later(thirds(10'000'000'000), record("later"));
  EXPECT_EQ(later.key(), std::chrono::seconds(3'333'333'333));
  loop_.advance(1000s);
  EXPECT_TRUE(ran_.empty());
  EXPECT_TRUE(later.active());
  later.cancel();
}

TEST_F(BatchedTimerTest, ACallWhoseBucketIsInThePastFiresNow) {
  loop_.advance(0.5);
  auto batched = txaio::make_batched_timer(1);
  batched.call_later(0.1, record("a"));
  batched.call_later(-3, record("b"));  // negative delays clamp to 0
  EXPECT_EQ(batched.waiting_buckets(), 1u);
  loop_.advance(0);
  EXPECT_EQ(ran_, (std::vector<Ran>{{"a", 500ms}, {"b", 500ms}}));
}

TEST_F(BatchedTimerTest, OneLoopTimerPerNonEmptyBucket) {
  auto batched = txaio::make_batched_timer(1s);
  int runs = 0;
  for (int i = 0; i < 1000; ++i) batched.call_later(std::chrono::milliseconds(i * 5), [&runs] { ++runs; });
  EXPECT_EQ(batched.pending_count(), 1000u);
  EXPECT_EQ(batched.waiting_buckets(), 5u);
  EXPECT_EQ(batched.underlying_timers(), 5u);
  EXPECT_EQ(loop_.pending_timers(), 5u);
  loop_.advance(10s);
  EXPECT_EQ(runs, 1000);
  EXPECT_EQ(batched.pending_count(), 0u);
  EXPECT_EQ(batched.underlying_timers(), 0u);
  EXPECT_EQ(loop_.pending_timers(), 0u);
}

TEST_F(BatchedTimerTest, CallsInABucketRunInRegistrationOrderWhateverTheLoopsTies) {
  txaio::sim::Loop lifo(txaio::sim::Options{.ties = txaio::sim::Ties::lifo});
  auto batched = txaio::make_batched_timer(lifo, 1s, 3);
  std::vector<int> order;
  for (int i = 0; i < 10; ++i) batched.call_later(1.5, [&order, i] { order.push_back(i); });
  lifo.advance(2s);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST_F(BatchedTimerTest, CallsScheduledFromInsideABucketGoToANewBucket) {
  auto batched = txaio::make_batched_timer(1s, 1);
  batched.call_later(1, [&] {
    ran_.push_back(Ran{"outer", loop_.now()});
    // Same key as the bucket that is firing: a fresh bucket, due now.
    batched.call_later(0, record("inner"));
  });
  batched.call_later(1, record("sibling"));
  loop_.advance(1s);
  // "sibling" is the second chunk of the firing bucket, at 1.5 s.
  EXPECT_EQ(ran_, (std::vector<Ran>{{"outer", 1s}, {"inner", 1s}}));
  loop_.advance(1s);
  EXPECT_EQ(ran_, (std::vector<Ran>{{"outer", 1s}, {"inner", 1s}, {"sibling", 1500ms}}));
}

// ---------------------------------------------------------------------------------------
// Chunks.

TEST_F(BatchedTimerTest, ChunksRunAtEvenOffsetsInsideTheBucket) {
  auto batched = txaio::make_batched_timer(1s, 3);
  for (int i = 0; i < 10; ++i) batched.call_later(2, record(std::to_string(i)));
  loop_.advance(10s);
  // k = ceil(10 / 3) = 4 chunks at 2 + i / 4 s.
  EXPECT_EQ(ran_, (std::vector<Ran>{{"0", 2s},
                                    {"1", 2s},
                                    {"2", 2s},
                                    {"3", 2250ms},
                                    {"4", 2250ms},
                                    {"5", 2250ms},
                                    {"6", 2500ms},
                                    {"7", 2500ms},
                                    {"8", 2500ms},
                                    {"9", 2750ms}}));
}

TEST_F(BatchedTimerTest, ChunkCountIsDecidedByThePendingCallsWhenTheBucketFires) {
  auto batched = txaio::make_batched_timer(1s, 2);
  std::vector<BatchedCall> calls;
  for (int i = 0; i < 5; ++i) calls.push_back(batched.call_later(1, record(std::to_string(i))));
  calls[1].cancel();  // 4 left: k = 2
  loop_.advance(5s);
  EXPECT_EQ(ran_, (std::vector<Ran>{{"0", 1s}, {"2", 1s}, {"3", 1500ms}, {"4", 1500ms}}));
}

TEST_F(BatchedTimerTest, CancellingAfterTheBucketFiredDoesNotMoveOtherCallsToAnotherChunk) {
  auto batched = txaio::make_batched_timer(900ms, 2);
  std::vector<BatchedCall> calls;
  for (int i = 0; i < 6; ++i) calls.push_back(batched.call_later(900ms, record(std::to_string(i))));
  loop_.advance(900ms);  // chunk 0 of 3: calls 0 and 1
  EXPECT_EQ(batched.chunking_buckets(), 1u);
  EXPECT_EQ(batched.waiting_buckets(), 0u);
  calls[2].cancel();  // chunk 1
  calls[3].cancel();  // chunk 1: now empty, yet 4 and 5 stay in chunk 2
  EXPECT_FALSE(calls[2].active());
  EXPECT_TRUE(calls[4].active());
  EXPECT_EQ(loop_.pending_timers(), 1u);
  loop_.advance(1s);
  EXPECT_EQ(ran_, (std::vector<Ran>{{"0", 900ms}, {"1", 900ms}, {"4", 1500ms}, {"5", 1500ms}}));
}

TEST_F(BatchedTimerTest, ACallCancelledMidChunkNeverRuns) {
  auto batched = txaio::make_batched_timer(1s, 3);
  std::vector<BatchedCall> calls(6);
  calls[0] = batched.call_later(1, [&] {
    ran_.push_back(Ran{"0", loop_.now()});
    calls[1].cancel();  // same chunk, not run yet
    calls[4].cancel();  // next chunk
    calls[0].cancel();  // itself: already running, a no-op
  });
  for (int i = 1; i < 6; ++i) calls[i] = batched.call_later(1, record(std::to_string(i)));
  loop_.advance(5s);
  EXPECT_EQ(ran_, (std::vector<Ran>{{"0", 1s}, {"2", 1s}, {"3", 1500ms}, {"5", 1500ms}}));
}

TEST_F(BatchedTimerTest, ACallCancellingEveryLaterCallEndsTheBucket) {
  auto batched = txaio::make_batched_timer(1s, 2);
  std::vector<BatchedCall> calls(5);
  calls[0] = batched.call_later(1, [&] {
    ran_.push_back(Ran{"0", loop_.now()});
    for (auto& c : calls) c.cancel();
  });
  for (int i = 1; i < 5; ++i) calls[i] = batched.call_later(1, record(std::to_string(i)));
  loop_.advance(1s);
  EXPECT_EQ(ran_, (std::vector<Ran>{{"0", 1s}}));
  EXPECT_EQ(batched.pending_count(), 0u);
  EXPECT_EQ(batched.underlying_timers(), 0u);
  EXPECT_EQ(loop_.pending_timers(), 0u);
}

// ---------------------------------------------------------------------------------------
// Cancelling.

TEST_F(BatchedTimerTest, CancelIsIdempotentAndActiveFollowsTheCall) {
  auto batched = txaio::make_batched_timer(1s);
  BatchedCall a = batched.call_later(1, record("a"));
  BatchedCall b = batched.call_later(1, record("b"));
  BatchedCall copy = a;
  EXPECT_TRUE(a.active());
  a.cancel();
  EXPECT_FALSE(a.active());
  EXPECT_FALSE(copy.active());
  a.cancel();
  copy.cancel();
  EXPECT_TRUE(b.active());
  loop_.advance(1s);
  EXPECT_FALSE(b.active());
  b.cancel();
  b.cancel();
  EXPECT_EQ(ran_, (std::vector<Ran>{{"b", 1s}}));
  BatchedCall empty;
  EXPECT_FALSE(empty.active());
  empty.cancel();
}

TEST_F(BatchedTimerTest, AStaleHandleDoesNotCancelTheCallReusingItsSlot) {
  auto batched = txaio::make_batched_timer(1s);
  BatchedCall old = batched.call_later(1, record("old"));
  old.cancel();
  BatchedCall fresh = batched.call_later(1, record("fresh"));
  old.cancel();
  EXPECT_TRUE(fresh.active());
  loop_.advance(1s);
  EXPECT_EQ(ran_, (std::vector<Ran>{{"fresh", 1s}}));
}

// The same after the bucket slot's generation passes 2^32 (it wrapped at 32 bits, and the
// stale handle, same slot and index, cancelled the fresh call).
TEST_F(BatchedTimerTest, AStaleHandleStaysStalePastTwoToThe32ReusesOfItsBucket) {
  auto batched = txaio::make_batched_timer(1s);
  BatchedCall old = batched.call_later(1, record("old"));
  old.cancel();
  txaio::detail::skip_bucket_generations(batched, (std::uint64_t{1} << 32) - 1);
  BatchedCall fresh = batched.call_later(1, record("fresh"));
  old.cancel();
  EXPECT_FALSE(old.active());
  EXPECT_TRUE(fresh.active());
  loop_.advance(1s);
  EXPECT_EQ(ran_, (std::vector<Ran>{{"fresh", 1s}}));
}

TEST_F(BatchedTimerTest, ABucketEmptiedByCancellationCancelsItsLoopTimer) {
  auto batched = txaio::make_batched_timer(1s);
  BatchedCall a = batched.call_later(2, record("a"));
  BatchedCall b = batched.call_later(2.5, record("b"));
  batched.call_later(3.5, record("c"));
  EXPECT_EQ(loop_.pending_timers(), 2u);
  a.cancel();
  EXPECT_EQ(loop_.pending_timers(), 2u);  // b still holds bucket 2
  b.cancel();
  EXPECT_EQ(loop_.pending_timers(), 1u);
  EXPECT_EQ(batched.waiting_buckets(), 1u);
  EXPECT_EQ(batched.pending_count(), 1u);
  // The key is free again: a new call opens a new bucket with a new timer.
  batched.call_later(2, record("d"));
  EXPECT_EQ(loop_.pending_timers(), 2u);
  loop_.advance(5s);
  EXPECT_EQ(ran_, (std::vector<Ran>{{"d", 2s}, {"c", 3s}}));
}

TEST_F(BatchedTimerTest, ABucketEmptiedBetweenChunksCancelsItsChunkTimer) {
  auto batched = txaio::make_batched_timer(1s, 1);
  std::vector<BatchedCall> calls;
  for (int i = 0; i < 3; ++i) calls.push_back(batched.call_later(1, record(std::to_string(i))));
  loop_.advance(1s);
  EXPECT_EQ(batched.chunking_buckets(), 1u);
  EXPECT_EQ(loop_.pending_timers(), 1u);
  calls[1].cancel();
  EXPECT_EQ(loop_.pending_timers(), 1u);
  calls[2].cancel();
  EXPECT_EQ(loop_.pending_timers(), 0u);
  EXPECT_EQ(batched.chunking_buckets(), 0u);
  EXPECT_EQ(batched.underlying_timers(), 0u);
  loop_.advance(5s);
  EXPECT_EQ(ran_, (std::vector<Ran>{{"0", 1s}}));
}

// ---------------------------------------------------------------------------------------
// Errors.

namespace custom {
struct Oops : std::runtime_error {
  using std::runtime_error::runtime_error;
};
}  // namespace custom

TEST_F(BatchedTimerTest, EveryErrorOfABucketIsReportedOnceInRunOrder) {
  auto batched = txaio::make_batched_timer(1s, 2);
  batched.call_later(1, [] { throw std::runtime_error("one"); });
  batched.call_later(1, record("a"));
  batched.call_later(1, [] { throw custom::Oops("two"); });
  batched.call_later(1, [] { throw 42; });
  batched.call_later(1, record("b"));
  batched.call_later(1, [] { throw std::logic_error("three"); });
  loop_.advance(1s);     // chunk 0 of 3
  loop_.advance(334ms);  // chunk 1, at 1.333333333 s
  EXPECT_EQ(ran_, (std::vector<Ran>{{"a", 1s}}));
  try {
    loop_.advance(1s);  // chunk 2, the last
    FAIL() << "expected a BatchError";
  } catch (const BatchError& e) {
    EXPECT_EQ(e.messages(), (std::vector<std::string>{"std::runtime_error: one", "(anonymous namespace)::custom::Oops: two",
                                                     "int: not a std::exception", "std::logic_error: three"}));
    EXPECT_NE(std::string(e.what()).find("4 calls failed"), std::string::npos);
  }
  EXPECT_EQ(ran_, (std::vector<Ran>{{"a", 1s}, {"b", 1666666666ns}}));
  // Reported once: the loop goes on normally.
  loop_.advance(1s);
  EXPECT_EQ(loop_.pending_timers(), 0u);
}

TEST_F(BatchedTimerTest, ErrorsOfABucketEmptiedBetweenChunksAreReportedWhenItEmpties) {
  auto batched = txaio::make_batched_timer(1s, 1);
  batched.call_later(1, [] { throw std::runtime_error("early"); });
  BatchedCall later = batched.call_later(1, record("later"));
  loop_.advance(1s);  // no throw yet: a chunk is still to come
  later.cancel();
  EXPECT_THROW(loop_.advance(0), BatchError);
  loop_.advance(0);
  EXPECT_TRUE(ran_.empty());
}

TEST_F(BatchedTimerTest, TheBatchErrorGoesThroughTheLoopsReport) {
  struct Errors : txaio::Observer {
    std::vector<std::string> messages;
    void on_event(const txaio::Event& e) override {
      // The loop's own report (the batched timer's events about its calls are checked elsewhere).
      if (e.kind == txaio::EventKind::error && e.source == txaio::EventSource::loop) messages.emplace_back(e.message);
    }
  } errors;
  loop_.add_observer(errors);
  auto batched = txaio::make_batched_timer(1s);
  batched.call_later(1, [] { throw std::runtime_error("boom"); });
  EXPECT_THROW(loop_.advance(1s), BatchError);
  loop_.remove_observer(errors);
  ASSERT_EQ(errors.messages.size(), 1u);
  EXPECT_NE(errors.messages[0].find("std::runtime_error: boom"), std::string::npos);
}

TEST_F(BatchedTimerTest, LoopObserversSeeEachCallAndWhichLoopTimersAreTheTimersOwn) {
  struct Lines : txaio::Observer {
    std::uint64_t batched = 0;
    std::vector<std::string> lines;
    void on_event(const txaio::Event& e) override {
      if (e.source == txaio::EventSource::loop) {
        lines.push_back(fmt::format("loop {} {}", to_string(e.kind), e.due.count()));
        return;
      }
      EXPECT_EQ(e.batched, batched);
      const char* source = e.source == txaio::EventSource::batched_call ? "call" : "bucket_timer";
      lines.push_back(fmt::format("{} {} {} {}{}", source, to_string(e.kind), e.time.count(), e.due.count(),
                                  e.message.empty() ? "" : " " + std::string(e.message)));
    }
  } obs;
  auto batched = txaio::make_batched_timer(1s, 1);
  obs.batched = batched.id();
  loop_.add_observer(obs);
  batched.call_later(1500ms, [] {});
  BatchedCall gone = batched.call_later(1200ms, [] {});
  batched.call_later(1100ms, [] { throw std::runtime_error("boom"); });
  loop_.advance(100ms);
  gone.cancel();
  EXPECT_THROW(loop_.advance(2s), BatchError);
  loop_.remove_observer(obs);
  EXPECT_EQ(obs.lines, (std::vector<std::string>{
                           "loop schedule 1000000000",  // the bucket's loop timer, ...
                           "call schedule 0 1500000000",
                           "bucket_timer schedule 0 1000000000",  // ... marked as the timer's own
                           "call schedule 0 1200000000",
                           "call schedule 0 1100000000",
                           "call cancel 100000000 1000000000",
                           "loop fire 1000000000",  // chunk 1 of 2
                           "bucket_timer fire 1000000000 1000000000",
                           "call fire 1000000000 1000000000",
                           "call done 1000000000 1000000000",
                           "loop schedule 1500000000",
                           "bucket_timer schedule 1000000000 1500000000",
                           "loop done 1000000000",
                           "loop fire 1500000000",  // chunk 2 of 2: the cancelled call is skipped
                           "bucket_timer fire 1500000000 1500000000",
                           "call fire 1500000000 1000000000",
                           "call error 1500000000 1000000000 boom",
                           "call done 1500000000 1000000000",
                           "bucket_timer error 1500000000 1500000000 1 call failed\n  std::runtime_error: boom",
                           "loop error 1500000000",
                           "loop done 1500000000",
                       }));
}

// ---------------------------------------------------------------------------------------
// Arguments, loops, the Api member.

TEST(BatchedTimer, RejectsABucketUnderOneMillisecondOrNotFinite) {
  txaio::sim::Loop loop;
  auto expect_bucket_error = [&](auto bucket) {
    try {
      (void)txaio::make_batched_timer(loop, bucket);
      ADD_FAILURE() << "accepted a bad bucket";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("bucket"), std::string::npos) << e.what();
    }
  };
  expect_bucket_error(999us);
  expect_bucket_error(0);
  expect_bucket_error(0.0009);
  expect_bucket_error(-1s);
  expect_bucket_error(std::numeric_limits<double>::quiet_NaN());
  expect_bucket_error(std::numeric_limits<double>::infinity());
  expect_bucket_error(-std::numeric_limits<double>::infinity());
  expect_bucket_error(std::chrono::duration<double>(std::numeric_limits<double>::infinity()));
  EXPECT_THROW(BatchedTimer(loop, 0ns), std::invalid_argument);
  EXPECT_NO_THROW((void)txaio::make_batched_timer(loop, 1ms));
  EXPECT_NO_THROW((void)txaio::make_batched_timer(loop, 0.001));
}

TEST(BatchedTimer, RejectsAChunkSizeUnderOne) {
  txaio::sim::Loop loop;
  for (std::int64_t bad : {std::int64_t{0}, std::int64_t{-1}, std::numeric_limits<std::int64_t>::min()}) {
    try {
      (void)txaio::make_batched_timer(loop, 1s, bad);
      ADD_FAILURE() << "accepted chunk_size " << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("chunk_size"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(txaio::make_batched_timer(loop, 1s, 1).chunk_size(), 1);
  EXPECT_EQ(txaio::make_batched_timer(loop, 1s).chunk_size(), 100);
}

TEST(BatchedTimer, AcceptsAnyDurationOrSeconds) {
  txaio::sim::Loop loop;
  EXPECT_EQ(txaio::make_batched_timer(loop, 2).bucket(), 2s);
  EXPECT_EQ(txaio::make_batched_timer(loop, 0.25).bucket(), 250ms);
  EXPECT_EQ(txaio::make_batched_timer(loop, 3ms).bucket(), 3ms);
  EXPECT_EQ(txaio::make_batched_timer(loop, std::chrono::duration<double>(1.5)).bucket(), 1500ms);
  auto batched = txaio::make_batched_timer(loop, 1);
  std::vector<nanoseconds> when;
  batched.call_later(1500ms, [&] { when.push_back(loop.now()); });
  batched.call_later(1.5, [&] { when.push_back(loop.now()); });
  batched.call_later(std::chrono::duration<float>(1.5f), [&] { when.push_back(loop.now()); });
  loop.advance(2s);
  EXPECT_EQ(when, (std::vector<nanoseconds>{1s, 1s, 1s}));
}

TEST(BatchedTimer, MakeBatchedTimerNeedsADefaultLoop) {
  txaio::Loop* previous = txaio::detail::exchange_default_loop(nullptr);
  try {
    (void)txaio::make_batched_timer(1s);
    ADD_FAILURE() << "made a batched timer with no loop chosen";
  } catch (const txaio::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("use_loop"), std::string::npos);
  }
  txaio::detail::exchange_default_loop(previous);
}

TEST_F(BatchedTimerTest, MakeBatchedTimerUsesTheDefaultLoop) {
  auto batched = txaio::make_batched_timer(1s);
  EXPECT_EQ(&batched.loop(), &loop_);
}

TEST_F(BatchedTimerTest, TheApiMemberBindsItsOwnLoop) {
  txaio::sim::Loop other;
  const txaio::Api api = txaio::with_config(other);
  auto batched = api.make_batched_timer(1s, 2, BatchRounding::never_early);
  EXPECT_EQ(&batched.loop(), &other);
  EXPECT_EQ(batched.chunk_size(), 2);
  EXPECT_EQ(batched.rounding(), BatchRounding::never_early);
  int runs = 0;
  batched.call_later(0.5, [&runs] { ++runs; });
  EXPECT_EQ(loop_.pending_timers(), 0u);
  EXPECT_EQ(other.pending_timers(), 1u);
  other.advance(1s);
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(api.make_batched_timer(0.5).chunk_size(), 100);
  EXPECT_THROW((void)api.make_batched_timer(0), std::invalid_argument);
}

TEST_F(BatchedTimerTest, ArgumentsAreStoredByValue) {
  auto batched = txaio::make_batched_timer(1s);
  std::string seen;
  {
    std::string text = "hello";
    batched.call_later(1, [&seen](const std::string& s, int n) { seen = s + std::to_string(n); }, text, 7);
    text = "changed";
  }
  loop_.advance(1s);
  EXPECT_EQ(seen, "hello7");
}

// ---------------------------------------------------------------------------------------
// Lifetime.

TEST_F(BatchedTimerTest, DestroyingTheTimerCancelsItsLoopTimersAndDropsItsCalls) {
  auto token = std::make_shared<int>(0);
  {
    auto batched = txaio::make_batched_timer(1s, 1);
    for (int delay : {0, 1, 1, 3}) batched.call_later(delay, [token] { ++*token; });
    loop_.advance(1s);  // bucket 0 done, bucket 1 between its two chunks, bucket 3 waiting
    EXPECT_EQ(*token, 2);
    EXPECT_EQ(token.use_count(), 3);
    EXPECT_EQ(loop_.pending_timers(), 2u);
  }
  EXPECT_EQ(loop_.pending_timers(), 0u);
  EXPECT_EQ(token.use_count(), 1);
  loop_.advance(10s);
  EXPECT_EQ(*token, 2);
}

TEST_F(BatchedTimerTest, ATimerMayBeDestroyedFromInsideItsOwnCall) {
  auto batched = std::make_unique<BatchedTimer>(txaio::make_batched_timer(1s, 10));
  batched->call_later(1, record("a"));
  batched->call_later(1, [&] {
    ran_.push_back(Ran{"destroyer", loop_.now()});
    batched.reset();
  });
  batched->call_later(1, record("never"));
  batched->call_later(5, record("never either"));
  loop_.advance(10s);
  EXPECT_EQ(ran_, (std::vector<Ran>{{"a", 1s}, {"destroyer", 1s}}));
  EXPECT_EQ(loop_.pending_timers(), 0u);
}

TEST_F(BatchedTimerTest, AMovedTimerKeepsItsCallsAndHandles) {
  auto first = txaio::make_batched_timer(1s);
  BatchedCall a = first.call_later(1, record("a"));
  BatchedCall b = first.call_later(1, record("b"));
  BatchedTimer second = std::move(first);
  a.cancel();
  EXPECT_TRUE(b.active());
  EXPECT_EQ(second.pending_count(), 1u);
  BatchedTimer third = txaio::make_batched_timer(2s);
  third.call_later(2, record("dropped"));
  third = std::move(second);  // drops third's own call and its loop timer
  EXPECT_EQ(loop_.pending_timers(), 1u);
  loop_.advance(5s);
  EXPECT_EQ(ran_, (std::vector<Ran>{{"b", 1s}}));
}

// ---------------------------------------------------------------------------------------
// Introspection.

TEST_F(BatchedTimerTest, LoopObserversSeeEveryLoopTimerOfEveryBucketWithItsBucket) {
  auto batched = txaio::make_batched_timer(1s, 2);
  TimerLines obs(loop_, batched);
  std::vector<BatchedCall> calls;
  for (int i = 0; i < 3; ++i) calls.push_back(batched.call_later(2, record(std::to_string(i))));
  BatchedCall lone = batched.call_later(5, record("lone"));
  loop_.advance(2s);
  lone.cancel();
  loop_.advance(1s);
  EXPECT_EQ(obs.lines, (std::vector<std::string>{
                           "0 loop schedule t1 due 2000",  // bucket 2 opened
                           "0 bucket schedule t1 due 2000 key 2000 chunk 0/0 calls 1",
                           "0 loop schedule t2 due 5000",  // bucket 5 opened
                           "0 bucket schedule t2 due 5000 key 5000 chunk 0/0 calls 1",
                           "2000 loop fire t1 due 2000",
                           "2000 bucket fire t1 due 2000 key 2000 chunk 0/2 calls 3",  // chunk 0 of 2 runs
                           "2000 loop schedule t3 due 2500",                           // its next chunk
                           "2000 bucket schedule t3 due 2500 key 2000 chunk 1/2 calls 1",
                           "2000 loop done t1 due 2000",
                           "2000 loop cancel t2 due 5000",  // bucket 5 emptied
                           "2000 bucket cancel t2 due 5000 key 5000 chunk 0/0 calls 0",
                           "2500 loop fire t3 due 2500",
                           "2500 bucket fire t3 due 2500 key 2000 chunk 1/2 calls 1",  // chunk 1 of 2 runs
                           "2500 loop done t3 due 2500",
                       }));
  EXPECT_EQ(ran_, (std::vector<Ran>{{"0", 2s}, {"1", 2s}, {"2", 2500ms}}));
}

TEST_F(BatchedTimerTest, ABucketEmptiedBetweenChunksIsReportedCancelledBeforeItsErrors) {
  auto batched = txaio::make_batched_timer(1s, 1);
  TimerLines obs(loop_, batched);
  batched.call_later(1, [] { throw std::runtime_error("early"); });
  BatchedCall later = batched.call_later(1, record("later"));
  loop_.advance(1s);
  later.cancel();
  EXPECT_THROW(loop_.advance(0), BatchError);
  EXPECT_EQ(obs.lines, (std::vector<std::string>{
                           "0 loop schedule t1 due 1000",
                           "0 bucket schedule t1 due 1000 key 1000 chunk 0/0 calls 1",
                           "1000 loop fire t1 due 1000",
                           "1000 bucket fire t1 due 1000 key 1000 chunk 0/2 calls 2",
                           "1000 loop schedule t2 due 1500",
                           "1000 bucket schedule t2 due 1500 key 1000 chunk 1/2 calls 1",
                           "1000 loop done t1 due 1000",
                           "1000 loop cancel t2 due 1500",  // the bucket's last call went
                           "1000 bucket cancel t2 due 1500 key 1000 chunk 1/2 calls 0",
                           "1000 bucket error 1 call failed\n  std::runtime_error: early",
                           "1000 loop error t0 due 1000",
                       }));
}

TEST_F(BatchedTimerTest, AnObserverThatThrowsDoesNotBreakTheTimer) {
  struct Bad : txaio::Observer {
    void on_event(const txaio::Event&) override { throw std::runtime_error("observer"); }
  } bad;
  auto batched = txaio::make_batched_timer(1s, 1);
  loop_.add_observer(bad);
  batched.call_later(1, record("a"));
  batched.call_later(1, record("b"));
  BatchedCall gone = batched.call_later(3, record("gone"));
  gone.cancel();
  EXPECT_NO_THROW(loop_.advance(5s));
  loop_.remove_observer(bad);
  EXPECT_EQ(ran_, (std::vector<Ran>{{"a", 1s}, {"b", 1500ms}}));
  EXPECT_EQ(loop_.pending_timers(), 0u);
  EXPECT_EQ(batched.underlying_timers(), 0u);
}

TEST_F(BatchedTimerTest, CountsFollowCallsBucketsAndChunks) {
  auto batched = txaio::make_batched_timer(1s, 1);
  EXPECT_EQ(batched.pending_count(), 0u);
  EXPECT_EQ(batched.underlying_timers(), 0u);
  const std::size_t empty_bytes = txaio::detail::batched_bytes_reserved(batched);
  batched.call_later(1, record("a"));
  batched.call_later(1, record("b"));
  batched.call_later(2, record("c"));
  EXPECT_EQ(batched.pending_count(), 3u);
  EXPECT_EQ(batched.waiting_buckets(), 2u);
  EXPECT_EQ(batched.chunking_buckets(), 0u);
  EXPECT_GT(txaio::detail::batched_bytes_reserved(batched), empty_bytes);
  loop_.advance(1s);
  EXPECT_EQ(batched.pending_count(), 2u);
  EXPECT_EQ(batched.waiting_buckets(), 1u);
  EXPECT_EQ(batched.chunking_buckets(), 1u);
  EXPECT_EQ(batched.underlying_timers(), 2u);
  EXPECT_EQ(loop_.pending_timers(), 2u);
  loop_.advance(1s);
  EXPECT_EQ(batched.pending_count(), 0u);
  EXPECT_EQ(batched.underlying_timers(), 0u);
}

}  // namespace
