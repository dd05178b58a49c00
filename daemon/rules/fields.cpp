#include "rules/fields.hpp"

#include "domain/keys.hpp"
#include "domain/utf8.hpp"
#include "rules/readiness.hpp"
#include "rules/text.hpp"

namespace kokola {
namespace {

// Larger magnitudes are not money or quantities; refusing them keeps the arithmetic of the
// money rule far from the limits of 128-bit units.
const Decimal kDecimalLimit = Decimal::from_int(1'000'000'000'000'000'000LL);

constexpr std::string_view kDefaultZone = "Asia/Jakarta";

}  // namespace

FieldReader::FieldReader(Problems& problems, std::shared_ptr<const TimeZone> zone)
    : problems_(problems), zone_(std::move(zone)) {}

void FieldReader::problem(std::string_view path, std::string message) {
  problems_.push_back(Problem{std::string(path), std::move(message)});
}

Text FieldReader::optional_text(const Text& raw, std::string_view path) {
  return checked_text(raw, path, false);
}

Text FieldReader::free_text(const Text& raw, std::string_view path) {
  return checked_text(raw, path, true);
}

Text FieldReader::checked_text(const Text& raw, std::string_view path, bool allow_line_breaks) {
  if (!raw) return std::nullopt;
  if (auto bad = find_invalid_utf8(*raw)) {
    problem(path, "invalid UTF-8 at byte " + std::to_string(*bad) + ": " + quoted(*raw));
    return std::nullopt;
  }
  // A NUL or an escape sequence would reach the app as \u0000 and print as garbage.
  if (auto control = find_control_character(*raw, allow_line_breaks)) {
    problem(path, "contains control character " + code_point((*raw)[*control]) + " at byte " +
                      std::to_string(*control));
    return std::nullopt;
  }
  std::string trimmed = trim_text(*raw);
  if (trimmed.empty()) return std::nullopt;
  return trimmed;
}

Text FieldReader::required_text(const Text& raw, std::string_view path) {
  size_t before = problems_.size();
  Text text = optional_text(raw, path);
  if (!text && problems_.size() == before) problem(path, "is required");
  return text;
}

Text FieldReader::key(const Text& raw, std::string_view path) {
  Text text = required_text(raw, path);
  if (text) return trim_key(*text);
  return text;
}

Text FieldReader::optional_key(const Text& raw, std::string_view path) {
  Text text = optional_text(raw, path);
  if (text) return trim_key(*text);
  return text;
}

std::optional<Decimal> FieldReader::decimal(const Text& raw, std::string_view path,
                                            std::optional<Decimal> fallback) {
  size_t before = problems_.size();
  Text text = optional_text(raw, path);
  if (!text) {
    if (problems_.size() == before && fallback) return fallback;
    if (problems_.size() == before) problem(path, "is required");
    return std::nullopt;
  }

  std::optional<Decimal> value = Decimal::parse(*text);
  if (!value) {
    problem(path, quoted(*text) + " is not a decimal number");
  } else if (value->abs() >= kDecimalLimit) {
    problem(path, quoted(*text) + " is out of range");
    value.reset();
  }
  return value;
}

std::optional<Date> FieldReader::date(const Text& raw, std::string_view path, bool required) {
  Text text = required ? required_text(raw, path) : optional_text(raw, path);
  if (!text) return std::nullopt;

  std::optional<Date> value = Date::parse(*text);
  if (!value) problem(path, quoted(*text) + " is not a valid date (YYYY-MM-DD)");
  return value;
}

std::optional<Timestamp> FieldReader::timestamp(const Text& raw, std::string_view path) {
  Text text = optional_text(raw, path);
  if (!text) return std::nullopt;

  std::optional<Timestamp> value;
  try {
    value = zone_ ? zone_->parse(*text) : TimeZone(kDefaultZone).parse(*text);
  } catch (const std::exception& e) {
    problem(path, std::string("reading the time zone: ") + e.what());
    return std::nullopt;
  }
  if (!value) problem(path, quoted(*text) + " is not a valid timestamp (YYYY-MM-DD HH:MM:SS)");
  return value;
}

std::optional<bool> FieldReader::active(const Text& raw, std::string_view path) {
  Text text = required_text(raw, path);
  if (!text) return std::nullopt;

  std::optional<bool> value = parse_active(*text);
  if (!value) {
    problem(path,
            quoted(*text) + " is not a recognised flag (1/0, true/false, t/f, y/n or yes/no)");
  }
  return value;
}

}  // namespace kokola
