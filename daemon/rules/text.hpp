// Small text helpers shared by the readiness gate and the row mapper: trimming of CHAR
// padding, ASCII case mapping, and quoting a value for a message. Pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kokola {

// Removes surrounding ASCII white space (space, tab, CR, LF, vertical tab, form feed).
std::string trim_text(std::string_view s);
std::string upper_ascii(std::string_view s);
std::string lower_ascii(std::string_view s);
// The byte offset of the first control character (U+0000 to U+001F, or U+007F) in `s`,
// ignoring the white space trim_text() removes at either end; nullopt when there is none.
// With `allow_line_breaks` (free text such as an address), tab, CR and LF are allowed.
std::optional<size_t> find_control_character(std::string_view s, bool allow_line_breaks);
// "U+0000": the code point of an ASCII character, for messages.
std::string code_point(char c);
// The value in single quotes, invalid UTF-8 bytes shown as \xNN: "'PT \xE9 JAYA'".
std::string quoted(std::string_view s);
// "A, B, C".
std::string join(const std::vector<std::string>& parts, std::string_view separator);

}  // namespace kokola
