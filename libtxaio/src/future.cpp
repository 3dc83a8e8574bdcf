// Future states: settling, cancelling, dispatching callbacks, destruction and reporting.
#include "txaio/future.hpp"

#include <boost/core/demangle.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <vector>

#include "txaio/detail/current_loop.hpp"
#include "txaio/detail/time_text.hpp"
#include "txaio/gather.hpp"

namespace txaio::detail {

struct CancelFrame;

namespace {

// Per-thread dispatch state.
// - Immediate mode: while one future's callbacks run, futures settled by them are queued and
//   run by the outermost dispatch (a trampoline), so a chain of any length uses a bounded
//   stack.
// - Destruction: a state destroyed while another is being destroyed (a callback pair holding
//   the next future of a chain) is queued, so releasing a chain never recurses either.
// - Cancellation: while a canceller run by `CancelDriver` is on the stack, the cancellations
//   it asks for go onto the driver's frames (`cancel_frames`) instead of nesting.
struct ThreadDispatch {
  bool dispatching = false;
  std::deque<StateRef<FutureStateBase>> ready;
  bool destroying = false;
  FutureStateBase* dead = nullptr;
  int abandoning = 0;
  std::vector<CancelFrame>* cancel_frames = nullptr;
};

thread_local ThreadDispatch t_dispatch;

}  // namespace

// The loop callback that runs a future's callbacks in scheduled mode. Holds one reference.
// Destroyed without having run, it is being discarded by a loop that is shutting down: the
// futures released then are not reported as unhandled (their loop may be half destroyed).
struct Dispatcher {
  struct Task {
    FutureStateBase* state;

    explicit Task(FutureStateBase* s) noexcept : state(s) { s->add_ref(); }
    Task(Task&& o) noexcept : state(std::exchange(o.state, nullptr)) {}
    Task& operator=(Task&&) = delete;
    ~Task() {
      if (state == nullptr) return;
      ++t_dispatch.abandoning;
      state->release();
      --t_dispatch.abandoning;
    }
    void operator()() {
      auto s = StateRef<FutureStateBase>::adopt(std::exchange(state, nullptr));
      s->run_continuations();
    }
  };

  static void immediate(FutureStateBase* state) {
    ThreadDispatch& t = t_dispatch;
    if (t.dispatching) {
      t.ready.emplace_back(state);
      return;
    }
    t.dispatching = true;
    struct Reset {
      bool& flag;
      ~Reset() { flag = false; }
    } reset{t.dispatching};
    {
      StateRef<FutureStateBase> keep(state);
      DispatchScope scope(&state->loop());
      state->run_continuations();
    }
    while (!t.ready.empty()) {
      StateRef<FutureStateBase> next = std::move(t.ready.front());
      t.ready.pop_front();
      DispatchScope scope(&next->loop());
      next->run_continuations();
    }
  }
};

FutureStateBase::~FutureStateBase() {
  if (status_ == FutureStatus::rejected || status_ == FutureStatus::cancelled) failure_.~Failure();
}

std::size_t FutureStateBase::waiting_continuations() const noexcept {
  return (first_ ? 1 : 0) + (more_ ? more_->size() : 0);
}

void FutureStateBase::throw_already_settled(const char* op) const {
  const char* what = status_ == FutureStatus::resolved ? "resolved" : "rejected";
  throw InvalidStateError(fmt::format("txaio::{}: the future is already {} ({})", op, what, describe()));
}

void FutureStateBase::settle(FutureStatus status) {
  status_ = status;
  on_settled();
  if (first_) schedule_dispatch();
}

void FutureStateBase::settled_with_value() { settle(FutureStatus::resolved); }

void FutureStateBase::settle_failure(Failure failure) {
  ::new (static_cast<void*>(&failure_)) Failure(std::move(failure));
  settle(FutureStatus::rejected);
}

// One cancellation to run: `begun` once its canceller ran; it settles when popped again.
struct CancelFrame {
  StateRef<FutureStateBase> state;
  std::string message;
  bool begun = false;
};

// Runs a cancellation and every cancellation its canceller asks for (a gather cancelling its
// inputs, a canceller cancelling an inner future, ...) from an explicit stack instead of by
// recursion, so a nesting of any depth uses a bounded native stack. The order is the
// recursion's: each requested cancellation completely (its own requests first), requests in
// the order they were made, then the future that made them settles.
struct CancelDriver {
  // While a canceller run by `run` is on the stack, cancellations go onto its frames.
  class Collect {
  public:
    explicit Collect(std::vector<CancelFrame>& frames) noexcept
        : saved_(std::exchange(t_dispatch.cancel_frames, &frames)) {}
    ~Collect() { t_dispatch.cancel_frames = saved_; }
    Collect(const Collect&) = delete;
    Collect& operator=(const Collect&) = delete;

