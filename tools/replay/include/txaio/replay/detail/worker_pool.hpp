#pragma once
/// The one way txaio-replay runs work in parallel: reading and parsing the scenario files and
/// replaying them (with `--check-determinism`'s second run) are tasks of a `WorkerPool` sized
/// by `--jobs`.

#include <cstddef>
#include <functional>

namespace txaio::replay::detail {

/// Runs indexed tasks on up to `jobs` threads, delivering their completions in index order on
/// the calling thread. Threads live for one `run`: none is started when `jobs` is 1 or there is
/// at most one task, and then everything runs on the calling thread.
class WorkerPool {
public:
  using Step = std::function<void(std::size_t index)>;

  /// `jobs`: how many tasks may run at once; 0 means one per hardware thread.
  explicit WorkerPool(unsigned jobs) noexcept;

  /// How many tasks may run at once (at least 1).
  [[nodiscard]] unsigned jobs() const noexcept { return jobs_; }

  /// Calls `task(i)` once for every i in [0, n), at most `jobs()` at a time, tasks started in
  /// order of i; calls `done(i)` (when given) on the calling thread in order of i, each once
  /// `task(i)` has returned, while later tasks run. Returns once every task has returned.
  /// When a task or `done` throws, no further task starts; once the running ones have returned,
  /// the exception is rethrown here: the one a run on one thread would throw (that of the
  /// task with the lowest index, `done` having been called for every index below it, or the
  /// one `done` threw).
  void run(std::size_t n, const Step& task, const Step& done = {}) const;

private:
  unsigned jobs_;
};

}  // namespace txaio::replay::detail
