#include "txaio/sim/loop.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <ostream>

#include "txaio/config.hpp"
#include "txaio/detail/current_loop.hpp"
#include "txaio/detail/report.hpp"
#include "txaio/detail/timer_handle.hpp"
#include "txaio/detail/time_text.hpp"
#include "txaio/errors.hpp"

namespace txaio::sim {
namespace {

constexpr std::int64_t forever = std::numeric_limits<std::int64_t>::max();
using Access = txaio::detail::TimerHandleAccess;

// splitmix64: a tiny, well-mixed PRNG with a fixed algorithm, so a seed gives the same
// sequence on every platform and standard library.
std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::string format_time(std::int64_t ns) { return txaio::detail::format_seconds_unit(ns); }

// Sets the loop's cause for the work it runs, and restores it after (also on an exception).
struct CauseScope {
  std::uint64_t& cause;
  std::uint64_t saved;
  CauseScope(std::uint64_t& c, std::uint64_t now) noexcept : cause(c), saved(c) { cause = now; }
  ~CauseScope() { cause = saved; }
  CauseScope(const CauseScope&) = delete;
  CauseScope& operator=(const CauseScope&) = delete;
};

struct RunningFlag {
  bool& flag;
  explicit RunningFlag(bool& f) : flag(f) { flag = true; }
  ~RunningFlag() { flag = false; }
};

}  // namespace

std::ostream& operator<<(std::ostream& os, Ties ties) { return os << to_string(ties); }

std::ostream& operator<<(std::ostream& os, const Options& options) {
  os << "sim::Options{seed=" << options.seed << ", ties=" << options.ties
     << ", dispatch=" << (options.dispatch == Dispatch::immediate ? "immediate" : "scheduled")
     << ", jitter=" << format_time(options.jitter.count());
  if (options.max_events != Options{}.max_events) os << ", max_events=" << options.max_events;
  return os << "}";
}

Loop::Loop() : Loop(Options{}) {}

// The jitter draws use their own stream, so turning jitter on leaves the ties order alone.
Loop::Loop(Options options) : options_(options), rng_(options.seed), jitter_rng_(options.seed ^ 0x6a09e667f3bcc909ULL) {
  if (options_.max_events == 0) throw std::invalid_argument("sim::Options::max_events must be at least 1");
  if (options_.jitter < nanoseconds::zero()) {
    throw std::invalid_argument(fmt::format("sim::Options::jitter must not be negative, got {}ns", options_.jitter.count()));
  }
}

// A destroyed loop is never left as the default: a later call throws UsageError instead of
// reaching freed memory.
// Suspended coroutines are destroyed while the loop is whole, then the pending calls and
// work, one at a time, so that what their destruction runs (an Asio handler of a
// `steady_timer` wait destroying its coroutine, say) still finds a whole loop. The default
// loop is cleared by `txaio::Loop::~Loop`, as for every loop.
Loop::~Loop() {
  destroy_coroutines();
  for (;;) {  // dropping one may post or schedule more (Asio posts a coroutine's unwinding)
    take_threadsafe();
    if (timers_.top() != nullptr) {
      timers_.pop();
    } else if (!ready_.empty()) {
      const Ready dropped = std::move(ready_.front());
      ready_.pop_front();
    } else {
      break;
    }
  }
}

void Loop::check_own_future(const txaio::Loop& owner, const std::string& future) const {
  if (&owner == this) return;
  const char* kind = dynamic_cast<const Loop*>(&owner) != nullptr ? "sim::Loop" : "loop";
  throw UsageError(fmt::format(
      "sim::Loop::run_until_complete: {} belongs to another {} ({}), not to this sim::Loop ({}): "
      "run the loop that created the future",
      future, kind, fmt::ptr(&owner), fmt::ptr(this)));
}

std::int64_t Loop::lateness() noexcept {
  const auto most = static_cast<std::uint64_t>(options_.jitter.count());
  return static_cast<std::int64_t>(splitmix64(jitter_rng_) % (most + 1));
}

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
  std::uint64_t gen = 0;
  if (options_.jitter == nanoseconds::zero()) {
    const std::uint32_t slot = timers_.push(due, next_tie(), std::move(fn), gen);
    return notify_scheduled(Access::make(this, slot, gen, due));
  }
  // Queued at its perturbed time; `planned_` keeps the due time for `when()`-style reports.
  const std::int64_t runs_at = saturating_add(nanoseconds(due), nanoseconds(lateness())).count();
  const std::uint32_t slot = timers_.push(runs_at, next_tie(), std::move(fn), gen);
  if (planned_.size() <= slot) planned_.resize(slot + 1);
  planned_[slot] = due;
  return notify_scheduled(Access::make(this, slot, gen, due));
}

std::int64_t Loop::planned_due(const detail::TimerQueue::Entry& entry) const noexcept {
  return options_.jitter == nanoseconds::zero() ? entry.due : planned_[entry.slot];
}

DelayedCall Loop::notify_scheduled(DelayedCall call) {
  const std::int64_t due = call.when().count();
  if (observed()) notify(Event{EventKind::schedule, now(), nanoseconds(due), call.id(), {}});
  return call;
}

bool Loop::cancel_call(const DelayedCall& call) noexcept {
  if (!timers_.cancel(Access::slot(call), Access::generation(call))) return false;
  if (observed()) notify(Event{EventKind::cancel, now(), call.when(), call.id(), {}});
  return true;
}

bool Loop::call_active(const DelayedCall& call) const noexcept {
  return timers_.active(Access::slot(call), Access::generation(call));
}

void Loop::post(Callback fn) { ready_.push_back(Ready{std::move(fn), cause_}); }

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
  for (Callback& fn : batch) ready_.push_back(Ready{std::move(fn), 0});
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
  if (unhandled_list_.size() < max_kept_failures) {
    try {
      unhandled_list_.push_back(failure);
    } catch (...) {
      // Out of memory: the count still says it happened.
    }
  }
  detail::log_unhandled_failure(failure);
}

std::chrono::system_clock::time_point Loop::wall_now() const noexcept {
  // Saturated: virtual time far past the year 2262 shows as the latest time the clock holds.
  const nanoseconds wall = saturating_add(wall_epoch, nanoseconds(now_));
  return std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(wall));
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
    Ready work = std::move(ready_.front());
    ready_.pop_front();
    const CauseScope cause(cause_, work.cause);
    invoke(work.fn, 0, now_);
    return true;
  }
  const detail::TimerQueue::Entry* top = timers_.top();
  if (top == nullptr || top->due > target) return false;
  check_budget();  // before popping: a RunawayError leaves the timer pending
  const std::int64_t due = planned_due(*top);
  const std::uint64_t id = detail::call_id(top->gen);
  now_ = std::max(now_, top->due);
  Callback fn = timers_.pop();
  if (observed()) notify(Event{EventKind::fire, now(), nanoseconds(due), id, {}});
  const CauseScope cause(cause_, id);
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
    out.push_back(PendingCall{detail::call_id(e.gen), nanoseconds(planned_due(e))});
  }
  return out;
}

std::string Loop::describe_pending() const {
  return fmt::format("{} timers, {} call_soon callbacks", timers_.size(), ready_count());
}

}  // namespace txaio::sim
