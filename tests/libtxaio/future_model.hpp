#pragma once
// A model of futures for RapidCheck's stateful testing: random interleavings of create /
// add_callbacks / resolve / reject / cancel / run across several futures, each step checked
// against the model. Shared by the sim::Loop and AsioLoop properties.
//
// What the model pins down:
// - every callback pair runs exactly once, and only the branch matching the outcome;
// - under scheduled dispatch nothing runs inside an operation, only when the loop runs; under
//   immediate dispatch pairs run inside the operation that made them runnable;
// - the canceller runs exactly once, on the first cancel of a pending future, and what it does
//   (nothing, resolve, reject, throw) decides the outcome;
// - an operation after the future settled has no effect: resolve / reject throw
//   InvalidStateError, or are ignored after cancel; cancel returns false;
// - every exception escaping a callback or canceller is reported through the loop, once.

#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "txaio/api.hpp"
#include "txaio/errors.hpp"
#include "txaio/future.hpp"

namespace txaio::test::future_model {

/// Thrown by callbacks and cancellers that are meant to throw.
struct PairError : std::runtime_error {
  PairError() : std::runtime_error("callback pair threw") {}
};
struct CancellerError : std::runtime_error {
  CancellerError() : std::runtime_error("canceller threw") {}
};

enum class CancellerKind { none, passive, resolves, rejects, throws };
enum class Status { pending, resolved, rejected, cancelled };

inline const char* to_string(CancellerKind k) {
  switch (k) {
    case CancellerKind::none: return "none";
    case CancellerKind::passive: return "passive";
    case CancellerKind::resolves: return "resolves";
    case CancellerKind::rejects: return "rejects";
    case CancellerKind::throws: return "throws";
  }
  return "?";
}

constexpr int canceller_value = -1;
inline const std::string canceller_message = "rejected by the canceller";

struct PairModel {
  bool callback;
  bool errback;
  bool throws;
};

struct FutureModel {
  CancellerKind canceller = CancellerKind::none;
  Status status = Status::pending;
  int value = 0;
  std::string message;
  bool cancel_requested = false;
  int canceller_calls = 0;
  std::vector<PairModel> pairs;
  std::size_t dispatched = 0;  // pairs that have run
};

struct Model {
  bool immediate = false;
  std::vector<FutureModel> futures;
  int pending_reports = 0;  // exceptions reported and not yet seen by the test

  /// Runs the pairs of `f` that can run now (immediate) and counts their reports.
  void dispatch(FutureModel& f) {
    for (std::size_t j = f.dispatched; j < f.pairs.size(); ++j) {
      const PairModel& p = f.pairs[j];
      const bool ran = f.status == Status::resolved ? p.callback : p.errback;
      if (ran && p.throws) ++pending_reports;
    }
    f.dispatched = f.pairs.size();
  }
  void settled(FutureModel& f) {
    if (immediate) dispatch(f);
  }
};

struct PairRecord {
  int callbacks = 0;
  int errbacks = 0;
  int value = 0;
  std::string message;
};

/// The system under test: futures on one loop, and what their callbacks and cancellers saw.
struct Sut {
  Loop* loop = nullptr;
  /// Runs everything that is ready; returns how many exceptions the loop reported.
  std::function<int()> drain;
  std::vector<Future<int>> futures;
  std::vector<std::shared_ptr<int>> canceller_calls;
  std::vector<std::vector<std::shared_ptr<PairRecord>>> pairs;
  Model last;  // the model after the last command
};

inline Status status_of(const Future<int>& f) {
  switch (detail::FutureAccess::state(f)->status()) {
    case detail::FutureStatus::pending: return Status::pending;
    case detail::FutureStatus::resolved: return Status::resolved;
    case detail::FutureStatus::rejected: return Status::rejected;
    case detail::FutureStatus::cancelled: return Status::cancelled;
  }
  return Status::pending;
}

/// Checks every future of `sut` against `m`.
inline void check(const Model& m, const Sut& sut) {
  RC_ASSERT(sut.futures.size() == m.futures.size());
  for (std::size_t i = 0; i < m.futures.size(); ++i) {
    const FutureModel& fm = m.futures[i];
    const Future<int>& f = sut.futures[i];
    const auto* state = detail::FutureAccess::state(f);
    RC_ASSERT(status_of(f) == fm.status);
    RC_ASSERT(is_called(f) == (fm.status != Status::pending));
    if (fm.status == Status::resolved) RC_ASSERT(state->value() == fm.value);
    if (fm.status == Status::rejected || fm.status == Status::cancelled) {
      RC_ASSERT(std::string(state->failure().message()) == fm.message);
      RC_ASSERT(state->failure().is<CancelledError>() == (fm.status == Status::cancelled));
    }
    RC_ASSERT(*sut.canceller_calls[i] == fm.canceller_calls);
    RC_ASSERT(sut.pairs[i].size() == fm.pairs.size());
    for (std::size_t j = 0; j < fm.pairs.size(); ++j) {
      const PairModel& p = fm.pairs[j];
      const PairRecord& r = *sut.pairs[i][j];
      if (j >= fm.dispatched) {
        RC_ASSERT(r.callbacks == 0);  // not yet: scheduled pairs never run inside an operation
        RC_ASSERT(r.errbacks == 0);
      } else if (fm.status == Status::resolved) {
        RC_ASSERT(r.callbacks == (p.callback ? 1 : 0));  // exactly once, the right branch
        RC_ASSERT(r.errbacks == 0);
        if (p.callback) RC_ASSERT(r.value == fm.value);
      } else {
        RC_ASSERT(r.callbacks == 0);
        RC_ASSERT(r.errbacks == (p.errback ? 1 : 0));
        if (p.errback) RC_ASSERT(r.message == fm.message);
      }
    }
  }
}

using Command = rc::state::Command<Model, Sut>;

struct Create : Command {
  CancellerKind canceller = *rc::gen::element(CancellerKind::none, CancellerKind::passive, CancellerKind::resolves,
                                              CancellerKind::rejects, CancellerKind::throws);

