#pragma once
// The gather property, shared by sim::Loop (gather_property_test.cpp) and AsioLoop
// (future_asio_test.cpp): a random plan settles, cancels or abandons each input and maybe
// cancels the gathered future; the loop decides the order of events due at the same time.
// The expected result is computed from the order the events were observed in, so the check
// holds whatever the order: results in input order, consumed failures or the first failure,
// exactly the pending inputs cancelled, the gathered future settled once and as soon as the
// event that decided it ran.

#include <rapidcheck.h>

#include <cstddef>
#include <functional>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "txaio/api.hpp"
#include "txaio/errors.hpp"
#include "txaio/gather.hpp"

namespace txaio::test::gather_model {

enum class Action { resolve, reject, cancel, never };
enum class Form { consume, propagate, variadic };

inline const char* to_string(Action a) {
  switch (a) {
    case Action::resolve: return "resolve";
    case Action::reject: return "reject";
    case Action::cancel: return "cancel";
    case Action::never: return "never";
  }
  return "?";
}
inline const char* to_string(Form f) {
  switch (f) {
    case Form::consume: return "consume";
    case Form::propagate: return "propagate_errors";
    case Form::variadic: return "variadic";
  }
  return "?";
}

struct InputPlan {
  Action action = Action::never;
  int value = 0;
  int time_s = 0;  // when the action happens (sim) / its rank (asio)
};

struct Plan {
  Form form = Form::consume;
  std::vector<InputPlan> inputs;
  std::optional<int> cancel_gather_s;  // when the gathered future is cancelled, if ever
};

inline std::ostream& operator<<(std::ostream& os, const Plan& p) {
  os << to_string(p.form) << " [";
  for (const InputPlan& in : p.inputs) os << " " << to_string(in.action) << "(" << in.value << ")@" << in.time_s;
  os << " ]";
  if (p.cancel_gather_s) os << " cancel gather @" << *p.cancel_gather_s;
  return os;
}

inline rc::Gen<Plan> gen_plan() {
  return rc::gen::exec([] {
    Plan p;
    p.form = *rc::gen::element(Form::consume, Form::propagate, Form::variadic);
    const std::size_t n = p.form == Form::variadic ? 3 : *rc::gen::inRange<std::size_t>(0, 7);
    for (std::size_t i = 0; i < n; ++i) {
      InputPlan in;
      in.action = *rc::gen::weightedElement<Action>(
          {{5, Action::resolve}, {3, Action::reject}, {2, Action::cancel}, {1, Action::never}});
      in.value = *rc::gen::inRange(0, 100);
      in.time_s = *rc::gen::inRange(0, 4);  // few distinct times: many ties
      p.inputs.push_back(in);
    }
    if (*rc::gen::arbitrary<bool>()) p.cancel_gather_s = *rc::gen::inRange(0, 4);
    return p;
  });
}

/// One observed event.
struct Entry {
  enum Kind { input, cancel_gather, gather_settled } kind;
  std::size_t index = 0;      // input events
  bool cancel_result = false;  // cancel_gather: what cancel() returned

