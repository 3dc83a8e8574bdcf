#pragma once
/// `txaio::sim::Loop`: a deterministic virtual-clock loop (Twisted's `task.Clock`, grown up).

#include <atomic>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <ostream>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "txaio/detail/timer_queue.hpp"
#include "txaio/errors.hpp"
#include "txaio/future.hpp"
#include "txaio/loop.hpp"
#include "txaio/sim/ties.hpp"

namespace txaio::sim {

/// A loop's configuration. `seed` drives `Ties::random` and the jitter draws.
struct Options {
  std::uint64_t seed = 0;
  Ties ties = Ties::fifo;
  Dispatch dispatch = Dispatch::scheduled;
  /// The most callbacks one `advance` / `run_*` call may run before `RunawayError`.
  std::uint64_t max_events = 10'000'000;
  /// The most a timer may run late: each `call_later` fires at its due time plus a lateness
  /// drawn from the seed in [0, jitter] (never early). Calls run in the order of these perturbed
  /// times; `DelayedCall::when()` stays the due time; `call_soon` order is never changed. Models
  /// a real loop's slop, so code that only works on a perfect clock fails in tests.
  nanoseconds jitter{0};
};

/// "sim::Options{seed=1, ties=lifo, dispatch=immediate, jitter=0.002s}" (max_events when
/// not the default).
std::ostream& operator<<(std::ostream& os, const Options& options);
std::ostream& operator<<(std::ostream& os, Ties ties);

/// A run exceeded its event bound: most likely a callback that keeps rescheduling itself.
class RunawayError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// `run_until` / `run_until_complete`: nothing is pending but the awaited thing is not done.
class DeadlockError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// A pending `call_later` (Twisted's `getDelayedCalls`).
struct PendingCall {
  std::uint64_t id;
  nanoseconds when;
};

/// The virtual-clock loop. Time starts at 0 and moves only when told to. Single-threaded,
/// except `call_soon_threadsafe`.
class Loop final : public txaio::Loop {
public:
  /// The wall-clock time log lines show for virtual time 0: 2000-01-01T00:00:00Z (saturating).
  static constexpr std::chrono::seconds wall_epoch{946684800};

  Loop();
  explicit Loop(Options options);
  ~Loop() override;

  nanoseconds now() const noexcept override { return nanoseconds(now_); }
  DelayedCall schedule(nanoseconds delay, Callback fn) override;
  void post(Callback fn) override;
  void post_threadsafe(Callback fn) override;
  std::size_t pending_timers() const noexcept override { return timers_.size(); }
  Dispatch dispatch() const noexcept override { return options_.dispatch; }
  void report_exception(std::exception_ptr error, std::string_view where) noexcept override;
  void report_unhandled_failure(const Failure& failure) noexcept override;
  std::chrono::system_clock::time_point wall_now() const noexcept override;

  /// Runs, in (due, tie) order, every call due at or before `now() + d`, including calls
  /// scheduled meanwhile; `call_soon` work runs before any later timer. Each callback sees
  /// `now()` equal to its due time; afterwards `now()` is `now() + d`. An exception escaping a
  /// callback propagates with `now()` at that callback's due time and the rest still
  /// pending. Negative `d`: `std::invalid_argument`.
  template <class D>
    requires is_delay_v<D>
  void advance(D d) {
    advance_ns(to_ns(d, "advance"));
  }
  /// Advances to the absolute virtual time `t` (not before `now()`).
  template <class D>
    requires is_delay_v<D>
  void advance_to(D t) {
    advance_to_ns(to_ns(t, "advance_to"));
  }
  /// `advance` by each duration in turn (Twisted's `Clock.pump`).
  template <class D>
  void pump(std::span<const D> durations) {
    for (const D& d : durations) advance(d);
  }
  void pump(std::initializer_list<nanoseconds> durations) {
    for (const nanoseconds d : durations) advance(d);
  }

  /// Jumps from timer to timer until nothing is pending; `now()` stays at the last one.
  /// Returns the number of callbacks run. `RunawayError` past `limit` callbacks.
  std::uint64_t run_until_idle();
  std::uint64_t run_until_idle(std::uint64_t limit);

  /// Runs until `done()` holds. `DeadlockError` naming `what` when nothing is pending and
  /// `done()` is still false; `RunawayError` past the event bound.
  void run_until(const std::function<bool()>& done, std::string_view what);

