#include "domain/utf8.hpp"

#include <cstdint>

namespace kokola {
namespace {

// The length of the valid UTF-8 sequence starting at `pos`, or 0 when it is invalid
// (RFC 3629: no overlong forms, no surrogates U+D800..U+DFFF, nothing past U+10FFFF).
size_t sequence_length(std::string_view s, size_t pos) {
  auto byte = [&](size_t i) { return static_cast<std::uint8_t>(s[i]); };
  std::uint8_t lead = byte(pos);
  if (lead < 0x80) return 1;

  size_t length = 0;
  std::uint8_t low = 0x80;  // bounds of the second byte, which rule out the bad ranges
  std::uint8_t high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // past U+10FFFF
  } else {
    return 0;  // a continuation byte, C0/C1 (overlong) or F5..FF
  }

  if (pos + length > s.size()) return 0;  // truncated
  if (byte(pos + 1) < low || byte(pos + 1) > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (byte(pos + i) < 0x80 || byte(pos + i) > 0xBF) return 0;
  }
  return length;
}

}  // namespace

std::optional<size_t> find_invalid_utf8(std::string_view s) {
  for (size_t pos = 0; pos < s.size();) {
    size_t length = sequence_length(s, pos);
    if (length == 0) return pos;
    pos += length;
  }
  return std::nullopt;
}

std::string escape_invalid_utf8(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (size_t pos = 0; pos < s.size();) {
    size_t length = sequence_length(s, pos);
    if (length > 0) {
      out.append(s.substr(pos, length));
      pos += length;
      continue;
    }
    auto b = static_cast<std::uint8_t>(s[pos++]);
    out += "\\x";
    out += kHex[b >> 4];
    out += kHex[b & 0x0F];
  }
  return out;
}

}  // namespace kokola
