// call_soon_threadsafe from several threads at once: every call runs exactly once.
// Also built and run under ThreadSanitizer in CI.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "txaio/asio_loop.hpp"
#include "txaio/sim/loop.hpp"

namespace {

constexpr int threads = 4;
constexpr int per_thread = 100'000;

TEST(ThreadSafe, AsioLoopRunsEveryCallSoonThreadsafeExactlyOnce) {
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  std::vector<int> counts(threads * per_thread, 0);  // touched on the loop thread only
  auto work = boost::asio::make_work_guard(io);
  std::thread runner([&] { io.run(); });
  std::vector<std::thread> producers;
  for (int t = 0; t < threads; ++t) {
    producers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        loop.call_soon_threadsafe([&counts, k = t * per_thread + i] { ++counts[k]; });
      }
    });
  }
  for (auto& p : producers) p.join();
  work.reset();
  runner.join();
  for (int k = 0; k < threads * per_thread; ++k) ASSERT_EQ(counts[k], 1) << "call " << k;
}

TEST(ThreadSafe, SimLoopRunsEveryCallSoonThreadsafeExactlyOnce) {
  txaio::sim::Loop loop(txaio::sim::Options{.max_events = 1'000'000});
  std::vector<int> counts(threads * per_thread, 0);
  std::atomic<int> done{0};
  std::vector<std::thread> producers;
  for (int t = 0; t < threads; ++t) {
    producers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        loop.call_soon_threadsafe([&counts, k = t * per_thread + i] { ++counts[k]; });
      }
      done.fetch_add(1);
    });
  }
  // Drain concurrently with the producers, then once more after they finished.
  while (done.load() < threads) loop.advance(std::chrono::nanoseconds(0));
  for (auto& p : producers) p.join();
  loop.advance(std::chrono::nanoseconds(0));
  for (int k = 0; k < threads * per_thread; ++k) ASSERT_EQ(counts[k], 1) << "call " << k;
}

}  // namespace
