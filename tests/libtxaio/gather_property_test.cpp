// The gather property on sim::Loop: random plans, both dispatch policies, ties = random with a
// recorded seed (the model is in gather_model.hpp; AsioLoop runs it in future_asio_test.cpp).
#include "txaio/gather.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include "gather_model.hpp"
#include "txaio/sim/loop.hpp"

namespace {

using namespace txaio::test::gather_model;

/// Runs `plan` on a sim::Loop: each event at its planned time, ties in a seeded random order.
std::vector<Entry> run_on_sim(const Plan& plan, txaio::Dispatch dispatch, std::uint64_t seed) {
  txaio::sim::Loop loop(txaio::sim::Options{.seed = seed, .ties = txaio::sim::Ties::random, .dispatch = dispatch});
  std::vector<Entry> log;
  {
    Harness h(loop, plan);
    for (std::size_t i = 0; i < plan.inputs.size(); ++i) {
      loop.call_later(std::chrono::seconds(plan.inputs[i].time_s), [&h, i] { h.input_event(i); });
    }
    if (plan.cancel_gather_s) {
      loop.call_later(std::chrono::seconds(*plan.cancel_gather_s), [&h] { h.cancel_gather_event(); });
    }
    loop.run_until_idle();
    check(plan, h, true);
    log = h.log();
  }
  // The gathered future handled every input's failure, and its own had an errback.
  RC_ASSERT(loop.unhandled_failures() == 0u);
  RC_ASSERT(loop.idle());
  return log;
}

RC_GTEST_PROP(GatherProperty, MatchesTheModelOnSimLoop, ()) {
  const Plan plan = *gen_plan();
  const auto dispatch = *rc::gen::element(txaio::Dispatch::scheduled, txaio::Dispatch::immediate);
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  RC_LOG() << "plan: " << plan << "\ndispatch: " << (dispatch == txaio::Dispatch::scheduled ? "scheduled" : "immediate")
           << "\nsim::Loop ties=random seed=" << seed << "\n";
  const std::vector<Entry> first = run_on_sim(plan, dispatch, seed);
  // The seed reproduces the run exactly.
  RC_ASSERT(run_on_sim(plan, dispatch, seed) == first);
}

RC_GTEST_PROP(GatherProperty, DispatchPolicyDoesNotChangeTheResult, ()) {
  const Plan plan = *gen_plan();
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  RC_LOG() << "plan: " << plan << "\nsim::Loop ties=random seed=" << seed << "\n";
  // Same seed, same event order: both policies observe the same log.
  RC_ASSERT(run_on_sim(plan, txaio::Dispatch::scheduled, seed) == run_on_sim(plan, txaio::Dispatch::immediate, seed));
}

}  // namespace
