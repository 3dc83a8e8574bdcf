#include "txaio/asio.hpp"

#include <mutex>
#include <stdexcept>
#include <string>

#include "txaio/asio_loop.hpp"

namespace txaio {

namespace detail {

/// Access to `Loop::extension_`, where a loop that is not an `AsioLoop` keeps its execution
/// context.
struct LoopAccess {
  static std::shared_ptr<void>& extension(Loop& loop) noexcept { return loop.extension_; }
};

namespace {

std::mutex g_extension_mutex;

boost::asio::execution_context& owned_context(Loop& loop) {
  std::lock_guard lock(g_extension_mutex);
  std::shared_ptr<void>& slot = LoopAccess::extension(loop);
  if (!slot) slot = std::make_shared<boost::asio::execution_context>();
  return *static_cast<boost::asio::execution_context*>(slot.get());
}

// The io_context executor types (one per property combination) an any_io_executor may hold.
template <std::uintptr_t... Bits>
boost::asio::io_context* io_context_target(const boost::asio::any_io_executor& executor,
                                           std::integer_sequence<std::uintptr_t, Bits...>) {
  boost::asio::io_context* found = nullptr;
  ((found = found != nullptr ? found : [&]() -> boost::asio::io_context* {
     const auto* target = executor.target<boost::asio::io_context::basic_executor_type<std::allocator<void>, Bits>>();
     return target == nullptr ? nullptr : &target->context();
   }()),
   ...);
  return found;
}

boost::asio::io_context* io_context_target(const boost::asio::any_io_executor& executor) {
  return io_context_target(executor, std::make_integer_sequence<std::uintptr_t, 8>());
}

}  // namespace

void loop_submit(Loop& loop, Callback fn) {
  if (current_loop() == &loop) {
    loop.post(std::move(fn));
  } else {
    loop.post_threadsafe(std::move(fn));
  }
}

void io_work_started(boost::asio::io_context* io) noexcept {
  if (io != nullptr) io->get_executor().on_work_started();
}

void io_work_finished(boost::asio::io_context* io) noexcept {
  if (io != nullptr) io->get_executor().on_work_finished();
}

Loop* executor_loop_impl(const boost::asio::any_io_executor& executor) {
  if (const auto* target = executor.target<loop_executor>()) return &target->loop();
  if (boost::asio::io_context* io = io_context_target(executor)) return &context_loop(*io);
  return nullptr;
}

loop_executor to_loop_executor(const boost::asio::any_io_executor& executor, const char* what) {
  if (const auto* target = executor.target<loop_executor>()) return *target;
  if (boost::asio::io_context* io = io_context_target(executor)) return asio_executor(*io);
  throw std::invalid_argument(std::string(what) +
                              ": the executor is neither a txaio::loop_executor nor an io_context executor "
                              "(a txaio timer runs on a txaio loop)");
}

// ---- steady_timer ---------------------------------------------------------------------------

TimerState::TimerState(TimerState&& other) noexcept
    : executor(std::move(other.executor)), expiry_ns(other.expiry_ns) {
  take_waits(other);
}

TimerState& TimerState::operator=(TimerState&& other) {
  if (this != &other) {
    cancel_waits();
    executor = std::move(other.executor);
    expiry_ns = other.expiry_ns;
    take_waits(other);
  }
  return *this;
}

void TimerState::take_waits(TimerState& other) noexcept {
  head_ = std::exchange(other.head_, nullptr);
  tail_ = std::exchange(other.tail_, nullptr);
  for (TimerWait* w = head_; w != nullptr; w = w->next) w->owner = this;
}

std::size_t TimerState::cancel_waits() {
  std::size_t n = 0;
  while (head_ != nullptr) {
    cancel_wait(head_, WaitEnd::cancelled);
    ++n;
  }
  return n;
}

std::size_t TimerState::cancel_oldest() {
  if (head_ == nullptr) return 0;
  cancel_wait(head_, WaitEnd::cancelled);
  return 1;
}

std::size_t TimerState::reset_expiry(std::int64_t expiry) {
  const std::size_t n = cancel_waits();
  expiry_ns = expiry;
  return n;
}

namespace {

// The loop call of a wait: completes it when it runs; dropped unrun while the wait is still
// scheduled (its loop is being destroyed), it destroys the wait's handler instead.
class WaitCall {
public:
  explicit WaitCall(TimerWait* wait) noexcept : wait_(wait) {}
  WaitCall(WaitCall&& other) noexcept : wait_(std::exchange(other.wait_, nullptr)) {}
  WaitCall& operator=(WaitCall&&) = delete;
  ~WaitCall() {
    if (wait_ == nullptr || !wait_->scheduled) return;
    wait_->scheduled = false;
    wait_->owner->unlink(wait_);
    wait_->complete(WaitEnd::abandoned);
  }
  void operator()() {
    TimerWait* wait = std::exchange(wait_, nullptr);
    wait->scheduled = false;
    wait->owner->unlink(wait);
    wait->complete(WaitEnd::expired);
  }

private:
  TimerWait* wait_;
};

}  // namespace

void TimerState::start(TimerWait* wait) {
  Loop& loop = executor.loop();
  const std::int64_t now = loop.now().count();
  const nanoseconds delay(expiry_ns > now ? expiry_ns - now : 0);
  wait->call = loop.schedule(delay, Callback(WaitCall(wait)));
  wait->scheduled = true;
  wait->owner = this;
  wait->prev = tail_;
  wait->next = nullptr;
  (tail_ != nullptr ? tail_->next : head_) = wait;
  tail_ = wait;
}

void TimerState::unlink(TimerWait* wait) noexcept {
  (wait->prev != nullptr ? wait->prev->next : head_) = wait->next;
  (wait->next != nullptr ? wait->next->prev : tail_) = wait->prev;
  wait->prev = wait->next = nullptr;
}

void cancel_wait(TimerWait* wait, WaitEnd how) {
  wait->scheduled = false;  // the call dropped by this cancel must leave the wait alone
  wait->call.cancel();
  wait->owner->unlink(wait);
  wait->complete(how);
}

}  // namespace detail

loop_executor asio_executor(Loop& loop) {
  if (auto* asio_loop = dynamic_cast<AsioLoop*>(&loop)) {
    return loop_executor(loop, asio_loop->context(), &asio_loop->context());
  }
  return loop_executor(loop, detail::owned_context(loop), nullptr);
}

loop_executor asio_executor(boost::asio::io_context& context) { return asio_executor(detail::context_loop(context)); }

loop_clock::time_point loop_clock::now() {
  Loop* loop = detail::current_loop();
  return time_point((loop != nullptr ? *loop : default_loop()).now());
}

}  // namespace txaio
