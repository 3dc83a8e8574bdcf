#pragma once
/// Asio interoperation: code written on Asio's own vocabulary (executors, timers, completion
/// tokens, `asio::awaitable`) runs on any txaio loop, on `AsioLoop` in production and in
/// virtual time, deterministically, on `sim::Loop` in tests. The only txaio header that
/// includes Asio's heavy headers.
///
///     txaio::sim::Loop loop;
///     auto ex = txaio::asio_executor(loop);
///     boost::asio::co_spawn(ex, [&]() -> boost::asio::awaitable<void> {
///       txaio::steady_timer timer(co_await boost::asio::this_coro::executor);
///       timer.expires_after(5s);
///       co_await timer.async_wait(boost::asio::use_awaitable);   // virtual time 5 s
///     }, boost::asio::detached);
///     loop.run_until_idle();                                      // instantly; now() == 5s
///
/// What is virtualised on `sim::Loop`: work submitted through a `loop_executor` (`post`,
/// `dispatch`, `defer`, coroutine resumptions) and `txaio::steady_timer`. Sockets and other
/// I/O objects are not: they need an `io_context` that something runs.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/execution.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/recycling_allocator.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <chrono>
#include <cstdint>
#include <exception>
#include <type_traits>
#include <utility>

#include "txaio/asio_loop.hpp"
#include "txaio/config.hpp"
#include "txaio/detail/current_loop.hpp"
#include "txaio/future.hpp"
#include "txaio/loop.hpp"

namespace txaio {

class loop_executor;

namespace detail {
/// Queues `fn` on `loop`: `post` on the loop's own thread, `post_threadsafe` elsewhere.
void loop_submit(Loop& loop, Callback fn);
void io_work_started(boost::asio::io_context* io) noexcept;
void io_work_finished(boost::asio::io_context* io) noexcept;
}  // namespace detail

/// An Asio executor (standard executor model) that runs work on a txaio loop with
/// `Loop::call_soon`. Cheap to copy. Compares equal to another for the same loop and the same
/// properties. Properties:
/// - `blocking`: `possibly` by default, as an `io_context`'s executor: `execute` runs the work
///   inline when called from a callback the loop is running (what `asio::dispatch` relies
///   on), else queues it; `never` always queues it (what `asio::post` and `defer` ask for).
/// - `outstanding_work`: `tracked` keeps an `AsioLoop`'s `io_context::run` from returning while
///   the executor (or a copy) lives; on other loops it changes nothing (a virtual loop stops
///   when no work is queued).
/// - `relationship`: `fork` or `continuation`, both queued in order.
/// - `context`: the loop's `io_context` for an `AsioLoop`; for any other loop an
///   `execution_context` the loop owns (it is destroyed with the loop).
/// `execute` may be called from any thread (work from other threads goes through
/// `call_soon_threadsafe`). An exception escaping the work goes to the loop like any
/// callback's (`AsioLoop` logs it, `sim::Loop` rethrows it from `advance` / `run_*`).
class loop_executor {
public:
  loop_executor(Loop& loop, boost::asio::execution_context& context, boost::asio::io_context* io) noexcept
      : loop_(&loop), context_(&context), io_(io) {}
  loop_executor(const loop_executor& other) noexcept
      : loop_(other.loop_), context_(other.context_), io_(other.io_), bits_(other.bits_) {
    if (tracked()) detail::io_work_started(io_);
  }
  loop_executor(loop_executor&& other) noexcept
      : loop_(other.loop_), context_(other.context_), io_(other.io_), bits_(other.bits_) {
    other.bits_ &= ~tracked_bit;
  }
  loop_executor& operator=(const loop_executor& other) noexcept {
    loop_executor copy(other);
    return *this = std::move(copy);
  }
  loop_executor& operator=(loop_executor&& other) noexcept {
    if (this != &other) {
      if (tracked()) detail::io_work_finished(io_);
      loop_ = other.loop_;
      context_ = other.context_;
      io_ = other.io_;
      bits_ = std::exchange(other.bits_, static_cast<std::uint8_t>(other.bits_ & ~tracked_bit));
    }
    return *this;
  }
  ~loop_executor() {
    if (tracked()) detail::io_work_finished(io_);
  }

