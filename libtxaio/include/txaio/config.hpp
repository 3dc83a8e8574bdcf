#pragma once
/// Choosing a loop (txaio's `use_twisted` / `use_asyncio`) and the functions that use it.

#include "txaio/loop.hpp"

namespace boost::asio {
class io_context;
}

namespace txaio {

/// Makes `loop` the default loop of the free functions. Destroying the loop un-chooses it
/// (every loop's destructor does), so a later call throws `UsageError` instead of using it.
void use_loop(Loop& loop);

/// Makes an `AsioLoop` on `context` the default loop and returns it. The loop belongs to the
/// context (it is destroyed with it); calling again with the same context reuses it.
Loop& use_asio(boost::asio::io_context& context);

/// The default loop. Throws `UsageError` naming `use_asio` and `use_loop` when none is chosen.
Loop& default_loop();

/// True once a default loop is chosen.
bool has_default_loop() noexcept;

namespace detail {
/// Swaps the default loop (nullptr: none) and returns the previous one.
Loop* exchange_default_loop(Loop* loop) noexcept;
/// The `AsioLoop` that belongs to `context` (the one `use_asio` chooses), made on first use.
Loop& context_loop(boost::asio::io_context& context);
/// Un-chooses `loop` if it is the default loop (a loop's destructor calls it).
void forget_default_loop(Loop* loop) noexcept;
}  // namespace detail

/// `call_later` on the default loop.
template <class D, class F, class... Args>
  requires is_delay_v<D>
DelayedCall call_later(D delay, F&& fn, Args&&... args) {
  return default_loop().call_later(delay, std::forward<F>(fn), std::forward<Args>(args)...);
}

/// `call_soon` on the default loop.
template <class F, class... Args>
void call_soon(F&& fn, Args&&... args) {
  default_loop().call_soon(std::forward<F>(fn), std::forward<Args>(args)...);
}

}  // namespace txaio
