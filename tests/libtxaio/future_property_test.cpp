// Model-based property of futures on sim::Loop, under both dispatch policies (the model is in
// future_model.hpp; the same model runs on AsioLoop in future_asio_test.cpp).
#include "txaio/future.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <chrono>

#include "future_model.hpp"
#include "txaio/logging.hpp"
#include "txaio/sim/loop.hpp"

namespace {

using namespace std::chrono_literals;
using namespace txaio::test::future_model;

/// Silences txaio's logger (the properties report many exceptions on purpose).
class QuietLogs {
public:
  QuietLogs() : previous_(txaio::get_global_log_level()) { txaio::set_global_log_level(txaio::LogLevel::none); }
  QuietLogs(const QuietLogs&) = delete;
  QuietLogs& operator=(const QuietLogs&) = delete;
  ~QuietLogs() { txaio::set_global_log_level(previous_); }

private:
  txaio::LogLevel previous_;
};

/// Runs what is ready; sim::Loop rethrows each reported exception from one advance call.
int drain_sim(txaio::sim::Loop& loop) {
  int reported = 0;
  for (int attempt = 0; attempt < 100'000; ++attempt) {
    try {
      loop.advance(0s);
      return reported;
    } catch (const PairError&) {
      ++reported;
    } catch (const CancellerError&) {
      ++reported;
    }
  }
  RC_FAIL("sim::Loop kept throwing");
}

void check_model(bool immediate) {
  QuietLogs quiet;
  txaio::sim::Loop loop(txaio::sim::Options{.dispatch = immediate ? txaio::Dispatch::immediate
                                                                  : txaio::Dispatch::scheduled});
  Sut sut;
  sut.loop = &loop;
  sut.drain = [&loop] { return drain_sim(loop); };
  Model initial;
  initial.immediate = immediate;
  sut.last = initial;
  rc::state::check(initial, sut, commands());

  // Afterwards everything runs, and the rejected futures nobody handled are reported when
  // their last handle goes away: exactly those.
  Run().run(sut.last, sut);
  const int unhandled = expected_unhandled(sut.last);
  sut.futures.clear();
  RC_ASSERT(loop.unhandled_failures() == static_cast<std::size_t>(unhandled));
  RC_ASSERT(loop.idle());
}

RC_GTEST_PROP(FutureModel, ScheduledDispatchMatchesTheModel, ()) { check_model(false); }

RC_GTEST_PROP(FutureModel, ImmediateDispatchMatchesTheModel, ()) { check_model(true); }

}  // namespace