  friend bool operator==(const Entry&, const Entry&) = default;
};

/// The gathered future's result in one shape for every form.
struct Result {
  enum Status { pending, resolved, rejected } status = pending;
  std::vector<std::string> slots;  // "v<value>" or "<failure type>: <message>"
  std::string failure;             // failure_message when rejected
  int callbacks = 0;               // how many times the gathered future's callbacks ran
};

inline std::string slot_text(const Outcome<int>& o) {
  return o.has_value() ? "v" + std::to_string(o.value()) : failure_message(o.failure());
}

/// Drives one plan on one loop: the inputs, the gathered future and the log.
class Harness {
public:
  Harness(Loop& loop, const Plan& plan) : api_(loop), plan_(plan), cancels_(plan.inputs.size(), 0) {
    for (std::size_t i = 0; i < plan.inputs.size(); ++i) {
      inputs_.push_back(api_.create_future<int>([this, i] { ++cancels_[i]; }));
    }
    auto on_failure = [this](const Failure& f) {
      log_.push_back(Entry{Entry::gather_settled});
      result_.status = Result::rejected;
      result_.failure = failure_message(f);
      ++result_.callbacks;
    };
    switch (plan.form) {
      case Form::consume: {
        auto g = api_.gather(inputs_);
        cancel_ = [g](std::string_view m) { return txaio::cancel(g, m); };
        api_.add_callbacks(
            g,
            [this](const std::vector<Outcome<int>>& all) {
              settled_with([&] {
                for (const auto& o : all) result_.slots.push_back(slot_text(o));
              });
            },
            on_failure);
        break;
      }
      case Form::propagate: {
        auto g = api_.gather(inputs_, propagate_errors);
        cancel_ = [g](std::string_view m) { return txaio::cancel(g, m); };
        api_.add_callbacks(
            g,
            [this](const std::vector<int>& all) {
              settled_with([&] {
                for (int v : all) result_.slots.push_back("v" + std::to_string(v));
              });
            },
            on_failure);
        break;
      }
      case Form::variadic: {
        auto g = api_.gather(inputs_[0], inputs_[1], inputs_[2]);
        cancel_ = [g](std::string_view m) { return txaio::cancel(g, m); };
        api_.add_callbacks(
            g,
            [this](const std::tuple<Outcome<int>, Outcome<int>, Outcome<int>>& all) {
              settled_with([&] {
                std::apply([&](const auto&... o) { (result_.slots.push_back(slot_text(o)), ...); }, all);
              });
            },
            on_failure);
        break;
      }
    }
  }

  /// Input `i` does what the plan says.
  void input_event(std::size_t i) {
    log_.push_back(Entry{Entry::input, i});
    const InputPlan& in = plan_.inputs[i];
    switch (in.action) {
      case Action::resolve: resolve(inputs_[i], in.value); break;  // ignored if cancelled
      case Action::reject: reject(inputs_[i], std::runtime_error("input " + std::to_string(i))); break;
      case Action::cancel: cancel(inputs_[i], "input cancelled"); break;
      case Action::never: break;
    }
  }

  void cancel_gather_event() {
    log_.push_back(Entry{Entry::cancel_gather});
    const std::size_t at = log_.size() - 1;  // callbacks may log while cancel() runs
    const bool cancelled = cancel_("gather cancelled");
    log_[at].cancel_result = cancelled;
  }

  const std::vector<Entry>& log() const { return log_; }
  const Result& result() const { return result_; }
  const std::vector<int>& cancels() const { return cancels_; }
  const std::vector<Future<int>>& inputs() const { return inputs_; }

private:
  template <class F>
  void settled_with(F&& fill) {
    log_.push_back(Entry{Entry::gather_settled});
    result_.status = Result::resolved;
    ++result_.callbacks;
    fill();
  }

