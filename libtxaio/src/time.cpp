#include "txaio/time.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <string>

#include "txaio/detail/time_text.hpp"

namespace txaio {

namespace detail {
void throw_bad_seconds(double seconds, const char* what) {
  throw std::invalid_argument(std::string(what) + ": " + std::to_string(seconds) + " is not a number of seconds");
}

void append_seconds(std::string& out, std::int64_t ns) {
  char buf[32];  // '-', 11 digits of seconds, '.', 9 decimals
  char* p = buf;
  std::uint64_t magnitude = static_cast<std::uint64_t>(ns);
  if (ns < 0) {
    *p++ = '-';
    magnitude = ~magnitude + 1;  // two's complement negation, exact for INT64_MIN too
  }
  p = std::to_chars(p, buf + sizeof buf, magnitude / 1'000'000'000).ptr;
  std::uint64_t frac = magnitude % 1'000'000'000;
  if (frac != 0) {
    char digits[9];
    for (std::size_t i = sizeof digits; i-- > 0; frac /= 10) digits[i] = static_cast<char>('0' + frac % 10);
    std::size_t len = sizeof digits;
    while (digits[len - 1] == '0') --len;
    *p++ = '.';
    p = std::copy_n(digits, len, p);
  }
  out.append(buf, p);
}

std::string format_seconds(std::int64_t ns) {
  std::string out;
  append_seconds(out, ns);
  return out;
}

std::string format_seconds_unit(std::int64_t ns) {
  std::string out;
  append_seconds(out, ns);
  out += 's';
  return out;
}
}  // namespace detail

nanoseconds seconds_to_ns(double seconds, const char* what) {
  if (std::isnan(seconds)) detail::throw_bad_seconds(seconds, what);
  const double ns = std::round(seconds * 1e9);
  if (ns >= 9.2233720368547758e18) return nanoseconds::max();
  if (ns <= -9.2233720368547758e18) return nanoseconds::min();
  return nanoseconds(static_cast<std::int64_t>(ns));
}

}  // namespace txaio