  private:
    std::vector<CancelFrame>* saved_;
  };

  static void run(std::vector<CancelFrame>& frames) {
    while (!frames.empty()) {
      if (frames.back().begun) {
        CancelFrame done = std::move(frames.back());
        frames.pop_back();
        finish(*done.state, done.message);
      } else if (frames.back().state->settled()) {
        frames.pop_back();  // settled while queued (a fail-fast gather's input failed)
      } else {
        frames.back().begun = true;
        const std::size_t mark = frames.size();
        FutureStateBase& state = *frames.back().state;
        const std::string message = frames.back().message;
        {
          Collect collect(frames);
          state.begin_cancel(message);
        }
        std::reverse(frames.begin() + static_cast<std::ptrdiff_t>(mark), frames.end());
      }
    }
  }

  static void finish(FutureStateBase& state, std::string_view message) noexcept {
    try {
      state.finish_cancel(message);
    } catch (...) {
      state.loop_->report_exception(std::current_exception(), "cancelling a future");
    }
  }
};

bool FutureStateBase::cancel(std::string_view message) {
  if (settled() || cancel_requested_) return false;
  if (std::vector<CancelFrame>* frames = t_dispatch.cancel_frames) {
    frames->push_back({StateRef<FutureStateBase>(this), std::string(message)});
    cancel_requested_ = true;
    return true;
  }
  std::vector<CancelFrame> frames;
  frames.push_back({StateRef<FutureStateBase>(this), std::string(message)});
  cancel_requested_ = true;
  CancelDriver::run(frames);
  return true;
}

void FutureStateBase::begin_cancel(std::string_view message) {
  cancelling_ = true;
  try {
    on_cancel(message);
  } catch (...) {
    loop_->report_exception(std::current_exception(), "a future's canceller");
  }
}

void FutureStateBase::finish_cancel(std::string_view message) {
  cancelling_ = false;
  if (!settled() && cancel_settles()) settle_cancelled(create_failure(CancelledError(std::string(message))));
}

void FutureStateBase::settle_cancelled(Failure failure) {
  ::new (static_cast<void*>(&failure_)) Failure(std::move(failure));
  cancel_requested_ = true;
  settle(FutureStatus::cancelled);
}

void FutureStateBase::on_cancel(std::string_view) {}

void FutureStateBase::add_continuation(Continuation continuation, bool handles_failure) {
  if (!first_) {
    first_ = std::move(continuation);
  } else {
    if (!more_) more_ = std::make_unique<std::vector<Continuation>>();
    more_->push_back(std::move(continuation));
  }
  if (handles_failure) handled_ = true;
  if (settled()) schedule_dispatch();
}

void FutureStateBase::schedule_dispatch() {
  if (dispatch_queued_) return;
  if (loop_->dispatch() == Dispatch::scheduled) {
    loop_->post(Callback(Dispatcher::Task(this)));
    dispatch_queued_ = true;
  } else {
    dispatch_queued_ = true;
    Dispatcher::immediate(this);
  }
}

void FutureStateBase::run_continuations() noexcept {
  dispatch_queued_ = false;
  Continuation first = std::move(first_);
  std::unique_ptr<std::vector<Continuation>> more = std::move(more_);
  auto run = [this](Continuation& c) noexcept {
    try {
      c(*this);
    } catch (...) {
      loop_->report_exception(std::current_exception(), "a future callback");
    }
  };
  if (first) run(first);
  if (more) {
    for (Continuation& c : *more) run(c);
  }
}

// The last reference to a state, dropped on another thread than the one that created it,
// carried to its loop and released there. Discarded without having run (the loop is shutting
// down), it releases the state without reporting it, as `Dispatcher::Task` does.
struct DeferredRelease {
  FutureStateBase* state;

  explicit DeferredRelease(FutureStateBase* s) noexcept : state(s) {}
  DeferredRelease(DeferredRelease&& o) noexcept : state(std::exchange(o.state, nullptr)) {}
  DeferredRelease& operator=(DeferredRelease&&) = delete;
  ~DeferredRelease() {
    if (state == nullptr) return;
    ++t_dispatch.abandoning;
    release(state);
    --t_dispatch.abandoning;
  }
  void operator()() { release(std::exchange(state, nullptr)); }

