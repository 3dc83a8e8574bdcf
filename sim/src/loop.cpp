#include "txaio/sim/loop.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "txaio/detail/current_loop.hpp"
#include "txaio/detail/report.hpp"
#include "txaio/errors.hpp"

namespace txaio::sim {
namespace {

constexpr std::int64_t forever = std::numeric_limits<std::int64_t>::max();

// splitmix64: a tiny, well-mixed PRNG with a fixed algorithm, so a seed gives the same
// sequence on every platform and standard library.
std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::string format_time(std::int64_t ns) {
  return fmt::format("{}.{:09}s", ns / 1'000'000'000, ns % 1'000'000'000);
}

struct RunningFlag {
  bool& flag;
  explicit RunningFlag(bool& f) : flag(f) { flag = true; }
  ~RunningFlag() { flag = false; }
};

}  // namespace

std::string_view to_string(Ties ties) noexcept {
  switch (ties) {
    case Ties::fifo: return "fifo";
    case Ties::lifo: return "lifo";
    case Ties::random: return "random";
  }
  return "?";
}

Ties parse_ties(std::string_view text) {
  if (text == "fifo") return Ties::fifo;
  if (text == "lifo") return Ties::lifo;
  if (text == "random") return Ties::random;
  throw std::invalid_argument(fmt::format("unknown ties policy '{}': expected fifo, lifo or random", text));
}

Loop::Loop() : Loop(Options{}) {}

Loop::Loop(Options options) : options_(options), rng_(options.seed) {
  if (options_.max_events == 0) throw std::invalid_argument("sim::Options::max_events must be at least 1");
}

Loop::~Loop() = default;

std::uint64_t Loop::next_tie() noexcept {
  const std::uint64_t seq = seq_++;
  switch (options_.ties) {
    case Ties::fifo: return seq;
    case Ties::lifo: return ~seq;
    case Ties::random: return splitmix64(rng_);
  }
  return seq;
}

DelayedCall Loop::schedule(nanoseconds delay, Callback fn) {
  const std::int64_t due = saturating_add(nanoseconds(now_), std::max(delay, nanoseconds::zero())).count();
  std::uint32_t gen = 0;
  const std::uint32_t slot = timers_.push(due, next_tie(), std::move(fn), gen);
  DelayedCall call(this, slot, gen, due);
  if (observed()) notify(Event{EventKind::schedule, now(), nanoseconds(due), call.id(), {}});
  return call;
}

bool Loop::cancel_call(const DelayedCall& call) noexcept {
  if (!timers_.cancel(call.slot(), call.generation())) return false;
  if (observed()) notify(Event{EventKind::cancel, now(), call.when(), call.id(), {}});
  return true;
}

bool Loop::call_active(const DelayedCall& call) const noexcept {
  return timers_.active(call.slot(), call.generation());
}

void Loop::post(Callback fn) { ready_.push_back(std::move(fn)); }

void Loop::post_threadsafe(Callback fn) {
  std::lock_guard lock(ts_mutex_);
  ts_queue_.push_back(std::move(fn));
  ts_pending_.store(true, std::memory_order_release);
}

void Loop::take_threadsafe() {
  if (!ts_pending_.load(std::memory_order_acquire)) return;
  std::vector<Callback> batch;
  {
    std::lock_guard lock(ts_mutex_);
    batch.swap(ts_queue_);
    ts_pending_.store(false, std::memory_order_relaxed);
  }
  for (Callback& fn : batch) ready_.push_back(std::move(fn));
}

std::size_t Loop::ready_count() const noexcept {
  std::lock_guard lock(ts_mutex_);
  return ready_.size() + ts_queue_.size();
}

void Loop::report_exception(std::exception_ptr error, std::string_view where) noexcept {
  if (observed()) notify(Event{EventKind::error, now(), now(), 0, detail::exception_text(error)});
  (void)where;
  try {
    reported_.push_back(std::move(error));
  } catch (...) {
    detail::log_exception(error, where);
  }
}

void Loop::report_unhandled_failure(const Failure& failure) noexcept {
  ++unhandled_;
  detail::log_unhandled_failure(failure);
}

std::chrono::system_clock::time_point Loop::wall_now() const noexcept {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(wall_epoch + nanoseconds(now_)));
}

void Loop::throw_reported() {
  if (reported_.empty()) return;
  std::exception_ptr error = std::move(reported_.front());
  reported_.pop_front();
  std::rethrow_exception(error);
}

void Loop::check_budget() const {
  if (run_events_ < run_limit_) return;
  throw RunawayError(fmt::format(
      "sim::Loop: more than {} callbacks in one run, at virtual time {} ({} still pending): "
      "is a callback rescheduling itself with no delay? Raise Options::max_events, or pass a "
      "limit to run_until_idle, if the work is legitimate",
      run_limit_, format_time(now_), describe_pending()));
}

