// Log calls and the heap: this executable replaces the global operator new to count
// allocations made by the calling thread.
#include "txaio/logging.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "log_capture.hpp"

namespace {
thread_local std::size_t t_allocations = 0;
}  // namespace

// GCC (with some sanitizers' inlining) mistakes the replaced pair below for a mismatched
// new / free; they are a matching malloc / free pair.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(std::size_t size) {
  ++t_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

using txaio::LogLevel;
using LoggingAllocTest = txaio::test::LogCapture;

TEST_F(LoggingAllocTest, ADisabledCallAllocatesNothing) {
  const txaio::Logger log = txaio::make_logger("alloc");
  txaio::add_log_categories({{"AL1", "{} {} {}"}});
  txaio::set_global_log_level(LogLevel::info);
  const std::string long_text(1000, 'x');
  const std::size_t before = t_allocations;
  for (int i = 0; i < 100; ++i) {
    log.debug("{} {} {}", i, long_text, 2.5);
    log.trace("{} {} {}", i, long_text, 2.5);
    log.emit(LogLevel::debug, "{x}", fmt::arg("x", long_text));
    log.debug(txaio::log_category("AL1"), i, long_text, 2.5);
  }
  EXPECT_EQ(t_allocations - before, 0U);
  EXPECT_TRUE(lines().empty());
}

TEST_F(LoggingAllocTest, AnEnabledShortLineAllocatesNothingInTheLogger) {
  // A sink that copies into a fixed buffer, so every allocation counted is the logger's.
  static char last[512];
  static std::size_t last_size = 0;
  txaio::set_log_sink([](std::string_view line) {
    last_size = std::min(line.size(), sizeof last);
    std::memcpy(last, line.data(), last_size);
  });
  const txaio::Logger log = txaio::make_logger("alloc");
  log.info("warm up");
  const std::size_t before = t_allocations;
  log.info("request {} took {} ms from {}", 42, 1.25, "10.0.0.1");
  EXPECT_EQ(t_allocations - before, 0U);
  const std::string line(last, last_size);
  EXPECT_NE(line.find(" request 42 took 1.25 ms from 10.0.0.1\n"), std::string::npos) << line;
}

}  // namespace
