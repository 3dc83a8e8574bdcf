#pragma once
/// The shared state behind `txaio::Future<T>`: one allocation per future holding the status,
/// the value or failure, the first callback pair inline, and (in derived states) what the
/// future needs while pending: a canceller, a timer, a gather's inputs.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "txaio/detail/source_location.hpp"
#include "txaio/failure.hpp"
#include "txaio/loop.hpp"

namespace txaio {

/// The value of a `Future<void>` where a value is needed (gather results, `Outcome<void>`).
struct Unit {
  friend constexpr bool operator==(Unit, Unit) noexcept { return true; }
};

/// `T`, or `Unit` for `void`.
template <class T>
using value_or_unit_t = std::conditional_t<std::is_void_v<T>, Unit, T>;

/// How a future stands (`future_status`, in txaio/future.hpp): pending, or how it settled.
enum class FutureStatus : std::uint8_t {
  pending,
  resolved,
  rejected,   ///< by `reject` (or a canceller that rejected)
  cancelled,  ///< by `cancel`: rejected with `CancelledError`
};

}  // namespace txaio

namespace txaio::detail {

class FutureStateBase;

/// Owning intrusive pointer to a future state (the reference count lives in the state).
template <class S>
class StateRef {
public:
  StateRef() noexcept = default;
  /// Adopts a reference already counted (a new state starts with one).
  static StateRef adopt(S* s) noexcept {
    StateRef r;
    r.p_ = s;
    return r;
  }
  /// Takes a new reference to `s`.
  explicit StateRef(S* s) noexcept : p_(s) {
    if (p_ != nullptr) p_->add_ref();
  }
  StateRef(const StateRef& o) noexcept : StateRef(o.p_) {}
  StateRef(StateRef&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  template <class U>
    requires std::is_convertible_v<U*, S*>
  StateRef(StateRef<U>&& o) noexcept : p_(o.detach()) {}
  StateRef& operator=(StateRef o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  ~StateRef() {
    if (p_ != nullptr) p_->release();
  }

  S* get() const noexcept { return p_; }
  S* operator->() const noexcept { return p_; }
  S& operator*() const noexcept { return *p_; }
  explicit operator bool() const noexcept { return p_ != nullptr; }
  void reset() noexcept { StateRef().swap(*this); }
  void swap(StateRef& o) noexcept { std::swap(p_, o.p_); }
  S* detach() noexcept { return std::exchange(p_, nullptr); }

private:
  S* p_ = nullptr;
};

/// A move-only `void(FutureStateBase&)` callable run once when a future settles. Callables of
/// at most `inline_size` bytes live inside the state (no allocation for a typical pair).
class Continuation {
public:
  static constexpr std::size_t inline_size = 32;

  Continuation() noexcept = default;

  template <class F, class D = std::decay_t<F>>
    requires(!std::is_same_v<D, Continuation> && std::is_invocable_v<D&, FutureStateBase&>)
  explicit Continuation(F&& f) {
    if constexpr (fits_inline<D>) {
      ::new (static_cast<void*>(storage_)) D(std::forward<F>(f));
      ops_ = &inline_ops<D>;
    } else {
      *reinterpret_cast<D**>(storage_) = new D(std::forward<F>(f));
      ops_ = &heap_ops<D>;
    }
  }

  Continuation(Continuation&& o) noexcept : ops_(std::exchange(o.ops_, nullptr)) {
    if (ops_ != nullptr) ops_->move(o.storage_, storage_);
  }
  Continuation& operator=(Continuation&& o) noexcept {
    if (this != &o) {
      reset();
      ops_ = std::exchange(o.ops_, nullptr);
      if (ops_ != nullptr) ops_->move(o.storage_, storage_);
    }
    return *this;
  }
  Continuation(const Continuation&) = delete;
  Continuation& operator=(const Continuation&) = delete;
  ~Continuation() { reset(); }

  explicit operator bool() const noexcept { return ops_ != nullptr; }
  void operator()(FutureStateBase& state) { ops_->call(storage_, state); }
  void reset() noexcept {
    if (ops_ != nullptr) std::exchange(ops_, nullptr)->destroy(storage_);
  }

private:
  struct Ops {
    void (*call)(void*, FutureStateBase&);
    void (*move)(void* from, void* to) noexcept;
    void (*destroy)(void*) noexcept;
  };

  template <class D>
  static constexpr bool fits_inline = sizeof(D) <= inline_size && alignof(D) <= alignof(void*) &&
                                      std::is_nothrow_move_constructible_v<D>;

  template <class D>
  static constexpr Ops inline_ops{
      [](void* p, FutureStateBase& s) { (*std::launder(static_cast<D*>(p)))(s); },
      [](void* from, void* to) noexcept {
        D* src = std::launder(static_cast<D*>(from));
        ::new (to) D(std::move(*src));
        src->~D();
      },
      [](void* p) noexcept { std::launder(static_cast<D*>(p))->~D(); },
  };

  template <class D>
  static constexpr Ops heap_ops{
      [](void* p, FutureStateBase& s) { (**static_cast<D**>(p))(s); },
      [](void* from, void* to) noexcept { *static_cast<D**>(to) = *static_cast<D**>(from); },
      [](void* p) noexcept { delete *static_cast<D**>(p); },
  };

  const Ops* ops_ = nullptr;
  alignas(void*) unsigned char storage_[inline_size];
};

using txaio::FutureStatus;

/// Its address identifies the calling thread (a future remembers the thread that created it).
inline thread_local char t_thread_tag = 0;

/// Everything about a future that does not depend on its value type. Used on its loop's
/// thread only, except the reference count: handles may be copied and dropped anywhere, and
/// the last reference dropped on another thread than the one that created the future is
/// handed to the loop (`Loop::post_threadsafe`) and released there.
class FutureStateBase {
public:
  FutureStateBase(const FutureStateBase&) = delete;
  FutureStateBase& operator=(const FutureStateBase&) = delete;

  void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (owner_thread_ != &t_thread_tag) {
      release_elsewhere();
    } else if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      destroy(this);
    }
  }

