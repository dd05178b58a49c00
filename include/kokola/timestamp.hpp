// Instants as the audit trail speaks them (docs/control-protocol.md, `audit`): RFC 3339 text
// read from a request and brought to the one form the state store keeps, UTC with seconds
// ("2025-06-02T03:15:00Z"), so that comparing two of them as text compares the instants.
// A date alone ("2025-06-02") means midnight UTC. Shared by the daemon and kokolactl;
// header-only, pure, never throws; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kokola {

namespace timestamp_detail {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month, day;
};

constexpr Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

constexpr unsigned days_in_month(std::int64_t y, unsigned m) {
  constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// Reads `count` digits at `pos` into `out`; false when they are not all digits.
inline bool digits(std::string_view s, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

inline bool is_separator(char c) { return c == 'T' || c == 't' || c == ' '; }

// Reads "Z" or "+HH:MM"/"-HH:MM" at `pos` (the whole rest of the text).
inline std::optional<int> zone_offset_minutes(std::string_view s, std::size_t pos) {
  if (pos + 1 == s.size() && (s[pos] == 'Z' || s[pos] == 'z')) return 0;
  int h = 0, m = 0;
  if (pos + 6 != s.size() || (s[pos] != '+' && s[pos] != '-') || s[pos + 3] != ':') {
    return std::nullopt;
  }
  if (!digits(s, pos + 1, 2, h) || !digits(s, pos + 4, 2, m) || h > 23 || m > 59) {
    return std::nullopt;
  }
  return (s[pos] == '-' ? -1 : 1) * (h * 60 + m);
}

}  // namespace timestamp_detail

// Seconds since the epoch of "YYYY-MM-DD" (midnight UTC) or of an RFC 3339 date-time with
// a zone ("2025-06-02T10:15:00+07:00", "2025-06-02 03:15Z"; seconds and a fraction are
// optional, the fraction is dropped). Nothing else: a time without a zone is refused, since
// the daemon cannot know which zone the writer meant.
inline std::optional<std::int64_t> parse_instant(std::string_view s) {
  using namespace timestamp_detail;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || s[7] != '-' || !digits(s, 5, 2, mo) ||
      !digits(s, 8, 2, d)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || static_cast<unsigned>(d) > days_in_month(y, mo)) {
    return std::nullopt;
  }
  const std::int64_t day_seconds = days_from_civil(y, mo, d) * 86400;
  if (s.size() == 10) return day_seconds;

  if (!is_separator(s[10]) || !digits(s, 11, 2, h) || s.size() < 16 || s[13] != ':' ||
      !digits(s, 14, 2, mi) || h > 23 || mi > 59) {
    return std::nullopt;
  }
  std::size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (!digits(s, pos + 1, 2, sec) || sec > 59) return std::nullopt;
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      do ++pos;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9');
      if (s[pos - 1] == '.') return std::nullopt;
    }
  }
  auto offset = zone_offset_minutes(s, pos);
  if (!offset) return std::nullopt;
  return day_seconds + h * 3600 + mi * 60 + sec - static_cast<std::int64_t>(*offset) * 60;
}

// "2025-06-02T03:15:00Z" for seconds since the epoch.
inline std::string format_utc(std::int64_t epoch_seconds) {
  using namespace timestamp_detail;
  std::int64_t days = epoch_seconds / 86400;
  std::int64_t rest = epoch_seconds % 86400;
  if (rest < 0) rest += 86400, --days;
  const Civil c = civil_from_days(days);
  auto two = [](std::int64_t n) { return std::string(n < 10 ? "0" : "") + std::to_string(n); };
  std::string year = std::to_string(c.year);
  if (year.size() < 4) year.insert(0, 4 - year.size(), '0');
  return year + "-" + two(c.month) + "-" + two(c.day) + "T" + two(rest / 3600) + ":" +
         two(rest % 3600 / 60) + ":" + two(rest % 60) + "Z";
}

// The UTC form of what parse_instant() accepts, or nullopt (also for years outside
// 0000-9999 once shifted to UTC, which text comparison could not order).
inline std::optional<std::string> normalize_instant(std::string_view s) {
  auto seconds = parse_instant(s);
  constexpr std::int64_t kFirst = timestamp_detail::days_from_civil(0, 1, 1) * 86400;
  constexpr std::int64_t kEnd = timestamp_detail::days_from_civil(10000, 1, 1) * 86400;
  if (!seconds || *seconds < kFirst || *seconds >= kEnd) return std::nullopt;
  return format_utc(*seconds);
}

}  // namespace kokola
