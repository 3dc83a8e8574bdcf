#include "txaio/batched_timer.hpp"
// Stateful property test: random programs of batched call_later / cancel / advance over
// several batched timers (random bucket widths, chunk sizes and rounding) on sim::Loop,
// checked against a model built from the design's formulas:
//   key   = floor(trunc_ms(now + delay) / bucket) * bucket   (never_early: ceil(due / bucket))
//   timer = one per non-empty bucket, due max(key, now)
//   chunk i of k = ceil(n / chunk_size) at max(key + i * bucket / k, previous chunk's time)

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "txaio/sim/loop.hpp"
#include "txaio/testutil/rapidcheck.hpp"

namespace {

using namespace std::chrono_literals;
using txaio::nanoseconds;

constexpr std::int64_t ms_ns = 1'000'000;
constexpr auto count_ns = [](nanoseconds d) { return d.count(); };

struct TimerSpec {
  std::int64_t bucket_ns;
  std::int64_t chunk_size;
  bool never_early;
};

struct ModelCall {
  int timer;
  std::int64_t due;
  std::int64_t key;
  int bucket;          // index into Model::buckets
  int cancel_pick;     // when it runs, it cancels call `cancel_pick % calls`; -1: nothing
  bool pending = true;
  std::int64_t fired_at = -1;
  std::uint64_t chunk = 0;
  std::uint64_t chunks = 0;
};

struct ModelBucket {
  int timer;
  std::int64_t key;
  std::int64_t opened_at;
  std::vector<int> calls;  // registration order; fixed once the bucket fired
  bool has_timer = true;   // a loop timer is pending for it
  bool fired = false;
  bool running = false;
  std::uint64_t chunks = 0;
  std::uint64_t next_chunk = 0;
  std::size_t next = 0;     // first call of the next chunk
  std::int64_t timer_due = 0;
  std::uint64_t timer_seq = 0;  // the loop's FIFO tie-break: order of scheduling
};

struct Fired {
  int id;
  std::int64_t time;
  bool operator==(const Fired&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Fired& f) { return os << "#" << f.id << "@" << f.time << "ns"; }

struct Model {
  std::vector<TimerSpec> timers;
  std::int64_t now = 0;
  std::uint64_t seq = 0;
  std::vector<ModelCall> calls;
  std::vector<ModelBucket> buckets;

  std::int64_t key_for(const TimerSpec& t, std::int64_t due) const {
    if (t.never_early) return (due + t.bucket_ns - 1) / t.bucket_ns * t.bucket_ns;
    return due / t.bucket_ns * t.bucket_ns;
  }

  bool live_left(const ModelBucket& b) const {
    for (std::size_t i = b.fired ? b.next : 0; i < b.calls.size(); ++i) {
      if (calls[b.calls[i]].pending) return true;
    }
    return false;
  }

  void call_later(int timer, std::int64_t delay, int cancel_pick) {
    const TimerSpec& t = timers[timer];
    const std::int64_t due = now + std::max<std::int64_t>(0, delay);
    const std::int64_t key = key_for(t, due);
    int bucket = -1;
    for (std::size_t i = 0; i < buckets.size(); ++i) {
      const ModelBucket& b = buckets[i];
      if (b.timer == timer && b.key == key && b.has_timer && !b.fired) bucket = static_cast<int>(i);
    }
    if (bucket < 0) {
      ModelBucket b{timer, key, now, {}};
      b.timer_due = std::max(key, now);
      b.timer_seq = seq++;
      buckets.push_back(b);
      bucket = static_cast<int>(buckets.size() - 1);
    }
    const int id = static_cast<int>(calls.size());
    calls.push_back(ModelCall{timer, due, key, bucket, cancel_pick});
    buckets[bucket].calls.push_back(id);
  }

  void cancel(int id) {
    ModelCall& c = calls[id];
    if (!c.pending) return;
    c.pending = false;
    ModelBucket& b = buckets[c.bucket];
    if (!b.fired) std::erase(b.calls, id);  // the split is decided when the bucket fires
    if (!b.running && !live_left(b)) b.has_timer = false;
  }

  void fire(ModelBucket& b, std::vector<Fired>& out) {
    const TimerSpec& t = timers[b.timer];
    if (!b.fired) {
      b.fired = true;
      const auto n = static_cast<std::uint64_t>(b.calls.size());
      const auto c = static_cast<std::uint64_t>(t.chunk_size);
      b.chunks = (n + c - 1) / c;
    }
    const std::uint64_t chunk = b.next_chunk++;
    b.running = true;
    for (std::int64_t taken = 0; taken < t.chunk_size && b.next < b.calls.size(); ++taken) {
      ModelCall& c = calls[b.calls[b.next++]];
      if (!c.pending) continue;
      c.pending = false;
      c.fired_at = now;
      c.chunk = chunk;
      c.chunks = b.chunks;
      out.push_back(Fired{b.calls[b.next - 1], now});
      if (c.cancel_pick >= 0) cancel(c.cancel_pick % static_cast<int>(calls.size()));
    }
    b.running = false;
    if (!live_left(b)) {
      b.has_timer = false;
      return;
    }
    const std::int64_t offset =
        static_cast<std::int64_t>(b.next_chunk) * t.bucket_ns / static_cast<std::int64_t>(b.chunks);
    b.timer_due = std::max(now, b.key + offset);
    b.timer_seq = seq++;
  }

