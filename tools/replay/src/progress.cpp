#include "progress.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <string>

namespace txaio::replay::detail {

Progress::Progress(std::ostream& err, bool enabled, std::size_t total_units, std::size_t files)
    : err_(err), total_units_(std::max<std::size_t>(total_units, 1)), files_(files) {
  if (enabled) thread_ = std::thread([this] { loop(); });
}

void Progress::print(std::ostream& out, std::string_view text) {
  std::lock_guard lock(mutex_);
  if (drawn_) {
    err_ << "\r\033[K" << std::flush;
    drawn_ = false;
  }
  out << text << std::flush;
}

void Progress::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
  std::lock_guard lock(mutex_);
  if (drawn_) err_ << "\r\033[K" << std::flush;
  drawn_ = false;
}

void Progress::loop() {
  const auto start = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  while (!cv_.wait_for(lock, std::chrono::milliseconds(100), [this] { return stopping_; })) {
    if (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(500)) continue;
    const double frac = std::min(1.0, static_cast<double>(units_.load()) / static_cast<double>(total_units_));
    constexpr int width = 30;
    const int filled = static_cast<int>(frac * width);
    err_ << fmt::format("\r\033[K[{}{}] {:3.0f}%  {}/{} scenarios", std::string(static_cast<std::size_t>(filled), '#'),
                        std::string(static_cast<std::size_t>(width - filled), '.'), frac * 100, files_done_.load(),
                        files_)
         << std::flush;
    drawn_ = true;
  }
}

}  // namespace txaio::replay::detail
