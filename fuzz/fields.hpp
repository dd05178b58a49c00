// Splits a fuzzer's input into text fields, shared by the targets that feed structured
// inputs (ERP rows, HTTP answers). Fields are separated by 0x1F (unit separator); a field
// that is exactly one 0x1E byte (record separator) stands for SQL NULL. Everything else,
// invalid UTF-8 and NUL bytes included, is kept as it is. Pure; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kokola::fuzz {

inline constexpr char kFieldSeparator = '\x1f';
inline constexpr std::string_view kNullField = "\x1e";

// Every field of `data`, in order; an empty input gives one empty field.
inline std::vector<std::optional<std::string>> split_fields(std::string_view data) {
  std::vector<std::optional<std::string>> fields;
  std::size_t start = 0;
  while (true) {
    std::size_t end = data.find(kFieldSeparator, start);
    std::string_view field = data.substr(start, end == std::string_view::npos ? end : end - start);
    if (field == kNullField) {
      fields.emplace_back(std::nullopt);
    } else {
      fields.emplace_back(std::string(field));
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return fields;
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace kokola::fuzz
