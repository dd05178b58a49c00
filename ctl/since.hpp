// kokolactl's reading of `audit --since` (docs/kokolactl.md): a person writes local time or
// a span back from now, the protocol takes an RFC 3339 instant. "2025-06-02" is local
// midnight, "2025-06-02 10:00" (or with seconds, or a "T") local time, "30m", "24h", "7d",
// "90s" that long ago; anything with a zone goes as written. Header-only (the unit tests
// include it); pure apart from the local time zone; any thread.
#pragma once

#include <cstdio>
#include <ctime>
#include <string>

#include "kokola/timestamp.hpp"

namespace kokola::ctl {

namespace since_detail {

// "24h" and the like: seconds, or -1.
inline long long span_seconds(const std::string& text) {
  if (text.size() < 2 || text.size() > 8) return -1;
  long long n = 0;
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    n = n * 10 + (text[i] - '0');
  }
  switch (text.back()) {
    case 's':
      return n;
    case 'm':
      return n * 60;
    case 'h':
      return n * 3600;
    case 'd':
      return n * 86400;
  }
  return -1;
}

// A date or date-time without a zone, read in the local time zone; "" when it is not one.
inline std::string local_instant(const std::string& text) {
  const std::string probe = text.size() == 10 ? text + "T00:00:00Z" : text + "Z";
  if (!parse_instant(probe)) return "";  // checks the calendar and the shape
  std::tm local{};
  int sec = 0;
  char sep = 0;
  const int read =
      std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d", &local.tm_year, &local.tm_mon,
                  &local.tm_mday, &sep, &local.tm_hour, &local.tm_min, &sec);
  if (read != 3 && read < 6) return "";
  local.tm_sec = read == 7 ? sec : 0;
  local.tm_year -= 1900;
  local.tm_mon -= 1;
  local.tm_isdst = -1;
  const std::time_t t = std::mktime(&local);
  return t == static_cast<std::time_t>(-1) ? "" : format_utc(t);
}

}  // namespace since_detail

// The UTC RFC 3339 instant `text` names, or "" when it names none.
inline std::string since_instant(const std::string& text, std::time_t now = std::time(nullptr)) {
  if (long long span = since_detail::span_seconds(text); span >= 0) {
    return format_utc(static_cast<long long>(now) - span);
  }
  if (auto utc = normalize_instant(text); utc && text.size() > 10) return *utc;
  return since_detail::local_instant(text);
}

}  // namespace kokola::ctl
