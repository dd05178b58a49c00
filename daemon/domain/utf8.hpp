// Strict UTF-8 checking for ERP text: overlong forms, surrogates and code points past
// U+10FFFF are invalid. Pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kokola {

// The byte offset of the first invalid sequence, or nullopt when `s` is valid UTF-8.
std::optional<size_t> find_invalid_utf8(std::string_view s);
inline bool is_valid_utf8(std::string_view s) { return !find_invalid_utf8(s).has_value(); }
// The text with every invalid byte shown as \xNN, for messages and logs.
std::string escape_invalid_utf8(std::string_view s);

}  // namespace kokola
