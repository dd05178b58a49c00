// Decimal::parse: plain notation, plus the exponent form SQLite uses when it prints a REAL
// ("1.5e+06", "1.0e-05"), so that a REAL stored in a DECIMAL column reads exactly as printed.
#include "domain/decimal.hpp"

namespace kokola {
namespace {

using Units = Decimal::Units;

// More exponent than this cannot be money or a quantity; it also bounds the scaling loops.
constexpr int kMaxExponent = 38;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads a run of digits into `units`; false on overflow. Advances `pos`; counts digits read.
bool read_digits(std::string_view text, size_t& pos, Units& units, int& count) {
  count = 0;
  for (; pos < text.size() && is_digit(text[pos]); ++pos, ++count) {
    if (__builtin_mul_overflow(units, 10, &units)) return false;
    if (__builtin_add_overflow(units, text[pos] - '0', &units)) return false;
  }
  return true;
}

// Reads "e+06" / "E-5" / "e7" at `pos`; nullopt when malformed or out of range.
std::optional<int> read_exponent(std::string_view text, size_t& pos) {
  ++pos;  // the 'e'
  bool negative = false;
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    negative = text[pos] == '-';
    ++pos;
  }
  int value = 0;
  int count = 0;
  for (; pos < text.size() && is_digit(text[pos]); ++pos, ++count) {
    value = value * 10 + (text[pos] - '0');
    if (value > kMaxExponent) return std::nullopt;
  }
  if (count == 0) return std::nullopt;
  return negative ? -value : value;
}

}  // namespace

std::optional<Decimal> Decimal::parse(std::string_view text) {
  size_t pos = 0;
  bool negative = false;
  if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) {
    negative = text[pos] == '-';
    ++pos;
  }

  Units units = 0;
  int int_digits = 0;
  int frac_digits = 0;
  if (!read_digits(text, pos, units, int_digits) || int_digits == 0) return std::nullopt;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    if (!read_digits(text, pos, units, frac_digits) || frac_digits == 0) return std::nullopt;
  }

  int exponent = 0;
  if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    std::optional<int> e = read_exponent(text, pos);
    if (!e) return std::nullopt;
    exponent = *e;
  }
  if (pos != text.size()) return std::nullopt;

  // Bring the value to scale (frac_digits - exponent), within [0, kMaxScale]. Trailing zeros
  // past kMaxScale carry no information and are dropped; other digits there are refused.
  int scale = frac_digits - exponent;
  for (; scale < 0; ++scale) {
    if (__builtin_mul_overflow(units, 10, &units)) return std::nullopt;
  }
  for (; scale > kMaxScale && units % 10 == 0; --scale) units /= 10;
  if (scale > kMaxScale) return std::nullopt;

  return Decimal(negative ? -units : units, scale);
}

}  // namespace kokola
