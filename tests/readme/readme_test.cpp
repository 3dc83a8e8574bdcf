// The README's examples, compiled and run as written.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <txaio/sim.hpp>
#include <txaio/testutil.hpp>

#include <vector>

namespace {

using namespace std::chrono_literals;

TEST(Readme, PitchExample) {
  txaio::Loop* previous = txaio::detail::exchange_default_loop(nullptr);
  {
    // --- README ---
    txaio::sim::Loop loop;                      // virtual time, starts at 0
    txaio::use_loop(loop);                      // or txaio::use_asio(io_context) in production
    std::vector<int> fired;
    txaio::call_later(2s, [&] { fired.push_back(2); });
    auto doomed = txaio::call_later(1s, [&] { fired.push_back(1); });
    txaio::call_later(0.5, [&] { doomed.cancel(); });   // delays: any duration or double seconds
    loop.advance(5s);                           // runs due calls in order, instantly
    // --- end ---
    EXPECT_TRUE(fired == std::vector<int>{2} && loop.now() == 5s);
  }
  txaio::detail::exchange_default_loop(previous);
}

// --- README ---
txaio::Future<int> answer(txaio::Api api, txaio::Future<int> question) {  // runs on api's loop
  co_await api.sleep(1s);                   // virtual time under sim::Loop
  int v = co_await question;                // the value, or the future's exception thrown
  co_return v + 1;                          // an escaping exception rejects the future
}
// --- end ---

TEST(Readme, CoroutineExample) {
  // --- README ---
  txaio::sim::Loop loop;
  txaio::Api api = txaio::with_config(loop);
  txaio::Future<int> question = api.create_future<int>();
  txaio::Future<int> g = answer(api, question);   // runs inline up to its first co_await
  txaio::resolve(question, 41);
  loop.advance(1s);
  // --- end ---
  EXPECT_TRUE(loop.run_until_complete(g) == 42 && loop.now() == 1s);
}

// --- README ---
class Pinger : public txaio::testutil::SimTest {};
TEST_F(Pinger, TimesOut) {
  auto f = txaio::sleep(5s);
  loop_.advance(5s);
  EXPECT_THAT(f, txaio::testutil::is_resolved());
}
// --- end ---

TEST_F(Pinger, NotBeforeItsTime) {
  auto f = txaio::sleep(5s);
  loop_.advance(4s);
  EXPECT_THAT(f, txaio::testutil::is_pending());
}

// The property example's Connector: the peer answers after `latency`; an answer that comes
// after the timeout still connects.
class Connector {
public:
  Connector(txaio::nanoseconds latency, txaio::nanoseconds timeout) {
    txaio::call_later(latency, [this] {
      connected_ = true;
      deadline_.cancel();
    });
    deadline_ = txaio::call_later(timeout, [this] { ++timeouts_; });
  }
  bool connected() const { return connected_; }

private:
  bool connected_ = false;
  int timeouts_ = 0;
  txaio::DelayedCall deadline_;
};

// --- README ---
TEST(Connector, ConnectsWhenThePeerAnswersInTime) {
  txaio::testutil::check_schedules([](txaio::sim::Loop& loop) {
    Connector c(*txaio::testutil::gen::delay(2s), 2s);   // latency up to the timeout
    loop.advance(60s);
    RC_ASSERT(c.connected());
  });
}
// --- end ---

}  // namespace
