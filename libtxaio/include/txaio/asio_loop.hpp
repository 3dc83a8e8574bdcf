#pragma once
/// `txaio::AsioLoop`: the production loop on a Boost.Asio `io_context`. This header does not
/// include Asio.

#include <memory>

#include "txaio/loop.hpp"

namespace boost::asio {
class io_context;
}

namespace txaio {

/// A loop on an `io_context`: one steady timer armed for the earliest pending call (the
/// calls themselves live in txaio's timer heap), `post` for `call_soon`. Exceptions that
/// escape callbacks are logged at error level and the loop goes on. The io_context may run
/// on one thread at a time; only `call_soon_threadsafe` may be called from other threads.
class AsioLoop final : public Loop {
public:
  explicit AsioLoop(boost::asio::io_context& context);
  ~AsioLoop() override;

  boost::asio::io_context& context() const noexcept;

  nanoseconds now() const noexcept override;
  DelayedCall schedule(nanoseconds delay, Callback fn) override;
  void post(Callback fn) override;
  void post_threadsafe(Callback fn) override;
  std::size_t pending_timers() const noexcept override;
  void report_exception(std::exception_ptr error, std::string_view where) noexcept override;
  void report_unhandled_failure(const Failure& failure) noexcept override;

protected:
  bool cancel_call(const DelayedCall& call) noexcept override;
  bool call_active(const DelayedCall& call) const noexcept override;

private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace txaio
