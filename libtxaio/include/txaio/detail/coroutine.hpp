#pragma once
/// The machinery behind coroutines that return `txaio::Future<T>` (see `txaio/coroutine.hpp`):
/// the coroutine's future state, which knows its suspended frame, the promise, and the
/// awaiter of `co_await future`.
///
/// Ownership: a frame destroys itself when its body ends (`final_suspend` never suspends);
/// while suspended it is listed with its loop, which destroys it if the loop goes first. The
/// awaited future's continuation holds a reference to the coroutine's future state, never to
/// the frame, so a continuation that outlives the frame does nothing.

#include <coroutine>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "txaio/api.hpp"
#include "txaio/config.hpp"
#include "txaio/future.hpp"
#include "txaio/loop.hpp"

namespace txaio::detail {

/// What a coroutine's future state knows about its frame, whatever the value type. Used on
/// the coroutine's loop thread only.
class CoroutineCore {
public:
  CoroutineCore(FutureStateBase& self, Loop& loop) noexcept : self_(&self), loop_(&loop) {}
  CoroutineCore(const CoroutineCore&) = delete;
  CoroutineCore& operator=(const CoroutineCore&) = delete;

  /// The frame exists: lists it with its loop.
  void attach() noexcept;
  /// The frame is being destroyed (its body ended, or its loop destroys it): unlists it.
  void detach() noexcept;

  /// A `cancel` arrived that the frame has not seen yet.
  bool cancel_pending() const noexcept { return cancel_pending_; }
  /// `co_await` on the pending `awaited`: the frame `frame` waits for it.
  void suspend(std::coroutine_handle<> frame, FutureStateBase& awaited);
  /// Resumes the frame (the awaited future's continuation); after the loop destroyed the
  /// frame, drops the reference it left instead.
  void resume();
  /// On resumption: throws `CancelledError` when a `cancel` arrived during this `co_await`
  /// (the awaited future's own `CancelledError` when it ended cancelled).
  void throw_if_cancelled(FutureStateBase& awaited);
  /// `cancel(g)`, the first time: cancels what the frame awaits; the frame sees
  /// `CancelledError`. Later calls do nothing.
  void cancel(std::string_view message);
  /// Throws the exception of `failure` into the body (an awaited future's failure);
  /// `cancelled`: it is known to be a `CancelledError`.
  [[noreturn]] void rethrow(const Failure& failure, bool cancelled);
  /// The body ended with an exception: a `CancelledError` cancels the future, another rejects
  /// it. An awaited future's failure passes on as it is, with the trace of where it began.
  void fail(std::exception_ptr error);
  /// The loop is going away: destroys the frame if it is suspended, and unlists it.
  void destroy_frame() noexcept;

  const char* phase() const noexcept;

private:
  struct Resume;

  FutureStateBase* self_;
  Loop* loop_;  // null once unlisted
  CoroutineCore* prev_ = nullptr;
  CoroutineCore* next_ = nullptr;
  std::coroutine_handle<> frame_;        // while suspended
  FutureStateBase* awaited_ = nullptr;   // while suspended
  bool cancelled_ = false;       // the first cancel arrived; later ones do nothing
  bool cancel_pending_ = false;  // ... and the body has not seen it yet
  bool finished_ = false;
  std::string cancel_message_;
  std::optional<Failure> thrown_;  // the last failure `rethrow` threw into the body
  bool thrown_cancelled_ = false;  // ... known to be a CancelledError (no type test needed)
};

/// The future state of a coroutine: cancelling it cancels what the body awaits, and it
/// settles when the body ends.
template <class T>
class CoroutineState final : public FutureState<T>, public CoroutineCore {
public:
  explicit CoroutineState(Loop& loop) noexcept : FutureState<T>(loop), CoroutineCore(*this, loop) {}

protected:
  void on_cancel(std::string_view message) override { CoroutineCore::cancel(message); }
  bool cancel_settles() const noexcept override { return false; }
  std::string origin() const override { return std::string("from a coroutine (") + phase() + ")"; }
};

/// `co_await future` inside a coroutine returning a `Future`.
template <class U>
class Awaiter {
public:
  Awaiter(CoroutineCore& core, FutureState<U>& awaited) noexcept : core_(&core), awaited_(&awaited) {}

