#pragma once
// txaio-replay's progress bar (see Progress).

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <ostream>
#include <string_view>
#include <thread>

namespace txaio::replay::detail {

/// A one-line progress bar on an interactive stderr, drawn only once a run has lasted half a
/// second, redrawn ten times a second by a thread of its own, erased at the end and around
/// printed lines. Disabled, it starts no thread and `print` only prints.
class Progress {
public:
  /// `total_units`: the work of the whole run (ops, plus one per file); `files`: how many.
  Progress(std::ostream& err, bool enabled, std::size_t total_units, std::size_t files);
  ~Progress() { stop(); }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  /// Counts `n` more units done; callable from any thread.
  void add_units(std::size_t n) { units_.fetch_add(n, std::memory_order_relaxed); }
  /// Counts one more file done; callable from any thread.
  void file_done() { files_done_.fetch_add(1, std::memory_order_relaxed); }

  /// Prints `text` on `out` with the bar out of the way.
  void print(std::ostream& out, std::string_view text);

  /// Erases the bar and stops drawing it.
  void stop();

private:
  void loop();

  std::ostream& err_;
  std::size_t total_units_;
  std::size_t files_;
  std::atomic<std::size_t> units_{0};
  std::atomic<std::size_t> files_done_{0};
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool drawn_ = false;
  std::thread thread_;
};

}  // namespace txaio::replay::detail
