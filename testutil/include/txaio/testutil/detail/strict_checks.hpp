#pragma once
/// What the strict `SimTest` checks at tear-down: unhandled failures, and where the callbacks
/// that threw were scheduled.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "txaio/loop.hpp"
#include "txaio/sim/loop.hpp"

namespace txaio::testutil::detail {

/// Remembers when each pending call was scheduled, and describes every callback that threw:
/// "call 3, scheduled at virtual time 0s, due 5s, threw at virtual time
/// 5s: boom".
class CallbackErrorLog final : public Observer {
public:
  void on_event(const Event& event) override;
  const std::vector<std::string>& errors() const noexcept { return errors_; }

private:
  static constexpr std::size_t max_errors = 16;
  std::unordered_map<std::uint64_t, nanoseconds> scheduled_at_;
  std::uint64_t fired_id_ = 0;
  nanoseconds fired_scheduled_at_{0};
  std::vector<std::string> errors_;
};

/// Fails the running test when `loop` saw unhandled failures (unless `allow_unhandled`),
/// naming each failure's message and where it was created; when the test failed, adds where
/// the callbacks that threw were scheduled.
void check_at_tear_down(const sim::Loop& loop, const CallbackErrorLog& errors, bool allow_unhandled);

}  // namespace txaio::testutil::detail
