#include "txaio/api.hpp"

#include <gtest/gtest.h>

#include "txaio/config.hpp"
#include "txaio/sim/loop.hpp"
#include "txaio/testutil/replace_loop.hpp"

namespace {

using namespace std::chrono_literals;

TEST(Api, WithConfigBindsToItsLoopAndLeavesTheDefaultAlone) {
  txaio::sim::Loop default_loop;
  txaio::sim::Loop other;
  auto guard = txaio::testutil::replace_loop(default_loop);
  txaio::Api api = txaio::with_config(other);
  EXPECT_EQ(&api.loop(), &other);
  int on_other = 0;
  api.call_later(1s, [&] { ++on_other; });
  api.call_soon([&] { ++on_other; });
  EXPECT_EQ(other.pending_timers(), 1u);
  EXPECT_EQ(default_loop.pending_timers(), 0u);
  EXPECT_EQ(&txaio::default_loop(), &default_loop);
  other.advance(1s);
  EXPECT_EQ(on_other, 2);
  EXPECT_EQ(api.now(), 1s);
}

TEST(Api, TwoApisOnTwoLoopsAreIndependent) {
  txaio::sim::Loop a_loop;
  txaio::sim::Loop b_loop;
  auto a = txaio::with_config(a_loop);
  auto b = txaio::with_config(b_loop);
  int a_runs = 0;
  int b_runs = 0;
  a.call_later(1s, [&] { ++a_runs; });
  b.call_later(1s, [&] { ++b_runs; });
  a_loop.advance(1s);
  EXPECT_EQ(a_runs, 1);
  EXPECT_EQ(b_runs, 0);
}

}  // namespace