  void checkPreconditions(const Model& m) const override { RC_PRE(m.futures.size() < 8u); }
  void apply(Model& m) const override {
    FutureModel f;
    f.canceller = canceller;
    m.futures.push_back(f);
  }
  void run(const Model& m, Sut& sut) const override {
    auto calls = std::make_shared<int>(0);
    Api api(*sut.loop);
    Future<int> f;
    switch (canceller) {
      case CancellerKind::none: f = api.create_future<int>(); break;
      case CancellerKind::passive: f = api.create_future<int>([calls] { ++*calls; }); break;
      case CancellerKind::resolves:
        f = api.create_future<int>([calls](Future<int>& self) {
          ++*calls;
          resolve(self, canceller_value);
        });
        break;
      case CancellerKind::rejects:
        f = api.create_future<int>([calls](Future<int>& self) {
          ++*calls;
          reject(self, std::runtime_error(canceller_message));
        });
        break;
      case CancellerKind::throws:
        f = api.create_future<int>([calls] {
          ++*calls;
          throw CancellerError();
        });
        break;
    }
    sut.futures.push_back(f);
    sut.canceller_calls.push_back(calls);
    sut.pairs.emplace_back();
    sut.last = nextState(m);
    check(sut.last, sut);
  }
  void show(std::ostream& os) const override { os << "create(canceller=" << to_string(canceller) << ")"; }
};

/// Base of the commands on one existing future.
struct OnFuture : Command {
  explicit OnFuture(const Model& m) : index(m.futures.empty() ? 0 : *rc::gen::inRange<std::size_t>(0, m.futures.size())) {}
  void checkPreconditions(const Model& m) const override { RC_PRE(index < m.futures.size()); }
  std::size_t index;
};

struct AddCallbacks : OnFuture {
  explicit AddCallbacks(const Model& m) : OnFuture(m) {}
  int kind = *rc::gen::inRange(0, 3);  // 0: callback only, 1: errback only, 2: both
  bool throws = *rc::gen::weightedElement<bool>({{4, false}, {1, true}});

  PairModel pair() const { return PairModel{kind != 1, kind != 0, throws}; }
  void apply(Model& m) const override {
    FutureModel& f = m.futures[index];
    f.pairs.push_back(pair());
    if (f.status != Status::pending) m.settled(f);
  }
  void run(const Model& m, Sut& sut) const override {
    auto record = std::make_shared<PairRecord>();
    sut.pairs[index].push_back(record);
    const bool t = throws;
    auto cb = [record, t](int v) {
      ++record->callbacks;
      record->value = v;
      if (t) throw PairError();
    };
    auto eb = [record, t](const Failure& e) {
      ++record->errbacks;
      record->message = std::string(e.message());
      if (t) throw PairError();
    };
    const Future<int>& f = sut.futures[index];
    if (kind == 0) add_callbacks(f, cb, nullptr);
    if (kind == 1) add_callbacks(f, nullptr, eb);
    if (kind == 2) add_callbacks(f, cb, eb);
    sut.last = nextState(m);
    check(sut.last, sut);
  }
  void show(std::ostream& os) const override {
    static const char* const kinds[] = {"callback", "errback", "callback+errback"};
    os << "add_callbacks(f" << index << ", " << kinds[kind] << (throws ? ", throws" : "") << ")";
  }
};

/// The model of resolve / reject: settles a pending future; ignored after cancel; else
/// InvalidStateError.
inline bool settle_model(Model& m, std::size_t index, Status status, int value, const std::string& message) {
  FutureModel& f = m.futures[index];
  if (f.status != Status::pending) return f.cancel_requested;  // false: InvalidStateError
  f.status = status;
  f.value = value;
  f.message = message;
  m.settled(f);
  return true;
}

struct Resolve : OnFuture {
  explicit Resolve(const Model& m) : OnFuture(m) {}
  int value = *rc::gen::inRange(0, 1000);

