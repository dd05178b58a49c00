// Durations in the configuration file: an integer with a unit, "500ms", "30s", "5m", "2h",
// "1d". A bare number is refused, so that no one has to guess the unit. Pure; any thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace kokola {

// Nothing for text that is not a duration, or names one that milliseconds cannot hold.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
std::string format_duration(std::chrono::milliseconds d);  // "5m", "30s", "1500ms"

}  // namespace kokola
