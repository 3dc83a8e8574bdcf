#pragma once
/// `txaio::Api`: txaio's functions bound to one loop (txaio's `with_config`), for code that
/// runs several loops or must not touch the default.

#include "txaio/batched_timer.hpp"
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
