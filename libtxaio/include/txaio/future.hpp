#pragma once
/// `txaio::Future<T>` and the functions that create, complete, cancel and observe futures
/// (txaio's `create_future`, `resolve`, `reject`, `cancel`, `add_callbacks`, `as_future`,
/// `sleep`). The free functions use the default loop (`use_loop` / `use_asio`); the same
/// functions are members of `txaio::Api` for a given loop.
///
///     txaio::Future<int> f = txaio::create_future<int>();
///     txaio::add_callbacks(f, [](int v) { use(v); }, [](const txaio::Failure& e) { log(e); });
///     txaio::resolve(f, 42);  // the callback runs on the loop (scheduled) or inline (immediate)
///
/// Contract of every future:
/// - It settles at most once: resolved with a value, rejected with a `Failure`, or cancelled
///   (rejected with `CancelledError`). `resolve` / `reject` on a settled future throw
///   `InvalidStateError`, except after `cancel`, where they are ignored.
/// - Each `add_callbacks` pair runs exactly once, after the future settled, in the order the
///   pairs were added. When is the loop's dispatch policy (`Loop::dispatch()`): `scheduled`
///   queues them with the loop (never inside `resolve` or `add_callbacks`); `immediate` runs
///   them inline. Callbacks that settle other futures never nest deeper than one level: in
///   immediate mode the nested dispatch is deferred until the running callback returns.
/// - An exception escaping a callback goes to `Loop::report_exception`; the other callbacks
///   still run and `resolve` never sees it.
/// - A rejected (not cancelled) future that never had an errback is reported through
///   `Loop::report_unhandled_failure` when its last handle goes away.
/// - A future is used on its loop's thread only (the thread that creates it), and must not
///   outlive its loop. Handles may be copied and dropped on any thread (to pass one to
///   `call_soon_threadsafe`): when the last handle goes away on another thread, the release
///   is handed to the loop with `call_soon_threadsafe`: the future is destroyed (with the
///   callbacks it holds) and an unhandled failure reported on the loop's thread, the next
///   time the loop runs (see docs/threads.md).

#include <cstddef>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "txaio/config.hpp"
#include "txaio/detail/future_state.hpp"
#include "txaio/detail/source_location.hpp"
#include "txaio/errors.hpp"
#include "txaio/failure.hpp"
#include "txaio/loop.hpp"
#include "txaio/time.hpp"

namespace txaio {

template <class T>
class Future;

namespace detail {
template <class X>
struct is_future_impl : std::false_type {};
template <class T>
struct is_future_impl<Future<T>> : std::true_type {};
struct FutureAccess;
}  // namespace detail

/// True for `Future<T>` (any cv/ref qualification).
template <class X>
inline constexpr bool is_future_v = detail::is_future_impl<std::remove_cvref_t<X>>::value;

/// txaio's `is_future(obj)`: whether `x` is a `Future`.
template <class X>
constexpr bool is_future(const X&) noexcept {
  return is_future_v<X>;
}

/// A handle to a future's shared state: cheap to copy, compares equal when both refer to the
/// same future. A default-constructed handle refers to none (`valid()` is false); the
/// functions throw `UsageError` for it.
template <class T>
class Future {
public:
  using value_type = T;

  Future() noexcept = default;

  /// True when the handle refers to a future.
  bool valid() const noexcept { return static_cast<bool>(state_); }
  /// The loop the future dispatches its callbacks on.
  Loop& loop() const;

  friend bool operator==(const Future& a, const Future& b) noexcept { return a.state_.get() == b.state_.get(); }

private:
  friend struct detail::FutureAccess;
  explicit Future(detail::StateRef<detail::FutureState<T>> state) noexcept : state_(std::move(state)) {}