  /// Runs until `future` settles, then returns its value (nothing for `Future<void>`) or throws
  /// its failure's exception (the failure counts as handled). `DeadlockError` naming the future
  /// (type, where it was created, state) when nothing is pending and it has not settled;
  /// `RunawayError` past the event bound. A future of another loop: `UsageError` naming both.
  template <class T>
  T run_until_complete(const Future<T>& future) {
    if (!future.valid()) {
      throw UsageError("txaio::sim::Loop::run_until_complete: the Future handle is empty (default-constructed or moved-from)");
    }
    check_own_future(future.loop(), describe_future(future));
    run_until([&future] { return future_status(future) != FutureStatus::pending; }, describe_future(future));
    if (future_status(future) != FutureStatus::resolved) consume_failure(future).rethrow();
    if constexpr (!std::is_void_v<T>) return future_value(future);
  }

  /// Pending timers in the order they will run, each with its due time (`DelayedCall::when()`).
  std::vector<PendingCall> pending_calls() const;
  /// `call_soon` work queued and not yet run.
  std::size_t ready_count() const noexcept;
  /// True when neither timers nor `call_soon` work is pending.
  bool idle() const noexcept { return timers_.empty() && ready_count() == 0; }
  /// The call whose work runs now: `DelayedCall::id()` of the timer whose callback is
  /// running, or whose callback posted the `call_soon` work running now (directly, or through
  /// work it posted, such as a future's callbacks or a resumed coroutine). 0 outside
  /// callbacks, and for work posted from outside them or from another thread.
  std::uint64_t cause() const noexcept { return cause_; }

  /// Rejected futures that were never handled.
  std::size_t unhandled_failures() const noexcept { return unhandled_; }
  /// The first `max_kept_failures` of them, in the order they were reported.
  const std::vector<Failure>& unhandled_failure_list() const noexcept { return unhandled_list_; }
  static constexpr std::size_t max_kept_failures = 32;
  /// Callbacks run over the loop's life.
  std::uint64_t events_run() const noexcept { return events_; }
  const Options& options() const noexcept { return options_; }
  /// Selects the futures' dispatch policy from now on.
  void set_dispatch(Dispatch dispatch) noexcept { options_.dispatch = dispatch; }

protected:
  bool cancel_call(const DelayedCall& call) noexcept override;
  bool call_active(const DelayedCall& call) const noexcept override;

private:
  friend struct txaio::detail::TimerHandleAccess;  // a test seam reaches timers_
  void check_own_future(const txaio::Loop& owner, const std::string& future) const;
  std::int64_t lateness() noexcept;
  DelayedCall notify_scheduled(DelayedCall call);
  std::int64_t planned_due(const detail::TimerQueue::Entry& entry) const noexcept;

  void advance_ns(nanoseconds d);
  void advance_to_ns(nanoseconds t);
  /// Runs everything due at or before `target`; with `set_now` moves `now()` to `target`.
  void run_to(std::int64_t target, bool set_now, std::uint64_t limit);
  bool run_one(std::int64_t target);
  void check_budget() const;
  void invoke(Callback& fn, std::uint64_t id, std::int64_t due);
  void notify_error(std::uint64_t id, std::int64_t due) noexcept;
  void take_threadsafe();
  void throw_reported();
  std::uint64_t next_tie() noexcept;
  std::string describe_pending() const;

  Options options_;
  std::int64_t now_ = 0;
  std::uint64_t seq_ = 0;
  std::uint64_t rng_;
  std::uint64_t jitter_rng_;
  std::vector<std::int64_t> planned_;  // due time by slot, kept only under jitter
  detail::TimerQueue timers_;
  struct Ready {
    Callback fn;
    std::uint64_t cause;  // `cause()` when it was posted
  };
  std::deque<Ready> ready_;
  mutable std::mutex ts_mutex_;
  std::vector<Callback> ts_queue_;
  std::atomic<bool> ts_pending_{false};
  std::deque<std::exception_ptr> reported_;
  bool running_ = false;
  std::uint64_t cause_ = 0;
  std::uint64_t run_events_ = 0;
  std::uint64_t run_limit_ = 0;
  std::uint64_t events_ = 0;
  std::size_t unhandled_ = 0;
  std::vector<Failure> unhandled_list_;
};

}  // namespace txaio::sim