  /// The loop the work runs on.
  Loop& loop() const noexcept { return *loop_; }
  /// True inside a callback the loop is running on this thread.
  bool running_in_this_thread() const noexcept { return detail::current_loop() == loop_; }

  /// Runs `f()` on the loop (see the class comment for when it runs inline).
  template <class F>
  void execute(F&& f) const {
    if ((bits_ & never_bit) == 0 && running_in_this_thread()) {
      std::decay_t<F> work(std::forward<F>(f));
      std::move(work)();
      return;
    }
    detail::loop_submit(*loop_, detail::Callback([work = std::decay_t<F>(std::forward<F>(f))]() mutable {
                          std::move(work)();
                        }));
  }

  boost::asio::execution_context& query(boost::asio::execution::context_t) const noexcept { return *context_; }
  boost::asio::execution::blocking_t query(boost::asio::execution::blocking_t) const noexcept {
    return (bits_ & never_bit) != 0 ? boost::asio::execution::blocking_t(boost::asio::execution::blocking.never)
                                    : boost::asio::execution::blocking_t(boost::asio::execution::blocking.possibly);
  }
  boost::asio::execution::outstanding_work_t query(boost::asio::execution::outstanding_work_t) const noexcept {
    return tracked() ? boost::asio::execution::outstanding_work_t(boost::asio::execution::outstanding_work.tracked)
                     : boost::asio::execution::outstanding_work_t(boost::asio::execution::outstanding_work.untracked);
  }
  boost::asio::execution::relationship_t query(boost::asio::execution::relationship_t) const noexcept {
    return (bits_ & continuation_bit) != 0
               ? boost::asio::execution::relationship_t(boost::asio::execution::relationship.continuation)
               : boost::asio::execution::relationship_t(boost::asio::execution::relationship.fork);
  }
  static constexpr boost::asio::execution::mapping_t query(boost::asio::execution::mapping_t) noexcept {
    return boost::asio::execution::mapping.thread;
  }

  loop_executor require(boost::asio::execution::blocking_t::never_t) const noexcept { return with(never_bit, true); }
  loop_executor require(boost::asio::execution::blocking_t::possibly_t) const noexcept { return with(never_bit, false); }
  loop_executor require(boost::asio::execution::outstanding_work_t::tracked_t) const noexcept {
    return with(tracked_bit, true);
  }
  loop_executor require(boost::asio::execution::outstanding_work_t::untracked_t) const noexcept {
    return with(tracked_bit, false);
  }
  loop_executor require(boost::asio::execution::relationship_t::fork_t) const noexcept {
    return with(continuation_bit, false);
  }
  loop_executor require(boost::asio::execution::relationship_t::continuation_t) const noexcept {
    return with(continuation_bit, true);
  }

  friend bool operator==(const loop_executor& a, const loop_executor& b) noexcept {
    return a.loop_ == b.loop_ && a.bits_ == b.bits_;
  }

private:
  static constexpr std::uint8_t never_bit = 1;
  static constexpr std::uint8_t tracked_bit = 2;
  static constexpr std::uint8_t continuation_bit = 4;

  bool tracked() const noexcept { return (bits_ & tracked_bit) != 0; }
  loop_executor with(std::uint8_t bit, bool on) const noexcept {
    loop_executor copy(*loop_, *context_, io_);
    copy.bits_ = static_cast<std::uint8_t>(on ? (bits_ | bit) : (bits_ & ~bit));
    if (copy.tracked()) detail::io_work_started(io_);
    return copy;
  }

