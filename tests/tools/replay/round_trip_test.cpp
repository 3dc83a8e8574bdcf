// Record → replay, as a property: random programs on sim::Loop, recorded by sim::Recorder,
// replay exactly (no tolerance) with txaio-replay: through the library, through --update
// (the rewritten file still passes) and --check-determinism, and as the real program.
#include "txaio/replay/replay.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "process.hpp"
#include "txaio/batched_timer.hpp"
#include "txaio/replay/update.hpp"
#include "txaio/sim/loop.hpp"
#include "txaio/sim/recorder.hpp"

namespace {

using namespace std::chrono_literals;
using txaio::replay::Status;

// A random program: plain and batched calls due on a coarse grid (so many are due at the
// same instant), callbacks that raise, cancel and schedule other calls, cancels and
// advances between them. Every choice is drawn as the program runs.
class Program {
public:
  Program(txaio::sim::Loop& loop, txaio::sim::Recorder& recorder) : loop_(loop) {
    const int timers = *rc::gen::inRange(0, 3);
    for (int b = 0; b < timers; ++b) {
      const auto bucket = std::chrono::milliseconds(*rc::gen::element(1, 2, 5, 10));
      const auto chunk = *rc::gen::inRange<std::int64_t>(1, 4);
      const auto rounding = *rc::gen::element(txaio::BatchRounding::down, txaio::BatchRounding::never_early);
      batched_.push_back(txaio::make_batched_timer(loop, bucket, chunk, rounding));
      if (*rc::gen::arbitrary<bool>()) recorder.watch(batched_.back(), "T" + std::to_string(b));  // else B1, B2, ...
    }
  }

  void step() {
    switch (*rc::gen::inRange(0, 7)) {
      case 0:
      case 1:
      case 2: schedule(2); break;
      case 3: cancel_one(); break;
      case 4: loop_.call_soon([this] { cancel_one(); }); break;  // runs first in the next advance
      default: advance(); break;
    }
  }

  // Advances, carrying on past the exceptions callbacks raise (they are part of the run).
  void advance_to(txaio::nanoseconds t) {
    for (int attempts = 0; attempts < 10'000; ++attempts) {
      try {
        loop_.advance_to(t);
        return;
      } catch (const std::exception&) {
      }
    }
    RC_FAIL("advance did not settle");
  }

private:
  void advance() {
    const auto d = std::chrono::milliseconds(*rc::gen::element(0, 0, 1, 3, 10, 25));
    advance_to(loop_.now() + d);
  }

  void schedule(int depth) {
    const auto delay = std::chrono::milliseconds(*rc::gen::inRange(0, 8) * 5);
    if (!batched_.empty() && *rc::gen::inRange(0, 3) == 0) {
      auto& timer = batched_[*rc::gen::inRange<std::size_t>(0, batched_.size())];
      batched_calls_.push_back(timer.call_later(delay, [this, depth] { on_call(depth, false); }));
    } else {
      calls_.push_back(loop_.call_later(delay, [this, depth] { on_call(depth, true); }));
    }
  }

  void cancel_one() {
    if (!batched_calls_.empty() && *rc::gen::arbitrary<bool>()) {
      batched_calls_[*rc::gen::inRange<std::size_t>(0, batched_calls_.size())].cancel();
    } else if (!calls_.empty()) {
      calls_[*rc::gen::inRange<std::size_t>(0, calls_.size())].cancel();
    }
  }

  // A callback's ops: made in the callback, or (for a plain call) in `call_soon` work it
  // posts, as a future's callbacks or a resumed coroutine would make them.
  void on_call(int depth, bool plain) {
    const int actions = *rc::gen::inRange(0, 3);
    for (int a = 0; a < actions; ++a) {
      if (plain && *rc::gen::inRange(0, 4) == 0) {
        loop_.call_soon([this, depth] { act(depth); });
      } else {
        act(depth);
      }
    }
    if (*rc::gen::inRange(0, 5) == 0) throw std::runtime_error("raised at depth " + std::to_string(depth));
  }

