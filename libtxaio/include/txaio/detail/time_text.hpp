#pragma once
/// Loop times as text, one implementation for every message, trace and report: exact decimal
/// seconds, no floating point.

#include <cstdint>
#include <string>

namespace txaio::detail {

/// Appends `ns` nanoseconds as exact decimal seconds: the sign, the whole seconds, then the
/// fraction without trailing zeros ("2", "5.1", "0.000000001", "-1.5"). Every value is
/// written correctly, `INT64_MIN` included ("-9223372036.854775808").
void append_seconds(std::string& out, std::int64_t ns);

/// `append_seconds` into a new string.
std::string format_seconds(std::int64_t ns);

/// `format_seconds` with the unit, as messages write a loop time: "5.1s", "-1.5s".
std::string format_seconds_unit(std::int64_t ns);

}  // namespace txaio::detail
