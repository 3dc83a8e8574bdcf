// txaio-replay's worker pool: every task once, completions in order on the calling thread,
// the lowest task's exception rethrown, and no thread at all for one job or one task.
#include "txaio/replay/detail/worker_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using txaio::replay::detail::WorkerPool;

TEST(WorkerPool, EveryTaskRunsOnceAndCompletionsComeInOrderOnTheCaller) {
  for (const unsigned jobs : {1u, 2u, 4u, 16u}) {
    constexpr std::size_t n = 200;
    std::vector<std::size_t> squares(n);
    std::vector<std::atomic<int>> runs(n);
    std::vector<std::size_t> done_order;
    const auto caller = std::this_thread::get_id();
    bool done_off_caller = false;
    WorkerPool(jobs).run(
        n,
        [&](std::size_t i) {
          squares[i] = i * i;
          runs[i].fetch_add(1);
        },
        [&](std::size_t i) {
          done_off_caller |= std::this_thread::get_id() != caller;
          EXPECT_EQ(squares[i], i * i) << "done(" << i << ") before its task returned";
          done_order.push_back(i);
        });
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_EQ(runs[i].load(), 1) << "task " << i << " with " << jobs << " jobs";
      ASSERT_EQ(done_order.at(i), i) << jobs << " jobs";
    }
    EXPECT_FALSE(done_off_caller) << jobs << " jobs";
  }
}

TEST(WorkerPool, OneJobOrOneTaskRunsInlineOnTheCaller) {
  const auto caller = std::this_thread::get_id();
  std::vector<std::thread::id> ran_on;
  WorkerPool(1).run(5, [&](std::size_t) { ran_on.push_back(std::this_thread::get_id()); });
  WorkerPool(8).run(1, [&](std::size_t) { ran_on.push_back(std::this_thread::get_id()); });
  ASSERT_EQ(ran_on.size(), 6u);
  for (const auto id : ran_on) EXPECT_EQ(id, caller);
  // One job: each completion follows its own task, as a plain loop would.
  std::string trace;
  WorkerPool(1).run(
      3, [&](std::size_t i) { trace += "t" + std::to_string(i); }, [&](std::size_t i) { trace += "d" + std::to_string(i); });
  EXPECT_EQ(trace, "t0d0t1d1t2d2");
  WorkerPool(4).run(0, [](std::size_t) { FAIL() << "no task to run"; });
}

TEST(WorkerPool, SeveralJobsRunTasksOffTheCallerAtOnce) {
  // Each task waits until three have started: it returns only if three run at the same time.
  // The wait is bounded so that a pool running fewer fails instead of hanging.
  const auto caller = std::this_thread::get_id();
  std::mutex mutex;
  std::condition_variable all_started;
  int started = 0;
  std::atomic<bool> on_caller{false};
  std::atomic<int> met{0};
  WorkerPool(3).run(3, [&](std::size_t) {
    on_caller = on_caller || std::this_thread::get_id() == caller;
    std::unique_lock lock(mutex);
    ++started;
    all_started.notify_all();
    if (all_started.wait_for(lock, std::chrono::seconds(60), [&] { return started == 3; })) ++met;
  });
  EXPECT_EQ(met.load(), 3);
  EXPECT_FALSE(on_caller.load());
}

TEST(WorkerPool, JobsZeroMeansOnePerHardwareThread) {
  EXPECT_EQ(WorkerPool(0).jobs(), std::max(1u, std::thread::hardware_concurrency()));
  EXPECT_EQ(WorkerPool(3).jobs(), 3u);
}

TEST(WorkerPool, ATaskExceptionReachesTheCallerAsOneThreadWouldThrowIt) {
  for (const unsigned jobs : {1u, 2u, 4u}) {
    // Every task from 37 on throws, and with several jobs task 37 throws only after a later one
    // has: the caller still sees task 37's exception, after done(0..36). (The wait is bounded
    // so that a wrong pool fails instead of hanging.)
    std::vector<std::size_t> done_order;
    std::atomic<std::size_t> tasks_run{0};
    std::mutex mutex;
    std::condition_variable later_threw;
    bool a_later_task_threw = false;
    try {
      WorkerPool(jobs).run(
          100,
          [&](std::size_t i) {
            ++tasks_run;
            if (i < 37) return;
            std::unique_lock lock(mutex);
            if (i > 37) {
              a_later_task_threw = true;
              later_threw.notify_all();
            } else if (jobs > 1) {
              later_threw.wait_for(lock, std::chrono::seconds(60), [&] { return a_later_task_threw; });
            }
            throw std::runtime_error("task " + std::to_string(i));
          },
          [&](std::size_t i) { done_order.push_back(i); });
      ADD_FAILURE() << "no exception with " << jobs << " jobs";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "task 37") << jobs << " jobs";
    }
    EXPECT_EQ(a_later_task_threw, jobs > 1);
    ASSERT_EQ(done_order.size(), 37u) << jobs << " jobs";
    for (std::size_t i = 0; i < done_order.size(); ++i) EXPECT_EQ(done_order[i], i);
    // Once a task threw, no further task starts: at most one more per other thread.
    EXPECT_LE(tasks_run.load(), 37u + jobs) << jobs << " jobs";
  }
}

TEST(WorkerPool, ADoneExceptionStopsTheRunAndReachesTheCaller) {
  for (const unsigned jobs : {1u, 4u}) {
    std::atomic<std::size_t> tasks_run{0};
    std::vector<std::size_t> done_order;
    EXPECT_THROW(WorkerPool(jobs).run(
                     1000, [&](std::size_t) { ++tasks_run; },
                     [&](std::size_t i) {
                       done_order.push_back(i);
                       if (i == 2) throw std::logic_error("done 2");
                     }),
                 std::logic_error);
    EXPECT_EQ(done_order, (std::vector<std::size_t>{0, 1, 2})) << jobs << " jobs";
    if (jobs == 1) {
      EXPECT_EQ(tasks_run.load(), 3u);
    }
  }
}

}  // namespace