  void act(int depth) {
    if (*rc::gen::arbitrary<bool>()) {
      cancel_one();  // possibly a call due at this very instant
    } else if (depth > 0) {
      schedule(depth - 1);
    }
  }

  txaio::sim::Loop& loop_;
  std::deque<txaio::BatchedTimer> batched_;
  std::deque<txaio::DelayedCall> calls_;
  std::deque<txaio::BatchedCall> batched_calls_;
};

// Runs a random program on a fresh loop and returns its recording.
std::string record_random_program() {
  txaio::sim::Options options;
  options.seed = *rc::gen::inRange<std::uint64_t>(0, 1000);
  options.ties = *rc::gen::element(txaio::sim::Ties::fifo, txaio::sim::Ties::lifo, txaio::sim::Ties::random);
  txaio::sim::Loop loop(options);
  txaio::sim::Recorder recorder(loop, "round trip");
  {
    Program program(loop, recorder);
    const int steps = *rc::gen::inRange(1, 80);
    for (int s = 0; s < steps; ++s) program.step();
    program.advance_to(loop.now() + 1s);
    recorder.stop();
  }
  return recorder.str();
}

RC_GTEST_PROP(RoundTrip, RecordedSimLoopRunsReplayExactly, ()) {
  const std::string text = record_random_program();
  txaio::replay::ReplayOptions options;
  options.check_determinism = true;
  const auto outcome = txaio::replay::replay_text(text, "recorded.txs", options);
  RC_LOG() << text << outcome.message << outcome.comparison.report;
  RC_ASSERT(outcome.status == Status::passed);
  RC_TAG(outcome.scenario->causal_ops.empty() ? "no causal ops" : "causal ops");
  RC_TAG(outcome.scenario->batched.empty() ? "plain only" : "batched");

  // --update rewrites the expect lines from what it observed: the file still passes.
  const std::string updated = txaio::replay::rewrite_expectations(text, *outcome.scenario, outcome.compared, 0);
  RC_ASSERT(updated == text);  // nothing to change: the recording was already exact
  RC_ASSERT(txaio::replay::replay_text(updated, "updated.txs", {}).status == Status::passed);
}

// The same through the real program, as a user would run it: record, replay, --update,
// --check-determinism.
TEST(RoundTrip, TheProgramReplaysARecordingExactly) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "txaio_round_trip_test";
  std::filesystem::create_directories(dir);
  txaio::sim::Loop loop(txaio::sim::Options{7, txaio::sim::Ties::random});
  txaio::sim::Recorder recorder(loop, "program round trip");
  auto batched = txaio::make_batched_timer(loop, 5ms, 2);
  recorder.watch(batched, "B");
  std::vector<txaio::DelayedCall> calls;
  for (int i = 0; i < 40; ++i) {
    calls.push_back(loop.call_later(std::chrono::milliseconds(i % 4 * 10), [&, i] {
      if (i % 3 == 0) calls[static_cast<std::size_t>((i + 4) % 40)].cancel();  // often due at this instant
      if (i % 5 == 0) batched.call_later(std::chrono::milliseconds(i % 7), [] {});
    }));
  }
  loop.advance(1s);
  recorder.stop();
  const std::string path = (dir / "recorded.txs").string();
  std::ofstream(path) << recorder.str();
  const std::string exe = shell_quote(TXAIO_REPLAY_EXE);
  EXPECT_EQ(run_command(exe + " --check-determinism " + shell_quote(path)).exit_code, 0)
      << recorder.str();
  EXPECT_EQ(run_command(exe + " --update " + shell_quote(path)).exit_code, 0);
  std::ifstream in(path);
  const std::string updated((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(updated, recorder.str());
  EXPECT_EQ(run_command(exe + " --ties random --seed 7 " + shell_quote(path)).exit_code, 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
