// The Retry-After header of a 408, 429 or 5xx answer (RFC 9110 §10.2.3): either a number of
// seconds or an HTTP-date. The result is how long to wait from `now`, clamped to
// [0, kMaxRetryAfter]; a value that is neither form is ignored (nullopt). The clock is a
// parameter so that the function stays pure. Any thread.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace kokola {

inline constexpr std::chrono::seconds kMaxRetryAfter{3600};

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now);

// An HTTP-date in any of the three forms a recipient must accept: IMF-fixdate
// ("Sun, 06 Nov 1994 08:49:37 GMT"), RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime
// ("Sun Nov  6 08:49:37 1994"). nullopt when the text is none of them or names no real date.
std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text);

}  // namespace kokola
