#include "txaio/config.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <string>

#include "txaio/errors.hpp"
#include "txaio/sim/loop.hpp"
#include "txaio/testutil/replace_loop.hpp"

namespace {

using namespace std::chrono_literals;

// Runs `body` with no default loop chosen, restoring the previous state afterwards.
template <class F>
void without_default_loop(F body) {
  txaio::Loop* previous = txaio::detail::exchange_default_loop(nullptr);
  try {
    body();
  } catch (...) {
    txaio::detail::exchange_default_loop(previous);
    throw;
  }
  txaio::detail::exchange_default_loop(previous);
}

TEST(Config, EveryCallBeforeALoopIsChosenIsUsageErrorNamingTheFix) {
  without_default_loop([] {
    EXPECT_FALSE(txaio::has_default_loop());
    auto check = [](auto&& call) {
      try {
        call();
        ADD_FAILURE() << "expected UsageError";
      } catch (const txaio::UsageError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("use_asio"), std::string::npos) << what;
        EXPECT_NE(what.find("use_loop"), std::string::npos) << what;
      }
    };
    check([] { txaio::default_loop(); });
    check([] { txaio::call_later(1s, [] {}); });
    check([] { txaio::call_soon([] {}); });
  });
}

TEST(Config, UseLoopSetsTheDefault) {
  without_default_loop([] {
    txaio::sim::Loop loop;
    txaio::use_loop(loop);
    EXPECT_TRUE(txaio::has_default_loop());
    EXPECT_EQ(&txaio::default_loop(), &loop);
    bool ran = false;
    txaio::call_later(1s, [&] { ran = true; });
    loop.advance(1s);
    EXPECT_TRUE(ran);
  });
}

TEST(Config, UseAsioMakesOneLoopPerContext) {
  without_default_loop([] {
    boost::asio::io_context io;
    txaio::Loop& a = txaio::use_asio(io);
    txaio::Loop& b = txaio::use_asio(io);
    EXPECT_EQ(&a, &b);
    EXPECT_EQ(&txaio::default_loop(), &a);
    int ran = 0;
    txaio::call_later(1ms, [&] { ++ran; });
    txaio::call_soon([&] { ++ran; });
    io.run();
    EXPECT_EQ(ran, 2);
  });
}

TEST(Config, DestroyingTheContextUnsetsItsDefaultLoop) {
  without_default_loop([] {
    {
      boost::asio::io_context io;
      txaio::use_asio(io);
      EXPECT_TRUE(txaio::has_default_loop());
    }
    EXPECT_FALSE(txaio::has_default_loop());
    EXPECT_THROW(txaio::default_loop(), txaio::UsageError);
  });
}

TEST(Config, DestroyingAnotherContextKeepsTheDefault) {
  without_default_loop([] {
    txaio::sim::Loop sim;
    {
      boost::asio::io_context io;
      txaio::use_asio(io);
      txaio::use_loop(sim);
    }
    EXPECT_EQ(&txaio::default_loop(), &sim);
  });
}

}  // namespace
