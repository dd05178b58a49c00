// Wall-clock times as the outbox keeps them: unix milliseconds (when a job may be tried
// next, which must survive a restart) and RFC 3339 UTC for people. Pure; any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <string>

namespace kokola {

inline std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "2026-12-03T12:00:03Z" for a unix millisecond time (seconds precision).
inline std::string rfc3339_of_ms(std::int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  ::gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// Unix milliseconds of an RFC 3339 UTC time as the state store writes it
// ("2026-12-03T12:00:03Z"); 0 when it does not read as one.
inline std::int64_t unix_ms_of(const std::string& text) {
  std::tm tm{};
  if (text.size() < 20 || ::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm) == nullptr) return 0;
  return static_cast<std::int64_t>(::timegm(&tm)) * 1000;
}

}  // namespace kokola
