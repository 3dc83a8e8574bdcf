#include "txaio/loop.hpp"

#include <gtest/gtest.h>

#include "txaio/sim/loop.hpp"

namespace {

using namespace std::chrono_literals;

TEST(Loop, EventKindNames) {
  EXPECT_EQ(txaio::to_string(txaio::EventKind::schedule), "schedule");
  EXPECT_EQ(txaio::to_string(txaio::EventKind::cancel), "cancel");
  EXPECT_EQ(txaio::to_string(txaio::EventKind::fire), "fire");
  EXPECT_EQ(txaio::to_string(txaio::EventKind::error), "error");
}

TEST(Loop, ThrowingObserverDoesNotBreakTheLoop) {
  txaio::sim::Loop loop;
  struct Bad : txaio::Observer {
    void on_event(const txaio::Event&) override { throw std::runtime_error("observer"); }
  } bad;
  loop.add_observer(bad);
  bool ran = false;
  loop.call_later(1s, [&] { ran = true; });
  EXPECT_NO_THROW(loop.advance(1s));
  EXPECT_TRUE(ran);
}

TEST(Loop, CallLaterThroughTheInterfaceAcceptsDurationsAndSeconds) {
  txaio::sim::Loop sim;
  txaio::Loop& loop = sim;
  EXPECT_EQ(loop.call_later(2s, [] {}).when(), 2s);
  EXPECT_EQ(loop.call_later(0.5, [] {}).when(), 500ms);
  EXPECT_EQ(loop.call_later(std::chrono::duration<double, std::milli>(1.5), [] {}).when(), 1500us);
  EXPECT_EQ(loop.pending_timers(), 3u);
}

TEST(Loop, MoveOnlyCallablesAreAccepted) {
  txaio::sim::Loop loop;
  auto owned = std::make_unique<int>(41);
  int got = 0;
  loop.call_later(1s, [p = std::move(owned), &got] { got = *p + 1; });
  loop.advance(1s);
  EXPECT_EQ(got, 42);
}

}  // namespace
