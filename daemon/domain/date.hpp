// Calendar dates and ERP timestamps. A date is a date: it is never shifted through a time
// zone. A timestamp read from the ERP without an offset is interpreted in the configured ERP
// time zone (default Asia/Jakarta) and printed in RFC 3339 with an explicit offset.
// Value types; the time zone database is read-only after start-up; any thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace kokola {

struct Date {
  int year = 1970;
  int month = 1;
  int day = 1;

  // Accepts "YYYY-MM-DD" and, because ERPs often store dates in timestamp columns,
  // "YYYY-MM-DD 00:00:00" / "YYYY-MM-DDT00:00:00" (midnight only). Validates the calendar.
  static std::optional<Date> parse(std::string_view text);
  std::string to_string() const;  // "YYYY-MM-DD"
  auto operator<=>(const Date&) const = default;
};

// An instant plus the UTC offset it is shown in.
struct Timestamp {
  std::chrono::sys_seconds utc{};
  int offset_minutes = 0;

  std::string to_rfc3339() const;  // "2025-02-03T14:05:00+07:00"
  auto operator<=>(const Timestamp&) const = default;
};

// A named IANA time zone (e.g. "Asia/Jakarta"), resolved once.
class TimeZone {
 public:
  // Throws std::runtime_error naming the zone when it is unknown.
  explicit TimeZone(std::string_view name);
  const std::string& name() const { return name_; }

  // Parses "YYYY-MM-DD HH:MM:SS[.fff]" (or with 'T') as local time in this zone; text that
  // carries its own offset ("...+07:00" or "...Z") keeps that instant and is shown in this
  // zone. Returns nullopt for anything else, or a local time that does not exist.
  std::optional<Timestamp> parse(std::string_view text) const;

 private:
  std::string name_;
  const void* zone_ = nullptr;  // const date::time_zone*, kept opaque to keep tz.h private
};

}  // namespace kokola
