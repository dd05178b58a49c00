// Purchase orders: the header, the lines and the money rule. Paths of line problems use the
// 0-based index into the lines as read ("lines[3].qty"), so that they point at the row.
#include <algorithm>
#include <climits>
#include <map>
#include <stdexcept>

#include "domain/utf8.hpp"
#include "rules/fields.hpp"
#include "rules/mapper.hpp"
#include "rules/money.hpp"
#include "rules/text.hpp"

namespace kokola {
namespace {

struct Money {
  std::string currency;  // upper case
  int scale = 0;         // digits after the point
};

std::string line_path(size_t index, std::string_view field) {
  return "lines[" + std::to_string(index) + "]." + std::string(field);
}

std::optional<Money> read_currency(FieldReader& f, const Text& raw, const RulesConfig& rules) {
  Text text = f.required_text(raw, "currency");
  if (!text) return std::nullopt;

  std::string code = upper_ascii(*text);
  bool letters = code.size() == 3 &&
                 std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
  auto scale = rules.currency_scales.find(code);
  if (!letters) {
    f.problem("currency", quoted(*text) + " is not a 3-letter currency code");
  } else if (scale == rules.currency_scales.end()) {
    f.problem("currency", "unsupported currency " + quoted(code));
  } else {
    return Money{code, scale->second};
  }
  return std::nullopt;
}

// An amount the ERP states (a PO total, a line total) has no more decimals than the currency.
void check_money_scale(FieldReader& f, std::string_view path, const Decimal& amount,
                       const Money& money) {
  if (amount.significant_scale() > money.scale) {
    f.problem(path, quoted(amount.to_string()) + " has more decimals than " + money.currency +
                        " allows (" + std::to_string(money.scale) + ")");
  }
}

// The ERP's stated amount (`label`: "total", "line_total") against the computed one.
void check_stated(FieldReader& f, std::string_view path, std::string_view label,
                  std::string_view against, const Decimal& stated, const Decimal& computed,
                  const Decimal& tolerance) {
  if (within_tolerance(stated, computed, tolerance)) return;
  f.problem(path, std::string(label) + " " + stated.to_string() + " does not match " +
                      std::string(against) + ": " + computed.to_string() + " (difference " +
                      (stated - computed).to_string() + ")");
}

std::optional<int> read_line_no(FieldReader& f, const Text& raw, const std::string& path) {
  std::optional<Decimal> value = f.decimal(raw, path);
  if (!value) return std::nullopt;

  std::optional<long long> n = value->to_int();
  if (!n || *n > INT_MAX) {
    f.problem(path, quoted(value->to_string()) + " is not a line number");
    return std::nullopt;
  }
  if (*n < 1) {
    f.problem(path, "must be at least 1 (found " + value->to_string() + ")");
    return std::nullopt;
  }
  return static_cast<int>(*n);
}

std::optional<Decimal> read_qty(FieldReader& f, const Text& raw, const std::string& path,
                                int max_scale) {
  std::optional<Decimal> qty = f.decimal(raw, path);
  if (!qty) return std::nullopt;

  if (*qty <= Decimal()) {
    f.problem(path, "must be greater than 0 (found " + qty->to_string() + ")");
    return std::nullopt;
  }
  if (qty->significant_scale() > max_scale) {
    f.problem(path, "has " + std::to_string(qty->significant_scale()) + " decimals; at most " +
                        std::to_string(max_scale) + " are allowed");
    return std::nullopt;
  }
  return qty;
}

std::optional<Decimal> read_non_negative(FieldReader& f, const Text& raw, const std::string& path,
                                         std::optional<Decimal> fallback) {
  std::optional<Decimal> value = f.decimal(raw, path, fallback);
  if (value && value->is_negative()) {
    f.problem(path, "must not be negative (found " + value->to_string() + ")");
    return std::nullopt;
  }
  return value;
}

std::optional<Decimal> read_tax_rate(FieldReader& f, const Text& raw, const std::string& path) {
  std::optional<Decimal> rate = f.decimal(raw, path, Decimal());
  if (rate && (rate->is_negative() || *rate > Decimal::from_int(100))) {
    f.problem(path, "must be between 0 and 100 (found " + rate->to_string() + ")");
    return std::nullopt;
  }
  return rate;
}

// Applies the money rule to a line whose numbers all read well. False when it failed.
bool compute_amounts(FieldReader& f, const PoLineRow& row, size_t index, PoLine& line,
                     const std::optional<Money>& money, const RulesConfig& rules) {
  std::string discount_path = line_path(index, "discount");
  try {
    Decimal gross = line.qty.exact_product(line.unit_price);
    if (line.discount > gross) {
      f.problem(discount_path, "discount " + line.discount.to_string() +
                                   " is more than the line gross " + gross.to_string() +
                                   " (qty x unit_price)");
      return false;
    }
    if (!money) return true;  // the currency is reported; no scale to compute at

    LineAmounts a =
        line_amounts(line.qty, line.unit_price, line.discount, line.tax_rate, money->scale);
    line.net = a.net;
    line.tax = a.tax;
    line.total = a.total;
  } catch (const std::overflow_error&) {
    f.problem(line_path(index, "qty"), "the line's amounts are out of range");
    return false;
  }

  std::string total_path = line_path(index, "line_total");
  if (!row.line_total || trim_text(*row.line_total).empty()) return true;
  std::optional<Decimal> stated = f.decimal(row.line_total, total_path);
  if (!stated) return false;
  check_money_scale(f, total_path, *stated, *money);
  check_stated(f, total_path, "line_total", "qty x unit_price - discount + tax", *stated,
               line.total, rules.total_tolerance);
  return true;
}

std::optional<PoLine> map_line(FieldReader& f, Problems& problems, const PoLineRow& row,
                               size_t index, const std::optional<Money>& money,
                               const RulesConfig& rules) {
  size_t before = problems.size();
  auto path = [&](std::string_view field) { return line_path(index, field); };

  PoLine line;
  std::optional<int> line_no = read_line_no(f, row.line_no, path("line_no"));
  line.item_code = f.optional_key(row.item_code, path("item_code"));
  line.description = f.free_text(row.description, path("description"));
  if (!line.item_code && !line.description && problems.size() == before) {
    f.problem(path("item_code"),
              "a line needs an item_code or, for a non-stock line, a description");
  }
  std::optional<Decimal> qty = read_qty(f, row.qty, path("qty"), rules.quantity_scale);
  Text uom = f.required_text(row.uom, path("uom"));
  std::optional<Decimal> price = read_non_negative(f, row.unit_price, path("unit_price"), {});
  std::optional<Decimal> discount = read_non_negative(f, row.discount, path("discount"), Decimal());
  std::optional<Decimal> tax_rate = read_tax_rate(f, row.tax_rate, path("tax_rate"));
  if (!line_no || !qty || !uom || !price || !discount || !tax_rate) return std::nullopt;

  line.line_no = *line_no;
  line.qty = *qty;
  line.uom = upper_ascii(*uom);
  line.unit_price = *price;
  line.discount = *discount;
  line.tax_rate = *tax_rate;
  if (!compute_amounts(f, row, index, line, money, rules)) return std::nullopt;
  if (problems.size() != before) return std::nullopt;
  return line;
}

// Maps every line; false when any line has a problem (then `lines` is incomplete).
bool map_lines(FieldReader& f, Problems& problems, const PoRow& row,
               const std::optional<Money>& money, const RulesConfig& rules,
               std::vector<PoLine>& lines) {
  if (row.lines.empty()) {
    f.problem("lines", "a purchase order needs at least one line");
    return false;
  }

  bool all_valid = true;
  std::map<int, size_t> first_use;  // line number -> index of the first line using it
  for (size_t i = 0; i < row.lines.size(); ++i) {
    std::optional<PoLine> line = map_line(f, problems, row.lines[i], i, money, rules);
    if (!line) {
      all_valid = false;
      continue;
    }
    auto [used, inserted] = first_use.emplace(line->line_no, i);
    if (!inserted) {
      f.problem(line_path(i, "line_no"), "line number " + std::to_string(line->line_no) +
                                             " is also used by lines[" +
                                             std::to_string(used->second) + "]");
      all_valid = false;
    }
    lines.push_back(std::move(*line));
  }
  return all_valid;
}

void check_po_total(FieldReader& f, const Decimal& total, const std::vector<PoLine>& lines,
                    const RulesConfig& rules) {
  try {
    check_stated(f, "total", "total", "the lines", total, po_total(lines), rules.total_tolerance);
  } catch (const std::overflow_error&) {
    f.problem("total", "the sum of the lines is out of range");
  }
}

}  // namespace

Mapped<PurchaseOrder> map_purchase_order(const PoRow& row, const RulesConfig& rules) {
  Mapped<PurchaseOrder> out;
  FieldReader f(out.problems, rules.erp_time_zone);

  PurchaseOrder po;
  Text number = f.key(row.number, "number");
  Text vendor_code = f.key(row.vendor_code, "vendor_code");
  po.vendor_name = row.vendor_name ? escape_invalid_utf8(trim_text(*row.vendor_name)) : "";
  std::optional<Date> order_date = f.date(row.order_date, "order_date", true);
  po.delivery_date = f.date(row.delivery_date, "delivery_date", false);
  if (order_date && po.delivery_date && *po.delivery_date < *order_date) {
    f.problem("delivery_date", "delivery date " + po.delivery_date->to_string() +
                                   " is before the order date " + order_date->to_string());
  }
  std::optional<Money> money = read_currency(f, row.currency, rules);
  Text status = f.required_text(row.status, "status");
  std::optional<Decimal> total = f.decimal(row.total, "total");
  if (total && money) check_money_scale(f, "total", *total, *money);
  po.notes = f.free_text(row.notes, "notes");
  po.updated_at = f.timestamp(row.updated_at, "updated_at");

  bool lines_valid = map_lines(f, out.problems, row, money, rules, po.lines);
  if (total && money && lines_valid) check_po_total(f, *total, po.lines, rules);

  if (!out.valid()) return out;
  po.number = *number;
  po.vendor_code = *vendor_code;
  po.order_date = *order_date;
  po.currency = money->currency;
  po.status = upper_ascii(*status);
  po.total = *total;
  out.record = std::move(po);
  return out;
}

}  // namespace kokola
