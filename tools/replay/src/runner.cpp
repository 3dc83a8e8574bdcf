#include "txaio/replay/runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <unordered_map>

#include "txaio/batched_timer.hpp"
#include "txaio/errors.hpp"

namespace txaio::replay {

namespace {

// What a `raise=` callback throws: a std::runtime_error, as the format promises, of a type the
// runner recognises when it comes back out of `advance`.
class ScenarioRaise : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

constexpr std::uint32_t no_call = 0xffffffffu;

// Event key -> call index: open addressing, linear probing, Fibonacci hashing, sized once for
// every call of the scenario (one entry per call, never erased), so that observing a
// million-call run allocates nothing per call (replay_parse_run in tools/bench/replay_bench.cpp).
class CallIds {
public:
  explicit CallIds(std::size_t calls) {
    std::size_t capacity = 16;
    while (capacity < 2 * calls) capacity *= 2;
    entries_.assign(capacity, Entry{0, no_call});
    mask_ = capacity - 1;
    for (std::size_t c = capacity; c > 1; c >>= 1) --shift_;
  }

  /// Precondition: `key` (non-zero) is absent and fewer than `calls` keys were added.
  void add(std::uint64_t key, std::uint32_t index) noexcept {
    std::size_t i = home(key);
    while (entries_[i].key != 0) i = (i + 1) & mask_;
    entries_[i] = Entry{key, index};
  }

  std::uint32_t find(std::uint64_t key) const noexcept {
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      if (entries_[i].key == key) return entries_[i].index;
      if (entries_[i].key == 0) return no_call;
    }
  }

private:
  struct Entry {
    std::uint64_t key;
    std::uint32_t index;
  };
  std::size_t home(std::uint64_t key) const noexcept {
    return static_cast<std::size_t>((key * 0x9e3779b97f4a7c15ULL) >> shift_);
  }

  std::vector<Entry> entries_;
  std::size_t mask_ = 0;
  unsigned shift_ = 64;
};

// Runs a scenario's program on a sim::Loop and records what the loop's observer interface
// reports: the same events, through the same interface, as `sim::Recorder` sees.
class Runner final : public txaio::Observer {
public:
  Runner(const Scenario& scenario, const RunOptions& options)
      : scenario_(scenario),
        options_(options),
        loop_(sim::Options{options.seed.value_or(scenario.seed.value_or(0)),
                           options.ties.value_or(scenario.ties.value_or(Ties::fifo)), Dispatch::scheduled,
                           options.max_events, nanoseconds(options.jitter_ns.value_or(scenario.jitter_ns.value_or(0)))}),
        handles_(scenario.calls.size()),
        ids_(scenario.calls.size()) {
    batched_.reserve(scenario.batched.size());
    for (std::uint32_t b = 0; b < scenario.batched.size(); ++b) {
      const BatchedDecl& d = scenario.batched[b];
      batched_.push_back(make_batched_timer(loop_, nanoseconds(d.bucket_ns), static_cast<std::int64_t>(d.chunk),
                                            d.never_early ? BatchRounding::never_early : BatchRounding::down));
      batched_index_.emplace(batched_.back().id(), b);
    }
    if (!batched_.empty()) batched_handles_.resize(scenario.calls.size());
    // Each call is scheduled once and then fires, fails or is cancelled at most once; only
    // the batched timers' trace events can take the list past this.
    events_.reserve(2 * scenario.calls.size());
    loop_.add_observer(*this);
  }

  ~Runner() override { loop_.remove_observer(*this); }
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  RunResult run() {
    RunResult result;
    result.seed = loop_.options().seed;
    result.ties = loop_.options().ties;
    try {
      run_ops();
    } catch (const std::exception& e) {
      result.failure = fmt::format("the run stopped at virtual time {}: {}", format_time(loop_.now().count()), e.what());
    }
    result.end_ns = loop_.now().count();
    result.events = std::move(events_);
    result.buckets = std::move(buckets_);
    return result;
  }

