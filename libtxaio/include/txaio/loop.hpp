#pragma once
/// The loop interface every txaio function runs on: `AsioLoop` in production,
/// `sim::Loop` (virtual time) in tests.

#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "txaio/detail/callback.hpp"
#include "txaio/time.hpp"

namespace txaio {

class Loop;
class Failure;
namespace detail {
class BatchedTimerImpl;
class CoroutineCore;
struct LoopAccess;
struct TimerHandleAccess;
/// `DelayedCall::id()` of the call with generation `gen`.
constexpr std::uint64_t call_id(std::uint64_t gen) noexcept { return gen + 1; }
}  // namespace detail

/// When a future's callbacks run relative to `resolve` / `add_callbacks`.
enum class Dispatch : std::uint8_t {
  scheduled,  ///< queued with `call_soon`, never inline (asyncio's model; `AsioLoop`)
  immediate,  ///< inline, as soon as both the result and the callback exist (Twisted's model)
};

/// Handle to a call scheduled with `Loop::call_later`. Cheap to copy; must not outlive its loop.
class DelayedCall {
public:
  DelayedCall() noexcept = default;

  /// Cancels the call if it is still pending. Idempotent: no error twice or after it ran.
  void cancel() noexcept;
  /// True while the call is pending (neither run nor cancelled).
  bool active() const noexcept;
  /// The loop time the call is (or was) due at.
  nanoseconds when() const noexcept { return nanoseconds(due_); }
  /// Identifier unique among the calls of its loop over the loop's whole life (a 64-bit
  /// count, never reused); 0 for an empty handle.
  std::uint64_t id() const noexcept { return loop_ == nullptr ? 0 : detail::call_id(gen_); }

private:
  friend struct detail::TimerHandleAccess;  // loops make handles and read them back
  DelayedCall(Loop* loop, std::uint32_t slot, std::uint64_t gen, std::int64_t due) noexcept
      : loop_(loop), gen_(gen), due_(due), slot_(slot) {}

  Loop* loop_ = nullptr;
  std::uint64_t gen_ = 0;  // the call's generation: unique in its loop, so also its id
  std::int64_t due_ = 0;
  std::uint32_t slot_ = 0;
};

/// What a loop observer is told.
enum class EventKind : std::uint8_t {
  schedule,  ///< a call was scheduled, due at `due`
  cancel,    ///< a pending call was cancelled
  fire,      ///< a call's callback starts running
  error,     ///< a call's callback threw `message` (`id` 0: an error outside any call)
  done,      ///< a call's callback returned or threw: events between its `fire` and its
             ///< `done` were caused by it
};

std::string_view to_string(EventKind kind) noexcept;

/// Whose call an event is about.
enum class EventSource : std::uint8_t {
  loop,          ///< a `call_later` of the loop
  batched_call,  ///< a `BatchedTimer::call_later` of the batched timer `Event::batched`
  bucket_timer,  ///< a loop timer that batched timer `Event::batched` runs its buckets on
};

/// Where a batched timer's loop timer stands in its bucket (`Event::bucket`). Meaningful
/// only for the `schedule`, `fire` and `cancel` events with `source == bucket_timer`; all
/// zero in every other event.
struct BucketInfo {
  nanoseconds key{0};        ///< the bucket's key (`BatchedCall::key()`)
  std::uint32_t chunk = 0;   ///< the chunk the loop timer runs (scheduled for, running, or cancelled)
  std::uint32_t chunks = 0;  ///< the bucket's chunk count `k`; 0 until its first timer fired
  std::uint32_t calls = 0;   ///< pending calls in the bucket then (for a fire: before the chunk runs)

  friend bool operator==(const BucketInfo&, const BucketInfo&) = default;
};

/// A batched timer's settings (`Event::settings`), in every event it reports (`source` not
/// `loop`), so that an observer can model a timer it was not told about.
struct BatchedSettings {
  nanoseconds bucket{0};         ///< `BatchedTimer::bucket()`
  std::int64_t chunk_size = 0;   ///< `BatchedTimer::chunk_size()`
  bool never_early = false;      ///< `BatchedTimer::rounding()` is `BatchRounding::never_early`

