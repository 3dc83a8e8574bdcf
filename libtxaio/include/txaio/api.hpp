#pragma once
/// `txaio::Api`: txaio's functions bound to one loop (txaio's `with_config`), for code that
/// runs several loops or must not touch the default.

#include <string>
#include <string_view>
#include <vector>

#include "txaio/batched_timer.hpp"
#include "txaio/detail/source_location.hpp"
#include "txaio/failure.hpp"
#include "txaio/future.hpp"
#include "txaio/gather.hpp"
#include "txaio/loop.hpp"

namespace txaio {

/// Every txaio function as a member, bound to one loop. Cheap to copy; must not outlive it.
class Api {
public:
  explicit Api(Loop& loop) noexcept : loop_(&loop) {}

  Loop& loop() const noexcept { return *loop_; }
  nanoseconds now() const noexcept { return loop_->now(); }

  template <class D, class F, class... Args>
    requires is_delay_v<D>
  DelayedCall call_later(D delay, F&& fn, Args&&... args) const {
    return loop_->call_later(delay, std::forward<F>(fn), std::forward<Args>(args)...);
  }

  template <class F, class... Args>
  void call_soon(F&& fn, Args&&... args) const {
    loop_->call_soon(std::forward<F>(fn), std::forward<Args>(args)...);
  }

  // ---- futures (see future.hpp for the contract) ----

  /// `create_future` on this loop.
  template <class T = void, class C = std::nullptr_t>
  Future<T> create_future(C&& canceller = nullptr,
                          detail::source_location where = detail::source_location::current()) const {
    return detail::make_future<T>(*loop_, std::forward<C>(canceller), where);
  }
  /// `create_future_success` on this loop.
  template <class V>
  Future<std::decay_t<V>> create_future_success(V&& value) const {
    return detail::make_future_success(*loop_, std::forward<V>(value));
  }
  Future<void> create_future_success() const { return detail::make_future_success(*loop_); }
  /// `create_future_error` on this loop.
  template <class T = void, class E>
  Future<T> create_future_error(E&& error) const {
    Failure failure = txaio::create_failure(std::forward<E>(error));
    return detail::make_future_failure<T>(*loop_, std::move(failure));
  }
  template <class T = void>
  Future<T> create_future_error() const {
    Failure failure = detail::current_failure("create_future_error");
    return detail::make_future_failure<T>(*loop_, std::move(failure));
  }

  template <class T, class... V>
  void resolve(const Future<T>& f, V&&... value) const {
    txaio::resolve(f, std::forward<V>(value)...);
  }
  template <class T, class... E>
  void reject(const Future<T>& f, E&&... error) const {
    txaio::reject(f, std::forward<E>(error)...);
  }
  template <class T>
  bool cancel(const Future<T>& f, std::string_view message = {}) const {
    return txaio::cancel(f, message);
  }
  template <class T>
  bool is_called(const Future<T>& f) const {
    return txaio::is_called(f);
  }
  template <class T, class CB, class EB = std::nullptr_t>
  void add_callbacks(const Future<T>& f, CB&& callback, EB&& errback = nullptr) const {
    txaio::add_callbacks(f, std::forward<CB>(callback), std::forward<EB>(errback));
  }

  /// `as_future` on this loop.
  template <class F, class... Args>
    requires std::is_invocable_v<F, Args...>
  auto as_future(F&& fn, Args&&... args) const {
    return detail::as_future_on(*loop_, std::forward<F>(fn), std::forward<Args>(args)...);
  }
  /// `gather` on this loop.
  template <class T>
  Future<std::vector<Outcome<T>>> gather(const std::vector<Future<T>>& futures) const {
    return detail::gather_vector_on<T, false>(*loop_, futures);
  }
  template <class T>
  Future<std::vector<value_or_unit_t<T>>> gather(const std::vector<Future<T>>& futures, propagate_errors_t) const {
    return detail::gather_vector_on<T, true>(*loop_, futures);
  }
  template <class A, class... Rest>
  Future<std::tuple<Outcome<A>, Outcome<Rest>...>> gather(const Future<A>& first, const Future<Rest>&... rest) const {
    return detail::gather_tuple_on(*loop_, first, rest...);
  }
  /// `sleep` on this loop.
  template <class D>
    requires is_delay_v<D>
  Future<void> sleep(D delay) const {
    return detail::sleep_ns(*loop_, to_delay(delay));
  }

  // ---- failures ----

  Failure create_failure() const { return txaio::create_failure(); }
  template <class E>
  Failure create_failure(E&& error) const {
    return txaio::create_failure(std::forward<E>(error));
  }
  std::string failure_message(const Failure& f) const noexcept { return txaio::failure_message(f); }
  std::vector<StackFrame> failure_traceback(const Failure& f) const noexcept { return txaio::failure_traceback(f); }
  std::string failure_format_traceback(const Failure& f) const noexcept { return txaio::failure_format_traceback(f); }

  // ---- batched timers ----

  /// `make_batched_timer` on this loop.
  template <class D>
    requires is_delay_v<D>
  BatchedTimer make_batched_timer(D bucket, std::int64_t chunk_size = 100,
                                  BatchRounding rounding = BatchRounding::down) const {
    return txaio::make_batched_timer(*loop_, bucket, chunk_size, rounding);
  }

private:
  Loop* loop_;
};

/// An `Api` bound to `loop`, leaving the default loop untouched.
inline Api with_config(Loop& loop) noexcept { return Api(loop); }

}  // namespace txaio
