#include "txaio/detail/report.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "log_capture.hpp"
#include "txaio/asio_loop.hpp"
#include "txaio/errors.hpp"
#include "txaio/failure.hpp"
#include "txaio/logging.hpp"

namespace {

using namespace std::chrono_literals;
using txaio::LogLevel;
using ReportTest = txaio::test::LogCapture;

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

TEST_F(ReportTest, ExceptionEscapingAnAsioCallbackIsLoggedAtErrorLevelAndTheLoopGoesOn) {
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  std::vector<std::string> ran;
  loop.call_soon([] { throw std::runtime_error("boom"); });
  loop.call_soon([&] { ran.push_back("soon after"); });
  loop.call_later(0ms, [] { throw std::out_of_range("late boom"); });
  loop.call_later(0ms, [&] { ran.push_back("timer after"); });
  io.run();

  EXPECT_EQ(ran, (std::vector<std::string>{"soon after", "timer after"}));
  const auto got = lines();
  ASSERT_EQ(got.size(), 2U);
  EXPECT_EQ(got[0].level, LogLevel::error);
  EXPECT_EQ(got[0].log_namespace, "txaio");
  EXPECT_EQ(got[0].message, "Unhandled exception in a call_soon callback: std::runtime_error: boom");
  EXPECT_EQ(got[1].level, LogLevel::error);
  EXPECT_EQ(got[1].message, "Unhandled exception in a call_later callback: std::out_of_range: late boom");
}

TEST_F(ReportTest, AtDebugLevelTheTracebackFollowsAtDebugLevel) {
  txaio::set_global_log_level(LogLevel::debug);
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  loop.call_soon([] { throw std::runtime_error("boom"); });
  io.run();
  const auto got = lines();
  ASSERT_EQ(got.size(), 2U);
  EXPECT_EQ(got[0].level, LogLevel::error);
  EXPECT_EQ(got[1].level, LogLevel::debug);
  EXPECT_TRUE(starts_with(got[1].message, "std::runtime_error: boom\n")) << got[1].message;
}

TEST_F(ReportTest, ANonStandardExceptionIsLoggedToo) {
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  bool after = false;
  loop.call_soon([] { throw 42; });
  loop.call_soon([&] { after = true; });
  io.run();
  EXPECT_TRUE(after);
  const auto got = lines();
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].level, LogLevel::error);
  EXPECT_TRUE(starts_with(got[0].message, "Unhandled exception in a call_soon callback: int")) << got[0].message;
}

TEST_F(ReportTest, BatchErrorReportedThroughTheAsioLoopIsLogged) {
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  loop.report_exception(
      std::make_exception_ptr(txaio::BatchError({"std::runtime_error: a", "std::logic_error: b"})),
      "a batched timer bucket");
  const auto got = lines();
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].level, LogLevel::error);
  EXPECT_EQ(got[0].message,
            "Unhandled exception in a batched timer bucket: txaio::BatchError: 2 calls failed\n"
            "  std::runtime_error: a\n"
            "  std::logic_error: b");
}

TEST_F(ReportTest, UnhandledFailureIsLoggedAtErrorWithTracebackAtDebug) {
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  const txaio::Failure failure = txaio::create_failure(std::runtime_error("it failed"));
  loop.report_unhandled_failure(failure);
  txaio::set_global_log_level(LogLevel::debug);
  loop.report_unhandled_failure(failure);
  const auto got = lines();
  ASSERT_EQ(got.size(), 3U);
  const std::string expected = "Unhandled error in a rejected future nobody handled: std::runtime_error: it failed";
  EXPECT_EQ(got[0].level, LogLevel::error);
  EXPECT_EQ(got[0].message, expected);
  EXPECT_EQ(got[1].level, LogLevel::error);
  EXPECT_EQ(got[1].message, expected);
  EXPECT_EQ(got[2].level, LogLevel::debug);
  EXPECT_EQ(got[2].message, txaio::failure_format_traceback(failure));
}

TEST_F(ReportTest, NothingIsLoggedWhenErrorsAreOff) {
  txaio::set_global_log_level(LogLevel::critical);
  txaio::detail::log_exception(std::make_exception_ptr(std::runtime_error("x")), "somewhere");
  txaio::detail::log_unhandled_failure(txaio::create_failure(std::runtime_error("y")));
  EXPECT_TRUE(lines().empty());
}

TEST_F(ReportTest, AnEmptyExceptionPointerIsStillReported) {
  EXPECT_NO_THROW(txaio::detail::log_exception(nullptr, "somewhere"));
  const auto got = lines();
  ASSERT_EQ(got.size(), 1U);
  EXPECT_EQ(got[0].level, LogLevel::error);
  EXPECT_TRUE(starts_with(got[0].message, "Unhandled exception in somewhere: ")) << got[0].message;
}

}  // namespace
