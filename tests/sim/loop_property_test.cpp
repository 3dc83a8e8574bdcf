// Stateful property test: random programs of call_later / cancel / call_soon / advance on
// sim::Loop, checked against a model that is just a list of timers sorted on demand; with
// jitter, against the bounds every timer must keep.
#include "txaio/sim/loop.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include "txaio/testutil/rapidcheck.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <vector>

namespace {

using namespace std::chrono_literals;
using txaio::sim::Ties;
namespace gen = txaio::testutil::gen;

struct ModelTimer {
  int id;
  std::int64_t due_ns;
  bool live;  // neither cancelled nor (certainly) run
};

// Under jitter a timer due in (target - jitter, target] may or may not have run by `target`:
// the model then keeps it live and checks the bounds instead of an exact order.
struct Model {
  Ties ties = Ties::fifo;
  std::int64_t jitter_ns = 0;
  std::int64_t now_ns = 0;
  std::vector<ModelTimer> timers;  // in scheduling order: index == id
  std::vector<int> soon;           // pending call_soon ids, FIFO
  int next_soon = 0;

  /// What `advance` to `target_ns` must run, in order (random ties: any order within a due
  /// time). Without jitter only.
  std::vector<std::pair<int, std::int64_t>> expected_run(std::int64_t target_ns) const {
    std::vector<std::pair<int, std::int64_t>> out;
    for (int s : soon) out.emplace_back(s, now_ns);
    std::vector<ModelTimer> due;
    for (const auto& t : timers) {
      if (t.live && t.due_ns <= target_ns) due.push_back(t);
    }
    std::stable_sort(due.begin(), due.end(), [this](const ModelTimer& a, const ModelTimer& b) {
      if (a.due_ns != b.due_ns) return a.due_ns < b.due_ns;
      return ties == Ties::lifo ? a.id > b.id : a.id < b.id;
    });
    for (const auto& t : due) out.emplace_back(t.id, t.due_ns);
    return out;
  }
};

struct Sut {
  explicit Sut(txaio::sim::Options options) : loop(options) {}
  txaio::sim::Loop loop;
  std::vector<txaio::DelayedCall> handles;
  std::vector<std::pair<int, std::int64_t>> ran;  // (id, now in ns), this advance
  std::set<int> ran_ever;
  int next_soon = 0;
};

using Command = rc::state::Command<Model, Sut>;

std::int64_t now_ns(const Sut& sut) { return sut.loop.now().count(); }

struct CallLater : Command {
  std::int64_t delay_ns = *rc::gen::oneOf(rc::gen::map(gen::delay(100ms), [](txaio::nanoseconds d) { return d.count(); }),
                                          rc::gen::inRange<std::int64_t>(-5'000'000, 0));
  void apply(Model& m) const override {
    m.timers.push_back({static_cast<int>(m.timers.size()), m.now_ns + std::max<std::int64_t>(0, delay_ns), true});
  }
  void run(const Model& m, Sut& sut) const override {
    const int id = static_cast<int>(sut.handles.size());
    sut.handles.push_back(sut.loop.call_later(txaio::nanoseconds(delay_ns), [&sut, id] {
      sut.ran.emplace_back(id, now_ns(sut));
      sut.ran_ever.insert(id);
    }));
    RC_ASSERT(sut.handles.back().active());
    // when() is the due time, jitter or not.
    RC_ASSERT(sut.handles.back().when().count() == m.now_ns + std::max<std::int64_t>(0, delay_ns));
  }
  void show(std::ostream& os) const override { os << "call_later(" << delay_ns << "ns)"; }
};

struct Cancel : Command {
  std::size_t pick = *rc::gen::inRange<std::size_t>(0, 1000);
  void checkPreconditions(const Model& m) const override { RC_PRE(!m.timers.empty()); }
  void apply(Model& m) const override { m.timers[pick % m.timers.size()].live = false; }
  void run(const Model& m, Sut& sut) const override {
    auto& call = sut.handles[pick % m.timers.size()];
    call.cancel();
    RC_ASSERT(!call.active());
  }
  void show(std::ostream& os) const override { os << "cancel(#" << pick << ")"; }
};

struct CallSoon : Command {
  void apply(Model& m) const override { m.soon.push_back(-1 - m.next_soon++); }
  void run(const Model&, Sut& sut) const override {
    const int id = -1 - sut.next_soon++;
    sut.loop.call_soon([&sut, id] { sut.ran.emplace_back(id, now_ns(sut)); });
  }
  void show(std::ostream& os) const override { os << "call_soon()"; }
};

using Runs = std::vector<std::pair<int, std::int64_t>>;

// Same calls at the same times; within one time any order.
void assert_same_up_to_ties(const Runs& ran, const Runs& expected) {
  auto by_time = [](const Runs& v) {
    std::map<std::int64_t, std::vector<int>> groups;
    for (auto [id, t] : v) groups[t].push_back(id);
    for (auto& [t, ids] : groups) std::sort(ids.begin(), ids.end());
    return groups;
  };
  RC_ASSERT(by_time(ran) == by_time(expected));
}

// Under jitter: call_soon work first, in order; each timer late by at most the jitter, never
// early, never past the target, never cancelled, once; in time order, ties by policy; every
// timer that was due by `target - jitter` has run.
void assert_jittered_run(const Model& m, const Sut& sut, std::int64_t target) {
  std::size_t i = 0;
  for (int s : m.soon) {
    RC_ASSERT(i < sut.ran.size());
    RC_ASSERT(sut.ran[i] == std::make_pair(s, m.now_ns));
    ++i;
  }
  std::set<int> now_ran;
  for (std::size_t k = i; k < sut.ran.size(); ++k) {
    const auto [id, t] = sut.ran[k];
    RC_ASSERT(id >= 0);
    const ModelTimer& timer = m.timers[static_cast<std::size_t>(id)];
    RC_ASSERT(timer.live);
    RC_ASSERT(now_ran.insert(id).second);
    RC_ASSERT(t >= timer.due_ns);
    RC_ASSERT(t <= std::min(timer.due_ns + m.jitter_ns, target));
    if (k > i) {
      const auto [prev_id, prev_t] = sut.ran[k - 1];
      RC_ASSERT(prev_t <= t);
      if (prev_t == t && m.ties == Ties::fifo) RC_ASSERT(prev_id < id);
      if (prev_t == t && m.ties == Ties::lifo) RC_ASSERT(prev_id > id);
    }
  }
  for (const ModelTimer& t : m.timers) {
    if (t.live && t.due_ns + m.jitter_ns <= target) RC_ASSERT(sut.ran_ever.count(t.id) == 1);
  }
}

struct Advance : Command {
  std::int64_t d_ns = (*gen::delay(150ms)).count();
  void apply(Model& m) const override {
    const std::int64_t target = m.now_ns + d_ns;
    for (auto& t : m.timers) {
      if (t.due_ns + m.jitter_ns <= target) t.live = false;
    }
    m.soon.clear();
    m.now_ns = target;
  }
  void run(const Model& m, Sut& sut) const override {
    const std::int64_t target = m.now_ns + d_ns;
    sut.ran.clear();
    sut.loop.advance(txaio::nanoseconds(d_ns));
    RC_ASSERT(now_ns(sut) == target);
    if (m.jitter_ns > 0) {
      assert_jittered_run(m, sut, target);
    } else if (m.ties == Ties::random) {
      assert_same_up_to_ties(sut.ran, m.expected_run(target));
      std::vector<std::int64_t> times;
      for (auto& r : sut.ran) times.push_back(r.second);
      RC_ASSERT(std::is_sorted(times.begin(), times.end()));
    } else {
      RC_ASSERT(sut.ran == m.expected_run(target));
    }
    Model after = m;
    apply(after);
    std::size_t pending = 0;
    for (const auto& t : after.timers) pending += t.live && sut.ran_ever.count(t.id) == 0 ? 1 : 0;
    RC_ASSERT(sut.loop.pending_timers() == pending);
    // pending_calls lists exactly the live timers, with their due times.
    const auto calls = sut.loop.pending_calls();
    RC_ASSERT(calls.size() == pending);
    if (m.jitter_ns == 0) {
      for (std::size_t i = 1; i < calls.size(); ++i) RC_ASSERT(calls[i - 1].when <= calls[i].when);
    }
  }
  void show(std::ostream& os) const override { os << "advance(" << d_ns << "ns)"; }
};

void check_programs(txaio::sim::Options options) {
  RC_LOG() << options << "\n";
  Model model;
  model.ties = options.ties;
  model.jitter_ns = options.jitter.count();
  Sut sut(options);
  rc::state::check(model, sut, rc::state::gen::execOneOfWithArgs<CallLater, Cancel, CallSoon, Advance>());
}

txaio::sim::Options with_ties(Ties ties) {
  txaio::sim::Options o = *gen::options(0ns);
  o.ties = ties;
  return o;
}

RC_GTEST_PROP(SimLoopModel, FifoProgramsMatchSortedListModel, ()) { check_programs(with_ties(Ties::fifo)); }
RC_GTEST_PROP(SimLoopModel, LifoProgramsMatchSortedListModel, ()) { check_programs(with_ties(Ties::lifo)); }
RC_GTEST_PROP(SimLoopModel, RandomTieProgramsMatchModelUpToTies, ()) { check_programs(with_ties(Ties::random)); }

// Jitter: never early, at most `jitter` late, in time order, ties by policy, call_soon untouched.
RC_GTEST_PROP(SimLoopModel, JitteredProgramsStayWithinTheirBounds, ()) {
  txaio::sim::Options o = *gen::options(30ms);
  o.jitter = std::max(o.jitter, *gen::delay(30ms));
  RC_PRE(o.jitter > 0ns);
  check_programs(o);
}

// The lateness of each timer is drawn from the seed: the same seed gives the same times, a
// different seed different ones.
RC_GTEST_PROP(SimLoopJitter, TimesFollowTheSeed, (std::uint64_t seed)) {
  const auto delays = *rc::gen::container<std::vector<txaio::nanoseconds>>(*rc::gen::inRange(4, 30), gen::delay(10ms));
  auto run = [&](std::uint64_t s) {
    txaio::sim::Loop loop(txaio::sim::Options{.seed = s, .jitter = 1s});
    std::vector<std::pair<std::size_t, txaio::nanoseconds>> fired;
    for (std::size_t i = 0; i < delays.size(); ++i) {
      loop.call_later(delays[i], [&fired, &loop, i] { fired.emplace_back(i, loop.now()); });
    }
    loop.run_until_idle();
    return fired;
  };
  RC_ASSERT(run(seed) == run(seed));
  RC_ASSERT(run(seed) != run(seed + 1));
}

TEST(SimLoopJitter, DelayedCallWhenIsTheDueTimeAndNowIsTheRunTime) {
  txaio::sim::Loop loop(txaio::sim::Options{.seed = 3, .jitter = 5ms});
  txaio::nanoseconds ran_at{-1};
  auto call = loop.call_later(10ms, [&] { ran_at = loop.now(); });
  EXPECT_EQ(call.when(), 10ms);
  ASSERT_EQ(loop.pending_calls().size(), 1u);
  EXPECT_EQ(loop.pending_calls()[0].when, 10ms);
  loop.run_until_idle();
  EXPECT_GE(ran_at, 10ms);
  EXPECT_LE(ran_at, 15ms);
  EXPECT_EQ(call.when(), 10ms);
}

TEST(SimLoopJitter, SaturatesAtTheEndOfTime) {
  txaio::sim::Loop loop(txaio::sim::Options{.seed = 1, .jitter = std::chrono::nanoseconds::max()});
  bool ran = false;
  loop.advance(1h);
  auto call = loop.call_later(std::chrono::nanoseconds::max(), [&] { ran = true; });
  EXPECT_EQ(call.when(), std::chrono::nanoseconds::max());
  loop.run_until_idle();
  EXPECT_TRUE(ran);
  EXPECT_EQ(loop.now(), std::chrono::nanoseconds::max());
}

TEST(SimLoopJitter, NegativeJitterIsRejected) {
  EXPECT_THROW(txaio::sim::Loop(txaio::sim::Options{.jitter = -1ns}), std::invalid_argument);
}

// The same seed replays the same program to the same order, whatever the program.
RC_GTEST_PROP(SimLoopModel, RandomTiesAreReproducibleForEverySeed, (std::uint64_t seed)) {
  const auto delays = *rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 5));
  auto run = [&] {
    txaio::sim::Loop loop(txaio::sim::Options{.seed = seed, .ties = Ties::random});
    std::vector<int> order;
    for (std::size_t i = 0; i < delays.size(); ++i) {
      loop.call_later(std::chrono::seconds(delays[i]), [&order, i] { order.push_back(static_cast<int>(i)); });
    }
    loop.run_until_idle();
    return order;
  };
  RC_ASSERT(run() == run());
}

}  // namespace
