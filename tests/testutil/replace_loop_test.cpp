#include "txaio/testutil/replace_loop.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "txaio/sim/loop.hpp"

namespace {

TEST(ReplaceLoop, InstallsAndRestores) {
  txaio::Loop* before = txaio::detail::exchange_default_loop(nullptr);
  {
    txaio::sim::Loop loop;
    {
      auto guard = txaio::testutil::replace_loop(loop);
      EXPECT_EQ(&txaio::default_loop(), &loop);
    }
    EXPECT_FALSE(txaio::has_default_loop());
  }
  txaio::detail::exchange_default_loop(before);
}

TEST(ReplaceLoop, GuardsNest) {
  txaio::sim::Loop outer;
  txaio::sim::Loop inner;
  auto g1 = txaio::testutil::replace_loop(outer);
  {
    auto g2 = txaio::testutil::replace_loop(inner);
    EXPECT_EQ(&txaio::default_loop(), &inner);
  }
  EXPECT_EQ(&txaio::default_loop(), &outer);
}

TEST(ReplaceLoop, RestoresWhenTheBodyThrows) {
  txaio::sim::Loop outer;
  txaio::sim::Loop inner;
  auto g1 = txaio::testutil::replace_loop(outer);
  try {
    auto g2 = txaio::testutil::replace_loop(inner);
    throw std::runtime_error("test body failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(&txaio::default_loop(), &outer);
}

}  // namespace
