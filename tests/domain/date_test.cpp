#include "domain/date.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "domain/printers.hpp"

namespace kokola {
namespace {

TEST(Date, ParsesIsoDate) {
  std::optional<Date> d = Date::parse("2025-02-03");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->year, 2025);
  EXPECT_EQ(d->month, 2);
  EXPECT_EQ(d->day, 3);
  EXPECT_EQ(d->to_string(), "2025-02-03");
}

TEST(Date, AcceptsMidnightTimestampOnly) {
  EXPECT_EQ(Date::parse("2025-02-03 00:00:00")->to_string(), "2025-02-03");
  EXPECT_EQ(Date::parse("2025-02-03T00:00:00")->to_string(), "2025-02-03");
  EXPECT_EQ(Date::parse("2025-02-03 00:00:00.000")->to_string(), "2025-02-03");
  EXPECT_FALSE(Date::parse("2025-02-03 00:00:01"));
  EXPECT_FALSE(Date::parse("2025-02-03 13:00:00"));
  EXPECT_FALSE(Date::parse("2025-02-03 00:00:00.5"));
}

TEST(Date, RejectsInvalidCalendarDates) {
  EXPECT_FALSE(Date::parse("2025-02-30"));
  EXPECT_FALSE(Date::parse("2025-02-29"));
  EXPECT_TRUE(Date::parse("2024-02-29"));
  EXPECT_FALSE(Date::parse("2025-13-01"));
  EXPECT_FALSE(Date::parse("2025-00-10"));
  EXPECT_FALSE(Date::parse("2025-04-31"));
}

TEST(Date, RejectsMalformedText) {
  for (std::string_view bad : {"", "2025-2-3", "25-02-03", "2025/02/03", "2025-02-03x",
                               "2025-02-03 ", " 2025-02-03", "03-02-2025"}) {
    EXPECT_FALSE(Date::parse(bad)) << bad;
  }
}

TEST(Date, OrdersChronologically) {
  EXPECT_LT(*Date::parse("2025-01-31"), *Date::parse("2025-02-01"));
  EXPECT_LT(*Date::parse("2024-12-31"), *Date::parse("2025-01-01"));
}

TEST(TimeZone, ReadsLocalErpTimeInJakarta) {
  TimeZone jakarta("Asia/Jakarta");
  std::optional<Timestamp> t = jakarta.parse("2025-02-03 14:05:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->offset_minutes, 7 * 60);
  EXPECT_EQ(t->to_rfc3339(), "2025-02-03T14:05:00+07:00");
  // 14:05 in Jakarta is 07:05 UTC.
  EXPECT_EQ(t->utc.time_since_epoch().count() % 86400, 7 * 3600 + 5 * 60);
}

TEST(TimeZone, DropsFractionalSeconds) {
  TimeZone jakarta("Asia/Jakarta");
  EXPECT_EQ(jakarta.parse("2025-02-03T14:05:09.123456")->to_rfc3339(), "2025-02-03T14:05:09+07:00");
}

TEST(TimeZone, KeepsTheInstantOfTextWithAnOffset) {
  TimeZone jakarta("Asia/Jakarta");
  EXPECT_EQ(jakarta.parse("2025-02-03 07:05:00Z")->to_rfc3339(), "2025-02-03T14:05:00+07:00");
  EXPECT_EQ(jakarta.parse("2025-02-03 23:30:00+00:00")->to_rfc3339(), "2025-02-04T06:30:00+07:00");
  EXPECT_EQ(jakarta.parse("2025-02-03 14:05:00+07")->to_rfc3339(), "2025-02-03T14:05:00+07:00");
  EXPECT_EQ(*jakarta.parse("2025-02-03 08:05:00+0100"), *jakarta.parse("2025-02-03 14:05:00"));
}

TEST(TimeZone, ShowsNegativeAndHalfHourOffsets) {
  EXPECT_EQ(TimeZone("America/New_York").parse("2025-01-15 09:00:00")->to_rfc3339(),
            "2025-01-15T09:00:00-05:00");
  EXPECT_EQ(TimeZone("Asia/Kolkata").parse("2025-01-15 09:00:00")->to_rfc3339(),
            "2025-01-15T09:00:00+05:30");
  EXPECT_EQ(TimeZone("UTC").parse("2025-01-15 09:00:00")->to_rfc3339(),
            "2025-01-15T09:00:00+00:00");
}

TEST(TimeZone, RejectsLocalTimeSkippedByDaylightSaving) {
  TimeZone new_york("America/New_York");
  EXPECT_FALSE(new_york.parse("2025-03-09 02:30:00"));
  EXPECT_EQ(new_york.parse("2025-03-09 03:30:00")->to_rfc3339(), "2025-03-09T03:30:00-04:00");
}

TEST(TimeZone, RejectsMalformedTimestamps) {
  TimeZone jakarta("Asia/Jakarta");
  for (std::string_view bad : {"", "2025-02-03", "2025-02-30 10:00:00", "2025-02-03 24:00:00",
                               "2025-02-03 10:60:00", "2025-02-03 10:00", "2025-02-03 10:00:00.",
                               "2025-02-03 10:00:00+7", "2025-02-03 10:00:00 WIB"}) {
    EXPECT_FALSE(jakarta.parse(bad)) << bad;
  }
}

TEST(TimeZone, UnknownZoneThrowsWithItsName) {
  try {
    TimeZone zone("Asia/Atlantis");
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("'Asia/Atlantis'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace kokola
