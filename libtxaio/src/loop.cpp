#include "txaio/loop.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "txaio/config.hpp"
#include "txaio/errors.hpp"

namespace txaio {

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

Loop::~Loop() {
  destroy_coroutines();
  detail::forget_default_loop(this);
}

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
