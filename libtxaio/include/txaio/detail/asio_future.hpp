#pragma once
/// Internals of `txaio::use_future` and `txaio::async_wait(future, token)`. Included by
/// `<txaio/asio.hpp>` only.

#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>

namespace txaio::detail {

/// The value type of the future for completion arguments `Vs...` after the error argument.
template <class... Vs>
struct future_values {
  using type = std::tuple<Vs...>;
};
template <>
struct future_values<> {
  using type = void;
};
template <class V>
struct future_values<V> {
  using type = V;
};

/// How `use_future` reads a completion signature's (decayed) arguments.
enum class ErrorArg : std::uint8_t { none, error_code, exception_ptr };
template <class... Args>
struct future_signature {
  static constexpr ErrorArg error = ErrorArg::none;
  using value = typename future_values<Args...>::type;
};
template <class... Rest>
struct future_signature<boost::system::error_code, Rest...> {
  static constexpr ErrorArg error = ErrorArg::error_code;
  using value = typename future_values<Rest...>::type;
};
template <class... Rest>
struct future_signature<std::exception_ptr, Rest...> {
  static constexpr ErrorArg error = ErrorArg::exception_ptr;
  using value = typename future_values<Rest...>::type;
};

template <class T, class... Vs>
void resolve_values(const Future<T>& future, Vs&&... values) {
  if constexpr (sizeof...(Vs) == 0) {
    resolve(future);
  } else if constexpr (sizeof...(Vs) == 1) {
    resolve(future, std::forward<Vs>(values)...);
  } else {
    resolve(future, T(std::forward<Vs>(values)...));
  }
}

/// Settles `future` from an operation's completion arguments.
template <class T, ErrorArg Error, class... Args>
void settle_from_completion(const Future<T>& future, Args&&... args) {
  auto all = std::forward_as_tuple(std::forward<Args>(args)...);
  if constexpr (Error == ErrorArg::error_code) {
    if (const boost::system::error_code& ec = std::get<0>(all)) {
      reject(future, boost::system::system_error(ec));
      return;
    }
  } else if constexpr (Error == ErrorArg::exception_ptr) {
    if (const std::exception_ptr& error = std::get<0>(all)) {
      reject(future, error);
      return;
    }
  }
  constexpr std::size_t skip = Error == ErrorArg::none ? 0 : 1;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    resolve_values(future, std::get<I + skip>(std::move(all))...);
  }(std::make_index_sequence<sizeof...(Args) - skip>());
}

/// The completion handler `use_future` passes to an operation. Its cancellation slot is the
/// future's canceller's signal.
template <class T, ErrorArg Error, class... Ds>
class FutureHandler {
public:
  using cancellation_slot_type = boost::asio::cancellation_slot;

  FutureHandler(Future<T> future, std::shared_ptr<boost::asio::cancellation_signal> signal) noexcept
      : future_(std::move(future)), signal_(std::move(signal)) {}

  cancellation_slot_type get_cancellation_slot() const noexcept { return signal_->slot(); }

  void operator()(Ds... args) {
    Loop& loop = future_.loop();
    if (current_loop() == &loop) {
      settle_from_completion<T, Error>(future_, std::move(args)...);
    } else {
      loop.call_soon_threadsafe([future = std::move(future_), ... args = std::move(args)]() mutable {
        settle_from_completion<T, Error>(future, std::move(args)...);
      });
    }
  }

private:
  Future<T> future_;
  std::shared_ptr<boost::asio::cancellation_signal> signal_;
};

/// `async_result<use_future_t, Signature>::initiate`.
template <class Signature>
struct FutureInitiator;
template <class R, class... Args>
struct FutureInitiator<R(Args...)> {
  using signature = future_signature<std::decay_t<Args>...>;
  using value = typename signature::value;
  using handler = FutureHandler<value, signature::error, std::decay_t<Args>...>;