void Loop::invoke(Callback& fn, std::uint64_t id, std::int64_t due) {
  ++run_events_;
  ++events_;
  try {
    fn();
  } catch (...) {
    if (observed()) notify_error(id, due);
    throw;
  }
  if (observed() && id != 0) notify(Event{EventKind::done, now(), nanoseconds(due), id, {}});
  throw_reported();
}

// The `error` event (and, for a timer, its `done`) of the exception being handled.
void Loop::notify_error(std::uint64_t id, std::int64_t due) noexcept {
  try {
    const std::string message = detail::current_exception_text();
    notify(Event{EventKind::error, now(), nanoseconds(due), id, message});
  } catch (...) {
    // Out of memory for the message: the exception itself still propagates.
  }
  if (id != 0) notify(Event{EventKind::done, now(), nanoseconds(due), id, {}});
}

// Runs one unit of work due at or before `target`: first `call_soon` work, then the earliest
// timer. Returns false when nothing is due.
bool Loop::run_one(std::int64_t target) {
  take_threadsafe();
  if (!ready_.empty()) {
    check_budget();
    Callback fn = std::move(ready_.front());
    ready_.pop_front();
    invoke(fn, 0, now_);
    return true;
  }
  const detail::TimerQueue::Entry* top = timers_.top();
  if (top == nullptr || top->due > target) return false;
  check_budget();  // before popping: a RunawayError leaves the timer pending
  const std::int64_t due = top->due;
  const std::uint64_t id = call_id(top->slot, top->gen);
  now_ = std::max(now_, due);
  Callback fn = timers_.pop();
  if (observed()) notify(Event{EventKind::fire, now(), nanoseconds(due), id, {}});
  invoke(fn, id, due);
  return true;
}

void Loop::run_to(std::int64_t target, bool set_now, std::uint64_t limit) {
  if (running_) {
    throw UsageError("sim::Loop: advance / run_* called from inside a callback of the same loop");
  }
  RunningFlag running(running_);
  txaio::detail::DispatchScope dispatching(this);
  run_events_ = 0;
  run_limit_ = limit;
  throw_reported();
  while (run_one(target)) {
  }
  if (set_now) now_ = std::max(now_, target);
}

void Loop::advance_ns(nanoseconds d) {
  if (d < nanoseconds::zero()) {
    throw std::invalid_argument(fmt::format("sim::Loop::advance: negative duration {}ns", d.count()));
  }
  run_to(saturating_add(nanoseconds(now_), d).count(), true, options_.max_events);
}

void Loop::advance_to_ns(nanoseconds t) {
  if (t.count() < now_) {
    throw std::invalid_argument(fmt::format("sim::Loop::advance_to: target {} is before now() = {}",
                                            format_time(t.count()), format_time(now_)));
  }
  run_to(t.count(), true, options_.max_events);
}

std::uint64_t Loop::run_until_idle() { return run_until_idle(options_.max_events); }

std::uint64_t Loop::run_until_idle(std::uint64_t limit) {
  const std::uint64_t before = events_;
  run_to(forever, false, limit);
  return events_ - before;
}

void Loop::run_until(const std::function<bool()>& done, std::string_view what) {
  if (running_) {
    throw UsageError("sim::Loop: run_until called from inside a callback of the same loop");
  }
  std::uint64_t total = 0;
  while (!done()) {
    take_threadsafe();
    const detail::TimerQueue::Entry* top = timers_.top();
    if (ready_.empty() && top == nullptr) {
      throw DeadlockError(fmt::format(
          "sim::Loop: deadlock at virtual time {}: waiting for {}, but no timer and no call_soon "
          "work is pending, so nothing can complete it",
          format_time(now_), what));
    }
    const std::int64_t target = ready_.empty() ? top->due : now_;
    // Run the next instant's work with the remaining budget, then look again.
    const std::uint64_t budget = options_.max_events - std::min(total, options_.max_events - 1);
    RunningFlag running(running_);
    txaio::detail::DispatchScope dispatching(this);
    run_events_ = 0;
    run_limit_ = budget;
    throw_reported();
    while (!done() && run_one(target)) {
    }
    total += run_events_;
  }
}

std::vector<PendingCall> Loop::pending_calls() const {
  std::vector<PendingCall> out;
  for (const auto& e : timers_.snapshot()) {
    out.push_back(PendingCall{call_id(e.slot, e.gen), nanoseconds(e.due)});
  }
  return out;
}

std::string Loop::describe_pending() const {
  return fmt::format("{} timers, {} call_soon callbacks", timers_.size(), ready_count());
}

}  // namespace txaio::sim
