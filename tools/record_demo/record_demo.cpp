// txaio-record-demo: records a real Boost.Asio workload with sim::Recorder and replays it on
// the virtual clock, to show where production timing and the model differ.
//
// The workload: 1,000 connections open 0.5 ms apart; each sends a ping and arms a 500 ms
// timeout on a batched timer (100 ms buckets, 50 calls per chunk). Most peers answer within
// 450 ms (the answer cancels the timeout), some answer too late, some never do (the timeout
// closes the connection). It takes about a second and a half of real time.
//
// The recording is a scenario whose expectations are what really happened. Replayed exactly,
// it differs from the model at once: real timers fire a little late. The demo prints how late,
// then replays with a tolerance above that, and writes both the scenario and an HTML report.
#include <boost/asio/io_context.hpp>
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "txaio/asio_loop.hpp"
#include "txaio/batched_timer.hpp"
#include "txaio/replay/cli.hpp"
#include "txaio/replay/replay.hpp"
#include "txaio/sim/recorder.hpp"

namespace {

using namespace std::chrono_literals;

constexpr int connections = 1000;

// A small fixed PRNG: the same workload every run (only the real timing varies).
struct Lcg {
  std::uint64_t state;
  std::uint64_t below(std::uint64_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % n;
  }
};

struct Stats {
  int answered = 0;
  int timed_out = 0;
  int late_answers = 0;
};

std::string ms(std::int64_t ns) { return fmt::format("{:.3f} ms", static_cast<double>(ns) / 1e6); }

}  // namespace

int main(int argc, char** argv) {
  std::string out_dir = ".";
  CLI::App app{"Records a real Asio workload (1,000 connections with ping timeouts on a batched timer) and "
               "replays it on the virtual clock.",
               "txaio-record-demo"};
  app.add_option("--out", out_dir, "Folder for record_demo.txs and record_demo.html")->type_name("DIR");
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(out_dir);
  const std::string scenario_path = (std::filesystem::path(out_dir) / "record_demo.txs").string();
  const std::string report_path = (std::filesystem::path(out_dir) / "record_demo.html").string();

  // --- The real run ----------------------------------------------------------------------
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  txaio::sim::Recorder recorder(loop, "txaio-record-demo, 1000 connections with ping timeouts on AsioLoop");
  auto timeouts = txaio::make_batched_timer(loop, 100ms, 50);
  recorder.watch(timeouts, "timeout");

  Lcg rng{2026};
  Stats stats;
  std::vector<txaio::BatchedCall> timeout_of(connections);
  std::vector<bool> open(connections, false);
  const auto wall_start = std::chrono::steady_clock::now();
  for (int c = 0; c < connections; ++c) {
    const std::uint64_t fate = rng.below(100);  // < 75 answers in time, < 80 too late, else never
    const auto answer_after = std::chrono::milliseconds(fate < 75 ? 10 + rng.below(440) : 550 + rng.below(250));
    loop.call_later(std::chrono::microseconds(500 * c), [&, c, fate, answer_after] {
      open[c] = true;
      timeout_of[c] = timeouts.call_later(500ms, [&, c] {
        open[c] = false;  // the peer did not answer: close
        ++stats.timed_out;
      });
      if (fate < 80) {
        loop.call_later(answer_after, [&, c] {
          if (!open[c]) {
            ++stats.late_answers;  // the timeout closed it first
            return;
          }
          timeout_of[c].cancel();
          ++stats.answered;
        });
      }
    });
  }
  io.run();
  recorder.stop();
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  {
    std::ofstream file(scenario_path);
    recorder.write(file);
  }
  std::cout << fmt::format(
      "Real run on AsioLoop: {} connections in {:.2f} s: {} answered in time, {} timed out ({} of them answered "
      "late).\nRecorded {} loop timers and {} events to {}\n\n",
      connections, wall_s, stats.answered, stats.timed_out, stats.late_answers, recorder.call_count(),
      recorder.event_count(), scenario_path);

  // --- How late was production? Model time vs real time for each call that ran ----------
  std::ifstream in(scenario_path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const txaio::replay::Verdict exact = txaio::replay::replay_text(text, scenario_path, {});
  std::map<std::string, std::int64_t> model_time;
  for (const auto& e : exact.compared) model_time.emplace(e.id, e.time_ns);
  std::vector<std::int64_t> late;
  std::size_t missing_in_model = 0;
  for (const auto& x : exact.scenario->expects) {
    const auto it = model_time.find(x.event.id);
    if (it == model_time.end()) {
      ++missing_in_model;
    } else {
      late.push_back(x.event.time_ns - it->second);
    }
  }
  std::sort(late.begin(), late.end());
  if (!late.empty()) {
    auto pct = [&](double p) { return late[static_cast<std::size_t>(p * static_cast<double>(late.size() - 1))]; };
    std::cout << fmt::format(
        "Real fire time minus model fire time over {} timers: median {}, p99 {}, max {}; {} ran in production "
        "but not in the model.\n\n",
        late.size(), ms(pct(0.5)), ms(pct(0.99)), ms(late.back()), missing_in_model);
  }

  // --- Replays, with the command-line tool's own code ------------------------------------
  const std::int64_t max_late = late.empty() ? 0 : std::max<std::int64_t>(late.back(), 0);
  const std::string tight = "100us";
  const std::string loose = fmt::format("{}ms", max_late / 1'000'000 + 2);  // the worst lateness, rounded up, plus 1 ms
  std::cout << "$ txaio-replay --tolerance " << tight << " " << scenario_path << "\n";
  const std::vector<std::string> tight_args = {"--tolerance", tight, scenario_path};
  const int tight_code = txaio::replay::run_cli(tight_args, std::cout, std::cerr);
  std::cout << "(exit " << tight_code << ": the model fires every timer exactly on time; production does not)\n\n";
  std::cout << "$ txaio-replay --tolerance " << loose << " --report " << report_path << " " << scenario_path << "\n";
  const std::vector<std::string> loose_args = {"--tolerance", loose, "--report", report_path, scenario_path};
  const int loose_code = txaio::replay::run_cli(loose_args, std::cout, std::cerr);
  std::cout << "(exit " << loose_code << (loose_code == 0 ? ": within the slop, production and the model agree on every event)\n"
                                                          : ": beyond the slop, production still differs: events ran in another order)\n");
  return 0;
}
