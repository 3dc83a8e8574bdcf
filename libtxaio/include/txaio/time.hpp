#pragma once
/// Time in txaio: integer nanoseconds inside, any `std::chrono::duration` or `double`
/// seconds at the edge. Negative delays clamp to zero.

#include <chrono>
#include <cstdint>
#include <limits>
#include <ratio>
#include <type_traits>

namespace txaio {

using nanoseconds = std::chrono::nanoseconds;

namespace detail {
[[noreturn]] void throw_bad_seconds(double seconds, const char* what);

template <class T>
struct is_duration : std::false_type {};
template <class Rep, class Period>
struct is_duration<std::chrono::duration<Rep, Period>> : std::true_type {};
}  // namespace detail

/// True for the types every delay parameter accepts: any `std::chrono::duration`, or an
/// arithmetic count of seconds.
template <class T>
inline constexpr bool is_delay_v =
    detail::is_duration<std::remove_cvref_t<T>>::value || std::is_arithmetic_v<std::remove_cvref_t<T>>;

/// Converts a count of seconds (txaio's unit) to nanoseconds: rounds to the nearest
/// nanosecond, saturates at ±infinity. Throws `std::invalid_argument` naming `what` for NaN.
nanoseconds seconds_to_ns(double seconds, const char* what = "delay");

namespace detail {
/// `count` units of `Period` in nanoseconds, truncated toward zero like `duration_cast` but
/// computed exactly in 128 bits and saturated at the limits of `nanoseconds` (a plain
/// `duration_cast` overflows inside for periods such as 1/3 s).
template <class Period, class Rep>
nanoseconds saturating_ns(Rep count) noexcept {
  __extension__ using int128 = __int128;
  using R = std::ratio_divide<Period, std::nano>;
  static_assert(R::num <= std::numeric_limits<std::int64_t>::max() / 2, "period too long to convert");
  const int128 ns = static_cast<int128>(count) * R::num / R::den;
  if (ns >= std::numeric_limits<std::int64_t>::max()) return nanoseconds::max();
  if (ns <= std::numeric_limits<std::int64_t>::min()) return nanoseconds::min();
  return nanoseconds(static_cast<std::int64_t>(ns));
}
}  // namespace detail

/// Converts any duration or a count of seconds to nanoseconds, keeping the sign, truncating
/// toward zero (as `duration_cast`) and saturating at the limits of `nanoseconds`.
template <class D>
nanoseconds to_ns(D value, const char* what = "delay") {
  if constexpr (detail::is_duration<D>::value) {
    if constexpr (std::is_floating_point_v<typename D::rep>) {
      return seconds_to_ns(std::chrono::duration<double>(value).count(), what);
    } else {
      static_assert(sizeof(typename D::rep) <= sizeof(std::int64_t), "a duration's count fits in 64 bits");
      return detail::saturating_ns<typename D::period>(value.count());
    }
  } else {
    static_assert(std::is_arithmetic_v<D>, "a delay is a std::chrono::duration or a number of seconds");
    return seconds_to_ns(static_cast<double>(value), what);
  }
}

/// Converts any duration or `double` seconds to a delay: negative delays clamp to zero.
template <class D>
nanoseconds to_delay(D delay) {
  const nanoseconds ns = to_ns(delay);
  return ns < nanoseconds::zero() ? nanoseconds::zero() : ns;
}

/// Saturating addition of two non-negative-or-any nanosecond values.
inline nanoseconds saturating_add(nanoseconds a, nanoseconds b) noexcept {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a.count(), b.count(), &r)) {
    return b.count() > 0 ? nanoseconds::max() : nanoseconds::min();
  }
  return nanoseconds(r);
}

}  // namespace txaio
