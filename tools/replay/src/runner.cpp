#include "txaio/replay/runner.hpp"

#include <fmt/format.h>

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

enum class CallState : std::uint8_t { idle, pending, ran, cancelled };

constexpr int no_owner = -1;

class Runner final : public txaio::Observer {
public:
  Runner(const Scenario& scenario, const RunOptions& options)
      : scenario_(scenario),
        options_(options),
        loop_(sim::Options{options.seed.value_or(scenario.seed.value_or(0)),
                           options.ties.value_or(scenario.ties.value_or(sim::Ties::fifo)), Dispatch::scheduled,
                           options.max_events}),
        state_(scenario.calls.size(), CallState::idle),
        handles_(scenario.calls.size()) {
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
      if (!scenario_.batched.empty()) {
        throw std::logic_error("batched timers are not available in this build of txaio-replay");
      }
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
    result.events = std::move(events_);
    return result;
  }

  void on_event(const txaio::Event& e) override {
    switch (e.kind) {
      case txaio::EventKind::schedule:
        if (owner_ != no_owner) {
          bucket_timers_.emplace(e.id, owner_);
          record(EventKind::bucket_timer, batched_name(owner_), e.due.count());
        }
        break;
      case txaio::EventKind::fire: {
        const auto it = bucket_timers_.find(e.id);
        owner_ = it == bucket_timers_.end() ? no_owner : it->second;
        if (owner_ != no_owner) record(EventKind::bucket_fire, batched_name(owner_));
        break;
      }
      case txaio::EventKind::cancel: {
        const auto it = bucket_timers_.find(e.id);
        if (it != bucket_timers_.end()) record(EventKind::bucket_cancel, batched_name(it->second));
        break;
      }
      case txaio::EventKind::error:
        break;  // the wrapped callbacks record their own errors
    }
  }

private:
  const std::string& batched_name(int index) const { return scenario_.batched[static_cast<std::size_t>(index)].name; }

  void record(EventKind kind, const std::string& id, std::int64_t value = 0, std::string message = {}) {
    events_.push_back(Event{loop_.now().count(), kind, id, std::move(message), value});
  }

  // The callback every scenario call runs.
  void on_call(std::uint32_t index) {
    const Call& call = scenario_.calls[index];
    state_[index] = CallState::ran;
    if (call.raise) {
      record(EventKind::error, call.id, 0, *call.raise);
      throw ScenarioRaise(*call.raise);
    }
    record(EventKind::fire, call.id);
  }

  void apply(const Op& op) {
    const Call& call = scenario_.calls[op.call];
    if (op.kind == OpKind::call_later) {
      record(EventKind::schedule, call.id, op.at_ns + call.delay_ns);
      state_[op.call] = CallState::pending;
      handles_[op.call] = loop_.call_later(nanoseconds(call.delay_ns), [this, index = op.call] { on_call(index); });
      return;
    }
    if (state_[op.call] != CallState::pending) return;  // already ran or cancelled: a no-op
    record(EventKind::cancel, call.id);
    state_[op.call] = CallState::cancelled;
    handles_[op.call].cancel();
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
        record(EventKind::batch_error, owner_ == no_owner ? std::string("?") : batched_name(owner_),
               static_cast<std::int64_t>(e.messages().size()));
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
        record(EventKind::batch_error, owner_ == no_owner ? std::string("?") : batched_name(owner_),
               static_cast<std::int64_t>(e.messages().size()));
      }
    }
  }

  const Scenario& scenario_;
  const RunOptions& options_;
  sim::Loop loop_;
  std::vector<Event> events_;
  std::vector<CallState> state_;
  std::vector<DelayedCall> handles_;
  // Loop timers armed by batched timers, by loop call id, and which batched timer owns them.
  std::unordered_map<std::uint64_t, int> bucket_timers_;
  // The batched timer whose work is running (its call_later / cancel, or its loop timer's
  // callback), or no_owner.
  int owner_ = no_owner;
};

}  // namespace

RunResult run_scenario(const Scenario& scenario, const RunOptions& options) {
  Runner runner(scenario, options);
  return runner.run();
}

std::vector<Event> compared_events(std::span<const Event> events, bool trace) {
  std::vector<Event> out;
  out.reserve(events.size());
  for (const Event& e : events) {
    if (trace || !is_trace_kind(e.kind)) out.push_back(e);
  }
  return out;
}

std::uint64_t event_hash(std::span<const Event> events) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&h](std::string_view s) {
    for (char c : s) {
      h ^= static_cast<unsigned char>(c);
      h *= 0x100000001b3ULL;
    }
  };
  for (const Event& e : events) {
    mix(format_event(e));
    mix("\n");
  }
  return h;
}

}  // namespace txaio::replay
