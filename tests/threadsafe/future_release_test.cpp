// Future handles dropped on another thread than the loop's: the last one is released on the
// loop, so the state's destruction, its callbacks and the unhandled-failure report never run
// on the dropping thread. Also built and run under ThreadSanitizer in CI.
#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "txaio/future.hpp"
#include "txaio/gather.hpp"
#include "txaio/sim/loop.hpp"
#include "txaio/testutil/replace_loop.hpp"

namespace {

using txaio::Future;

// Records which thread destroyed it, in a callback kept by a future that never settles.
struct DestructionProbe {
  std::thread::id* destroyed_on;
  DestructionProbe(std::thread::id* where) noexcept : destroyed_on(where) {}
  DestructionProbe(DestructionProbe&& o) noexcept : destroyed_on(std::exchange(o.destroyed_on, nullptr)) {}
  DestructionProbe& operator=(DestructionProbe&&) = delete;
  ~DestructionProbe() {
    if (destroyed_on != nullptr) *destroyed_on = std::this_thread::get_id();
  }
  void operator()(int) const {}
};

class FutureRelease : public ::testing::Test {
protected:
  // Moves `handles` to a worker thread that drops them, and waits for it.
  template <class... F>
  static void drop_on_worker(F&&... handles) {
    std::thread worker([... held = std::move(handles)]() mutable { ((held = {}), ...); });
    worker.join();
  }

  txaio::sim::Loop loop_;
  txaio::testutil::LoopGuard guard_ = txaio::testutil::replace_loop(loop_);
};

TEST_F(FutureRelease, TheLastHandleDroppedOnAnotherThreadIsReleasedOnTheLoop) {
  std::thread::id destroyed_on;
  Future<int> pending = txaio::create_future<int>();
  txaio::add_callbacks(pending, DestructionProbe(&destroyed_on));
  drop_on_worker(std::move(pending));
  EXPECT_EQ(destroyed_on, std::thread::id()) << "destroyed on the dropping thread";
  loop_.advance(std::chrono::nanoseconds(0));
  EXPECT_EQ(destroyed_on, std::this_thread::get_id());
}

TEST_F(FutureRelease, AnUnhandledFailureDroppedOnAnotherThreadIsReportedOnTheLoop) {
  Future<int> failed = txaio::create_future_error<int>(std::runtime_error("nobody looked"));
  drop_on_worker(std::move(failed));
  EXPECT_EQ(loop_.unhandled_failures(), 0u) << "reported from the dropping thread";
  loop_.advance(std::chrono::nanoseconds(0));
  EXPECT_EQ(loop_.unhandled_failures(), 1u);
}

TEST_F(FutureRelease, AHandleThatIsNotTheLastIsDroppedAtOnce) {
  std::thread::id destroyed_on;
  Future<int> pending = txaio::create_future<int>();
  txaio::add_callbacks(pending, DestructionProbe(&destroyed_on));
  drop_on_worker(Future<int>(pending));
  EXPECT_EQ(loop_.ready_count(), 0u) << "nothing to hand to the loop";
  txaio::resolve(pending, 1);
  loop_.advance(std::chrono::nanoseconds(0));
  EXPECT_EQ(destroyed_on, std::this_thread::get_id());
}

// A gather's inputs dropped by a worker while the loop thread cancels the gather: the
// input's gather slot must not write to the gather from the worker (a data race, and the
// loop thread would then use the freed input through the gather's pointer).
TEST_F(FutureRelease, GatherInputsDroppedOnAnotherThreadWhileTheLoopCancelsTheGather) {
  constexpr int rounds = 200;
  for (int round = 0; round < rounds; ++round) {
    std::vector<Future<int>> inputs = {txaio::create_future<int>(), txaio::create_future<int>()};
    auto all = txaio::gather(inputs);
    std::thread worker([held = std::move(inputs)]() mutable { held.clear(); });
    EXPECT_TRUE(txaio::cancel(all, "stop"));
    worker.join();
    loop_.advance(std::chrono::nanoseconds(0));
    ASSERT_EQ(loop_.ready_count(), 0u) << "round " << round;
  }
  EXPECT_EQ(loop_.unhandled_failures(), 0u);
}

}  // namespace
