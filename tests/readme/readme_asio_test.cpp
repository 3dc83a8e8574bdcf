// The README's Asio example, compiled and run as written (its own file: only it includes
// Asio's coroutine headers).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <txaio/asio.hpp>
#include <txaio/sim.hpp>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// --- README ---
asio::awaitable<int> answer_later() {
  txaio::steady_timer timer(co_await asio::this_coro::executor, 90s);
  co_await timer.async_wait(asio::use_awaitable);
  co_return 42;
}
// --- end ---

TEST(Readme, AsioExample) {
  // --- README ---
  txaio::sim::Loop loop;
  auto f = asio::co_spawn(txaio::asio_executor(loop), answer_later(), txaio::use_future);
  int answer = loop.run_until_complete(f);   // 42, instantly, with loop.now() == 90s
  // --- end ---
  EXPECT_EQ(answer, 42);
  EXPECT_EQ(loop.now(), 90s);
}

}  // namespace
