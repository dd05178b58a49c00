// Vendors and items; purchase orders are in po_mapper.cpp.
#include "rules/mapper.hpp"

#include <algorithm>

#include "rules/fields.hpp"
#include "rules/text.hpp"

namespace kokola {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "771007312249242.0" or "7.71007312249242e+14": SQLite's rendering of a REAL. Taking its
// digits would add a 0 (or lose the leading zero and the low digits) and look valid.
bool looks_like_real(const std::string& text) {
  if (text.find_first_of("eE") != std::string::npos) return true;
  const size_t dot = text.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == text.size()) return false;
  return std::all_of(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(dot), is_digit) &&
         text.find_first_not_of('0', dot + 1) == std::string::npos;
}

// NPWP: 15 digits (often written 99.999.999.9-999.999) or 16; only digits are kept.
std::optional<std::string> tax_id_digits(FieldReader& f, const std::string& text) {
  if (looks_like_real(text)) {
    f.problem("tax_id",
              quoted(text) + " looks like a number stored as REAL; store tax ids as text");
    return std::nullopt;
  }
  std::string digits;
  for (char c : text) {
    if (is_digit(c)) {
      digits += c;
    } else if (c != '.' && c != '-' && c != ' ') {
      f.problem("tax_id", quoted(text) + " may contain only digits, '.', '-' and spaces");
      return std::nullopt;
    }
  }
  if (digits.size() != 15 && digits.size() != 16) {
    f.problem("tax_id",
              quoted(text) + " must have 15 or 16 digits, not " + std::to_string(digits.size()));
    return std::nullopt;
  }
  return digits;
}

// local@domain.tld: one '@', no white space or control characters, a dot inside the domain.
bool looks_like_email(const std::string& text) {
  size_t at = text.find('@');
  if (at == std::string::npos || at == 0 || text.find('@', at + 1) != std::string::npos) {
    return false;
  }
  if (std::any_of(text.begin(), text.end(),
                  [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7F; })) {
    return false;
  }
  std::string domain = text.substr(at + 1);
  size_t dot = domain.find('.');
  return dot != std::string::npos && dot > 0 && domain.back() != '.' &&
         domain.find("..") == std::string::npos;
}

void check_email(FieldReader& f, const Text& email) {
  if (email && !looks_like_email(*email)) {
    f.problem("email", quoted(*email) + " is not an e-mail address (local@domain.tld)");
  }
}

void check_barcode(FieldReader& f, const Text& barcode) {
  if (!barcode) return;
  bool digits_only = std::all_of(barcode->begin(), barcode->end(), is_digit);
  if (!digits_only || barcode->size() < 8 || barcode->size() > 14) {
    f.problem("barcode", quoted(*barcode) + " must be 8 to 14 digits");
  }
}

}  // namespace

Mapped<Vendor> map_vendor(const VendorRow& row, const RulesConfig& rules) {
  Mapped<Vendor> out;
  FieldReader f(out.problems, rules.erp_time_zone);

  Vendor v;
  Text code = f.key(row.code, "code");
  Text name = f.required_text(row.name, "name");
  Text tax_id = f.required_text(row.tax_id, "tax_id");
  std::optional<std::string> digits = tax_id ? tax_id_digits(f, *tax_id) : std::nullopt;
  v.address = f.free_text(row.address, "address");
  v.city = f.optional_text(row.city, "city");
  v.phone = f.optional_text(row.phone, "phone");
  v.email = f.optional_text(row.email, "email");
  check_email(f, v.email);
  std::optional<bool> active = f.active(row.active, "active");
  v.updated_at = f.timestamp(row.updated_at, "updated_at");

  if (!out.valid()) return out;
  v.code = *code;
  v.name = *name;
  v.tax_id = *digits;
  v.active = *active;
  out.record = std::move(v);
  return out;
}

Mapped<Item> map_item(const ItemRow& row, const RulesConfig& rules) {
  Mapped<Item> out;
  FieldReader f(out.problems, rules.erp_time_zone);

  Item i;
  Text code = f.key(row.code, "code");
  Text name = f.required_text(row.name, "name");
  Text uom = f.required_text(row.uom, "uom");
  i.category = f.optional_text(row.category, "category");
  i.barcode = f.optional_text(row.barcode, "barcode");
  check_barcode(f, i.barcode);
  std::optional<bool> active = f.active(row.active, "active");
  i.updated_at = f.timestamp(row.updated_at, "updated_at");

  if (!out.valid()) return out;
  i.code = *code;
  i.name = *name;
  i.uom = upper_ascii(*uom);
  i.active = *active;
  out.record = std::move(i);
  return out;
}

}  // namespace kokola