  // On the loop's thread: released as its owner does, never handed on again.
  static void release(FutureStateBase* state) noexcept {
    if (state->refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) FutureStateBase::destroy(state);
  }
};

// The state, its callbacks (gather slots write to their gather) and the unhandled-failure
// report belong to the loop's thread. Away from it, a reference that is not the last is
// dropped here; the last is handed to the loop, never brought to zero here (the loop thread
// may take a new reference from a gather's raw pointer to the state meanwhile). Only if it
// cannot be queued (out of memory) is it released here.
void FutureStateBase::release_elsewhere() noexcept {
  std::uint32_t refs = refs_.load(std::memory_order_relaxed);
  while (refs > 1) {
    if (refs_.compare_exchange_weak(refs, refs - 1, std::memory_order_acq_rel, std::memory_order_relaxed)) return;
  }
  try {
    loop_->post_threadsafe(Callback(DeferredRelease(this)));
  } catch (...) {
    DeferredRelease::release(this);
  }
}

void FutureStateBase::destroy(FutureStateBase* state) noexcept {
  ThreadDispatch& t = t_dispatch;
  if (t.abandoning > 0) state->handled_ = true;
  if (t.destroying) {
    state->next_dead_ = t.dead;
    t.dead = state;
    return;
  }
  t.destroying = true;
  while (state != nullptr) {
    if (state->status_ == FutureStatus::rejected && !state->handled_) {
      state->loop_->report_unhandled_failure(state->failure_);
    }
    delete state;
    state = t.dead;
    if (state != nullptr) t.dead = state->next_dead_;
  }
  t.destroying = false;
}

std::string FutureStateBase::origin() const {
  if (where_.line() == 0) return {};
  return fmt::format("created at {}:{} in {}", where_.file_name(), where_.line(), where_.function_name());
}

std::string FutureStateBase::describe() const {
  std::string out = fmt::format("Future<{}>", boost::core::demangle(value_type_info().name()));
  if (std::string from = origin(); !from.empty()) out += " " + from;
  switch (status_) {
    case FutureStatus::pending: out += cancelling_ ? " (pending, being cancelled" : " (pending"; break;
    case FutureStatus::resolved: out += " (resolved"; break;
    case FutureStatus::rejected: out += " (rejected with " + failure_message(failure_); break;
    case FutureStatus::cancelled: out += " (cancelled"; break;
  }
  const std::size_t n = waiting_continuations();
  out += fmt::format("; {} callback pair{} waiting)", n, n == 1 ? "" : "s");
  return out;
}

void throw_empty_future(const char* op) {
  throw UsageError(fmt::format("txaio::{}: the Future handle is empty (default-constructed or moved-from)", op));
}

void throw_not(const char* op, const char* wanted, const FutureStateBase& state) {
  throw InvalidStateError(fmt::format("txaio::{}: the future is not {}: {}", op, wanted, state.describe()));
}

Failure current_failure(const char* op) {
  std::exception_ptr error = std::current_exception();
  if (!error) {
    throw UsageError(fmt::format(
        "txaio::{}: no exception is being handled; call it inside a catch block, or pass the error", op));
  }
  return create_failure(std::move(error));
}

std::string SleepState::origin() const {
  const nanoseconds due = timer.when();
  return "from sleep, due at " + format_seconds_unit(due.count());
}

Future<void> sleep_ns(Loop& loop, nanoseconds delay) {
  auto state = StateRef<SleepState>::adopt(new SleepState(loop));
  state->timer = loop.schedule(delay, Callback([s = state]() {
    if (!s->settled()) s->resolve("sleep");
  }));
  return FutureAccess::make(StateRef<FutureState<void>>(std::move(state)));
}

void cancel_pending_inputs(std::span<FutureStateBase*> inputs, std::string_view message) {
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    FutureStateBase* input = inputs[i];
    if (input == nullptr || input->settled()) continue;
    StateRef<FutureStateBase> keep(input);
    input->cancel(message);
  }
}

std::string gather_origin(std::span<FutureStateBase* const> inputs) {
  std::size_t pending = 0;
  for (FutureStateBase* input : inputs) {
    if (input != nullptr && !input->settled()) ++pending;
  }
  return fmt::format("from gather of {} future{} ({} pending)", inputs.size(), inputs.size() == 1 ? "" : "s",
                     pending);
}

void throw_empty_gather_input(std::size_t index) {
  throw std::invalid_argument(
      fmt::format("txaio::gather: input {} is an empty Future handle (default-constructed or moved-from)", index));
}

}  // namespace txaio::detail