  bool await_ready() const noexcept { return awaited_->settled() || core_->cancel_pending(); }
  void await_suspend(std::coroutine_handle<> frame) { core_->suspend(frame, *awaited_); }
  U await_resume() {
    core_->throw_if_cancelled(*awaited_);
    if (awaited_->status() != FutureStatus::resolved) {
      awaited_->mark_handled();
      core_->rethrow(awaited_->failure(), awaited_->status() == FutureStatus::cancelled);
    }
    if constexpr (!std::is_void_v<U>) return awaited_->value();
  }

private:
  CoroutineCore* core_;
  StateRef<FutureState<U>> awaited_;
};

/// True for a parameter that names a coroutine's loop: a `txaio::Api` or a (non-const) `Loop`.
template <class A>
inline constexpr bool is_loop_param_v =
    std::is_same_v<std::remove_cvref_t<A>, Api> ||
    (std::is_base_of_v<Loop, std::remove_reference_t<A>> && !std::is_const_v<std::remove_reference_t<A>>);

inline Loop& loop_of_param(Loop& loop) noexcept { return loop; }
inline Loop& loop_of_param(const Api& api) noexcept { return api.loop(); }

/// The loop of a coroutine called with `args`: its first parameter's, or its second's (after
/// the object of a member function or lambda), or the default loop.
template <class... A>
Loop& coroutine_loop(A&... args) {
  if constexpr (sizeof...(A) == 0) {
    return default_loop();
  } else {
    return [](auto& first, auto&... rest) -> Loop& {
      if constexpr (is_loop_param_v<decltype(first)>) {
        return loop_of_param(first);
      } else if constexpr (sizeof...(rest) > 0) {
        return [](auto& second, auto&...) -> Loop& {
          if constexpr (is_loop_param_v<decltype(second)>) {
            return loop_of_param(second);
          } else {
            return default_loop();
          }
        }(rest...);
      } else {
        return default_loop();
      }
    }(args...);
  }
}

template <class T>
class PromiseBase {
public:
  template <class... A>
  explicit PromiseBase(A&... args) : state_(StateRef<CoroutineState<T>>::adopt(new CoroutineState<T>(coroutine_loop(args...)))) {
    state_->attach();
  }
  PromiseBase(const PromiseBase&) = delete;
  PromiseBase& operator=(const PromiseBase&) = delete;
  ~PromiseBase() { state_->detach(); }

  Future<T> get_return_object() noexcept { return FutureAccess::make(StateRef<FutureState<T>>(state_.get())); }
  std::suspend_never initial_suspend() const noexcept { return {}; }
  std::suspend_never final_suspend() const noexcept { return {}; }
  void unhandled_exception() { state_->fail(std::current_exception()); }

  template <class U>
  Awaiter<U> await_transform(const Future<U>& awaited) {
    return Awaiter<U>(*state_, checked_state(awaited, "co_await"));
  }
  template <class X>
    requires(!is_future_v<X>)
  void await_transform(X&&) {
    static_assert(is_future_v<X>, "a coroutine returning txaio::Future can co_await txaio::Future<U> only");
  }

protected:
  StateRef<CoroutineState<T>> state_;
};

/// The promise of a coroutine returning `Future<T>`.
template <class T>
class Promise : public PromiseBase<T> {
public:
  using PromiseBase<T>::PromiseBase;

  template <class V = T>
    requires std::is_constructible_v<T, V>
  void return_value(V&& value) {
    if (!this->state_->settled()) this->state_->settle_value(std::forward<V>(value));
  }
};

template <>
class Promise<void> : public PromiseBase<void> {
public:
  using PromiseBase<void>::PromiseBase;

  void return_void() {
    if (!state_->settled()) state_->settle_value();
  }
};

}  // namespace txaio::detail

template <class T, class... Args>
struct std::coroutine_traits<txaio::Future<T>, Args...> {
  using promise_type = txaio::detail::Promise<T>;
};
