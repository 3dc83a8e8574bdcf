#include "txaio/asio_loop.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <limits>
#include <string>

#include "txaio/detail/current_loop.hpp"
#include "txaio/detail/report.hpp"
#include "txaio/detail/timer_handle.hpp"
#include "txaio/detail/timer_queue.hpp"

namespace txaio {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;
using Access = detail::TimerHandleAccess;

struct AsioLoop::Impl : std::enable_shared_from_this<AsioLoop::Impl> {
  static constexpr std::int64_t unarmed = std::numeric_limits<std::int64_t>::max();

  Impl(AsioLoop& owner, asio::io_context& ctx) : loop(&owner), context(ctx), timer(ctx), epoch(clock::now()) {}

  std::int64_t now_ns() const noexcept {
    return std::chrono::duration_cast<nanoseconds>(clock::now() - epoch).count();
  }

  // The steady clock's time for loop time `due`, saturated: a due time centuries away must
  // not wrap into the past (the timer would fire, find nothing due and re-arm, forever).
  clock::time_point deadline(std::int64_t due) const noexcept {
    return clock::time_point(saturating_add(epoch.time_since_epoch(), nanoseconds(due)));
  }

  void arm(std::int64_t due) {
    armed_due = due;
    timer.expires_at(deadline(due));
    timer.async_wait([self = shared_from_this(), token = ++arm_token](const boost::system::error_code& ec) {
      if (ec || self->closed || token != self->arm_token) return;  // re-armed or shut down
      self->armed_due = unarmed;
      detail::DispatchScope dispatching(self->loop);
      self->fire_due();
    });
  }

  void disarm() {
    if (armed_due == unarmed) return;
    armed_due = unarmed;
    ++arm_token;
    timer.cancel();
  }

  void fire_due() {
    const std::int64_t now = now_ns();
    // Run everything due by the time the timer went off, in (due, sequence) order.
    while (!closed) {
      const detail::TimerQueue::Entry* top = timers.top();
      if (top == nullptr || top->due > now) break;
      const std::int64_t due = top->due;
      const std::uint64_t id = detail::call_id(top->gen);
      Callback fn = timers.pop();
      if (loop->observed()) loop->notify(Event{EventKind::fire, nanoseconds(now_ns()), nanoseconds(due), id, {}});
      run_guarded(fn, id, due, "a call_later callback");
      if (loop->observed()) loop->notify(Event{EventKind::done, nanoseconds(now_ns()), nanoseconds(due), id, {}});
    }
    if (closed) return;
    // Re-arm only when the earliest due time changed: a callback may have armed it already.
    if (const auto* top = timers.top(); top != nullptr && top->due != armed_due) arm(top->due);
  }

  void run_guarded(Callback& fn, std::uint64_t id, std::int64_t due, std::string_view where) noexcept {
    try {
      fn();
    } catch (...) {
      if (loop->observed()) {
        loop->notify(Event{EventKind::error, nanoseconds(now_ns()), nanoseconds(due), id, detail::current_exception_text()});
      }
      detail::log_exception(std::current_exception(), where);
    }
  }

  void post(Callback fn) {
    asio::post(context, [self = shared_from_this(), fn = std::move(fn)]() mutable {
      if (self->closed) return;
      detail::DispatchScope dispatching(self->loop);
      self->run_guarded(fn, 0, self->now_ns(), "a call_soon callback");
    });
  }

  AsioLoop* loop;
  asio::io_context& context;
  asio::steady_timer timer;
  clock::time_point epoch;
  detail::TimerQueue timers;
  std::uint64_t seq = 0;
  std::int64_t armed_due = unarmed;
  std::uint64_t arm_token = 0;
  bool closed = false;
};

AsioLoop::AsioLoop(asio::io_context& context) : impl_(std::make_shared<Impl>(*this, context)) {}

AsioLoop::~AsioLoop() {
  destroy_coroutines();
  impl_->closed = true;
  impl_->timer.cancel();
  // Queued callables may own resources; release them now rather than when the context dies.
  while (impl_->timers.top() != nullptr) impl_->timers.pop();
}

asio::io_context& AsioLoop::context() const noexcept { return impl_->context; }

nanoseconds AsioLoop::now() const noexcept { return nanoseconds(impl_->now_ns()); }

DelayedCall AsioLoop::schedule(nanoseconds delay, Callback fn) {
  Impl& im = *impl_;
  const std::int64_t now = im.now_ns();
  const std::int64_t due = saturating_add(nanoseconds(now), std::max(delay, nanoseconds::zero())).count();
  std::uint64_t gen = 0;
  const std::uint32_t slot = im.timers.push(due, im.seq++, std::move(fn), gen);
  const DelayedCall call = Access::make(this, slot, gen, due);
  if (observed()) notify(Event{EventKind::schedule, nanoseconds(now), nanoseconds(due), call.id(), {}});
  if (due < im.armed_due) im.arm(due);
  return call;
}

bool AsioLoop::cancel_call(const DelayedCall& call) noexcept {
  Impl& im = *impl_;
  if (!im.timers.cancel(Access::slot(call), Access::generation(call))) return false;
  // Keep the steady timer armed for the earliest pending call only: with nothing left it is
  // cancelled, so `io_context::run` can return instead of waiting for a dead due time.
  try {
    if (const auto* top = im.timers.top(); top == nullptr) {
      im.disarm();
    } else if (top->due > im.armed_due) {
      im.arm(top->due);
    }
  } catch (...) {
    // The timer stays armed for the earlier time; when it fires it re-arms. Nothing is lost.
  }
  if (observed()) notify(Event{EventKind::cancel, now(), call.when(), call.id(), {}});
  return true;
}

bool AsioLoop::call_active(const DelayedCall& call) const noexcept {
  return impl_->timers.active(Access::slot(call), Access::generation(call));
}

void AsioLoop::post(Callback fn) { impl_->post(std::move(fn)); }

void AsioLoop::post_threadsafe(Callback fn) { impl_->post(std::move(fn)); }

std::size_t AsioLoop::pending_timers() const noexcept { return impl_->timers.size(); }

void AsioLoop::report_exception(std::exception_ptr error, std::string_view where) noexcept {
  if (observed()) notify(Event{EventKind::error, now(), now(), 0, detail::exception_text(error)});
  detail::log_exception(std::move(error), where);
}

void AsioLoop::report_unhandled_failure(const Failure& failure) noexcept {
  detail::log_unhandled_failure(failure);
}

}  // namespace txaio
