// Future states: settling, cancelling, dispatching callbacks, destruction and reporting.
#include "txaio/future.hpp"

#include <boost/core/demangle.hpp>

#include <fmt/format.h>

#include <deque>

#include "txaio/detail/current_loop.hpp"
#include "txaio/detail/time_text.hpp"
#include "txaio/gather.hpp"

namespace txaio::detail {

namespace {

// Per-thread dispatch state.
// - Immediate mode: while one future's callbacks run, futures settled by them are queued and
//   run by the outermost dispatch (a trampoline), so a chain of any length uses a bounded
//   stack.
// - Destruction: a state destroyed while another is being destroyed (a callback pair holding
//   the next future of a chain) is queued, so releasing a chain never recurses either.
struct ThreadDispatch {
  bool dispatching = false;
  std::deque<StateRef<FutureStateBase>> ready;
  bool destroying = false;
  FutureStateBase* dead = nullptr;
  int abandoning = 0;
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

bool FutureStateBase::cancel(std::string_view message) {
  if (settled() || cancelling_) return false;
  StateRef<FutureStateBase> keep(this);
  cancel_requested_ = true;
  cancelling_ = true;
  try {
    on_cancel(message);
  } catch (...) {
    loop_->report_exception(std::current_exception(), "a future's canceller");
  }
  cancelling_ = false;
  if (!settled()) {
    ::new (static_cast<void*>(&failure_)) Failure(create_failure(CancelledError(std::string(message))));
    settle(FutureStatus::cancelled);
  }
  return true;
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
  return "from sleep, due at " + format_seconds(due.count()) + "s";
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
