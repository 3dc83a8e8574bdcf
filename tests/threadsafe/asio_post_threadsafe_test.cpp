// asio::post to a txaio::loop_executor from several threads while the loop runs: every
// handler runs exactly once, on the loop's thread. Also built and run under ThreadSanitizer.
#include "txaio/asio.hpp"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "txaio/sim/loop.hpp"

namespace {

constexpr int threads = 4;
constexpr int per_thread = 20'000;

// Posts `per_thread` handlers from each of `threads` threads; handler k bumps counts[k].
std::vector<std::thread> start_posting(const txaio::loop_executor& ex, std::vector<int>& counts,
                                       std::atomic<int>& finished) {
  std::vector<std::thread> producers;
  for (int t = 0; t < threads; ++t) {
    producers.emplace_back([&, ex, t] {
      for (int i = 0; i < per_thread; ++i) {
        boost::asio::post(ex, [&counts, k = t * per_thread + i] { ++counts[k]; });
      }
      finished.fetch_add(1);
    });
  }
  return producers;
}

TEST(ThreadSafe, AsioPostToAnAsioLoopExecutorLosesNothing) {
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  std::vector<int> counts(threads * per_thread, 0);  // touched on the loop thread only
  auto work = boost::asio::make_work_guard(io);
  std::thread runner([&] { io.run(); });
  std::atomic<int> finished{0};
  auto producers = start_posting(txaio::asio_executor(loop), counts, finished);
  for (auto& p : producers) p.join();
  work.reset();
  runner.join();
  for (int k = 0; k < threads * per_thread; ++k) ASSERT_EQ(counts[k], 1) << "handler " << k;
}

TEST(ThreadSafe, AsioPostToASimLoopExecutorLosesNothing) {
  txaio::sim::Loop loop(txaio::sim::Options{.max_events = 1'000'000});
  auto ex = txaio::asio_executor(loop);  // made before the threads start
  std::vector<int> counts(threads * per_thread, 0);
  std::atomic<int> finished{0};
  auto producers = start_posting(ex, counts, finished);
  // Drain concurrently with the producers, then once more after they finished.
  while (finished.load() < threads) loop.advance(std::chrono::nanoseconds(0));
  for (auto& p : producers) p.join();
  loop.advance(std::chrono::nanoseconds(0));
  for (int k = 0; k < threads * per_thread; ++k) ASSERT_EQ(counts[k], 1) << "handler " << k;
}

}  // namespace