  /// Runs the loop to `target`, the way sim::Loop does: timers in (due, scheduling order).
  std::vector<Fired> advance(std::int64_t target) {
    std::vector<Fired> out;
    for (;;) {
      ModelBucket* next = nullptr;
      for (ModelBucket& b : buckets) {
        if (!b.has_timer || b.timer_due > target) continue;
        if (next == nullptr || b.timer_due < next->timer_due ||
            (b.timer_due == next->timer_due && b.timer_seq < next->timer_seq)) {
          next = &b;
        }
      }
      if (next == nullptr) break;
      now = next->timer_due;
      fire(*next, out);
    }
    now = target;
    return out;
  }

  std::size_t loop_timers() const {
    return static_cast<std::size_t>(std::count_if(buckets.begin(), buckets.end(), [](auto& b) { return b.has_timer; }));
  }
};

struct Sut {
  txaio::sim::Loop loop;
  std::vector<txaio::BatchedTimer> timers;
  std::vector<txaio::BatchedCall> handles;
  std::vector<Fired> fired;
};

using Command = rc::state::Command<Model, Sut>;

/// What every command checks afterwards: the counts of the timers against the model.
void check_counts(const Model& m, const Sut& sut) {
  std::size_t total = 0;
  for (std::size_t t = 0; t < sut.timers.size(); ++t) {
    std::size_t pending = 0;
    std::size_t waiting = 0;
    std::size_t chunking = 0;
    for (const ModelCall& c : m.calls) pending += (c.timer == static_cast<int>(t) && c.pending) ? 1 : 0;
    for (const ModelBucket& b : m.buckets) {
      if (b.timer != static_cast<int>(t) || !b.has_timer) continue;
      (b.fired ? chunking : waiting) += 1;
    }
    const txaio::BatchedTimer& timer = sut.timers[t];
    RC_ASSERT(timer.pending_count() == pending);
    RC_ASSERT(timer.waiting_buckets() == waiting);
    RC_ASSERT(timer.chunking_buckets() == chunking);
    RC_ASSERT(timer.underlying_timers() == waiting + chunking);
    total += timer.underlying_timers();
  }
  // Loop timers pending = non-empty buckets + buckets with chunks in progress.
  RC_ASSERT(sut.loop.pending_timers() == total);
  RC_ASSERT(total == m.loop_timers());
  for (std::size_t id = 0; id < m.calls.size(); ++id) RC_ASSERT(sut.handles[id].active() == m.calls[id].pending);
}

struct CallLater : Command {
  std::size_t timer_pick = *rc::gen::inRange<std::size_t>(0, 1000);
  // Short delays, so that buckets fill up and split into several chunks.
  // (gen::delay's bucket multiples are whole milliseconds, the batched timer's grid.)
  std::int64_t delay_ns = *rc::gen::oneOf(rc::gen::map(txaio::testutil::gen::delay(30ms, 1ms), count_ns),
                                          rc::gen::inRange<std::int64_t>(-2 * ms_ns, 0));
  int cancel_pick = *rc::gen::weightedOneOf<int>({{1, rc::gen::just(-1)}, {1, rc::gen::inRange<int>(0, 1000)}});

