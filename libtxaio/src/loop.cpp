#include "txaio/loop.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "txaio/errors.hpp"

namespace txaio {

namespace detail {
void throw_bad_seconds(double seconds, const char* what) {
  throw std::invalid_argument(std::string(what) + ": " + std::to_string(seconds) + " is not a number of seconds");
}
}  // namespace detail

nanoseconds seconds_to_ns(double seconds, const char* what) {
  if (std::isnan(seconds)) detail::throw_bad_seconds(seconds, what);
  const double ns = std::round(seconds * 1e9);
  if (ns >= 9.2233720368547758e18) return nanoseconds::max();
  if (ns <= -9.2233720368547758e18) return nanoseconds::min();
  return nanoseconds(static_cast<std::int64_t>(ns));
}

std::string_view to_string(EventKind kind) noexcept {
  switch (kind) {
    case EventKind::schedule: return "schedule";
    case EventKind::cancel: return "cancel";
    case EventKind::fire: return "fire";
    case EventKind::error: return "error";
    case EventKind::done: return "done";
  }
  return "?";
}

Loop::~Loop() = default;

std::chrono::system_clock::time_point Loop::wall_now() const noexcept { return std::chrono::system_clock::now(); }

void Loop::add_observer(Observer& observer) { observers_.push_back(&observer); }

void Loop::remove_observer(Observer& observer) noexcept { std::erase(observers_, &observer); }

void Loop::notify(const Event& event) noexcept {
  for (Observer* o : observers_) {
    try {
      o->on_event(event);
    } catch (...) {
      // An observer must not break the loop it watches.
    }
  }
}

static std::string join_messages(const std::vector<std::string>& messages) {
  std::string out = std::to_string(messages.size()) + (messages.size() == 1 ? " call failed" : " calls failed");
  for (const std::string& m : messages) out += "\n  " + m;
  return out;
}

BatchError::BatchError(std::vector<std::string> messages)
    : std::runtime_error(join_messages(messages)), messages_(std::move(messages)) {}

}  // namespace txaio
