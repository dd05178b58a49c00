// The money rule (docs/data-rules.md): line net = qty x unit price - discount; line tax =
// line net x tax rate / 100; each rounded half-up to the currency's scale; the PO total must
// equal the sum of line net plus line tax at that scale, within the configured tolerance.
// Pure functions on exact decimals; any thread.
#pragma once

#include "domain/decimal.hpp"
#include "domain/model.hpp"

namespace kokola {

struct LineAmounts {
  Decimal net, tax, total;  // total = net + tax
};

LineAmounts line_amounts(const Decimal& qty, const Decimal& unit_price, const Decimal& discount,
                         const Decimal& tax_rate, int currency_scale);

// Sum of the lines' totals (each already at currency scale).
Decimal po_total(const std::vector<PoLine>& lines);

// True when |stated - computed| <= tolerance.
bool within_tolerance(const Decimal& stated, const Decimal& computed, const Decimal& tolerance);

}  // namespace kokola
