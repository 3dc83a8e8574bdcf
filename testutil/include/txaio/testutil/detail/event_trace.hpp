#pragma once
/// A loop's events as values, for `check_schedules`' determinism check.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "txaio/loop.hpp"

namespace txaio::testutil::detail {

/// One loop event with its message copied.
struct TraceEvent {
  EventKind kind;
  nanoseconds time;
  nanoseconds due;
  std::uint64_t id;
  std::string message;

  friend bool operator==(const TraceEvent&, const TraceEvent&) = default;
};

/// "5s", "0.005s": a virtual time exactly, as the loop's own messages write it.
std::string format_seconds(nanoseconds t);

/// "fire of call 3 (due 0.005s) at 0.005s".
std::string describe(const TraceEvent& event);

/// Records every event of the loops it observes.
class EventTrace final : public Observer {
public:
  void on_event(const Event& event) override;
  std::vector<TraceEvent> events;
};

/// Names the first event where `a` and `b` differ ("event #4: first run: ...; second run:
/// ..."), or nothing when they are equal.
std::optional<std::string> first_difference(const std::vector<TraceEvent>& a, const std::vector<TraceEvent>& b);

}  // namespace txaio::testutil::detail
