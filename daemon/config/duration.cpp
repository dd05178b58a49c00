#include "config/duration.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>

namespace kokola {
namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t ms;
};

// Longest suffix first, so that "ms" is not read as "m" followed by garbage.
constexpr std::array<Unit, 5> kUnits = {{
    {"ms", 1},
    {"s", 1000},
    {"m", 60 * 1000},
    {"h", 60 * 60 * 1000},
    {"d", 24 * 60 * 60 * 1000},
}};

// Plain decimal digits only: no sign, no leading zeros (except "0"), no spaces.
std::optional<std::int64_t> parse_count(std::string_view digits) {
  if (digits.empty() || digits.size() > 12) return std::nullopt;
  if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
  if (digits.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  for (const Unit& unit : kUnits) {
    if (text.size() <= unit.suffix.size() || !text.ends_with(unit.suffix)) continue;
    auto count = parse_count(text.substr(0, text.size() - unit.suffix.size()));
    if (!count) return std::nullopt;
    // Refuse what milliseconds cannot hold rather than wrap around.
    if (*count > std::numeric_limits<std::int64_t>::max() / unit.ms) return std::nullopt;
    return std::chrono::milliseconds(*count * unit.ms);
  }
  return std::nullopt;
}

std::string format_duration(std::chrono::milliseconds d) {
  const std::int64_t ms = d.count();
  if (ms == 0) return "0s";

  // The largest unit that divides the value exactly, so the text parses back to the same.
  for (auto it = kUnits.rbegin(); it != kUnits.rend(); ++it) {
    if (ms % it->ms == 0) return std::to_string(ms / it->ms) + std::string(it->suffix);
  }
  return std::to_string(ms) + "ms";
}

}  // namespace kokola
