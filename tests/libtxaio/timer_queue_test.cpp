#include "txaio/detail/timer_queue.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace {

using txaio::detail::TimerQueue;

TEST(TimerQueue, PopsInDueThenTieOrder) {
  TimerQueue q;
  std::vector<int> order;
  std::uint32_t gen = 0;
  q.push(20, 0, [&] { order.push_back(3); }, gen);
  q.push(10, 5, [&] { order.push_back(2); }, gen);
  q.push(10, 1, [&] { order.push_back(1); }, gen);
  while (q.top() != nullptr) q.pop()();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_TRUE(q.empty());
}

TEST(TimerQueue, CancelledEntriesAreSkippedAndSlotsReusedWithNewGeneration) {
  TimerQueue q;
  std::uint32_t g1 = 0;
  std::uint32_t g2 = 0;
  const auto s1 = q.push(1, 0, [] {}, g1);
  EXPECT_TRUE(q.cancel(s1, g1));
  EXPECT_FALSE(q.cancel(s1, g1));
  EXPECT_EQ(q.size(), 0u);
  const auto s2 = q.push(2, 1, [] {}, g2);
  EXPECT_EQ(s2, s1);  // the slot is reused ...
  EXPECT_NE(g2, g1);  // ... under a new generation
  EXPECT_FALSE(q.active(s1, g1));
  EXPECT_TRUE(q.active(s2, g2));
  ASSERT_NE(q.top(), nullptr);
  EXPECT_EQ(q.top()->due, 2);
}

TEST(TimerQueue, MassCancellationCompactsTheHeap) {
  TimerQueue q;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> handles;
  for (int i = 0; i < 10000; ++i) {
    std::uint32_t gen = 0;
    const auto slot = q.push(i, static_cast<std::uint64_t>(i), [] {}, gen);
    handles.emplace_back(slot, gen);
  }
  const auto before = q.bytes_reserved();
  for (int i = 0; i < 10000; ++i) {
    if (i % 100 != 0) q.cancel(handles[i].first, handles[i].second);
  }
  EXPECT_EQ(q.size(), 100u);
  EXPECT_EQ(q.snapshot().size(), 100u);
  int popped = 0;
  while (q.top() != nullptr) {
    EXPECT_EQ(q.top()->due % 100, 0);
    q.pop();
    ++popped;
  }
  EXPECT_EQ(popped, 100);
  EXPECT_GT(before, 0u);
}

TEST(TimerQueue, DestroyingQueueDestroysPendingCallables) {
  auto token = std::make_shared<int>(1);
  {
    TimerQueue q;
    std::uint32_t gen = 0;
    q.push(1, 0, [token] {}, gen);
    EXPECT_EQ(token.use_count(), 2);
  }
  EXPECT_EQ(token.use_count(), 1);
}

TEST(Callback, LargeAndSmallCallablesMoveAndRun) {
  int small_runs = 0;
  std::array<char, 64> big{};
  big[0] = 'x';
  txaio::Callback a([&small_runs] { ++small_runs; });
  txaio::Callback b([big, &small_runs] { small_runs += big[0] == 'x' ? 10 : 0; });
  txaio::Callback c = std::move(b);
  EXPECT_FALSE(static_cast<bool>(b));  // NOLINT(bugprone-use-after-move)
  a();
  c();
  EXPECT_EQ(small_runs, 11);
  c = std::move(a);
  c();
  EXPECT_EQ(small_runs, 12);
}

}  // namespace