  void on_event(const txaio::Event& e) override {
    if (e.source == EventSource::bucket_timer) {
      on_bucket_event(e);
      return;
    }
    const std::uint32_t index = call_of(e);
    if (index == no_call) return;
    const Call& call = scenario_.calls[index];
    switch (e.kind) {
      case txaio::EventKind::schedule: record(EventKind::schedule, call.id, e.due.count()); break;
      case txaio::EventKind::cancel: record(EventKind::cancel, call.id); break;
      case txaio::EventKind::fire:
        running_.push_back(events_.size());
        record(EventKind::fire, call.id);
        break;
      case txaio::EventKind::error: {
        Event& ran = events_[running_.back()];
        ran.kind = EventKind::error;
        ran.message = std::string(e.message);
        break;
      }
      case txaio::EventKind::done: running_.pop_back(); break;
    }
  }

private:
  void run_ops() {
    std::size_t done = 0;
    for (const Op& op : scenario_.ops) {
      if (!op.chained) advance_to(op.at_ns);
      apply(op);
      if (options_.progress && (++done & 4095u) == 0) options_.progress(done);
    }
    if (scenario_.run_ns) {
      advance_to(*scenario_.run_ns);
    } else {
      run_until_idle();
    }
    if (options_.progress) options_.progress(scenario_.ops.size());
  }

  // The scenario call an event is about (no_call for the batched timers' own loop timers and
  // anything else the scenario did not schedule). A schedule event names the call being
  // scheduled now; the others look its id up. Not for `bucket_timer` events.
  std::uint32_t call_of(const txaio::Event& e) {
    const bool mine = e.source == (scheduling_via_ ? EventSource::batched_call : EventSource::loop);
    if (e.kind == txaio::EventKind::schedule) {
      if (scheduling_ == no_call || !mine) return no_call;
      ids_.add(key_of(e), scheduling_);
      return scheduling_;
    }
    return ids_.find(key_of(e));
  }

  // A key unique among the calls of the loop and its batched timers: a batched call's id
  // with its timer's index in the top bits (ids count buckets from 1 in their top half).
  std::uint64_t key_of(const txaio::Event& e) const {
    if (e.source == EventSource::loop) return e.id;
    return e.id ^ (std::uint64_t{batched_index_.at(e.batched) + 1} << 56);
  }

  void record(EventKind kind, const std::string& id, std::int64_t value = 0, std::string message = {}) {
    events_.push_back(Event{loop_.now().count(), kind, id, std::move(message), value});
  }

  // A step of a batched timer's own loop timer: its trace event and the report's bucket
  // activity; or the error event naming the timer whose BatchError comes out of `advance` next.
  void on_bucket_event(const txaio::Event& e) {
    const std::uint32_t b = batched_index_.at(e.batched);
    if (e.kind == txaio::EventKind::error) {
      failed_batched_ = b;
      return;
    }
    buckets_.push_back(BucketActivity{b, e.kind, e.time.count(), e.bucket});
    const std::string& name = scenario_.batched[b].name;
    switch (e.kind) {
      case txaio::EventKind::schedule: record(EventKind::bucket_timer, name, e.due.count()); break;
      case txaio::EventKind::fire:
        record(EventKind::bucket_fire, name, 0, fmt::format("{}/{}", e.bucket.chunk + 1, e.bucket.chunks));
        break;
      case txaio::EventKind::cancel: record(EventKind::bucket_cancel, name); break;
      case txaio::EventKind::error:
      case txaio::EventKind::done: break;  // errors are handled above; no done for these timers
    }
  }

  // The program of call `index`: its causal ops, then its `raise=`.
  void on_call(std::uint32_t index) {
    const Call& call = scenario_.calls[index];
    for (std::uint32_t i = call.causal_begin; i < call.causal_end; ++i) apply(scenario_.causal_ops[i]);
    if (call.raise) throw ScenarioRaise(*call.raise);
  }

  void apply(const Op& op) {
    const Call& call = scenario_.calls[op.call];
    if (op.kind == OpKind::call_later) {
      schedule(op.call, call);
    } else if (call.via) {
      batched_handles_[op.call].cancel();
    } else {
      handles_[op.call].cancel();
    }
  }

