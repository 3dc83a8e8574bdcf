#include "txaio/replay/detail/worker_pool.hpp"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace txaio::replay::detail {

namespace {

// What the threads of one run share: the next task to start, which tasks have returned, and
// the failure with the lowest index.
class Board {
public:
  explicit Board(std::size_t n) : returned_(n, false), failed_at_(n) {}

  // A worker thread's loop: starts tasks in index order until none is left or the run stops.
  void work(const WorkerPool::Step& task) {
    for (std::size_t i = 0; claim(i);) {
      std::exception_ptr error;
      try {
        task(i);
      } catch (...) {
        error = std::current_exception();
      }
      finish(i, std::move(error));
    }
  }

  // Waits until task(i) has returned, every task below i having returned normally; false when
  // task(i) threw (its exception is then `error()`).
  bool wait_returned(std::size_t i) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return bool{returned_[i]}; });
    return i != failed_at_;
  }

  // No task starts after this.
  void stop() {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }

  // The exception of the failed task with the lowest index; read once the threads are joined.
  [[nodiscard]] std::exception_ptr error() const { return error_; }

private:
  bool claim(std::size_t& i) {
    std::lock_guard lock(mutex_);
    if (stopping_ || next_ == returned_.size()) return false;
    i = next_++;
    return true;
  }

  void finish(std::size_t i, std::exception_ptr error) {
    {
      std::lock_guard lock(mutex_);
      returned_[i] = true;
      if (error) {
        stopping_ = true;
        if (i < failed_at_) {
          failed_at_ = i;
          error_ = std::move(error);
        }
      }
    }
    changed_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<bool> returned_;
  std::size_t next_ = 0;
  std::size_t failed_at_;  // n while no task has thrown
  std::exception_ptr error_;
  bool stopping_ = false;
};

// The threads of one run, stopped and joined however the run ends.
class Crew {
public:
  Crew(Board& board, std::size_t count, const WorkerPool::Step& task) : board_(board) {
    try {
      threads_.reserve(count);
      for (std::size_t t = 0; t < count; ++t) threads_.emplace_back([&board, &task] { board.work(task); });
    } catch (...) {
      join();
      throw;
    }
  }
  ~Crew() { join(); }
  Crew(const Crew&) = delete;
  Crew& operator=(const Crew&) = delete;

private:
  void join() {
    board_.stop();
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
  }

  Board& board_;
  std::vector<std::thread> threads_;
};

}  // namespace

WorkerPool::WorkerPool(unsigned jobs) noexcept
    : jobs_(jobs == 0 ? std::max(1u, std::thread::hardware_concurrency()) : jobs) {}

void WorkerPool::run(std::size_t n, const Step& task, const Step& done) const {
  if (jobs_ == 1 || n <= 1) {
    for (std::size_t i = 0; i < n; ++i) {
      task(i);
      if (done) done(i);
    }
    return;
  }
  Board board(n);
  {
    const Crew crew(board, std::min<std::size_t>(jobs_, n), task);
    for (std::size_t i = 0; i < n && board.wait_returned(i); ++i) {
      if (done) done(i);
    }
  }
  if (const std::exception_ptr error = board.error()) std::rethrow_exception(error);
}

}  // namespace txaio::replay::detail