  Api api_;
  Plan plan_;
  std::vector<Future<int>> inputs_;
  std::vector<int> cancels_;
  std::function<bool(std::string_view)> cancel_;
  std::vector<Entry> log_;
  Result result_;
};

/// What must have happened, computed from the order the events were observed in.
struct Expected {
  Result::Status status = Result::pending;
  std::vector<std::string> slots;
  std::string failure;
  std::vector<int> cancels;
  std::vector<bool> cancel_results;       // of each cancel_gather event, in order
  std::optional<std::size_t> settled_after;  // the log position of the event that settled it
};

inline Expected expect(const Plan& plan, const std::vector<Entry>& log) {
  enum class S { pending, resolved, rejected, cancelled };
  const std::size_t n = plan.inputs.size();
  std::vector<S> in(n, S::pending);
  std::vector<std::string> cancel_message(n);
  Expected x;
  x.cancels.assign(n, 0);
  std::optional<std::size_t> first_failure;

  auto decide = [&](std::size_t position) {
    if (x.status != Result::pending) return;
    if (plan.form == Form::propagate && first_failure) {
      x.status = Result::rejected;
      const std::size_t i = *first_failure;
      x.failure = in[i] == S::cancelled ? "txaio::CancelledError: " + cancel_message[i]
                                        : "std::runtime_error: input " + std::to_string(i);
      x.settled_after = position;
      return;
    }
    for (S s : in) {
      if (s == S::pending) return;
    }
    x.status = Result::resolved;
    for (std::size_t i = 0; i < n; ++i) {
      switch (in[i]) {
        case S::resolved: x.slots.push_back("v" + std::to_string(plan.inputs[i].value)); break;
        case S::rejected: x.slots.push_back("std::runtime_error: input " + std::to_string(i)); break;
        case S::cancelled: x.slots.push_back("txaio::CancelledError: " + cancel_message[i]); break;
        case S::pending: break;
      }
    }
    x.settled_after = position;
  };
  auto settle_input = [&](std::size_t i, S s, const std::string& message) {
    in[i] = s;
    cancel_message[i] = message;
    if ((s == S::rejected || s == S::cancelled) && !first_failure) first_failure = i;
  };

  decide(0);  // an empty gather resolves at once
  bool gather_cancelled = false;
  for (std::size_t pos = 0; pos < log.size(); ++pos) {
    const Entry& e = log[pos];
    if (e.kind == Entry::input) {
      const std::size_t i = e.index;
      if (in[i] != S::pending) continue;  // cancelled by the gather: the late action is ignored
      switch (plan.inputs[i].action) {
        case Action::resolve: settle_input(i, S::resolved, ""); break;
        case Action::reject: settle_input(i, S::rejected, ""); break;
        case Action::cancel:
          ++x.cancels[i];
          settle_input(i, S::cancelled, "input cancelled");
          break;
        case Action::never: break;
      }
      if (!gather_cancelled) decide(pos);
    } else if (e.kind == Entry::cancel_gather) {
      const bool pending = x.status == Result::pending && !gather_cancelled;
      x.cancel_results.push_back(pending);
      if (!pending) continue;
      gather_cancelled = true;
      for (std::size_t i = 0; i < n; ++i) {
        if (in[i] != S::pending) continue;  // exactly the inputs still pending
        ++x.cancels[i];
        settle_input(i, S::cancelled, "gather cancelled");
      }
      x.status = Result::rejected;
      x.failure = "txaio::CancelledError: gather cancelled";
      x.settled_after = pos;
    }
  }
  return x;
}

/// Checks a finished run. `exact_positions`: the loop runs a settled future's callbacks before
/// the next planned event (sim::Loop), so the gathered future's callback directly follows the
/// event that settled it.
inline void check(const Plan& plan, const Harness& h, bool exact_positions) {
  const std::vector<Entry>& log = h.log();
  const Expected x = expect(plan, log);
  const Result& r = h.result();
  RC_ASSERT(r.status == x.status);
  RC_ASSERT(r.callbacks == (x.status == Result::pending ? 0 : 1));
  if (x.status == Result::resolved) RC_ASSERT(r.slots == x.slots);
  if (x.status == Result::rejected) RC_ASSERT(r.failure == x.failure);
  RC_ASSERT(h.cancels() == x.cancels);

  std::vector<bool> cancel_results;
  std::size_t settled_entry = log.size();
  for (std::size_t pos = 0; pos < log.size(); ++pos) {
    if (log[pos].kind == Entry::cancel_gather) cancel_results.push_back(log[pos].cancel_result);
    if (log[pos].kind == Entry::gather_settled) settled_entry = pos;
  }
  RC_ASSERT(cancel_results == x.cancel_results);
  if (x.settled_after) {
    // The expectation is computed from a log that includes the gather_settled entry: events
    // before it are what the gathered future could have seen.
    std::size_t events_before = 0;
    for (std::size_t pos = 0; pos < settled_entry; ++pos) events_before += log[pos].kind != Entry::gather_settled;
    const bool empty_plan = plan.inputs.empty();
    if (exact_positions) {
      if (empty_plan) {
        RC_ASSERT(settled_entry == 0u);  // resolved at once, before any event
      } else {
        RC_ASSERT(events_before == *x.settled_after + 1);  // right after the deciding event
      }
    } else {
      RC_ASSERT(empty_plan || events_before >= *x.settled_after + 1);
    }
  }
}

}  // namespace txaio::test::gather_model
