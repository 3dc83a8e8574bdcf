// txaio-demo: the same timer program on the virtual clock and on a real io_context.
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "txaio/sim.hpp"
#include "txaio/txaio.hpp"

namespace {

using namespace std::chrono_literals;

// A library-style routine written once against txaio::Api: three pings, one cancelled.
std::vector<std::string> ping_program(txaio::Api api) {
  auto log = std::make_shared<std::vector<std::string>>();
  auto note = [log, api](const char* what) {
    log->push_back(std::string(what) + " at " + std::to_string(api.now().count() / 1'000'000) + " ms");
  };
  api.call_later(30ms, note, "ping 3");
  api.call_later(10ms, note, "ping 1");
  auto doomed = api.call_later(20ms, note, "ping 2 (cancelled)");
  api.call_later(0.015, [doomed]() mutable { doomed.cancel(); });
  api.call_soon(note, "started");
  return {};  // results arrive through `log`; see run_* below
}

}  // namespace

int main() {
  // Virtual time: exact, instant, reproducible.
  txaio::sim::Loop sim;
  std::vector<std::string> sim_log;
  {
    txaio::Api api = txaio::with_config(sim);
    api.call_later(30ms, [&] { sim_log.push_back("ping 3 at " + std::to_string(sim.now() / 1ms) + " ms"); });
    api.call_later(10ms, [&] { sim_log.push_back("ping 1 at " + std::to_string(sim.now() / 1ms) + " ms"); });
    auto doomed = api.call_later(20ms, [&] { sim_log.push_back("ping 2 (never)"); });
    api.call_later(0.015, [doomed]() mutable { doomed.cancel(); });
    sim.run_until_idle();
  }
  std::printf("sim::Loop (virtual time):\n");
  for (const auto& line : sim_log) std::printf("  %s\n", line.c_str());

  // Real time on Boost.Asio: same order, real (approximate) times.
  boost::asio::io_context io;
  txaio::Loop& loop = txaio::use_asio(io);
  std::vector<std::string> real_log;
  txaio::call_later(30ms, [&] { real_log.push_back("ping 3"); });
  txaio::call_later(10ms, [&] { real_log.push_back("ping 1"); });
  auto doomed = txaio::call_later(20ms, [&] { real_log.push_back("ping 2 (never)"); });
  txaio::call_later(0.015, [doomed]() mutable { doomed.cancel(); });
  io.run();
  std::printf("AsioLoop (real time, %zu timers left):\n", loop.pending_timers());
  for (const auto& line : real_log) std::printf("  %s\n", line.c_str());
  (void)ping_program;
  return sim_log.size() == 2 && real_log.size() == 2 ? 0 : 1;
}