  Loop* loop_;
  boost::asio::execution_context* context_;
  boost::asio::io_context* io_;  // the AsioLoop's io_context; nullptr for other loops
  std::uint8_t bits_ = 0;
};

/// The executor of `loop` (any txaio loop). The first call for a loop that is not an
/// `AsioLoop` creates the execution context the loop owns.
loop_executor asio_executor(Loop& loop);

/// The executor of `context`'s own `AsioLoop` (the loop `use_asio(context)` chooses).
loop_executor asio_executor(boost::asio::io_context& context);

/// The loop behind an Asio executor: a `loop_executor`'s loop, an `io_context` executor's
/// `AsioLoop`, either of them inside an `any_io_executor`; nullptr for any other executor.
template <class Executor>
Loop* executor_loop(const Executor& executor);

/// The clock of `txaio::steady_timer`: a loop's time (`Loop::now()`), nanoseconds since the
/// loop's epoch. `now()` reads the loop running callbacks on this thread, else the default
/// loop (`UsageError` when there is none).
struct loop_clock {
  using rep = std::int64_t;
  using period = std::nano;
  using duration = nanoseconds;
  using time_point = std::chrono::time_point<loop_clock, nanoseconds>;
  static constexpr bool is_steady = true;
  static time_point now();
};

}  // namespace txaio

#include "txaio/detail/asio_executor.hpp"
#include "txaio/detail/asio_timer.hpp"

namespace txaio {

/// An Asio I/O object with `asio::steady_timer`'s interface whose time is its loop's. Built
/// from an executor: a `loop_executor`, an `io_context`'s executor (then it uses that
/// context's `AsioLoop`), or an `any_io_executor` holding either (`std::invalid_argument`
/// for any other). On `AsioLoop` a wait is one entry in txaio's timer queue, not an Asio
/// timer; on `sim::Loop` waits complete in virtual time, ordered by the loop's tie policy.
/// Use from the loop's thread; must not outlive its loop. Movable (waits follow the timer).
class steady_timer {
public:
  using executor_type = loop_executor;
  using clock_type = loop_clock;
  using duration = loop_clock::duration;
  using time_point = loop_clock::time_point;

  /// A timer expiring at its loop's epoch (already expired).
  template <class Executor>
    requires boost::asio::execution::is_executor<Executor>::value
  explicit steady_timer(const Executor& executor) : state_(detail::to_loop_executor(executor, "txaio::steady_timer")) {}
  /// A timer expiring at `expiry`.
  template <class Executor>
    requires boost::asio::execution::is_executor<Executor>::value
  steady_timer(const Executor& executor, const time_point& expiry) : steady_timer(executor) {
    expires_at(expiry);
  }
  /// A timer expiring `expiry` from the loop's `now()`.
  template <class Executor>
    requires boost::asio::execution::is_executor<Executor>::value
  steady_timer(const Executor& executor, const duration& expiry) : steady_timer(executor) {
    expires_after(expiry);
  }
  /// A timer on `context`'s `AsioLoop`.
  explicit steady_timer(boost::asio::io_context& context) : steady_timer(context.get_executor()) {}
  steady_timer(boost::asio::io_context& context, const time_point& expiry) : steady_timer(context.get_executor(), expiry) {}
  steady_timer(boost::asio::io_context& context, const duration& expiry) : steady_timer(context.get_executor(), expiry) {}

  steady_timer(steady_timer&& other) noexcept = default;
  /// Cancels this timer's pending waits, then takes `other`'s expiry and waits.
  steady_timer& operator=(steady_timer&& other) = default;
  steady_timer(const steady_timer&) = delete;
  steady_timer& operator=(const steady_timer&) = delete;
  /// Cancels every pending wait (each completes with `operation_aborted`).
  ~steady_timer() { state_.cancel_waits(); }

  executor_type get_executor() const noexcept { return state_.executor; }

  /// Cancels every pending wait; each completes with `operation_aborted`, never inline.
  /// Returns how many it cancelled (0 for waits that already completed or are completing).
  std::size_t cancel() { return state_.cancel_waits(); }
  /// Cancels the oldest pending wait; returns 0 or 1.
  std::size_t cancel_one() { return state_.cancel_oldest(); }

  /// The time the timer expires at (loop time).
  time_point expiry() const noexcept { return time_point(nanoseconds(state_.expiry_ns)); }
  /// Sets the expiry to `expiry` and cancels the pending waits; returns how many.
  std::size_t expires_at(const time_point& expiry) { return state_.reset_expiry(expiry.time_since_epoch().count()); }
  /// Sets the expiry to the loop's `now() + d` (saturating) and cancels the pending waits;
  /// returns how many.
  std::size_t expires_after(const duration& d) {
    return state_.reset_expiry(saturating_add(state_.executor.loop().now(), d).count());
  }