  FutureStatus status() const noexcept { return status_; }
  bool settled() const noexcept { return status_ != FutureStatus::pending; }
  Loop& loop() const noexcept { return *loop_; }
  /// True while the canceller runs, and while a cancellation asked for from inside another
  /// canceller waits to run (see `txaio::cancel`).
  bool cancelling() const noexcept {
    return cancelling_ || (cancel_requested_ && status_ == FutureStatus::pending);
  }
  /// True once `cancel` was called on the pending future.
  bool cancel_requested() const noexcept { return cancel_requested_; }
  /// The failure; precondition: rejected or cancelled.
  const Failure& failure() const noexcept { return failure_; }
  /// Counts the failure as handled: it will not be reported as unhandled.
  void mark_handled() noexcept { handled_ = true; }
  bool handled() const noexcept { return handled_; }
  /// Callback pairs attached and not yet run.
  std::size_t waiting_continuations() const noexcept;

  /// Whether `op` (resolve or reject) may settle the future: true when pending, unless a
  /// cancellation is queued and its canceller has not started; false when the future was
  /// cancelled (a late completion is ignored); else `InvalidStateError`.
  bool may_settle(const char* op) const {
    if (status_ == FutureStatus::pending) return cancelling_ || !cancel_requested_;
    if (cancel_requested_) return false;
    throw_already_settled(op);
  }

  /// Rejects the future. Precondition: `may_settle` returned true.
  void settle_failure(Failure failure);
  /// Settles the future as cancelled with `failure` (a `CancelledError`); later `resolve` /
  /// `reject` calls are ignored. Precondition: pending.
  void settle_cancelled(Failure failure);
  /// `cancel(f, msg)`: see `txaio::cancel`. Returns true when the future was pending.
  bool cancel(std::string_view message);
  /// Attaches a continuation; it runs once the future is settled, per the loop's dispatch
  /// policy. `handles_failure`: the continuation has an errback.
  void add_continuation(Continuation continuation, bool handles_failure);