  detail::StateRef<detail::FutureState<T>> state_;
};

namespace detail {

[[noreturn]] void throw_empty_future(const char* op);
/// `InvalidStateError`: `op` needs a future that is `wanted`, and `state` is not.
[[noreturn]] void throw_not(const char* op, const char* wanted, const FutureStateBase& state);

/// Access to a future's state for txaio's own functions, `sim::Loop` and the test matchers.
struct FutureAccess {
  template <class T>
  static FutureState<T>* state(const Future<T>& f) noexcept {
    return f.state_.get();
  }
  template <class T>
  static Future<T> make(StateRef<FutureState<T>> state) noexcept {
    return Future<T>(std::move(state));
  }
};

/// The state of `f`; `UsageError` naming `op` for an empty handle.
template <class T>
FutureState<T>& checked_state(const Future<T>& f, const char* op) {
  FutureState<T>* s = FutureAccess::state(f);
  if (s == nullptr) throw_empty_future(op);
  return *s;
}

/// A future with a user canceller, stored inline until the future settles.
template <class T, class C>
class CancellableState final : public FutureState<T> {
public:
  template <class F>
  CancellableState(Loop& loop, detail::source_location where, F&& canceller)
      : FutureState<T>(loop, where), canceller_(std::forward<F>(canceller)) {}

protected:
  void on_cancel(std::string_view) override {
    if (!canceller_ || is_null_callable(*canceller_)) return;
    // Moved out first: settling the future from inside the canceller drops `canceller_`.
    C canceller = std::move(*canceller_);
    canceller_.reset();
    if constexpr (std::is_invocable_v<C&, Future<T>&>) {
      Future<T> self = FutureAccess::make(StateRef<FutureState<T>>(this));
      std::invoke(canceller, self);
    } else {
      std::invoke(canceller);
    }
  }
  void on_settled() noexcept override { canceller_.reset(); }

private:
  std::optional<C> canceller_;
};

/// A `sleep` future: cancelling it cancels its timer.
class SleepState final : public FutureState<void> {
public:
  explicit SleepState(Loop& loop) noexcept : FutureState<void>(loop) {}
  DelayedCall timer;

protected:
  void on_cancel(std::string_view) override { timer.cancel(); }
  std::string origin() const override;
};

template <class T, class C>
Future<T> make_future(Loop& loop, C&& canceller, detail::source_location where) {
  using D = std::decay_t<C>;
  if constexpr (std::is_null_pointer_v<D>) {
    return FutureAccess::make(StateRef<FutureState<T>>::adopt(new FutureState<T>(loop, where)));
  } else {
    static_assert(std::is_invocable_v<D&, Future<T>&> || std::is_invocable_v<D&>,
                  "create_future: the canceller must be callable as canceller(future) or canceller()");
    return FutureAccess::make(
        StateRef<FutureState<T>>::adopt(new CancellableState<T, D>(loop, where, std::forward<C>(canceller))));
  }
}

template <class V>
Future<std::decay_t<V>> make_future_success(Loop& loop, V&& value) {
  auto state = StateRef<FutureState<std::decay_t<V>>>::adopt(new FutureState<std::decay_t<V>>(loop));
  state->resolve("create_future_success", std::forward<V>(value));
  return FutureAccess::make(std::move(state));
}

inline Future<void> make_future_success(Loop& loop) {
  auto state = StateRef<FutureState<void>>::adopt(new FutureState<void>(loop));
  state->resolve("create_future_success");
  return FutureAccess::make(std::move(state));
}

template <class T>
Future<T> make_future_failure(Loop& loop, Failure failure) {
  auto state = StateRef<FutureState<T>>::adopt(new FutureState<T>(loop));
  state->settle_failure(std::move(failure));
  return FutureAccess::make(std::move(state));
}

/// The current exception as a failure; `UsageError` naming `op` outside a `catch` block.
Failure current_failure(const char* op);

template <class T, class F, class... Args>
Future<T> invoke_as_future(Loop& loop, F&& fn, Args&&... args) {
  std::optional<value_or_unit_t<T>> value;
  try {
    if constexpr (std::is_void_v<T>) {
      std::invoke(std::forward<F>(fn), std::forward<Args>(args)...);
      value.emplace();
    } else {
      value.emplace(std::invoke(std::forward<F>(fn), std::forward<Args>(args)...));
    }
  } catch (...) {
    return make_future_failure<T>(loop, create_failure(std::current_exception()));
  }
  auto state = StateRef<FutureState<T>>::adopt(new FutureState<T>(loop));
  state->resolve("as_future", std::move(*value));
  return FutureAccess::make(std::move(state));
}

/// `as_future` on `loop`.
template <class F, class... Args>
  requires std::is_invocable_v<F, Args...>
auto as_future_on(Loop& loop, F&& fn, Args&&... args) {
  using R = std::invoke_result_t<F, Args...>;
  if constexpr (is_future_v<R>) {
    using U = typename std::remove_cvref_t<R>::value_type;
    try {
      return Future<U>(std::invoke(std::forward<F>(fn), std::forward<Args>(args)...));
    } catch (...) {
      return make_future_failure<U>(loop, create_failure(std::current_exception()));
    }
  } else if constexpr (std::is_void_v<R>) {
    return invoke_as_future<void>(loop, std::forward<F>(fn), std::forward<Args>(args)...);
  } else {
    return invoke_as_future<std::decay_t<R>>(loop, std::forward<F>(fn), std::forward<Args>(args)...);
  }
}

Future<void> sleep_ns(Loop& loop, nanoseconds delay);

/// Placeholder for a missing callback or errback in a callback pair.
struct NoCallback {};

template <class F>
using callback_slot_t = std::conditional_t<std::is_null_pointer_v<std::decay_t<F>>, NoCallback, std::decay_t<F>>;

template <class F>
decltype(auto) to_callback_slot(F&& f) {
  if constexpr (std::is_null_pointer_v<std::decay_t<F>>) {
    return NoCallback{};
  } else {
    return std::forward<F>(f);
  }
}

/// One `add_callbacks` pair: runs the callback with the value or the errback with the failure.
template <class T, class CB, class EB>
struct CallbackPair {
  [[no_unique_address]] CB callback;
  [[no_unique_address]] EB errback;

