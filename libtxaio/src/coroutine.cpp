// Coroutines returning txaio::Future: suspension, resumption, cancellation, and the list of
// live frames each loop destroys when it goes away.
#include "txaio/coroutine.hpp"

namespace txaio {

void Loop::destroy_coroutines() noexcept {
  while (coroutines_ != nullptr) coroutines_->destroy_frame();
}

}  // namespace txaio

namespace txaio::detail {

// The continuation `co_await` adds to the awaited future. While the frame lives, the frame's
// reference keeps the coroutine's state alive; a loop destroying the frame first leaves one
// reference for this continuation, which drops it whether it runs or not.
struct CoroutineCore::Resume {
  CoroutineCore* core;

  explicit Resume(CoroutineCore* c) noexcept : core(c) {}
  Resume(Resume&& o) noexcept : core(std::exchange(o.core, nullptr)) {}
  Resume& operator=(Resume&&) = delete;
  Resume(const Resume&) = delete;
  ~Resume() {
    if (core != nullptr) core->self_->release();  // never ran: the frame is gone
  }
  void operator()(FutureStateBase&) { std::exchange(core, nullptr)->resume(); }
};

void CoroutineCore::attach() noexcept {
  next_ = loop_->coroutines_;
  if (next_ != nullptr) next_->prev_ = this;
  loop_->coroutines_ = this;
}

void CoroutineCore::detach() noexcept {
  finished_ = true;
  frame_ = {};
  awaited_ = nullptr;
  if (loop_ == nullptr) return;
  if (prev_ != nullptr) {
    prev_->next_ = next_;
  } else {
    loop_->coroutines_ = next_;
  }
  if (next_ != nullptr) next_->prev_ = prev_;
  prev_ = next_ = nullptr;
  loop_ = nullptr;
}

void CoroutineCore::suspend(std::coroutine_handle<> frame, FutureStateBase& awaited) {
  awaited.add_continuation(Continuation(Resume(this)), true);
  frame_ = frame;
  awaited_ = &awaited;
}

void CoroutineCore::resume() {
  if (!frame_) {
    self_->release();  // the loop destroyed the frame and left this reference
    return;
  }
  awaited_ = nullptr;
  std::exchange(frame_, {}).resume();
}

void CoroutineCore::throw_if_cancelled(FutureStateBase& awaited) {
  if (!cancel_pending_) return;
  cancel_pending_ = false;
  if (awaited.status() == FutureStatus::cancelled) {
    awaited.mark_handled();
    rethrow(awaited.failure(), true);
  }
  rethrow(create_failure(CancelledError(std::exchange(cancel_message_, {}))), true);
}

void CoroutineCore::cancel(std::string_view message) {
  if (cancelled_ || finished_) return;
  cancelled_ = true;
  cancel_pending_ = true;
  cancel_message_ = message;
  if (awaited_ != nullptr) {
    StateRef<FutureStateBase> keep(awaited_);
    awaited_->cancel(message);
  }
}

void CoroutineCore::rethrow(const Failure& failure, bool cancelled) {
  thrown_ = failure;
  thrown_cancelled_ = cancelled;
  std::rethrow_exception(failure.exception());
}

void CoroutineCore::fail(std::exception_ptr error) {
  std::optional<Failure> thrown = std::exchange(thrown_, std::nullopt);
  if (self_->settled()) return;
  // What `rethrow` threw escaped as it is: reuse its failure, and its type when known (testing
  // the type of an exception_ptr throws it once more).
  const bool same = thrown && thrown->exception() == error;
  Failure failure = same ? std::move(*thrown) : create_failure(std::move(error));
  if ((same && thrown_cancelled_) || failure.is<CancelledError>()) {
    self_->settle_cancelled(std::move(failure));
  } else {
    self_->settle_failure(std::move(failure));
  }
}

void CoroutineCore::destroy_frame() noexcept {
  if (!frame_) {
    detach();  // running (the loop is destroyed from inside the body): only unlist it
    return;
  }
  // A reference for the awaited future's continuation, which outlives the frame. The
  // promise's destructor detaches and releases the frame's reference: nothing after it.
  self_->add_ref();
  std::exchange(frame_, {}).destroy();
}

const char* CoroutineCore::phase() const noexcept {
  if (finished_) return "finished";
  return frame_ ? "suspended" : "running";
}

}  // namespace txaio::detail