  friend bool operator==(const BatchedSettings&, const BatchedSettings&) = default;
};

/// One loop event. `time` is the loop time when it happened, `due` the call's due time.
/// `id` is `DelayedCall::id()` for the loop's calls (0 for `call_soon` work),
/// `BatchedCall::id()` for batched calls. `message` is set for errors.
///
/// A batched timer reports its calls' schedule / cancel / fire / error / done events through
/// its loop's observers (`source == batched_call`). Its own loop timers are ordinary loop
/// timers, so their plain events come with `source == loop`; the batched timer reports each
/// of their steps again with `source == bucket_timer`, the same `id` and `due`, and `bucket`
/// set, in this order:
/// - `schedule`: a bucket's first timer (chunk 0) or its next chunk's timer was scheduled.
///   Right after the loop's `schedule` of that timer; when a call opened the bucket, the
///   call's own `schedule` comes in between (loop timer, call, bucket_timer).
/// - `fire`: chunk `bucket.chunk` of `bucket.chunks` runs now. Right after the loop's `fire`
///   of that timer, before the chunk's calls' events and the timer's `done`.
/// - `cancel`: the bucket lost its last pending call (`bucket.calls` is 0). Right after the
///   call's `cancel` and the loop's `cancel` of the bucket's pending timer. (Destroying a
///   batched timer cancels its pending loop timers with the loop's `cancel` only.)
/// Before a batched timer reports a `BatchError` through the loop (after its bucket's last
/// chunk, or after the `cancel` that emptied it), it reports an `error` event with
/// `source == bucket_timer` and `id == 0` (no `bucket`).
///
/// Observers are only called, and events only built, while a loop has observers.
struct Event {
  EventKind kind;
  nanoseconds time;
  nanoseconds due;
  std::uint64_t id;
  std::string_view message;
  EventSource source = EventSource::loop;
  std::uint64_t batched = 0;  ///< `BatchedTimer::id()` unless `source` is `loop`
  BucketInfo bucket{};        ///< for `source == bucket_timer` (see `BucketInfo`)
  BatchedSettings settings{};  ///< the batched timer's, unless `source` is `loop`
};

/// Receives a loop's events, on the loop's thread, synchronously. An exception it throws is
/// ignored: it reaches neither the loop nor the code that caused the event.
class Observer {
public:
  virtual ~Observer() = default;
  virtual void on_event(const Event& event) = 0;
};

/// The event loop interface. Every member but `call_soon_threadsafe` is called from the
/// loop's own thread.
class Loop {
public:
  Loop() = default;
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;
  /// Un-chooses the loop as the default loop if it is (a later `default_loop()` throws
  /// `UsageError`).
  virtual ~Loop();

  /// Time since the loop's epoch.
  virtual nanoseconds now() const noexcept = 0;

  /// Runs `fn(args...)` after `delay` (any duration, or seconds as a number; negative means 0).
  template <class D, class F, class... Args>
    requires is_delay_v<D> && std::is_invocable_v<std::decay_t<F>&, std::decay_t<Args>&...>
  DelayedCall call_later(D delay, F&& fn, Args&&... args) {
    return schedule(to_delay(delay), detail::bind_callback(std::forward<F>(fn), std::forward<Args>(args)...));
  }

  /// Runs `fn(args...)` on the loop soon, after work already queued, never inline.
  template <class F, class... Args>
    requires std::is_invocable_v<std::decay_t<F>&, std::decay_t<Args>&...>
  void call_soon(F&& fn, Args&&... args) {
    post(detail::bind_callback(std::forward<F>(fn), std::forward<Args>(args)...));
  }

  /// As `call_soon`, from any thread.
  template <class F, class... Args>
    requires std::is_invocable_v<std::decay_t<F>&, std::decay_t<Args>&...>
  void call_soon_threadsafe(F&& fn, Args&&... args) {
    post_threadsafe(detail::bind_callback(std::forward<F>(fn), std::forward<Args>(args)...));
  }

  /// Primitive behind `call_later`: `delay` is non-negative. Handles: `detail::TimerHandleAccess::make`.
  virtual DelayedCall schedule(nanoseconds delay, Callback fn) = 0;
  /// Primitive behind `call_soon`.
  virtual void post(Callback fn) = 0;
  /// Primitive behind `call_soon_threadsafe`.
  virtual void post_threadsafe(Callback fn) = 0;

  /// Number of `call_later` calls pending.
  virtual std::size_t pending_timers() const noexcept = 0;

  /// When futures on this loop run their callbacks.
  virtual Dispatch dispatch() const noexcept { return Dispatch::scheduled; }

  /// Reports an exception that escaped a callback outside the loop's own dispatch (for
  /// example a future's callback in immediate mode, or a `BatchError`). `AsioLoop` logs it;
  /// `sim::Loop` rethrows it from the `advance` / `run_*` call that is running.
  virtual void report_exception(std::exception_ptr error, std::string_view where) noexcept = 0;

  /// Reports a rejected future whose failure nobody handled (no errback before its last
  /// handle went away).
  virtual void report_unhandled_failure(const Failure& failure) noexcept = 0;

  /// Wall-clock time for log lines: the real clock, or an epoch plus virtual time.
  virtual std::chrono::system_clock::time_point wall_now() const noexcept;

  void add_observer(Observer& observer);
  void remove_observer(Observer& observer) noexcept;

protected:
  friend class DelayedCall;
  /// Cancels the pending call `call`; returns false if it already ran or was cancelled.
  virtual bool cancel_call(const DelayedCall& call) noexcept = 0;
  virtual bool call_active(const DelayedCall& call) const noexcept = 0;

  bool observed() const noexcept { return !observers_.empty(); }
  void notify(const Event& event) noexcept;

  /// Destroys the frames of the coroutines still suspended on this loop and never resumes them
  /// (see `coroutine.hpp`). Every loop calls it first thing in its destructor, while the
  /// frames' destructors may still use the loop; `~Loop` calls it again for loops that did not.
  void destroy_coroutines() noexcept;

private:
  friend class detail::CoroutineCore;
  friend struct detail::LoopAccess;
  friend class detail::BatchedTimerImpl;  // reports its calls' events through `notify`
  std::vector<Observer*> observers_;
  detail::CoroutineCore* coroutines_ = nullptr;  // the live coroutines of this loop (a list)
  /// Per-loop state of `<txaio/asio.hpp>` (the loop's Asio execution context), made on first
  /// use and destroyed with the loop, after the derived loop's own members.
  std::shared_ptr<void> extension_;
};

inline void DelayedCall::cancel() noexcept {
  if (loop_ != nullptr) loop_->cancel_call(*this);
}

inline bool DelayedCall::active() const noexcept { return loop_ != nullptr && loop_->call_active(*this); }

}  // namespace txaio
