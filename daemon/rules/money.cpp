#include "rules/money.hpp"

namespace kokola {

// The net is rounded first and the tax is computed from the rounded net, so that the
// amounts printed on a PO line add up: total = net + tax exactly. Each amount is computed
// exactly and rounded once.
LineAmounts line_amounts(const Decimal& qty, const Decimal& unit_price, const Decimal& discount,
                         const Decimal& tax_rate, int currency_scale) {
  LineAmounts a;
  a.net = (qty.exact_product(unit_price) - discount).round_half_up(currency_scale);
  a.tax = a.net.exact_product(tax_rate, 2).round_half_up(currency_scale);
  a.total = a.net + a.tax;
  return a;
}

Decimal po_total(const std::vector<PoLine>& lines) {
  Decimal sum;
  for (const PoLine& line : lines) sum = sum + line.total;
  return sum;
}

bool within_tolerance(const Decimal& stated, const Decimal& computed, const Decimal& tolerance) {
  return (stated - computed).abs() <= tolerance;
}

}  // namespace kokola
