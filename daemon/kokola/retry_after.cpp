#include "kokola/retry_after.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <vector>

namespace kokola {
namespace {

using std::chrono::seconds;

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kDays = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 7> kLongDays = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

std::vector<std::string_view> split_spaces(std::string_view text) {
  std::vector<std::string_view> tokens;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (text[pos] == ' ') {
      ++pos;
      continue;
    }
    auto end = std::min(text.find(' ', pos), text.size());
    tokens.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return tokens;
}

// 1 to `max_digits` decimal digits and nothing else.
std::optional<int> parse_number(std::string_view s, std::size_t min_digits,
                                std::size_t max_digits) {
  if (s.size() < min_digits || s.size() > max_digits) return std::nullopt;
  if (!std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  int value = 0;
  std::from_chars(s.data(), s.data() + s.size(), value);
  return value;
}

template <std::size_t N>
bool is_one_of(std::string_view s, const std::array<std::string_view, N>& names) {
  return std::find(names.begin(), names.end(), s) != names.end();
}

std::optional<unsigned> parse_month(std::string_view s) {
  auto it = std::find(kMonths.begin(), kMonths.end(), s);
  if (it == kMonths.end()) return std::nullopt;
  return static_cast<unsigned>(it - kMonths.begin()) + 1;
}

// "HH:MM:SS"
std::optional<seconds> parse_clock(std::string_view s) {
  if (s.size() != 8 || s[2] != ':' || s[5] != ':') return std::nullopt;
  auto h = parse_number(s.substr(0, 2), 2, 2);
  auto m = parse_number(s.substr(3, 2), 2, 2);
  auto sec = parse_number(s.substr(6, 2), 2, 2);
  if (!h || !m || !sec || *h > 23 || *m > 59 || *sec > 60) return std::nullopt;
  return seconds(*h * 3600 + *m * 60 + *sec);
}

std::optional<std::chrono::sys_seconds> make_time(std::optional<int> year,
                                                  std::optional<unsigned> month,
                                                  std::optional<int> day,
                                                  std::optional<seconds> clock) {
  if (!year || !month || !day || !clock) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(*year), std::chrono::month(*month),
                                  std::chrono::day(static_cast<unsigned>(*day))};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd) + *clock;
}

// "Sun, 06 Nov 1994 08:49:37 GMT"
std::optional<std::chrono::sys_seconds> parse_imf_fixdate(const std::vector<std::string_view>& t) {
  if (t.size() != 6 || t[5] != "GMT" || t[0].size() != 4 || t[0].back() != ',') {
    return std::nullopt;
  }
  if (!is_one_of(t[0].substr(0, 3), kDays)) return std::nullopt;
  return make_time(parse_number(t[3], 4, 4), parse_month(t[2]), parse_number(t[1], 2, 2),
                   parse_clock(t[4]));
}

// "Sunday, 06-Nov-94 08:49:37 GMT"; a two-digit year below 70 is taken as 20YY.
std::optional<std::chrono::sys_seconds> parse_rfc850(const std::vector<std::string_view>& t) {
  if (t.size() != 4 || t[3] != "GMT" || t[0].empty() || t[0].back() != ',') return std::nullopt;
  if (!is_one_of(t[0].substr(0, t[0].size() - 1), kLongDays)) return std::nullopt;
  std::string_view date = t[1];
  if (date.size() != 9 || date[2] != '-' || date[6] != '-') return std::nullopt;
  auto yy = parse_number(date.substr(7, 2), 2, 2);
  std::optional<int> year;
  if (yy) year = *yy < 70 ? 2000 + *yy : 1900 + *yy;
  return make_time(year, parse_month(date.substr(3, 3)), parse_number(date.substr(0, 2), 2, 2),
                   parse_clock(t[2]));
}

// "Sun Nov  6 08:49:37 1994"
std::optional<std::chrono::sys_seconds> parse_asctime(const std::vector<std::string_view>& t) {
  if (t.size() != 5 || !is_one_of(t[0], kDays)) return std::nullopt;
  return make_time(parse_number(t[4], 4, 4), parse_month(t[1]), parse_number(t[2], 1, 2),
                   parse_clock(t[3]));
}

std::string_view trim(std::string_view s) {
  auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

seconds clamp_wait(seconds wait) { return std::clamp(wait, seconds(0), kMaxRetryAfter); }

}  // namespace

std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text) {
  auto tokens = split_spaces(text);
  if (auto t = parse_imf_fixdate(tokens)) return t;
  if (auto t = parse_rfc850(tokens)) return t;
  return parse_asctime(tokens);
}

std::optional<seconds> parse_retry_after(std::string_view value,
                                         std::chrono::system_clock::time_point now) {
  value = trim(value);
  if (value.empty()) return std::nullopt;

  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    // Any run of digits is valid; one too long for 64 bits is simply "very long".
    std::uint64_t secs = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), secs);
    if (ec == std::errc::result_out_of_range) return kMaxRetryAfter;
    return clamp_wait(seconds(std::min<std::uint64_t>(secs, kMaxRetryAfter.count())));
  }

  auto when = parse_http_date(value);
  if (!when) return std::nullopt;
  // Whole seconds on both sides: the difference of two far-apart dates in the clock's
  // nanoseconds would overflow. when - floor(now) is the wait rounded up.
  return clamp_wait(*when - std::chrono::floor<seconds>(now));
}

}  // namespace kokola
