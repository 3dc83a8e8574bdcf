// Stateful property test: random programs of call_later / cancel / call_soon / advance on
// sim::Loop, checked against a model that is just a list of timers sorted on demand.
#include "txaio/sim/loop.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <vector>

namespace {

using namespace std::chrono_literals;
using txaio::sim::Ties;

struct ModelTimer {
  int id;
  std::int64_t due_ms;
  bool live;
};

struct Model {
  Ties ties = Ties::fifo;
  std::int64_t now_ms = 0;
  std::vector<ModelTimer> timers;  // in scheduling order: index == id
  std::vector<int> soon;           // pending call_soon ids, FIFO
  int next_soon = 0;

  std::size_t live_count() const {
    return static_cast<std::size_t>(std::count_if(timers.begin(), timers.end(), [](auto& t) { return t.live; }));
  }

  /// What `advance` to `target_ms` must run, in order (random ties: any order within a due time).
  std::vector<std::pair<int, std::int64_t>> expected_run(std::int64_t target_ms) const {
    std::vector<std::pair<int, std::int64_t>> out;
    for (int s : soon) out.emplace_back(s, now_ms);
    std::vector<ModelTimer> due;
    for (const auto& t : timers) {
      if (t.live && t.due_ms <= target_ms) due.push_back(t);
    }
    std::stable_sort(due.begin(), due.end(), [this](const ModelTimer& a, const ModelTimer& b) {
      if (a.due_ms != b.due_ms) return a.due_ms < b.due_ms;
      return ties == Ties::lifo ? a.id > b.id : a.id < b.id;
    });
    for (const auto& t : due) out.emplace_back(t.id, t.due_ms);
    return out;
  }
};

struct Sut {
  explicit Sut(txaio::sim::Options options) : loop(options) {}
  txaio::sim::Loop loop;
  std::vector<txaio::DelayedCall> handles;
  std::vector<std::pair<int, std::int64_t>> ran;  // (id, now in ms)
  int next_soon = 0;
};

using Command = rc::state::Command<Model, Sut>;

std::int64_t now_ms(const Sut& sut) { return sut.loop.now() / 1ms; }

struct CallLater : Command {
  std::int64_t delay_ms = *rc::gen::inRange<std::int64_t>(-5, 100);
  void apply(Model& m) const override {
    m.timers.push_back({static_cast<int>(m.timers.size()), m.now_ms + std::max<std::int64_t>(0, delay_ms), true});
  }
  void run(const Model&, Sut& sut) const override {
    const int id = static_cast<int>(sut.handles.size());
    sut.handles.push_back(sut.loop.call_later(std::chrono::milliseconds(delay_ms), [&sut, id] {
      sut.ran.emplace_back(id, now_ms(sut));
    }));
    RC_ASSERT(sut.handles.back().active());
  }
  void show(std::ostream& os) const override { os << "call_later(" << delay_ms << "ms)"; }
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
    sut.loop.call_soon([&sut, id] { sut.ran.emplace_back(id, now_ms(sut)); });
  }
  void show(std::ostream& os) const override { os << "call_soon()"; }
};

struct Advance : Command {
  std::int64_t d_ms = *rc::gen::inRange<std::int64_t>(0, 150);
  void apply(Model& m) const override {
    const std::int64_t target = m.now_ms + d_ms;
    for (auto& t : m.timers) {
      if (t.due_ms <= target) t.live = false;
    }
    m.soon.clear();
    m.now_ms = target;
  }
  void run(const Model& m, Sut& sut) const override {
    const auto expected = m.expected_run(m.now_ms + d_ms);
    sut.ran.clear();
    sut.loop.advance(std::chrono::milliseconds(d_ms));
    RC_ASSERT(now_ms(sut) == m.now_ms + d_ms);
    if (m.ties == Ties::random) {
      // Same calls at the same times; within one due time any order.
      auto by_time = [](const std::vector<std::pair<int, std::int64_t>>& v) {
        std::map<std::int64_t, std::vector<int>> groups;
        for (auto [id, t] : v) groups[t].push_back(id);
        for (auto& [t, ids] : groups) std::sort(ids.begin(), ids.end());
        return groups;
      };
      RC_ASSERT(by_time(sut.ran) == by_time(expected));
      std::vector<std::int64_t> times;
      for (auto& r : sut.ran) times.push_back(r.second);
      RC_ASSERT(std::is_sorted(times.begin(), times.end()));
    } else {
      RC_ASSERT(sut.ran == expected);
    }
    Model after = m;
    apply(after);
    RC_ASSERT(sut.loop.pending_timers() == after.live_count());
    // pending_calls lists exactly the live timers, in due order.
    const auto pending = sut.loop.pending_calls();
    RC_ASSERT(pending.size() == after.live_count());
    for (std::size_t i = 1; i < pending.size(); ++i) RC_ASSERT(pending[i - 1].when <= pending[i].when);
  }
  void show(std::ostream& os) const override { os << "advance(" << d_ms << "ms)"; }
};

void check_programs(Ties ties) {
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  RC_LOG() << "sim::Loop seed=" << seed << " ties=" << txaio::sim::to_string(ties) << "\n";
  Model model;
  model.ties = ties;
  Sut sut(txaio::sim::Options{.seed = seed, .ties = ties});
  rc::state::check(model, sut, rc::state::gen::execOneOfWithArgs<CallLater, Cancel, CallSoon, Advance>());
}

RC_GTEST_PROP(SimLoopModel, FifoProgramsMatchSortedListModel, ()) { check_programs(Ties::fifo); }
RC_GTEST_PROP(SimLoopModel, LifoProgramsMatchSortedListModel, ()) { check_programs(Ties::lifo); }
RC_GTEST_PROP(SimLoopModel, RandomTieProgramsMatchModelUpToTies, ()) { check_programs(Ties::random); }

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
