#include "txaio/replay/runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <unordered_map>

#include "txaio/errors.hpp"

namespace txaio::replay {

namespace {

// What a `raise=` callback throws: a std::runtime_error, as the format promises, of a type the
// runner recognises when it comes back out of `advance`.
class ScenarioRaise : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

sim::Ties to_sim(Ties ties) noexcept {
  switch (ties) {
    case Ties::fifo: return sim::Ties::fifo;
    case Ties::lifo: return sim::Ties::lifo;
    case Ties::random: return sim::Ties::random;
  }
  return sim::Ties::fifo;
}

enum class CallState : std::uint8_t { idle, pending, ran, cancelled };

constexpr int no_owner = -1;

// What a call's callback needs to know of its `Call`, in 32 bits (so that the callback, with
// the runner and the call's index, fits in `Callback`'s inline storage): whether it raises,
// and its batched timer (index + 1, 0 for none).
class CallTraits {
public:
  explicit CallTraits(const Call& call)
      : bits_((call.raise ? raises_bit : 0u) | (call.via ? (*call.via + 1) & ~raises_bit : 0u)) {}
  bool raises() const noexcept { return (bits_ & raises_bit) != 0; }
  int owner() const noexcept { return static_cast<int>(bits_ & ~raises_bit) - 1; }

private:
  static constexpr std::uint32_t raises_bit = 0x80000000u;
  std::uint32_t bits_;
};
static_assert(sizeof(CallTraits) == 4);

class Runner {
public:
  Runner(const Scenario& scenario, const RunOptions& options)
      : scenario_(scenario),
        options_(options),
        loop_(sim::Options{options.seed.value_or(scenario.seed.value_or(0)),
                           to_sim(options.ties.value_or(scenario.ties.value_or(Ties::fifo))), Dispatch::scheduled,
                           options.max_events, nanoseconds(options.jitter_ns.value_or(scenario.jitter_ns.value_or(0)))}),
        state_(scenario.calls.size(), CallState::idle),
        handles_(scenario.calls.size()) {
    if (scenario.batched.size() >= 0x7fffffff) throw std::length_error("too many batched timers for one scenario");
    batched_.reserve(scenario.batched.size());
    for (std::uint32_t b = 0; b < scenario.batched.size(); ++b) {
      const BatchedDecl& d = scenario.batched[b];
      batched_.push_back(make_batched_timer(loop_, nanoseconds(d.bucket_ns), static_cast<std::int64_t>(d.chunk),
                                            d.never_early ? BatchRounding::never_early : BatchRounding::down));
      batched_.back().set_observer([this, b](const BatchEvent& e) { on_batch_event(b, e); });
    }
    if (!batched_.empty()) batched_handles_.resize(scenario.calls.size());
    // Each call is scheduled once and then fires, fails or is cancelled at most once; only
    // the batched timers' trace events can take the list past this.
    events_.reserve(2 * scenario.calls.size());
  }

  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  RunResult run() {
    RunResult result;
    result.seed = loop_.options().seed;
    result.ties = options_.ties.value_or(scenario_.ties.value_or(Ties::fifo));
    try {
      std::size_t done = 0;
      for (const Op& op : scenario_.ops) {
        advance_to(op.at_ns);
        apply(op);
        if (options_.progress && (++done & 4095u) == 0) options_.progress(done);
      }
      if (scenario_.run_ns) {
        advance_to(*scenario_.run_ns);
      } else {
        run_until_idle();
      }
      if (options_.progress) options_.progress(scenario_.ops.size());
    } catch (const std::exception& e) {
      result.failure = fmt::format("the run stopped at virtual time {}: {}", format_time(loop_.now().count()), e.what());
    }
    result.end_ns = loop_.now().count();
    name_fire_events();
    result.events = std::move(events_);
    result.buckets = std::move(buckets_);
    return result;
  }

private:
  const std::string& batched_name(int index) const { return scenario_.batched[static_cast<std::size_t>(index)].name; }

  void record(EventKind kind, const std::string& id, std::int64_t value = 0, std::string message = {}) {
    events_.push_back(Event{loop_.now().count(), kind, id, std::move(message), value});
  }