  void apply(Model& m) const override {
    m.call_later(static_cast<int>(timer_pick % m.timers.size()), delay_ns, cancel_pick);
  }
  void run(const Model& m, Sut& sut) const override {
    const auto timer = timer_pick % m.timers.size();
    const int id = static_cast<int>(sut.handles.size());
    const int pick = cancel_pick;
    Sut* s = &sut;
    sut.handles.push_back(sut.timers[timer].call_later(nanoseconds(delay_ns), [s, id, pick] {
      s->fired.push_back(Fired{id, s->loop.now().count()});
      if (pick >= 0) s->handles[static_cast<std::size_t>(pick) % s->handles.size()].cancel();
    }));
    Model after = m;
    apply(after);
    RC_ASSERT(sut.handles.back().key().count() == after.calls.back().key);
    check_counts(after, sut);
  }
  void show(std::ostream& os) const override {
    os << "call_later(timer " << timer_pick << ", " << delay_ns << "ns";
    if (cancel_pick >= 0) os << ", cancels #" << cancel_pick;
    os << ")";
  }
};

struct Cancel : Command {
  std::size_t pick = *rc::gen::inRange<std::size_t>(0, 1000);
  void checkPreconditions(const Model& m) const override { RC_PRE(!m.calls.empty()); }
  void apply(Model& m) const override { m.cancel(static_cast<int>(pick % m.calls.size())); }
  void run(const Model& m, Sut& sut) const override {
    txaio::BatchedCall& call = sut.handles[pick % m.calls.size()];
    call.cancel();
    RC_ASSERT(!call.active());
    call.cancel();  // idempotent
    Model after = m;
    apply(after);
    check_counts(after, sut);
  }
  void show(std::ostream& os) const override { os << "cancel(#" << pick << ")"; }
};

struct Advance : Command {
  std::int64_t d_ns = *rc::gen::oneOf(rc::gen::map(txaio::testutil::gen::delay(40ms, 1ms), count_ns),
                                      rc::gen::map(txaio::testutil::gen::delay(150ms, 1ms), count_ns));
  void apply(Model& m) const override { m.advance(m.now + d_ns); }
  void run(const Model& m, Sut& sut) const override {
    Model after = m;
    const std::vector<Fired> expected = after.advance(m.now + d_ns);
    sut.fired.clear();
    sut.loop.advance(nanoseconds(d_ns));
    RC_ASSERT(sut.loop.now().count() == m.now + d_ns);
    RC_ASSERT(sut.fired == expected);

    // The same facts, stated directly from the design rather than through the model's run.
    std::vector<int> last_in_bucket(after.buckets.size(), -1);
    for (const Fired& f : sut.fired) {
      const ModelCall& c = after.calls[f.id];
      const TimerSpec& t = after.timers[c.timer];
      const ModelBucket& b = after.buckets[c.bucket];
      // Fires at its key plus its chunk's offset (later only if its bucket opened after that).
      const std::int64_t offset = static_cast<std::int64_t>(c.chunk) * t.bucket_ns / static_cast<std::int64_t>(c.chunks);
      RC_ASSERT(f.time >= c.key + offset);
      if (b.opened_at <= c.key) RC_ASSERT(f.time == c.key + offset);
      // Never before its key, never a bucket or more after it.
      RC_ASSERT(f.time < c.key + t.bucket_ns);
      if (t.never_early) RC_ASSERT(f.time >= c.due);
      // Registration order inside a bucket.
      RC_ASSERT(f.id > last_in_bucket[c.bucket]);
      last_in_bucket[c.bucket] = f.id;
    }
    // Every call fired at most once, and cancelled calls never.
    std::vector<int> seen;
    for (const Fired& f : sut.fired) seen.push_back(f.id);
    std::sort(seen.begin(), seen.end());
    RC_ASSERT(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
    for (int id : seen) RC_ASSERT(m.calls[id].pending);
    check_counts(after, sut);
  }
  void show(std::ostream& os) const override { os << "advance(" << d_ns << "ns)"; }
};

rc::Gen<TimerSpec> timer_spec() {
  return rc::gen::construct<TimerSpec>(
      rc::gen::oneOf(rc::gen::map(rc::gen::inRange<std::int64_t>(1, 25), [](std::int64_t ms) { return ms * ms_ns; }),
                     rc::gen::inRange<std::int64_t>(ms_ns, 25 * ms_ns)),
      rc::gen::inRange<std::int64_t>(1, 5), rc::gen::arbitrary<bool>());
}

RC_GTEST_PROP(BatchedTimerModel, RandomProgramsMatchTheDesignsFormulas, ()) {
  const auto specs = *rc::gen::container<std::vector<TimerSpec>>(*rc::gen::inRange(1, 4), timer_spec());
  const auto start_ns = *rc::gen::inRange<std::int64_t>(0, 30 * ms_ns);
  Sut sut;
  sut.loop.advance(nanoseconds(start_ns));
  Model model;
  model.timers = specs;
  model.now = start_ns;
  for (const TimerSpec& t : specs) {
    RC_LOG() << "timer bucket=" << t.bucket_ns << "ns chunk_size=" << t.chunk_size
             << (t.never_early ? " never_early" : "") << "\n";
    sut.timers.push_back(txaio::make_batched_timer(sut.loop, nanoseconds(t.bucket_ns), t.chunk_size,
                                                   t.never_early ? txaio::BatchRounding::never_early
                                                                 : txaio::BatchRounding::down));
  }
  rc::state::check(model, sut, rc::state::gen::execOneOfWithArgs<CallLater, CallLater, Cancel, Advance>());
}

// Every key is on the grid and within one bucket of the due time, in the right direction.
RC_GTEST_PROP(BatchedTimerModel, KeysAreOnTheGridAndWithinOneBucketOfTheDueTime, ()) {
  const TimerSpec t = *timer_spec();
  const auto due = *rc::gen::inRange<std::int64_t>(0, std::int64_t{1} << 50);
  txaio::sim::Loop loop;
  auto timer = txaio::make_batched_timer(loop, nanoseconds(t.bucket_ns), t.chunk_size,
                                         t.never_early ? txaio::BatchRounding::never_early : txaio::BatchRounding::down);
  const std::int64_t key = timer.key_for(nanoseconds(due)).count();
  RC_ASSERT(key % t.bucket_ns == 0);
  if (t.never_early) {
    RC_ASSERT(key >= due);
    RC_ASSERT(key < due + t.bucket_ns);
  } else {
    RC_ASSERT(key <= due);
    RC_ASSERT(key > due - t.bucket_ns);
  }
}

}  // namespace
