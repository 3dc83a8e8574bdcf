#include "txaio/config.hpp"

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <memory>

#include "txaio/asio_loop.hpp"
#include "txaio/errors.hpp"

namespace txaio {
namespace {

std::atomic<Loop*> g_default{nullptr};

// Owns the AsioLoop made by use_asio; an io_context service, so the loop dies with its
// context and never outlives it.
class AsioLoopService : public boost::asio::execution_context::service {
public:
  using key_type = AsioLoopService;
  static inline boost::asio::execution_context::id id;

  explicit AsioLoopService(boost::asio::execution_context& ctx)
      : service(ctx), loop_(std::make_unique<AsioLoop>(static_cast<boost::asio::io_context&>(ctx))) {}

  AsioLoop& loop() { return *loop_; }

private:
  void shutdown() override {
    loop_.reset();  // its destructor un-chooses it
  }
  std::unique_ptr<AsioLoop> loop_;
};

}  // namespace

void use_loop(Loop& loop) { g_default.store(&loop, std::memory_order_release); }

Loop& use_asio(boost::asio::io_context& context) {
  Loop& loop = detail::context_loop(context);
  use_loop(loop);
  return loop;
}

Loop& default_loop() {
  Loop* loop = g_default.load(std::memory_order_acquire);
  if (loop == nullptr) {
    throw UsageError(
        "txaio: no loop chosen: call txaio::use_asio(io_context) or txaio::use_loop(loop) first, "
        "or use an Api from txaio::with_config(loop)");
  }
  return *loop;
}

bool has_default_loop() noexcept { return g_default.load(std::memory_order_acquire) != nullptr; }

namespace detail {
Loop* exchange_default_loop(Loop* loop) noexcept { return g_default.exchange(loop, std::memory_order_acq_rel); }

Loop& context_loop(boost::asio::io_context& context) { return boost::asio::use_service<AsioLoopService>(context).loop(); }

void forget_default_loop(Loop* loop) noexcept { g_default.compare_exchange_strong(loop, nullptr); }
}  // namespace detail

}  // namespace txaio
