#pragma once
// What the logging translation units share: the state file owns the sink and the category
// table; the formatting file makes lines and hands them over.

#include <memory>
#include <string>
#include <string_view>

#include "txaio/logging.hpp"

namespace txaio::detail {

/// Writes `line` to the sink (stderr for the default, `warn` and more severe only); a line
/// logged from inside a sink goes to stderr. Never throws: a failing sink loses the line.
void deliver(const LogLine& line) noexcept;

/// The format registered for category `key`, or null.
std::shared_ptr<const std::string> find_category(std::string_view key);

}  // namespace txaio::detail
