#pragma once
/// `txaio::sim::Recorder`: writes a loop's timer events as a scenario (`*.txs`), so that a run
/// on any loop, `AsioLoop` included, can be replayed on the virtual clock by `txaio-replay`.
///
///     txaio::AsioLoop loop(io);
///     txaio::sim::Recorder recorder(loop);
///     recorder.watch(pings, "ping");        // a batched timer's name (else B1, B2, ...)
///     recorder.name_next("connect");         // the next call is called "connect", not t1
///     ... io.run();
///     recorder.stop();
///     std::ofstream("run.txs") << recorder.str();
///
/// What is written (docs/recording.md):
/// - every `call_later` as `at <t> call_later <id> <delay>` (a batched timer's with
///   `via=<name>`, after a `batched` line declaring the timer), every cancel of a pending call as `at <t> cancel <id>`; an op made at the
///   instant of the previous one with no callback run in between as `and <op>` (replayed
///   without advancing the loop between the two);
/// - an op made inside a recorded call's callback as `on <parent> <op>`: it is replayed inside
///   that callback, at the same point of the instant (not after everything due then);
/// - what happened, as the expectations: `expect <t> fire <id>`, or `expect <t> error <id>
///   <message>` for a callback that threw (its call then gets `raise=<message>`);
/// - `run <t>` at the time recording stopped, so calls that never ran are not expected to;
/// - for a `sim::Loop`, its `seed` and `ties`.
/// Times are measured from the recorder's start, exactly to the nanosecond. So the recording
/// of a `sim::Loop` run started on a fresh loop replays exactly (no tolerance); an
/// `AsioLoop` recording differs on replay only by the loop's lateness.
///
/// Not replayed (written as comments): errors outside any call (a `BatchError`'s summary:
/// its calls' errors are recorded one by one), and events of calls scheduled before
/// recording started.
///
/// Ops made by `call_soon` work (a future's callbacks, a resumed coroutine) on a `sim::Loop`
/// are written as `on` ops of the recorded call whose callback posted the work
/// (`sim::Loop::cause`): the loop runs such work right after that callback, before any other
/// call. On other loops, and for work a batched call's callback posted (it runs after the
/// whole chunk), they are `at` ops at their instant.

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "txaio/batched_timer.hpp"
#include "txaio/loop.hpp"
#include "txaio/scenario.hpp"

namespace txaio::sim {

class Loop;

class Recorder final : public txaio::Observer {
public:
  /// Chooses the id of a call from its `schedule` event; an empty name means the default
  /// (`t<n>`). Names are made valid ids (other characters become `_`) and unique (a repeated
  /// name gets `.2`, `.3`, ...).
  using Namer = std::function<std::string(const txaio::Event& schedule)>;

  /// Starts recording `loop`'s events; scenario time 0 is `loop.now()` now. `title` goes into
  /// the file's leading comment.
  explicit Recorder(txaio::Loop& loop, std::string title = {});
  /// Stops recording (the recorder must not outlive its loop while recording).
  ~Recorder() override;
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  /// Names `timer` in the scenario (`batched <name> bucket=... chunk=...`, its calls with
  /// `via=<name>`). Optional: every batched timer's calls are recorded one by one, and a
  /// timer not named is declared as `B1`, `B2`, ... when its first call is scheduled. Names
  /// are made valid and unique as call names are.
  void watch(const BatchedTimer& timer, std::string_view name);

  /// The id of the next call scheduled (plain or batched), instead of the naming hook's.
  void name_next(std::string_view name);
  /// Sets the naming hook (an empty function restores the default names).
  void set_namer(Namer namer);

  /// Stops recording; the scenario's `run` time is the loop time now. Idempotent.
  void stop() noexcept;

  /// The recording as a scenario model (what `str` writes with `scenario::write_scenario`).
  scenario::Scenario model() const;
  /// The scenario text.
  std::string str() const;
  void write(std::ostream& out) const;

  /// Calls recorded (the batched timers' own loop timers are not calls), lines recorded.
  std::size_t call_count() const noexcept;
  std::size_t event_count() const noexcept { return lines_.size(); }

  void on_event(const txaio::Event& event) override;

private:
  static constexpr std::uint32_t none = 0xffffffffu;

  struct Call {
    std::string name;  // chosen at schedule time; empty: t<n>, assigned when written
    std::int64_t delay_ns = 0;
    std::uint32_t via = none;  // index into batched_
    std::string raise;
    bool raised = false;
    bool internal = false;  // a batched timer's own loop timer: not written
    bool named_next = false;
  };
  struct Batched {
    std::string name;
    std::int64_t bucket_ns;
    std::int64_t chunk;
    bool never_early;
  };
  enum class LineKind : std::uint8_t { call_later, cancel, fire, error, comment };
  struct Line {
    LineKind kind;
    std::int64_t time_ns;
    std::uint32_t call;
    std::uint32_t parent;  // the call whose callback made the op; none: an `at` op
    std::string text;      // error message or comment
    std::uint64_t fires;   // callbacks started before it (ops with none between are `and` ops)
  };

  std::int64_t rel(nanoseconds t) const noexcept;
  std::optional<std::uint32_t> find(const txaio::Event& e) const;
  std::uint32_t batched_of(std::uint64_t id, const BatchedSettings& settings);
  std::string unique_batched_name(const std::string& base) const;
  void on_schedule(const txaio::Event& e);
  void on_bucket_timer(const txaio::Event& e);
  void on_op(LineKind kind, const txaio::Event& e);
  void add_op(LineKind kind, const txaio::Event& e, std::uint32_t index);
  void on_fire(const txaio::Event& e);
  void on_done(const txaio::Event& e);
  std::uint32_t posted_by() const;
  void on_error(const txaio::Event& e);
  void comment(std::int64_t t, std::string text);
  std::vector<std::string> final_names() const;
  void add_settings(scenario::Scenario& sc) const;
  void add_ops(scenario::Scenario& sc, const std::vector<std::uint32_t>& index) const;
  void add_expects(scenario::Scenario& sc, const std::vector<std::uint32_t>& index) const;

  txaio::Loop* loop_;
  const sim::Loop* sim_;  // loop_ when it is a sim::Loop (seed, ties, cause), else nullptr
  std::string title_;
  std::int64_t origin_ns_;
  std::int64_t end_ns_ = -1;
  std::int64_t last_op_ns_ = 0;
  bool recording_ = true;
  std::uint64_t fires_ = 0;  // fire events seen
  std::string next_name_;
  Namer namer_;
  std::vector<Batched> batched_;
  std::unordered_map<std::uint64_t, std::uint32_t> batched_index_;  // BatchedTimer::id() -> index
  std::vector<Call> calls_;
  std::vector<Line> lines_;
  std::unordered_map<std::uint64_t, std::uint32_t> loop_ids_;  // loop call id -> index in calls_
  std::vector<std::unordered_map<std::uint64_t, std::uint32_t>> batched_ids_;  // per batched timer
  std::vector<std::uint32_t> running_;  // calls whose callbacks are running, innermost last
  std::vector<std::size_t> running_lines_;  // their fire lines
  std::size_t internal_count_ = 0;
};

}  // namespace txaio::sim
