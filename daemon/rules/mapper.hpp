// The row mapper: turns what the ERP returned (rows of optional bytes) into typed records,
// checking every field on the way (stage 3 of the pipeline, "validate"). It reports every
// problem, each with a field path, rather than stopping at the first. Bad bytes, NULLs and
// malformed numbers are problems, never exceptions. Pure functions; any thread.
#pragma once

#include <optional>

#include "domain/model.hpp"
#include "rules/rules_config.hpp"

namespace kokola {

template <typename Record>
struct Mapped {
  std::optional<Record> record;  // set only when `problems` is empty
  Problems problems;
  bool valid() const { return problems.empty(); }
};

// Field rules (docs/data-rules.md, "Validation"): required values present and non-blank,
// strict UTF-8 and no control characters in every text column (tab, CR and LF allowed
// inside free text), tax ids of 15 or 16 digits (punctuation allowed in the ERP, digits only
// in the payload; a REAL's rendering refused), e-mail shape, barcodes of 8-14 digits, dates and
// timestamps that parse, quantities > 0 with at most `quantity_scale` decimals, prices >= 0,
// discounts >= 0 and at most the line gross, tax rates in [0, 100], a known currency, PO
// lines with an item or (non-stock) a description, unique line numbers, the money rule.
Mapped<Vendor> map_vendor(const VendorRow& row, const RulesConfig& rules);
Mapped<Item> map_item(const ItemRow& row, const RulesConfig& rules);
Mapped<PurchaseOrder> map_purchase_order(const PoRow& row, const RulesConfig& rules);

}  // namespace kokola
