#include "domain/date.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <cstdio>
#include <stdexcept>

namespace kokola {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

// The value of text[pos, pos + width) when it is all digits.
std::optional<int> digits_at(std::string_view text, size_t pos, size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// "YYYY-MM-DD" at the start of `text`, checked against the calendar.
std::optional<date::year_month_day> calendar_date(std::string_view text) {
  auto y = digits_at(text, 0, 4);
  auto m = digits_at(text, 5, 2);
  auto d = digits_at(text, 8, 2);
  if (!y || !m || !d || text[4] != '-' || text[7] != '-') return std::nullopt;
  date::year_month_day ymd{date::year{*y}, date::month(*m), date::day(*d)};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

// "HH:MM:SS" at `pos`, then optional fractional seconds (dropped). Advances `pos`.
std::optional<seconds> time_of_day(std::string_view text, size_t& pos) {
  auto h = digits_at(text, pos, 2);
  auto m = digits_at(text, pos + 3, 2);
  auto s = digits_at(text, pos + 6, 2);
  if (!h || !m || !s || text[pos + 2] != ':' || text[pos + 5] != ':') return std::nullopt;
  if (*h > 23 || *m > 59 || *s > 59) return std::nullopt;
  pos += 8;

  if (pos < text.size() && text[pos] == '.') {
    size_t first = ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == first) return std::nullopt;
  }
  return std::chrono::hours(*h) + minutes(*m) + seconds(*s);
}

// A trailing "Z", "+07", "+0700" or "+07:00" from `pos` to the end; nullopt when malformed.
std::optional<minutes> offset_suffix(std::string_view text, size_t pos) {
  std::string_view rest = text.substr(pos);
  if (rest == "Z" || rest == "z") return minutes(0);
  if (rest.size() < 3 || (rest[0] != '+' && rest[0] != '-')) return std::nullopt;

  auto h = digits_at(rest, 1, 2);
  std::optional<int> m = 0;
  if (rest.size() == 6 && rest[3] == ':') {
    m = digits_at(rest, 4, 2);
  } else if (rest.size() == 5) {
    m = digits_at(rest, 3, 2);
  } else if (rest.size() != 3) {
    return std::nullopt;
  }
  if (!h || !m || *h > 23 || *m > 59) return std::nullopt;
  minutes offset = std::chrono::hours(*h) + minutes(*m);
  return rest[0] == '-' ? -offset : offset;
}

const date::time_zone* zone_of(const void* opaque) {
  return static_cast<const date::time_zone*>(opaque);
}

}  // namespace

std::optional<Date> Date::parse(std::string_view text) {
  auto ymd = calendar_date(text);
  if (!ymd) return std::nullopt;

  // A date stored in a timestamp column: accepted at midnight only, so nothing is cut off.
  if (text.size() > 10) {
    size_t pos = 11;
    if (text[10] != ' ' && text[10] != 'T') return std::nullopt;
    auto tod = time_of_day(text, pos);
    if (!tod || tod->count() != 0 || pos != text.size()) return std::nullopt;
    if (text.find_first_of("123456789", 11) != std::string_view::npos) return std::nullopt;
  }
  return Date{static_cast<int>(ymd->year()), static_cast<int>(unsigned(ymd->month())),
              static_cast<int>(unsigned(ymd->day()))};
}

std::string Date::to_string() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

std::string Timestamp::to_rfc3339() const {
  auto local = utc + minutes(offset_minutes);
  auto day = date::floor<date::days>(local);
  date::year_month_day ymd{day};
  date::hh_mm_ss<seconds> tod{local - day};

  int off = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d%c%02d:%02d",
                static_cast<int>(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()),
                static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                static_cast<int>(tod.seconds().count()), offset_minutes < 0 ? '-' : '+', off / 60,
                off % 60);
  return buf;
}

TimeZone::TimeZone(std::string_view name) : name_(name) {
  try {
    zone_ = date::locate_zone(name_);
  } catch (const std::exception& e) {
    throw std::runtime_error("loading time zone '" + name_ + "': " + e.what());
  }
}

std::optional<Timestamp> TimeZone::parse(std::string_view text) const {
  auto ymd = calendar_date(text);
  if (!ymd || text.size() < 19 || (text[10] != ' ' && text[10] != 'T')) return std::nullopt;
  size_t pos = 11;
  auto tod = time_of_day(text, pos);
  if (!tod) return std::nullopt;
  date::local_seconds local = date::local_days{*ymd} + *tod;
  const date::time_zone* zone = zone_of(zone_);

  std::chrono::sys_seconds utc;
  if (pos < text.size()) {
    auto offset = offset_suffix(text, pos);
    if (!offset) return std::nullopt;
    utc = std::chrono::sys_seconds{local.time_since_epoch()} - *offset;
  } else {
    // A local time skipped by a clock change does not exist; an ambiguous one (the hour
    // repeated when clocks go back) is read as the earlier of the two instants.
    date::local_info info = zone->get_info(local);
    if (info.result == date::local_info::nonexistent) return std::nullopt;
    utc = std::chrono::sys_seconds{local.time_since_epoch()} - info.first.offset;
  }

  auto shown = std::chrono::duration_cast<minutes>(zone->get_info(utc).offset);
  return Timestamp{utc, static_cast<int>(shown.count())};
}

}  // namespace kokola
