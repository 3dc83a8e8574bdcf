#include "txaio/testutil/detail/event_trace.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "txaio/detail/time_text.hpp"

namespace txaio::testutil::detail {
std::string format_seconds(nanoseconds t) { return txaio::detail::format_seconds_unit(t.count()); }

std::string describe(const TraceEvent& e) {
  std::string text =
      fmt::format("{} of call {} (due {}) at {}", to_string(e.kind), e.id, format_seconds(e.due), format_seconds(e.time));
  if (!e.message.empty()) text += fmt::format(": {}", e.message);
  return text;
}

void EventTrace::on_event(const Event& event) {
  events.push_back(TraceEvent{event.kind, event.time, event.due, event.id, std::string(event.message)});
}

std::optional<std::string> first_difference(const std::vector<TraceEvent>& a, const std::vector<TraceEvent>& b) {
  const auto [ia, ib] = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  if (ia == a.end() && ib == b.end()) return std::nullopt;
  const auto index = static_cast<std::size_t>(ia - a.begin());
  return fmt::format("event #{}: first run: {}; second run: {}", index + 1,
                     ia == a.end() ? std::string("(no more events)") : describe(*ia),
                     ib == b.end() ? std::string("(no more events)") : describe(*ib));
}

}  // namespace txaio::testutil::detail
