#pragma once
/// Internals of `<txaio/asio.hpp>`: finding the txaio loop behind an Asio executor, and the
/// work-tracking executor an operation keeps for its handler. Included by that header only.

#include <cstdint>
#include <type_traits>

namespace txaio::detail {

template <class A, std::uintptr_t Bits>
Loop* executor_loop_impl(const boost::asio::io_context::basic_executor_type<A, Bits>& executor) {
  return &context_loop(executor.context());
}
inline Loop* executor_loop_impl(const loop_executor& executor) noexcept { return &executor.loop(); }
Loop* executor_loop_impl(const boost::asio::any_io_executor& executor);
template <class E>
Loop* executor_loop_impl(const E&) noexcept {
  return nullptr;
}

/// The `loop_executor` for `executor`; `std::invalid_argument` naming `what` when it is not
/// a txaio loop's or an `io_context`'s executor.
inline loop_executor to_loop_executor(const loop_executor& executor, const char*) { return executor; }
template <class A, std::uintptr_t Bits>
loop_executor to_loop_executor(const boost::asio::io_context::basic_executor_type<A, Bits>& executor, const char*) {
  return asio_executor(executor.context());
}
loop_executor to_loop_executor(const boost::asio::any_io_executor& executor, const char* what);

/// The loop an operation initiated by `initiation` completes on: its executor's loop when it
/// has one, else the default loop.
template <class Initiation>
Loop& initiation_loop(const Initiation& initiation) {
  if constexpr (requires { initiation.get_executor(); }) {
    if (Loop* loop = executor_loop_impl(initiation.get_executor())) return *loop;
  }
  return default_loop();
}

/// The executor a pending operation keeps for its handler: the handler's associated executor
/// (defaulting to `io`), tracked so that its context does not run out of work.
template <class Handler>
auto handler_work_executor(const Handler& handler, const loop_executor& io) {
  auto executor = boost::asio::get_associated_executor(handler, io);
  if constexpr (std::is_same_v<decltype(executor), loop_executor>) {
    return executor;  // the loop's own executor: the pending operation keeps the loop busy
  } else {
    return boost::asio::prefer(executor, boost::asio::execution::outstanding_work.tracked);
  }
}

template <class Handler>
using handler_work_executor_t =
    decltype(handler_work_executor(std::declval<const Handler&>(), std::declval<const loop_executor&>()));

/// Runs `handler(args...)` on `work`: inline when `work` is the running loop's and
/// `may_run_inline`, else queued (`asio::post`). The handler keeps its associated allocator
/// and cancellation slot.
template <class Executor, class Handler, class... Args>
void complete_on(const Executor& work, bool may_run_inline, Handler&& handler, Args&&... args) {
  auto bound = boost::asio::detail::bind_handler(std::forward<Handler>(handler), std::forward<Args>(args)...);
  if (may_run_inline) {
    boost::asio::dispatch(work, std::move(bound));
  } else {
    boost::asio::post(work, std::move(bound));
  }
}

}  // namespace txaio::detail