  void apply(Model& m) const override { settle_model(m, index, Status::resolved, value, ""); }
  void run(const Model& m, Sut& sut) const override {
    Model next = m;
    const bool allowed = settle_model(next, index, Status::resolved, value, "");
    bool invalid = false;
    try {
      resolve(sut.futures[index], value);
    } catch (const InvalidStateError&) {
      invalid = true;
    }
    RC_ASSERT(invalid == !allowed);
    sut.last = nextState(m);
    check(sut.last, sut);
  }
  void show(std::ostream& os) const override { os << "resolve(f" << index << ", " << value << ")"; }
};

struct Reject : OnFuture {
  explicit Reject(const Model& m) : OnFuture(m) {}
  std::string message = "error " + std::to_string(*rc::gen::inRange(0, 100));

  void apply(Model& m) const override { settle_model(m, index, Status::rejected, 0, message); }
  void run(const Model& m, Sut& sut) const override {
    Model next = m;
    const bool allowed = settle_model(next, index, Status::rejected, 0, message);
    bool invalid = false;
    try {
      reject(sut.futures[index], std::runtime_error(message));
    } catch (const InvalidStateError&) {
      invalid = true;
    }
    RC_ASSERT(invalid == !allowed);
    sut.last = nextState(m);
    check(sut.last, sut);
  }
  void show(std::ostream& os) const override { os << "reject(f" << index << ", \"" << message << "\")"; }
};

struct Cancel : OnFuture {
  explicit Cancel(const Model& m) : OnFuture(m) {}
  std::string message = *rc::gen::element<std::string>("", "stop", "timeout");

  void apply(Model& m) const override {
    FutureModel& f = m.futures[index];
    if (f.status != Status::pending) return;
    f.cancel_requested = true;
    switch (f.canceller) {
      case CancellerKind::none: break;
      case CancellerKind::passive: ++f.canceller_calls; break;
      case CancellerKind::resolves:
        ++f.canceller_calls;
        f.status = Status::resolved;
        f.value = canceller_value;
        break;
      case CancellerKind::rejects:
        ++f.canceller_calls;
        f.status = Status::rejected;
        f.message = canceller_message;
        break;
      case CancellerKind::throws:
        ++f.canceller_calls;
        ++m.pending_reports;
        break;
    }
    if (f.status == Status::pending) {
      f.status = Status::cancelled;
      f.message = message;
    }
    m.settled(f);
  }
  void run(const Model& m, Sut& sut) const override {
    const bool was_pending = m.futures[index].status == Status::pending;
    RC_ASSERT(cancel(sut.futures[index], message) == was_pending);
    sut.last = nextState(m);
    check(sut.last, sut);
  }
  void show(std::ostream& os) const override { os << "cancel(f" << index << ", \"" << message << "\")"; }
};

/// Runs the loop: queued pairs run, reported exceptions surface.
struct Run : Command {
  void apply(Model& m) const override {
    for (FutureModel& f : m.futures) {
      if (f.status != Status::pending) m.dispatch(f);
    }
    m.pending_reports = 0;
  }
  void run(const Model& m, Sut& sut) const override {
    Model next = nextState(m);
    int expected_reports = m.pending_reports;
    for (const FutureModel& f : m.futures) {  // what the pairs run now will report
      if (f.status == Status::pending) continue;
      for (std::size_t j = f.dispatched; j < f.pairs.size(); ++j) {
        const PairModel& p = f.pairs[j];
        if ((f.status == Status::resolved ? p.callback : p.errback) && p.throws) ++expected_reports;
      }
    }
    RC_ASSERT(sut.drain() == expected_reports);
    sut.last = next;
    check(sut.last, sut);
  }
  void show(std::ostream& os) const override { os << "run"; }
};

/// Counts rejected futures whose pairs had no errback.
inline int expected_unhandled(const Model& m) {
  int n = 0;
  for (const FutureModel& f : m.futures) {
    if (f.status != Status::rejected) continue;
    bool handled = false;
    for (const PairModel& p : f.pairs) handled = handled || p.errback;
    if (!handled) ++n;
  }
  return n;
}

inline auto commands() { return rc::state::gen::execOneOfWithArgs<Create, AddCallbacks, Resolve, Reject, Cancel, Run>(); }

}  // namespace txaio::test::future_model
