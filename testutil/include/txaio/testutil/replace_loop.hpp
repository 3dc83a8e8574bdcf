#pragma once
/// `replace_loop`: make a loop the default for a scope.

#include "txaio/config.hpp"

namespace txaio::testutil {

/// Restores the previous default loop when it goes out of scope, also by an exception.
class [[nodiscard]] LoopGuard {
public:
  explicit LoopGuard(Loop& loop) noexcept : previous_(txaio::detail::exchange_default_loop(&loop)) {}
  LoopGuard(const LoopGuard&) = delete;
  LoopGuard& operator=(const LoopGuard&) = delete;
  ~LoopGuard() { txaio::detail::exchange_default_loop(previous_); }

private:
  Loop* previous_;
};

/// Makes `loop` the default loop until the returned guard goes away. Guards nest.
///
///     auto guard = txaio::testutil::replace_loop(loop);
[[nodiscard]] inline LoopGuard replace_loop(Loop& loop) noexcept { return LoopGuard(loop); }

}  // namespace txaio::testutil
