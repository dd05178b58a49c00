// Exact decimal numbers for money and quantities: never a double anywhere (docs/data-rules.md,
// the money rule). A value is an unscaled 128-bit integer and a scale (digits after the point).
// Values are immutable and cheap to copy; any thread.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace kokola {

class Decimal {
 public:
  // The unscaled integer type; __extension__ keeps -Wpedantic quiet about a GNU type.
  __extension__ typedef __int128 Units;

  // Largest scale a Decimal keeps; parse() rejects more digits after the point.
  static constexpr int kMaxScale = 12;

  Decimal() = default;  // zero
  static Decimal from_int(long long v);

  // Parses plain notation: optional sign, digits, optional '.' and digits ("-12.50", "3",
  // "0.0001"). Surrounding spaces are not accepted; exponents are accepted only in the form
  // SQLite prints REAL values ("1.5e+06"), so that a REAL stored in a DECIMAL column still
  // reads exactly as printed. Returns nullopt for anything else or on overflow.
  static std::optional<Decimal> parse(std::string_view text);

  // Plain notation without trailing zeros or exponent: "1500", "12.5", "-0.0001", "0".
  std::string to_string() const;
  // Fixed notation with exactly `scale` digits after the point ("12.50"), rounding half-up.
  std::string to_fixed(int scale) const;

  int scale() const { return scale_; }
  bool is_negative() const { return units_ < 0; }
  bool is_zero() const { return units_ == 0; }
  // Number of digits after the point once trailing zeros are dropped.
  int significant_scale() const;

  // Exact arithmetic; the result scale of * is the sum of the scales (capped by rounding
  // half-up at kMaxScale). Overflow throws std::overflow_error (values that large are not
  // money: callers validate ranges first).
  Decimal operator+(const Decimal& o) const;
  Decimal operator-(const Decimal& o) const;
  Decimal operator*(const Decimal& o) const;
  // The exact product divided by 10^shift, without the kMaxScale cap: its scale may reach
  // 2 * kMaxScale + shift. Only for an intermediate that is rounded right away, so that the
  // money rule rounds once (rounding at kMaxScale first could move a half-way case).
  Decimal exact_product(const Decimal& o, int shift = 0) const;
  // Division by a power of ten, exact (scale grows), e.g. a tax rate / 100.
  Decimal shift_right(int digits) const;
  // Rounds half away from zero ("half-up" on magnitudes) to `scale` digits.
  Decimal round_half_up(int scale) const;
  Decimal abs() const;
  // True when the value has no fractional part (at any scale): 3, 3.00.
  bool is_integer() const;
  // The integral value when is_integer() and it fits a long long.
  std::optional<long long> to_int() const;

  std::strong_ordering operator<=>(const Decimal& o) const;
  bool operator==(const Decimal& o) const;  // numeric equality: 1.50 == 1.5

 private:
  Decimal(Units units, int scale) : units_(units), scale_(scale) {}

  Units units_ = 0;
  int scale_ = 0;
};

}  // namespace kokola