  void on_batch_event(std::uint32_t b, const BatchEvent& e) {
    buckets_.push_back(BucketActivity{b, e});
    const std::string& name = scenario_.batched[b].name;
    switch (e.kind) {
      case BatchEventKind::schedule: record(EventKind::bucket_timer, name, e.due.count()); break;
      case BatchEventKind::fire:
        owner_ = static_cast<int>(b);
        record(EventKind::bucket_fire, name, 0, fmt::format("{}/{}", e.chunk + 1, e.chunks));
        break;
      case BatchEventKind::cancel: record(EventKind::bucket_cancel, name); break;
    }
  }

  // The callback every scenario call runs, told what it needs by its closure: calls run in
  // due order, scattered over `scenario_.calls`, so a plain fire reads nothing of its `Call`.
  // Its event holds the call's index in `value` until `name_fire_events` copies the ids in.
  void on_call(std::uint32_t index, CallTraits traits) {
    owner_ = traits.owner();
    state_[index] = CallState::ran;
    if (traits.raises()) {
      const Call& call = scenario_.calls[index];
      record(EventKind::error, call.id, 0, *call.raise);
      throw ScenarioRaise(*call.raise);
    }
    events_.push_back(Event{loop_.now().count(), EventKind::fire, {}, {}, static_cast<std::int64_t>(index)});
  }

  // Gives each fire event its call's id (and its value back: 0), fetching the call of the
  // event `ahead` places on into the cache.
  void name_fire_events() {
    constexpr std::size_t ahead = 8;
    const std::size_t n = events_.size();
    for (std::size_t i = 0; i < n; ++i) {
      if (i + ahead < n && events_[i + ahead].kind == EventKind::fire) {
        __builtin_prefetch(&scenario_.calls[static_cast<std::size_t>(events_[i + ahead].value)]);
      }
      Event& e = events_[i];
      if (e.kind != EventKind::fire) continue;
      e.id = scenario_.calls[static_cast<std::size_t>(e.value)].id;
      e.value = 0;
    }
  }

  void apply(const Op& op) {
    const Call& call = scenario_.calls[op.call];
    if (op.kind == OpKind::call_later) {
      record(EventKind::schedule, call.id, op.at_ns + call.delay_ns);
      state_[op.call] = CallState::pending;
      Callback fn([this, index = op.call, traits = CallTraits(call)] { on_call(index, traits); });
      if (call.via) {
        batched_handles_[op.call] = batched_[*call.via].schedule(nanoseconds(call.delay_ns), std::move(fn));
      } else {
        handles_[op.call] = loop_.schedule(nanoseconds(call.delay_ns), std::move(fn));
      }
      return;
    }
    if (state_[op.call] != CallState::pending) return;  // already ran or cancelled: a no-op
    record(EventKind::cancel, call.id);
    state_[op.call] = CallState::cancelled;
    if (call.via) {
      batched_handles_[op.call].cancel();
    } else {
      handles_[op.call].cancel();
    }
  }

  void record_batch_error(const BatchError& e) {
    record(EventKind::batch_error, owner_ == no_owner ? std::string("?") : batched_name(owner_),
           static_cast<std::int64_t>(e.messages().size()));
  }

  // Advances to `t`, carrying on past the exceptions scenario callbacks raise.
  void advance_to(std::int64_t t) {
    for (;;) {
      try {
        loop_.advance_to(nanoseconds(t));
        return;
      } catch (const ScenarioRaise&) {
        // recorded by on_call
      } catch (const BatchError& e) {
        record_batch_error(e);
      }
    }
  }

  void run_until_idle() {
    for (;;) {
      try {
        loop_.run_until_idle(options_.max_events);
        return;
      } catch (const ScenarioRaise&) {
      } catch (const BatchError& e) {
        record_batch_error(e);
      }
    }
  }

  const Scenario& scenario_;
  const RunOptions& options_;
  sim::Loop loop_;  // declared before the batched timers, which must not outlive it
  std::vector<BatchedTimer> batched_;
  std::vector<Event> events_;
  std::vector<BucketActivity> buckets_;
  std::vector<CallState> state_;
  std::vector<DelayedCall> handles_;
  std::vector<BatchedCall> batched_handles_;
  // The batched timer whose work ran last (to name the one a BatchError comes from).
  int owner_ = no_owner;
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
