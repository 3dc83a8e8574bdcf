#pragma once
/// Internals of `txaio::steady_timer`: a timer's state and its pending waits. Each wait is one
/// entry in the loop's timer queue (`Loop::schedule`). Included by `<txaio/asio.hpp>` only.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

namespace txaio::detail {

/// How a wait ended.
enum class WaitEnd : std::uint8_t {
  expired,            ///< the loop reached the expiry
  cancelled,          ///< `cancel`, a new expiry or the timer's destruction
  cancelled_by_slot,  ///< the handler's cancellation slot (runs inside the signal's `emit`)
  abandoned,          ///< its loop was destroyed: the handler is destroyed, not invoked (as
                      ///< Asio destroys the handlers an `io_context` still holds)
};

class TimerState;

/// One pending `async_wait`: linked into its timer's list, one call in the loop's timer queue.
class TimerWait {
public:
  using complete_fn = void (*)(TimerWait*, WaitEnd);
  explicit TimerWait(complete_fn fn) noexcept : complete_(fn) {}
  TimerWait(const TimerWait&) = delete;
  TimerWait& operator=(const TimerWait&) = delete;

  /// Completes the wait's handler and frees the wait (`abandoned`: destroys the handler).
  void complete(WaitEnd how) { complete_(this, how); }

  TimerState* owner = nullptr;
  /// Set while the wait's loop call is pending and its drop means the loop was destroyed;
  /// cleared before the wait cancels that call itself.
  bool scheduled = false;
  TimerWait* prev = nullptr;
  TimerWait* next = nullptr;
  DelayedCall call;

protected:
  ~TimerWait() = default;

private:
  complete_fn complete_;
};

/// A timer's executor, expiry and pending waits (oldest first).
class TimerState {
public:
  explicit TimerState(loop_executor ex) noexcept : executor(std::move(ex)) {}
  /// Takes `other`'s waits (they follow the timer).
  TimerState(TimerState&& other) noexcept;
  /// Cancels this state's waits, then takes `other`'s.
  TimerState& operator=(TimerState&& other);
  TimerState(const TimerState&) = delete;
  TimerState& operator=(const TimerState&) = delete;
  ~TimerState() = default;

  /// Cancels every pending wait, oldest first; returns how many.
  std::size_t cancel_waits();
  /// Cancels the oldest pending wait; returns 0 or 1.
  std::size_t cancel_oldest();
  /// Cancels the pending waits and sets the expiry; returns how many waits it cancelled.
  std::size_t reset_expiry(std::int64_t expiry);
  /// Schedules `wait` on the loop for the expiry and links it.
  void start(TimerWait* wait);
  /// Unlinks `wait` (the loop's call is left alone).
  void unlink(TimerWait* wait) noexcept;

  loop_executor executor;
  std::int64_t expiry_ns = 0;

private:
  void take_waits(TimerState& other) noexcept;

  TimerWait* head_ = nullptr;
  TimerWait* tail_ = nullptr;
};

/// Cancels a pending wait's loop call, unlinks it and completes it with `how`.
void cancel_wait(TimerWait* wait, WaitEnd how);

/// The handler of a wait's cancellation slot: cancels the wait once.
class TimerWaitCancel {
public:
  explicit TimerWaitCancel(TimerWait* wait) noexcept : wait_(wait) {}
  void operator()(boost::asio::cancellation_type_t type) {
    using boost::asio::cancellation_type;
    if (wait_ == nullptr || !(type & (cancellation_type::terminal | cancellation_type::partial | cancellation_type::total))) {
      return;
    }
    cancel_wait(std::exchange(wait_, nullptr), WaitEnd::cancelled_by_slot);
  }

private:
  TimerWait* wait_;
};

/// A wait with its handler and the handler's tracked executor.
template <class Handler>
class TimerWaitOp final : public TimerWait {
public:
  template <class H>
  TimerWaitOp(H&& handler, const loop_executor& io)
      : TimerWait(&do_complete), handler_(std::forward<H>(handler)), work_(handler_work_executor(handler_, io)) {}
  ~TimerWaitOp() = default;

  /// Memory for a wait comes from the handler's associated allocator, by default Asio's
  /// per-thread recycling allocator (as Asio's own operations).
  using allocator_type = typename std::allocator_traits<boost::asio::associated_allocator_t<
      Handler, boost::asio::recycling_allocator<void>>>::template rebind_alloc<TimerWaitOp>;
  using allocator_traits = std::allocator_traits<allocator_type>;

  static allocator_type allocator_for(const Handler& handler) {
    return allocator_type(boost::asio::get_associated_allocator(handler, boost::asio::recycling_allocator<void>()));
  }
  template <class H>
  static TimerWaitOp* create(H&& handler, const loop_executor& io) {
    allocator_type alloc = allocator_for(handler);
    TimerWaitOp* op = allocator_traits::allocate(alloc, 1);
    try {
      return ::new (static_cast<void*>(op)) TimerWaitOp(std::forward<H>(handler), io);
    } catch (...) {
      allocator_traits::deallocate(alloc, op, 1);
      throw;
    }
  }
  /// Frees `op`; `handler` is the op's handler or what was moved out of it.
  static void destroy(TimerWaitOp* op, const Handler& handler) noexcept {
    allocator_type alloc = allocator_for(handler);
    op->~TimerWaitOp();
    allocator_traits::deallocate(alloc, op, 1);
  }

  /// Connects the handler's cancellation slot, if it has one, to this wait.
  void connect_slot() {
    auto slot = boost::asio::get_associated_cancellation_slot(handler_);
    if (!slot.is_connected()) return;
    slot_ = slot;
    slot.template emplace<TimerWaitCancel>(this);
  }
  const Handler& handler() const noexcept { return handler_; }
  /// Disconnects the slot (not from inside its own `emit`).
  void clear_slot() noexcept {
    if (slot_.is_connected()) slot_.clear();
  }

private:
  static void do_complete(TimerWait* base, WaitEnd how) {
    auto* op = static_cast<TimerWaitOp*>(base);
    if (how != WaitEnd::cancelled_by_slot) op->clear_slot();
    Handler handler(std::move(op->handler_));
    handler_work_executor_t<Handler> work(std::move(op->work_));
    destroy(op, handler);  // before the upcall, so the handler may start another wait
    if (how == WaitEnd::abandoned) return;  // the handler and its work go with this scope
    const boost::system::error_code ec =
        how == WaitEnd::expired ? boost::system::error_code() : boost::asio::error::operation_aborted;
    complete_on(work, how == WaitEnd::expired, std::move(handler), ec);
  }

  Handler handler_;
  handler_work_executor_t<Handler> work_;
  boost::asio::cancellation_slot slot_;
};

/// Starts one `async_wait` of the timer `state` with `handler`.
template <class Handler>
void start_timer_wait(TimerState& state, Handler&& handler) {
  using Op = TimerWaitOp<std::decay_t<Handler>>;
  Op* op = Op::create(std::forward<Handler>(handler), state.executor);
  try {
    op->connect_slot();
    state.start(op);
  } catch (...) {
    op->clear_slot();
    Op::destroy(op, op->handler());
    throw;
  }
}

}  // namespace txaio::detail
