#pragma once
/// `txaio::sim::Recorder`: writes a loop's timer events as a scenario (`*.txs`), so that a run
/// on any loop, `AsioLoop` included, can be replayed on the virtual clock by `txaio-replay`.
///
///     txaio::AsioLoop loop(io);
///     txaio::sim::Recorder recorder(loop);
///     ... io.run();
///     recorder.stop();
///     std::ofstream("run.txs") << recorder.str();
///
/// What is written: every `call_later` as `at <t> call_later <id> <delay>`, every cancel of a
/// pending call as `at <t> cancel <id>`, and what happened as the expectations:
/// `expect <t> fire <id>`, or `expect <t> error <id> <message>` for a callback that threw
/// (its call_later line then gets `raise=<message>`, so the replay throws the same). Times are
/// measured from the recorder's start, exactly to the nanosecond; the file ends with
/// `run <t>` at the time recording stopped, so calls that never ran are not expected to.
/// Loop timers of a batched timer are ordinary loop timers here; `watch` names them and notes
/// their bucket and chunk. `call_soon` work and errors that are not a timer's (a `BatchError`,
/// say) are written as comments.

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "txaio/batched_timer.hpp"
#include "txaio/loop.hpp"

namespace txaio::sim {

class Recorder final : public txaio::Observer {
public:
  /// Starts recording `loop`'s events; scenario time 0 is `loop.now()` now. `title` goes into
  /// the file's leading comment.
  explicit Recorder(txaio::Loop& loop, std::string title = {});
  /// Stops recording (the recorder must not outlive its loop while recording).
  ~Recorder() override;
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  /// Names `timer`'s loop timers `<name>.<n>` and notes their bucket (its key in loop time)
  /// and chunk in comments. The batched calls themselves are not loop events: the scenario
  /// replays the loop timers, not the calls.
  /// Replaces the timer's observer; the recorder must outlive the timer's use.
  void watch(BatchedTimer& timer, std::string_view name);

  /// Stops recording; the scenario's `run` time is the loop time now. Idempotent.
  void stop() noexcept;

  /// The scenario text.
  std::string str() const;
  void write(std::ostream& out) const;

  /// Calls scheduled, events recorded.
  std::size_t call_count() const noexcept { return calls_.size(); }
  std::size_t event_count() const noexcept { return lines_.size(); }

  void on_event(const txaio::Event& event) override;

private:
  struct Call {
    std::string name;
    std::int64_t delay_ns;
    std::string raise;
    std::string note;
    bool raised = false;
  };
  enum class LineKind : std::uint8_t { call_later, cancel, fire, error, comment };
  struct Line {
    LineKind kind;
    std::int64_t time_ns;
    std::uint32_t call;
    std::string text;  // error message or comment
  };

  std::int64_t rel(nanoseconds t) const noexcept;

  txaio::Loop* loop_;
  std::string title_;
  std::int64_t origin_ns_;
  std::int64_t end_ns_ = -1;
  std::int64_t last_op_ns_ = 0;
  bool recording_ = true;
  std::vector<Call> calls_;
  std::vector<Line> lines_;
  std::unordered_map<std::uint64_t, std::uint32_t> by_id_;  // loop call id -> index in calls_
  std::unordered_map<std::uint64_t, std::string> notes_;    // loop call id -> batched name and bucket
  std::unordered_map<std::string, std::uint64_t> batched_counts_;
};

}  // namespace txaio::sim
