#include "rules/text.hpp"

#include <cstdio>

#include "domain/utf8.hpp"

namespace kokola {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

}  // namespace

std::string trim_text(std::string_view s) {
  size_t begin = 0;
  size_t end = s.size();
  while (begin < end && is_space(s[begin])) ++begin;
  while (end > begin && is_space(s[end - 1])) --end;
  return std::string(s.substr(begin, end - begin));
}

std::optional<size_t> find_control_character(std::string_view s, bool allow_line_breaks) {
  size_t begin = 0;
  size_t end = s.size();
  while (begin < end && is_space(s[begin])) ++begin;
  while (end > begin && is_space(s[end - 1])) --end;

  for (size_t i = begin; i < end; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (allow_line_breaks && (c == '\t' || c == '\r' || c == '\n')) continue;
    if (c < 0x20 || c == 0x7F) return i;
  }
  return std::nullopt;
}

std::string code_point(char c) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "U+%04X",
                static_cast<unsigned>(static_cast<unsigned char>(c)));
  return buffer;
}

std::string upper_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string quoted(std::string_view s) { return "'" + escape_invalid_utf8(s) + "'"; }

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

}  // namespace kokola
