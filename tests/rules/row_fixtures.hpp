// Valid ERP rows for the rules tests; each test breaks one field and checks the problem.
#pragma once

#include <ostream>

#include "domain/model.hpp"
#include "rules/rules_config.hpp"

namespace kokola {

inline void PrintTo(const Problem& p, std::ostream* os) {
  *os << "{\"" << p.path << "\", \"" << p.message << "\"}";
}

inline RulesConfig jakarta_rules() {
  RulesConfig rules;
  rules.erp_time_zone = std::make_shared<const TimeZone>("Asia/Jakarta");
  return rules;
}

inline VendorRow valid_vendor_row() {
  VendorRow row;
  row.code = "V-0042    ";
  row.name = "PT SURYA INDAH PLASTIK";
  row.tax_id = "01.234.567.8-901.234";
  row.address = "Jl. Raya Bekasi Km 21";
  row.city = "Jakarta Timur";
  row.phone = "021-4600123";
  row.email = "sales@suryaindah.co.id";
  row.active = "1";
  row.updated_at = "2025-02-03 14:05:00";
  return row;
}

inline ItemRow valid_item_row() {
  ItemRow row;
  row.code = "ITM-001";
  row.name = "Kantong plastik 30x40";
  row.uom = "pcs";
  row.category = "PACKAGING";
  row.barcode = "8991234567890";
  row.active = "true";
  row.updated_at = "2025-02-03 08:00:00";
  return row;
}

// 10 x 15,000 + 11% tax = 166,500; a non-stock line of 50,000 without tax: total 216,500.
inline PoRow valid_po_row() {
  PoRow row;
  row.number = "PWU2012502-0000517";
  row.vendor_code = "V-0042";
  row.vendor_name = "PT SURYA INDAH PLASTIK";
  row.order_date = "2025-02-03";
  row.delivery_date = "2025-02-10";
  row.currency = "idr";
  row.status = "APPROVED";
  row.total = "216500.00";
  row.notes = "Kirim pagi";
  row.updated_at = "2025-02-03 14:05:00";

  PoLineRow stock;
  stock.po_number = row.number;
  stock.line_no = "1";
  stock.item_code = "ITM-001 ";
  stock.qty = "10";
  stock.uom = "pcs";
  stock.unit_price = "15000";
  stock.discount = "0";
  stock.tax_rate = "11";
  stock.line_total = "166500";

  PoLineRow non_stock;
  non_stock.po_number = row.number;
  non_stock.line_no = "2";
  non_stock.description = "Ongkos kirim";
  non_stock.qty = "1";
  non_stock.uom = "LS";
  non_stock.unit_price = "50000.0";
  non_stock.line_total = "50000";

  row.lines = {stock, non_stock};
  return row;
}

}  // namespace kokola
