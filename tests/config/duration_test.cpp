#include "config/duration.hpp"

#include <gtest/gtest.h>

namespace kokola {
namespace {

using std::chrono::milliseconds;

TEST(Duration, ParsesEachUnit) {
  EXPECT_EQ(parse_duration("500ms"), milliseconds(500));
  EXPECT_EQ(parse_duration("30s"), milliseconds(30'000));
  EXPECT_EQ(parse_duration("5m"), milliseconds(300'000));
  EXPECT_EQ(parse_duration("2h"), milliseconds(7'200'000));
  EXPECT_EQ(parse_duration("1d"), milliseconds(86'400'000));
  EXPECT_EQ(parse_duration("0s"), milliseconds(0));
}

TEST(Duration, RefusesWhatItCannotReadWithoutGuessing) {
  for (const char* text : {"", "30", "s", "-5s", "+5s", "1.5s", "5 m", " 5m", "05m", "5M", "5sec",
                           "1w", "99999999999999d"}) {
    EXPECT_EQ(parse_duration(text), std::nullopt) << text;
  }
}

TEST(Duration, RefusesWhatMillisecondsCannotHold) {
  // 12 digits pass the digit check; in days they overflow a 64-bit count of milliseconds.
  EXPECT_EQ(parse_duration("999999999999d"), std::nullopt);
  EXPECT_EQ(parse_duration("999999999999h"), milliseconds(999'999'999'999LL * 3'600'000));
  EXPECT_EQ(parse_duration("106752d"), milliseconds(106'752LL * 86'400'000));
}

TEST(Duration, FormatsWithTheLargestExactUnit) {
  EXPECT_EQ(format_duration(milliseconds(300'000)), "5m");
  EXPECT_EQ(format_duration(milliseconds(90'000)), "90s");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(format_duration(milliseconds(86'400'000)), "1d");
  EXPECT_EQ(format_duration(milliseconds(0)), "0s");
}

TEST(Duration, FormattedTextParsesBack) {
  for (long long ms : {1LL, 999LL, 1000LL, 61'000LL, 3'600'000LL, 172'800'000LL}) {
    EXPECT_EQ(parse_duration(format_duration(milliseconds(ms))), milliseconds(ms));
  }
}

}  // namespace
}  // namespace kokola