  void operator()(FutureStateBase& base) {
    auto& state = static_cast<FutureState<T>&>(base);
    if (state.status() == FutureStatus::resolved) {
      if constexpr (!std::is_same_v<CB, NoCallback>) {
        if (is_null_callable(callback)) return;
        if constexpr (std::is_void_v<T>) {
          std::invoke(callback);
        } else {
          std::invoke(callback, state.value());
        }
      }
    } else {
      if constexpr (!std::is_same_v<EB, NoCallback>) {
        if (!is_null_callable(errback)) std::invoke(errback, state.failure());
      }
    }
  }
};

}  // namespace detail

template <class T>
Loop& Future<T>::loop() const {
  return detail::checked_state(*this, "Future::loop").loop();
}

// ---- creating futures --------------------------------------------------------------------

/// A pending future on the default loop. `canceller` (optional) is called as
/// `canceller(future)` or `canceller()` by the first `cancel` while the future is pending.
template <class T = void, class C = std::nullptr_t>
Future<T> create_future(C&& canceller = nullptr, detail::source_location where = detail::source_location::current()) {
  return detail::make_future<T>(default_loop(), std::forward<C>(canceller), where);
}

/// A future already resolved with `value`.
template <class V>
Future<std::decay_t<V>> create_future_success(V&& value) {
  return detail::make_future_success(default_loop(), std::forward<V>(value));
}
/// A `Future<void>` already resolved.
inline Future<void> create_future_success() { return detail::make_future_success(default_loop()); }

/// A future already rejected with `error`: a `Failure`, a `std::exception_ptr` or an exception.
template <class T = void, class E>
Future<T> create_future_error(E&& error) {
  Failure failure = create_failure(std::forward<E>(error));
  return detail::make_future_failure<T>(default_loop(), std::move(failure));
}
/// A future already rejected with the exception being handled (`UsageError` outside `catch`).
template <class T = void>
Future<T> create_future_error() {
  Failure failure = detail::current_failure("create_future_error");
  return detail::make_future_failure<T>(default_loop(), std::move(failure));
}

// ---- completing futures ------------------------------------------------------------------

/// Resolves `f` with `value`. `InvalidStateError` if already settled; ignored after `cancel`.
template <class T, class V>
  requires(!std::is_void_v<T> && std::is_constructible_v<T, V>)
void resolve(const Future<T>& f, V&& value) {
  detail::checked_state(f, "resolve").resolve("resolve", std::forward<V>(value));
}
/// Resolves a `Future<void>`.
inline void resolve(const Future<void>& f) { detail::checked_state(f, "resolve").resolve("resolve"); }

/// Rejects `f` with `failure`. `InvalidStateError` if already settled; ignored after `cancel`.
template <class T>
void reject(const Future<T>& f, const Failure& failure) {
  auto& state = detail::checked_state(f, "reject");
  if (state.may_settle("reject")) state.settle_failure(failure);
}
/// Rejects `f` with `error`; `std::invalid_argument` when `error` is empty.
template <class T>
void reject(const Future<T>& f, std::exception_ptr error) {
  auto& state = detail::checked_state(f, "reject");
  if (!error) throw std::invalid_argument("txaio::reject: the std::exception_ptr is empty (no exception)");
  if (state.may_settle("reject")) state.settle_failure(create_failure(std::move(error)));
}
/// Rejects `f` with a copy of the exception object `error`.
template <class T, class E>
  requires(std::is_base_of_v<std::exception, std::remove_cvref_t<E>>)
void reject(const Future<T>& f, E&& error) {
  auto& state = detail::checked_state(f, "reject");
  if (state.may_settle("reject")) state.settle_failure(create_failure(std::forward<E>(error)));
}
/// Rejects `f` with the exception being handled; `UsageError` outside a `catch` block.
template <class T>
void reject(const Future<T>& f) {
  auto& state = detail::checked_state(f, "reject");
  Failure failure = detail::current_failure("reject");
  if (state.may_settle("reject")) state.settle_failure(std::move(failure));
}

/// Cancels `f` if it is pending: runs its canceller once, synchronously, with the future; if
/// that did not settle it, rejects it with `CancelledError(message)`. Later `resolve` /
/// `reject` calls are ignored. Returns false (and does nothing) when `f` was already settled
/// or its cancellation already asked for. An exception escaping the canceller is reported
/// through the loop.
///
/// A `cancel` made while a canceller runs (a gathered future cancelling its inputs, a
/// canceller cancelling an inner operation) is queued and runs as soon as that canceller
/// returns, before its future settles; each cancellation completes before the next queued one
/// begins. So cancellations nested to any depth use a bounded stack.
template <class T>
bool cancel(const Future<T>& f, std::string_view message = {}) {
  return detail::checked_state(f, "cancel").cancel(message);
}

// ---- observing futures -------------------------------------------------------------------

/// True once `f` is settled (resolved, rejected or cancelled).
template <class T>
bool is_called(const Future<T>& f) {
  return detail::checked_state(f, "is_called").settled();
}

// ---- inspecting futures (read-only: for tests and tools) ------------------------------------
//
// These never run a callback and never change the future (`consume_failure` only counts its
// failure as handled); the testutil matchers and `sim::Loop::run_until_complete` read futures
// through them. Each throws `UsageError` for an empty handle.

/// Whether `f` is pending, resolved, rejected or cancelled.
template <class T>
FutureStatus future_status(const Future<T>& f) {
  return detail::checked_state(f, "future_status").status();
}

/// The value of a resolved `f`, valid while a handle to it lives; `InvalidStateError` when it is
/// not resolved.
template <class T>
  requires(!std::is_void_v<T>)
const T& future_value(const Future<T>& f) {
  const detail::FutureState<T>& state = detail::checked_state(f, "future_value");
  if (state.status() != FutureStatus::resolved) detail::throw_not("future_value", "resolved", state);
  return state.value();
}

/// The failure of a rejected or cancelled `f`; `InvalidStateError` when it is neither. Reading
/// it does not count as handling it.
template <class T>
const Failure& future_failure(const Future<T>& f) {
  const detail::FutureState<T>& state = detail::checked_state(f, "future_failure");
  if (state.status() != FutureStatus::rejected && state.status() != FutureStatus::cancelled) {
    detail::throw_not("future_failure", "rejected or cancelled", state);
  }
  return state.failure();
}

/// `future_failure(f)`, counted as handled, as an errback would: it will not be reported
/// through `Loop::report_unhandled_failure`.
template <class T>
const Failure& consume_failure(const Future<T>& f) {
  const Failure& failure = future_failure(f);
  detail::checked_state(f, "consume_failure").mark_handled();
  return failure;
}

/// One line for messages: the future's value type, where it was created and how it stands,
/// e.g. `Future<int> created at app.cpp:12 in run (pending; 1 callback pair waiting)`.
template <class T>
std::string describe_future(const Future<T>& f) {
  return detail::checked_state(f, "describe_future").describe();
}

/// Adds a callback pair: `callback(const T&)` (`callback()` for `Future<void>`) when `f`
/// resolves, `errback(const Failure&)` when it is rejected or cancelled. Either may be null
/// (`nullptr`, an empty `std::function`), not both (`std::invalid_argument`). The pair runs
/// exactly once, per the loop's dispatch policy; return values are ignored. An errback marks
/// the failure as handled.
template <class T, class CB, class EB = std::nullptr_t>
void add_callbacks(const Future<T>& f, CB&& callback, EB&& errback = nullptr) {
  using C = std::decay_t<CB>;
  using E = std::decay_t<EB>;
  if constexpr (std::is_void_v<T>) {
    static_assert(std::is_null_pointer_v<C> || std::is_invocable_v<C&>,
                  "add_callbacks: the callback of a Future<void> must be callable as callback()");
  } else {
    static_assert(std::is_null_pointer_v<C> || std::is_invocable_v<C&, const T&>,
                  "add_callbacks: the callback must be callable as callback(const T&)");
  }
  static_assert(std::is_null_pointer_v<E> || std::is_invocable_v<E&, const Failure&>,
                "add_callbacks: the errback must be callable as errback(const Failure&)");
  auto& state = detail::checked_state(f, "add_callbacks");
  const bool has_callback = !detail::is_null_callable(callback);
  const bool has_errback = !detail::is_null_callable(errback);
  if (!has_callback && !has_errback) {
    throw std::invalid_argument("txaio::add_callbacks: callback and errback are both null; pass at least one");
  }
  if constexpr (!(std::is_null_pointer_v<C> && std::is_null_pointer_v<E>)) {
    using Pair = detail::CallbackPair<T, detail::callback_slot_t<CB>, detail::callback_slot_t<EB>>;
    state.add_continuation(detail::Continuation(Pair{detail::to_callback_slot(std::forward<CB>(callback)),
                                                     detail::to_callback_slot(std::forward<EB>(errback))}),
                           has_errback);
  }
}

// ---- adapting and waiting ----------------------------------------------------------------

/// Calls `fn(args...)` now and never throws what it throws: a returned `Future` is returned
/// as is, a value becomes a resolved future, `void` a resolved `Future<void>`, an exception a
/// rejected future (on the default loop).
template <class F, class... Args>
  requires std::is_invocable_v<F, Args...>
auto as_future(F&& fn, Args&&... args) {
  return detail::as_future_on(default_loop(), std::forward<F>(fn), std::forward<Args>(args)...);
}

/// A `Future<void>` resolved after `delay` (any duration, or seconds as a number; negative
/// means 0). Cancelling it cancels its timer.
template <class D>
  requires is_delay_v<D>
Future<void> sleep(D delay) {
  return detail::sleep_ns(default_loop(), to_delay(delay));
}

}  // namespace txaio