  /// Waits for the timer to expire. Initiated when the token asks (at once for a callback
  /// or `use_future`, when awaited for `use_awaitable`, when invoked for `deferred`).
  /// - Completes exactly once: with success when the loop's time reaches the expiry (on
  ///   `sim::Loop` at exactly that virtual time); with `operation_aborted` when the wait is
  ///   cancelled by `cancel`, `cancel_one`, `expires_at` / `expires_after` or the timer's
  ///   destruction.
  /// - Never inline: not from this call nor from the call that cancels it. A wait that
  ///   expires completes through `asio::dispatch` on the handler's associated executor (at
  ///   once when that is this loop's executor); a cancelled one through `asio::post`.
  /// - Per-operation cancellation: a `terminal`, `partial` or `total` signal on the handler's
  ///   associated cancellation slot cancels this wait alone (`operation_aborted`).
  /// - The handler's associated executor is tracked (`outstanding_work.tracked`) while the
  ///   wait is pending. Signature: `void(boost::system::error_code)`.
  template <class WaitToken = boost::asio::default_completion_token_t<executor_type>>
  auto async_wait(WaitToken&& token = boost::asio::default_completion_token_t<executor_type>()) {
    return boost::asio::async_initiate<WaitToken, void(boost::system::error_code)>(initiate_async_wait{this},
                                                                                    token);
  }

private:
  struct initiate_async_wait {
    steady_timer* self;
    using executor_type = loop_executor;
    executor_type get_executor() const noexcept { return self->get_executor(); }
    template <class Handler>
    void operator()(Handler&& handler) const {
      detail::start_timer_wait(self->state_, std::forward<Handler>(handler));
    }
  };

  detail::TimerState state_;
};

/// The completion token that turns an Asio async operation into a `txaio::Future<T>`:
/// `co_spawn(ex, task(), txaio::use_future)`, `timer.async_wait(txaio::use_future)`.
/// - The future is on the loop of the operation's executor (`executor_loop`), else on the
///   default loop.
/// - T follows the signature: `void()`, `void(error_code)` and `void(exception_ptr)` give
///   `Future<void>`; one more argument `A` gives `Future<A>`; several give
///   `Future<std::tuple<...>>`.
/// - A non-zero `error_code` rejects the future with `boost::system::system_error`; a
///   non-null `exception_ptr` with that exception.
/// - `txaio::cancel` on the pending future emits a terminal cancellation into the operation's
///   cancellation slot (the future is cancelled at once; the operation's late completion is
///   ignored).
/// - The future is settled on its loop's thread (through `call_soon_threadsafe` when the
///   operation completes elsewhere).
struct use_future_t {};
inline constexpr use_future_t use_future{};

}  // namespace txaio

#include "txaio/detail/asio_future.hpp"

namespace txaio {

/// Waits from Asio code for a txaio future to settle: `co_await txaio::async_wait(f,
/// asio::use_awaitable)`. Signature `void(std::exception_ptr, T)` (`void(std::exception_ptr)`
/// for `Future<void>`): a null pointer and the value when `future` resolves, its failure's
/// exception (`CancelledError` when cancelled) otherwise.
/// - Completes exactly once, when the future settles; never inline (a future already
///   settled completes through `asio::post`); otherwise through `asio::dispatch` on the
///   handler's associated executor from the future's callback. On failure the value argument
///   is `T()` (T must be default-constructible, as for Asio's own `(exception_ptr, T)`).
/// - A `terminal` signal on the handler's cancellation slot cancels the future
///   (`txaio::cancel`); the operation then completes with `CancelledError`. Other
///   cancellation types are ignored.
/// - Marks the future's failure handled. Use on the future's loop's thread.
template <class T, class WaitToken>
auto async_wait(const Future<T>& future, WaitToken&& token) {
  using Signature = typename detail::future_wait_signature<T>::type;
  detail::checked_state(future, "txaio::async_wait");
  return boost::asio::async_initiate<WaitToken, Signature>(detail::initiate_future_wait<T>{future}, token);
}

template <class Executor>
Loop* executor_loop(const Executor& executor) {
  return detail::executor_loop_impl(executor);
}

}  // namespace txaio
