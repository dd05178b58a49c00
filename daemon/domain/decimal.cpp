#include "domain/decimal.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace kokola {
namespace {

using Units = Decimal::Units;
__extension__ typedef unsigned __int128 Magnitude;

// The largest scale an intermediate may carry: an exact product of two kMaxScale values
// divided by 100 (exact_product). Comparison works up to it.
constexpr int kWideScale = 2 * Decimal::kMaxScale + 2;

// 10^n for 0 <= n <= 38 (the largest power of ten an __int128 holds).
Units pow10(int n) {
  Units r = 1;
  for (int i = 0; i < n; ++i) r *= 10;
  return r;
}

Units checked_mul(Units a, Units b, const char* what) {
  Units out;
  if (__builtin_mul_overflow(a, b, &out)) throw std::overflow_error(what);
  return out;
}

Units checked_add(Units a, Units b, const char* what) {
  Units out;
  if (__builtin_add_overflow(a, b, &out)) throw std::overflow_error(what);
  return out;
}

Units scale_up(Units units, int digits) {
  return checked_mul(units, pow10(digits), "scaling a decimal: value out of range");
}

// The digits of `units` with exactly `scale` of them after the point: "-12.50", "0.0001".
std::string plain(Units units, int scale) {
  Magnitude mag = units < 0 ? -static_cast<Magnitude>(units) : static_cast<Magnitude>(units);
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(mag % 10)));
    mag /= 10;
  } while (mag != 0);
  while (static_cast<int>(digits.size()) <= scale) digits.push_back('0');
  std::reverse(digits.begin(), digits.end());

  if (scale > 0) digits.insert(digits.size() - scale, 1, '.');
  if (units < 0) digits.insert(0, 1, '-');
  return digits;
}

}  // namespace

Decimal Decimal::from_int(long long v) { return Decimal(v, 0); }

std::string Decimal::to_string() const {
  std::string s = plain(units_, scale_);
  if (scale_ == 0) return s;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

std::string Decimal::to_fixed(int scale) const {
  scale = std::clamp(scale, 0, kMaxScale);
  Decimal rounded = round_half_up(scale);
  return plain(rounded.units_, rounded.scale_);
}

int Decimal::significant_scale() const {
  int s = scale_;
  Units u = units_;
  while (s > 0 && u % 10 == 0) {
    u /= 10;
    --s;
  }
  return s;
}

Decimal Decimal::operator+(const Decimal& o) const {
  int s = std::max(scale_, o.scale_);
  Units a = scale_up(units_, s - scale_);
  Units b = scale_up(o.units_, s - o.scale_);
  return Decimal(checked_add(a, b, "adding decimals: value out of range"), s);
}

Decimal Decimal::operator-(const Decimal& o) const {
  return *this + Decimal(checked_mul(o.units_, -1, "negating a decimal: out of range"), o.scale_);
}

Decimal Decimal::operator*(const Decimal& o) const {
  Decimal product(checked_mul(units_, o.units_, "multiplying decimals: value out of range"),
                  scale_ + o.scale_);
  if (product.scale_ > kMaxScale) return product.round_half_up(kMaxScale);
  return product;
}

Decimal Decimal::exact_product(const Decimal& o, int shift) const {
  Decimal product(checked_mul(units_, o.units_, "multiplying decimals: value out of range"),
                  scale_ + o.scale_ + std::max(shift, 0));
  if (product.scale_ > kWideScale) return product.round_half_up(kWideScale);
  return product;
}

Decimal Decimal::shift_right(int digits) const {
  Decimal shifted(units_, scale_ + std::max(digits, 0));
  if (shifted.scale_ > kMaxScale) return shifted.round_half_up(kMaxScale);
  return shifted;
}

Decimal Decimal::round_half_up(int scale) const {
  scale = std::max(scale, 0);
  if (scale >= scale_) return Decimal(scale_up(units_, scale - scale_), scale);

  // Half away from zero: compare twice the dropped remainder with the divisor.
  Units divisor = pow10(scale_ - scale);
  Units quotient = units_ / divisor;
  Units remainder = units_ % divisor;
  Magnitude twice = 2 * static_cast<Magnitude>(remainder < 0 ? -remainder : remainder);
  if (twice >= static_cast<Magnitude>(divisor)) quotient += units_ < 0 ? -1 : 1;
  return Decimal(quotient, scale);
}

Decimal Decimal::abs() const {
  if (units_ >= 0) return *this;
  return Decimal(checked_mul(units_, -1, "negating a decimal: out of range"), scale_);
}

bool Decimal::is_integer() const { return units_ % pow10(scale_) == 0; }

std::optional<long long> Decimal::to_int() const {
  if (!is_integer()) return std::nullopt;
  Units whole = units_ / pow10(scale_);
  if (whole < std::numeric_limits<long long>::min() ||
      whole > std::numeric_limits<long long>::max()) {
    return std::nullopt;
  }
  return static_cast<long long>(whole);
}

// Compares the integral parts first, then the fractional parts brought to kWideScale: exact,
// and no scaling of the whole value that could overflow.
std::strong_ordering Decimal::operator<=>(const Decimal& o) const {
  Units a_int = units_ / pow10(scale_);
  Units b_int = o.units_ / pow10(o.scale_);
  if (a_int != b_int)
    return a_int < b_int ? std::strong_ordering::less : std::strong_ordering::greater;

  Units a_frac = (units_ % pow10(scale_)) * pow10(kWideScale - scale_);
  Units b_frac = (o.units_ % pow10(o.scale_)) * pow10(kWideScale - o.scale_);
  if (a_frac == b_frac) return std::strong_ordering::equal;
  return a_frac < b_frac ? std::strong_ordering::less : std::strong_ordering::greater;
}

bool Decimal::operator==(const Decimal& o) const { return (*this <=> o) == 0; }

}  // namespace kokola