  /// For diagnostics: "Future<int> created at file:line in fn (pending; 1 callback pair waiting)".
  std::string describe() const;

protected:
  FutureStateBase(Loop& loop, detail::source_location where) noexcept
      : loop_(&loop), where_(where), owner_thread_(&t_thread_tag) {}
  virtual ~FutureStateBase();

  /// Call after the value was constructed: marks the future resolved and dispatches.
  void settled_with_value();

  /// Runs the canceller, if any. Called once, with the future still pending.
  virtual void on_cancel(std::string_view message);
  /// Whether `cancel` settles the future as cancelled once `on_cancel` returned; false for a
  /// coroutine's future, which settles when its body ends.
  virtual bool cancel_settles() const noexcept { return true; }
  /// Drops what the future needed only while pending (the canceller). Called once.
  virtual void on_settled() noexcept {}
  /// The value type, for diagnostics.
  virtual const std::type_info& value_type_info() const noexcept = 0;
  /// Where the future comes from, for diagnostics.
  virtual std::string origin() const;

private:
  friend struct Dispatcher;
  friend struct CancelDriver;
  friend struct DeferredRelease;
  [[noreturn]] void throw_already_settled(const char* op) const;
  /// The two halves of `cancel`: run the canceller; then settle as cancelled if it did not.
  void begin_cancel(std::string_view message);
  void finish_cancel(std::string_view message);
  void settle(FutureStatus status);
  void schedule_dispatch();
  void run_continuations() noexcept;
  void release_elsewhere() noexcept;
  static void destroy(FutureStateBase* state) noexcept;

  std::atomic<std::uint32_t> refs_{1};
  FutureStatus status_ = FutureStatus::pending;
  bool handled_ = false;
  bool cancel_requested_ = false;
  bool cancelling_ = false;
  bool dispatch_queued_ = false;
  Loop* loop_;
  detail::source_location where_;
  const char* owner_thread_;              // `t_thread_tag` of the creating thread
  FutureStateBase* next_dead_ = nullptr;  // deferred destruction list
  Continuation first_;
  std::unique_ptr<std::vector<Continuation>> more_;
  union {
    Failure failure_;  // alive when rejected or cancelled
  };
};

/// The state of a `Future<T>`: the base plus storage for the value.
template <class T>
class FutureState : public FutureStateBase {
public:
  using value_type = value_or_unit_t<T>;

  explicit FutureState(Loop& loop, detail::source_location where = {}) noexcept : FutureStateBase(loop, where) {}

  /// `resolve(f, args...)`: constructs the value and dispatches; ignored after `cancel`;
  /// `InvalidStateError` (naming `op`) when already settled.
  template <class... A>
  void resolve(const char* op, A&&... args) {
    if (may_settle(op)) settle_value(std::forward<A>(args)...);
  }

  /// Constructs the value and dispatches, also after a `cancel` the future's owner chose to
  /// answer with a value (a coroutine that caught its `CancelledError`). Precondition: pending.
  template <class... A>
  void settle_value(A&&... args) {
    ::new (static_cast<void*>(std::addressof(value_))) value_type(std::forward<A>(args)...);
    settled_with_value();
  }

  /// The value; precondition: resolved.
  const value_type& value() const noexcept { return value_; }

protected:
  ~FutureState() override {
    if (status() == FutureStatus::resolved) value_.~value_type();
  }
  const std::type_info& value_type_info() const noexcept override { return typeid(T); }

private:
  union {
    value_type value_;  // alive when resolved
  };
};

/// True for `std::function` specializations (callables that may be empty at run time).
template <class F>
struct is_std_function : std::false_type {};
template <class Sig>
struct is_std_function<std::function<Sig>> : std::true_type {};

/// True for a null callback: `nullptr`, a null function pointer, an empty `std::function`.
template <class F>
bool is_null_callable(const F& f) noexcept {
  if constexpr (std::is_null_pointer_v<F>) {
    return true;
  } else if constexpr (std::is_pointer_v<F> || std::is_member_pointer_v<F> || is_std_function<F>::value) {
    return f == nullptr;
  } else {
    return false;
  }
}

}  // namespace txaio::detail