  template <class Initiation, class... InitArgs>
  static Future<value> initiate(Initiation&& initiation, InitArgs&&... args) {
    Loop& loop = initiation_loop(initiation);
    auto signal = std::make_shared<boost::asio::cancellation_signal>();
    auto canceller = [signal] { signal->emit(boost::asio::cancellation_type::terminal); };
    Future<value> future = make_future<value>(loop, std::move(canceller), source_location::current());
    std::forward<Initiation>(initiation)(handler(future, std::move(signal)), std::forward<InitArgs>(args)...);
    return future;
  }
};

/// The completion signature of `async_wait(Future<T>, token)`.
template <class T>
struct future_wait_signature {
  static_assert(std::is_default_constructible_v<T>,
                "txaio::async_wait(future, token): T must be default-constructible (the value passed on failure)");
  using type = void(std::exception_ptr, T);
};
template <>
struct future_wait_signature<void> {
  using type = void(std::exception_ptr);
};

/// One `async_wait(future, token)`: the handler, kept until the future settles.
template <class T, class Handler>
class FutureWait : public std::enable_shared_from_this<FutureWait<T, Handler>> {
public:
  template <class H>
  FutureWait(Future<T> future, H&& handler, const loop_executor& io)
      : future_(std::move(future)), handler_(std::forward<H>(handler)), work_(handler_work_executor(handler_, io)) {}

  void start() {
    connect_slot();
    auto self = this->shared_from_this();
    if constexpr (std::is_void_v<T>) {
      add_callbacks(
          future_, [self] { self->finish(nullptr); },
          [self](const Failure& failure) { self->finish(failure.exception()); });
    } else {
      add_callbacks(
          future_, [self](const T& value) { self->finish(nullptr, value); },
          [self](const Failure& failure) { self->finish(failure.exception(), T()); });
    }
    initiating_ = false;
  }

  /// A terminal signal on the slot: cancel the future (its errback completes the wait).
  void cancel_from_slot() {
    in_emit_ = true;
    cancel(future_);
    in_emit_ = false;
  }

private:
  class SlotHandler {
  public:
    explicit SlotHandler(std::weak_ptr<FutureWait> wait) noexcept : wait_(std::move(wait)) {}
    void operator()(boost::asio::cancellation_type_t type) {
      if (!(type & boost::asio::cancellation_type::terminal)) return;
      if (auto wait = wait_.lock()) wait->cancel_from_slot();
    }

  private:
    std::weak_ptr<FutureWait> wait_;
  };

  void connect_slot() {
    auto slot = boost::asio::get_associated_cancellation_slot(handler_);
    if (!slot.is_connected()) return;
    slot_ = slot;
    slot.template emplace<SlotHandler>(this->weak_from_this());
  }

  template <class... Vs>
  void finish(std::exception_ptr error, const Vs&... values) {
    if (!in_emit_ && slot_.is_connected()) slot_.clear();
    complete_on(work_, !initiating_ && !in_emit_, std::move(handler_), std::move(error), values...);
  }

  Future<T> future_;
  Handler handler_;
  handler_work_executor_t<Handler> work_;
  boost::asio::cancellation_slot slot_;
  bool initiating_ = true;
  bool in_emit_ = false;
};

/// The initiation of `async_wait(future, token)`.
template <class T>
struct initiate_future_wait {
  Future<T> future;

  template <class Handler>
  void operator()(Handler&& handler) const {
    using Wait = FutureWait<T, std::decay_t<Handler>>;
    auto wait = std::make_shared<Wait>(future, std::forward<Handler>(handler), asio_executor(future.loop()));
    wait->start();
  }
};

}  // namespace txaio::detail

template <class R, class... Args>
class boost::asio::async_result<txaio::use_future_t, R(Args...)> {
public:
  using return_type = txaio::Future<typename txaio::detail::FutureInitiator<R(Args...)>::value>;

  template <class Initiation, class RawToken, class... InitArgs>
  static return_type initiate(Initiation&& initiation, RawToken&&, InitArgs&&... args) {
    return txaio::detail::FutureInitiator<R(Args...)>::initiate(std::forward<Initiation>(initiation),
                                                                std::forward<InitArgs>(args)...);
  }
};
