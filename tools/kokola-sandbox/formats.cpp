#include "formats.hpp"

#include <algorithm>

namespace sandbox {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), is_digit);
}

// Reads a fixed-width unsigned number; -1 when the characters are not all digits.
int number_at(std::string_view text, std::size_t pos, std::size_t width) {
  if (pos + width > text.size()) return -1;
  const std::string_view part = text.substr(pos, width);
  if (!all_digits(part)) return -1;
  int value = 0;
  for (char c : part) value = value * 10 + (c - '0');
  return value;
}

bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

bool is_time(std::string_view text) {
  if (text.size() != 8 || text[2] != ':' || text[5] != ':') return false;
  const int hour = number_at(text, 0, 2);
  const int minute = number_at(text, 3, 2);
  const int second = number_at(text, 6, 2);
  return hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59;
}

bool is_offset(std::string_view text) {
  if (text == "Z") return true;
  if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || text[3] != ':') return false;
  const int hour = number_at(text, 1, 2);
  const int minute = number_at(text, 4, 2);
  return hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59;
}

}  // namespace

bool is_decimal(std::string_view text) {
  if (text.starts_with('-')) text.remove_prefix(1);
  const auto dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  if (!all_digits(whole) || (whole.size() > 1 && whole[0] == '0')) return false;
  if (dot == std::string_view::npos) return true;

  const std::string_view fraction = text.substr(dot + 1);
  return all_digits(fraction) && fraction.back() != '0';
}

bool is_positive_decimal(std::string_view text) {
  return is_decimal(text) && !text.starts_with('-') && text != "0";
}

bool is_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  const int year = number_at(text, 0, 4);
  const int month = number_at(text, 5, 2);
  const int day = number_at(text, 8, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  return day <= days_in_month(year, month);
}

bool is_timestamp(std::string_view text) {
  if (text.size() < 20 || text[10] != 'T') return false;
  if (!is_date(text.substr(0, 10)) || !is_time(text.substr(11, 8))) return false;

  std::string_view rest = text.substr(19);
  if (rest.starts_with('.')) {
    std::size_t digits = 1;
    while (digits < rest.size() && is_digit(rest[digits])) ++digits;
    if (digits == 1) return false;
    rest.remove_prefix(digits);
  }
  return is_offset(rest);
}

bool is_tax_id(std::string_view text) {
  return (text.size() == 15 || text.size() == 16) && all_digits(text);
}

bool is_currency(std::string_view text) {
  return text.size() == 3 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

}  // namespace sandbox
