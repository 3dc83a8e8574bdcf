#pragma once
// A fixture that captures txaio's log lines, starting and ending each test from logging's
// initial state (default sink, level info, not started, no categories).

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "txaio/logging.hpp"

namespace txaio::test {

/// Every line a sink received, with its level and namespace.
struct CapturedLine {
  LogLevel level;
  std::chrono::system_clock::time_point time;
  std::string log_namespace;
  std::string message;
  std::string text;
};

class LogCapture : public ::testing::Test {
protected:
  LogCapture() {
    detail::reset_logging();
    set_log_sink([this](const LogLine& line) {
      std::lock_guard lock(mutex_);
      captured_.push_back(CapturedLine{line.level, line.time, std::string(line.log_namespace), std::string(line.message),
                                       std::string(line.text)});
    });
  }
  ~LogCapture() override { detail::reset_logging(); }

  /// The messages captured so far (no timestamps).
  std::vector<std::string> messages() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const CapturedLine& line : captured_) out.push_back(line.message);
    return out;
  }
  /// Everything the sink received, concatenated.
  std::string text() const {
    std::lock_guard lock(mutex_);
    std::string out;
    for (const CapturedLine& line : captured_) out += line.text;
    return out;
  }
  std::vector<CapturedLine> lines() const {
    std::lock_guard lock(mutex_);
    return captured_;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    captured_.clear();
  }

private:
  mutable std::mutex mutex_;
  std::vector<CapturedLine> captured_;
};

}  // namespace txaio::test