  void schedule(std::uint32_t index, const Call& call) {
    Callback fn([this, index] { on_call(index); });
    scheduling_ = index;
    scheduling_via_ = call.via.has_value();
    try {
      if (call.via) {
        batched_handles_[index] = batched_[*call.via].schedule(nanoseconds(call.delay_ns), std::move(fn));
      } else {
        handles_[index] = loop_.schedule(nanoseconds(call.delay_ns), std::move(fn));
      }
    } catch (...) {
      scheduling_ = no_call;
      throw;
    }
    scheduling_ = no_call;
  }

  // A scenario error comes back out of `advance` (a plain call's exception, or a batched
  // timer's BatchError after the observer named the timer): the events are recorded, the run
  // goes on.
  template <class Step>
  void carry_on(Step step) {
    for (;;) {
      try {
        step();
        return;
      } catch (const ScenarioRaise&) {
      } catch (const BatchError& e) {
        const std::string name = failed_batched_ == no_call ? std::string("?") : scenario_.batched[failed_batched_].name;
        record(EventKind::batch_error, name, static_cast<std::int64_t>(e.messages().size()));
        failed_batched_ = no_call;
      }
    }
  }

  void advance_to(std::int64_t t) {
    carry_on([&] { loop_.advance_to(nanoseconds(t)); });
  }

  void run_until_idle() {
    carry_on([&] { loop_.run_until_idle(options_.max_events); });
  }

  const Scenario& scenario_;
  const RunOptions& options_;
  sim::Loop loop_;  // declared before the batched timers, which must not outlive it
  std::vector<BatchedTimer> batched_;
  std::unordered_map<std::uint64_t, std::uint32_t> batched_index_;  // BatchedTimer::id() -> index
  std::vector<Event> events_;
  std::vector<BucketActivity> buckets_;
  std::vector<DelayedCall> handles_;
  std::vector<BatchedCall> batched_handles_;
  CallIds ids_;  // key_of(event) -> call index
  std::vector<std::size_t> running_;  // the fire events of the calls running now, innermost last
  std::uint32_t scheduling_ = no_call;
  bool scheduling_via_ = false;
  std::uint32_t failed_batched_ = no_call;  // the batched timer whose BatchError is on its way
};

}  // namespace

RunResult run_scenario(const Scenario& scenario, const RunOptions& options) {
  Runner runner(scenario, options);
  return runner.run();
}

std::vector<Event> compared_events(std::span<const Event> events, bool trace) {
  std::vector<Event> out;
  out.reserve(trace ? events.size()
                    : static_cast<std::size_t>(std::count_if(events.begin(), events.end(),
                                                             [](const Event& e) { return !is_trace_kind(e.kind); })));
  for (const Event& e : events) {
    if (trace || !is_trace_kind(e.kind)) out.push_back(e);
  }
  return out;
}

namespace {

// The hash state: each 64-bit word is xored in, then multiplied and folded (a multiply-xorshift
// step, as in splitmix64's finalizer). Only fixed-width values and bytes go in, in a fixed
// order and byte order, so the hash is the same on every run and machine.
class EventHasher {
public:
  void word(std::uint64_t w) noexcept {
    h_ ^= w;
    h_ *= 0xbf58476d1ce4e5b9ULL;
    h_ ^= h_ >> 31;
  }

  // The length, then the bytes, eight at a time, little-endian, the last word zero-padded.
  void bytes(std::string_view s) noexcept {
    word(s.size());
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) word(load(s.data() + i, 8));
    if (i < s.size()) word(load(s.data() + i, s.size() - i));
  }

  std::uint64_t value() const noexcept {
    std::uint64_t h = h_;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
  }

private:
  static std::uint64_t load(const char* p, std::size_t n) noexcept {
    std::uint64_t w = 0;
    for (std::size_t k = 0; k < n; ++k) w |= std::uint64_t{static_cast<unsigned char>(p[k])} << (8 * k);
    return w;
  }

  std::uint64_t h_ = 0xcbf29ce484222325ULL;
};

}  // namespace

std::uint64_t event_hash(std::span<const Event> events) {
  EventHasher h;
  h.word(events.size());
  for (const Event& e : events) {
    h.word(static_cast<std::uint64_t>(e.time_ns));
    h.word(static_cast<std::uint64_t>(e.kind));
    h.word(static_cast<std::uint64_t>(e.value));
    h.bytes(e.id);
    h.bytes(e.message);
  }
  return h.value();
}

}  // namespace txaio::replay
