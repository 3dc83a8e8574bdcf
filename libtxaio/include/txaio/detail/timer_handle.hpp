#pragma once
/// What a loop implementation needs to make `DelayedCall` handles and read them back: the
/// timer slot and generation stay out of the public API.

#include <cstdint>

#include "txaio/loop.hpp"

namespace txaio::detail {

struct TimerHandleAccess {
  /// A handle to the call in timer slot `slot`, generation `gen` (unique in the loop), due at
  /// loop time `due`.
  static DelayedCall make(Loop* loop, std::uint32_t slot, std::uint64_t gen, std::int64_t due) noexcept {
    return DelayedCall(loop, slot, gen, due);
  }
  static std::uint32_t slot(const DelayedCall& call) noexcept { return call.slot_; }
  static std::uint64_t generation(const DelayedCall& call) noexcept { return call.gen_; }

  /// Test seam: the timer queue of a loop that befriends this struct (`sim::Loop`).
  template <class L>
  static auto& timers(L& loop) noexcept {
    return loop.timers_;
  }
};

}  // namespace txaio::detail
