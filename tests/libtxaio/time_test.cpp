#include "txaio/time.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <ratio>
#include <stdexcept>

#include "txaio/detail/time_text.hpp"

namespace {

using namespace std::chrono_literals;
using txaio::nanoseconds;
using txaio::to_delay;

TEST(Time, DurationsConvertExactly) {
  EXPECT_EQ(to_delay(5s), 5'000'000'000ns);
  EXPECT_EQ(to_delay(250ms), 250'000'000ns);
  EXPECT_EQ(to_delay(3us), 3'000ns);
  EXPECT_EQ(to_delay(std::chrono::minutes(2)), 120s);
}

TEST(Time, DoubleSecondsRoundToNearestNanosecond) {
  EXPECT_EQ(to_delay(1.5), 1500ms);
  EXPECT_EQ(to_delay(0.1), 100ms);
  EXPECT_EQ(to_delay(5.1), 5100ms);
  EXPECT_EQ(to_delay(1e-9), 1ns);
  EXPECT_EQ(to_delay(2), 2s);  // integers are seconds too
  EXPECT_EQ(to_delay(std::chrono::duration<double>(0.25)), 250ms);
}

TEST(Time, NegativeDelaysClampToZero) {
  EXPECT_EQ(to_delay(-1s), 0ns);
  EXPECT_EQ(to_delay(-0.5), 0ns);
  EXPECT_EQ(to_delay(-std::numeric_limits<double>::infinity()), 0ns);
}

TEST(Time, HugeDelaysSaturate) {
  EXPECT_EQ(to_delay(std::chrono::hours::max()), nanoseconds::max());
  EXPECT_EQ(to_delay(std::numeric_limits<double>::infinity()), nanoseconds::max());
  EXPECT_EQ(to_delay(1e300), nanoseconds::max());
}

TEST(Time, NanIsInvalidArgumentNamingTheParameter) {
  try {
    (void)txaio::to_ns(std::numeric_limits<double>::quiet_NaN(), "bucket");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("bucket"), std::string::npos) << e.what();
  }
  EXPECT_THROW(to_delay(std::numeric_limits<double>::quiet_NaN()), std::invalid_argument);
}

TEST(Time, ToNsKeepsTheSign) {
  EXPECT_EQ(txaio::to_ns(-2s), -2s);
  EXPECT_EQ(txaio::to_ns(-0.25), -250ms);
}

TEST(Time, SaturatingAdd) {
  EXPECT_EQ(txaio::saturating_add(1s, 2s), 3s);
  EXPECT_EQ(txaio::saturating_add(nanoseconds::max(), 1ns), nanoseconds::max());
  EXPECT_EQ(txaio::saturating_add(nanoseconds::min(), -1ns), nanoseconds::min());
}

using thirds = std::chrono::duration<std::int64_t, std::ratio<1, 3>>;

// duration_cast computes count * 10^9 / 3 and overflows inside although the result fits: 10^10
// thirds of a second (105 years) came out negative and fired at once.
TEST(Time, PeriodsThatOverflowADurationCastConvertExactly) {
  EXPECT_EQ(txaio::to_ns(thirds(10'000'000'000)), nanoseconds(3'333'333'333'333'333'333));
  EXPECT_EQ(to_delay(thirds(10'000'000'000)), nanoseconds(3'333'333'333'333'333'333));
  EXPECT_EQ(txaio::to_ns(thirds(-10'000'000'000)), nanoseconds(-3'333'333'333'333'333'333));
  EXPECT_EQ(txaio::to_ns(thirds(1)), nanoseconds(333'333'333));  // truncated, as duration_cast
  EXPECT_EQ(txaio::to_ns(thirds::max()), nanoseconds::max());
  EXPECT_EQ(txaio::to_ns(thirds::min()), nanoseconds::min());
  EXPECT_EQ(txaio::to_ns(std::chrono::duration<std::uint64_t, std::milli>(~std::uint64_t{0})), nanoseconds::max());
  EXPECT_EQ(txaio::to_ns(std::chrono::hours::min()), nanoseconds::min());
  EXPECT_EQ(txaio::to_ns(std::chrono::duration<std::int64_t, std::pico>(-1'999)), -1ns);
}

TEST(Time, SecondsAsTextAreExactForEveryValue) {
  using txaio::detail::format_seconds;
  EXPECT_EQ(format_seconds(0), "0");
  EXPECT_EQ(format_seconds(5'100'000'000), "5.1");
  EXPECT_EQ(format_seconds(1), "0.000000001");
  EXPECT_EQ(format_seconds(-1), "-0.000000001");
  EXPECT_EQ(format_seconds(-1'500'000'000), "-1.5");
  EXPECT_EQ(format_seconds(std::numeric_limits<std::int64_t>::max()), "9223372036.854775807");
  EXPECT_EQ(format_seconds(std::numeric_limits<std::int64_t>::min()), "-9223372036.854775808");
}

static_assert(txaio::is_delay_v<double>);
static_assert(txaio::is_delay_v<std::chrono::milliseconds>);
static_assert(!txaio::is_delay_v<const char*>);

}  // namespace
