#include "txaio/detail/timer_queue.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <tuple>
#include <vector>

namespace {

using txaio::detail::TimerQueue;

TEST(TimerQueue, PopsInDueThenTieOrder) {
  TimerQueue q;
  std::vector<int> order;
  std::uint64_t gen = 0;
  q.push(20, 0, [&] { order.push_back(3); }, gen);
  q.push(10, 5, [&] { order.push_back(2); }, gen);
  q.push(10, 1, [&] { order.push_back(1); }, gen);
  while (q.top() != nullptr) q.pop()();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_TRUE(q.empty());
}

TEST(TimerQueue, CancelledEntriesAreSkippedAndSlotsReusedWithNewGeneration) {
  TimerQueue q;
  std::uint64_t g1 = 0;
  std::uint64_t g2 = 0;
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

// Generations are 64-bit and unique in the queue: 2^32 more pushes do not bring a stale
// (slot, generation) back to life. With 32 bits the slot's next occupant got the old one's
// generation and a stale handle cancelled it.
TEST(TimerQueue, AStaleHandleStaysStalePastTwoToThe32Generations) {
  TimerQueue q;
  std::uint64_t old_gen = 0;
  const auto slot = q.push(1, 0, [] {}, old_gen);
  ASSERT_TRUE(q.cancel(slot, old_gen));
  q.set_next_generation(old_gen + (std::uint64_t{1} << 32));
  std::uint64_t gen = 0;
  EXPECT_EQ(q.push(1, 1, [] {}, gen), slot);
  EXPECT_EQ(gen, old_gen + (std::uint64_t{1} << 32));
  EXPECT_FALSE(q.active(slot, old_gen));
  EXPECT_FALSE(q.cancel(slot, old_gen));
  EXPECT_TRUE(q.active(slot, gen));
  ASSERT_NE(q.top(), nullptr);
  EXPECT_EQ(q.top()->gen, gen);
}

TEST(TimerQueue, MassCancellationCompactsTheHeap) {
  TimerQueue q;
  std::vector<std::pair<std::uint32_t, std::uint64_t>> handles;
  for (int i = 0; i < 10000; ++i) {
    std::uint64_t gen = 0;
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
    std::uint64_t gen = 0;
    q.push(1, 0, [token] {}, gen);
    EXPECT_EQ(token.use_count(), 2);
  }
  EXPECT_EQ(token.use_count(), 1);
}

// Differential check against a sorted set: random push / cancel / pop, due times never below
// the last popped one (as on a loop), queue sizes crossing the heap / radix switch, many equal
// due times and ties, spans from 16 ns to 100 s.
TEST(TimerQueue, MatchesASortedModel) {
  using Key = std::tuple<std::int64_t, std::uint64_t, std::uint32_t>;  // due, tie, slot
  std::size_t largest = 0;
  for (int seed = 0; seed < 24; ++seed) {
    std::mt19937_64 rng(static_cast<std::uint64_t>(seed));
    TimerQueue q;
    std::set<Key> model;
    std::map<std::uint32_t, std::pair<std::uint64_t, Key>> live;  // slot -> (gen, key)
    std::int64_t now = 0;
    std::uint64_t seq = 0;
    const std::array<std::int64_t, 3> spans{16, 1'000'000, 100'000'000'000};
    const std::int64_t span = spans[static_cast<std::size_t>(seed) % spans.size()];
    for (int step = 0; step < 24000; ++step) {
      const auto r = rng() % 100;
      const bool growing = (step / 6000) % 2 == 0;
      if (r < (growing ? 85u : 30u)) {
        const std::int64_t due = now + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(span));
        const std::uint64_t tie = seed % 2 != 0 ? seq++ : rng() % 4;
        std::uint64_t gen = 0;
        const auto slot = q.push(due, tie, [] {}, gen);
        model.insert({due, tie, slot});
        live[slot] = {gen, {due, tie, slot}};
      } else if (r < (growing ? 90u : 75u) && !live.empty()) {
        auto it = live.begin();
        std::advance(it, static_cast<long>(rng() % live.size()));
        ASSERT_TRUE(q.cancel(it->first, it->second.first)) << "seed " << seed << " step " << step;
        model.erase(it->second.second);
        live.erase(it);
      } else {
        const auto* top = q.top();
        ASSERT_EQ(top == nullptr, model.empty()) << "seed " << seed << " step " << step;
        if (top == nullptr) continue;
        ASSERT_EQ(Key(top->due, top->tie, top->slot), *model.begin()) << "seed " << seed << " step " << step;
        now = top->due;
        q.pop();
        live.erase(std::get<2>(*model.begin()));
        model.erase(model.begin());
      }
      largest = std::max(largest, model.size());
      ASSERT_EQ(q.size(), model.size()) << "seed " << seed << " step " << step;
    }
    ASSERT_EQ(q.snapshot().size(), model.size());
  }
  EXPECT_GT(largest, 4096u);  // the radix buckets were exercised, not only the small heap
}

TEST(Callback, TrivialCallablesAreCopiedAndOthersMovedAndDestroyed) {
  int runs = 0;
  txaio::Callback trivial([&runs] { ++runs; });
  txaio::Callback moved = std::move(trivial);
  moved();
  auto token = std::make_shared<int>(0);
  {
    txaio::Callback owning([token, &runs] { runs += *token + 1; });
    txaio::Callback owner = std::move(owning);
    EXPECT_EQ(token.use_count(), 2);
    owner();
  }
  EXPECT_EQ(token.use_count(), 1);
  EXPECT_EQ(runs, 2);
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
