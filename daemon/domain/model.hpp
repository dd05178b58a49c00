// The records kokola-sync carries, in two forms:
//  - rows: exactly what the ERP views returned, every column as optional bytes (NULL is
//    nullopt). Nothing is interpreted, so that bad data can be reported, not crash a read.
//  - records: typed, checked values built from rows by the mapper (rules/mapper.hpp), with
//    exact decimals and dates kept as dates.
// Plain value types; any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/date.hpp"
#include "domain/decimal.hpp"

namespace kokola {

using Text = std::optional<std::string>;

// --- rows, as read from the ERP views (docs/erp-source.md) ---------------------------------

struct VendorRow {
  Text code, name, tax_id, address, city, phone, email, active, updated_at;
};

struct ItemRow {
  Text code, name, uom, category, barcode, active, updated_at;
};

struct PoLineRow {
  Text po_number, line_no, item_code, description, qty, uom, unit_price, discount, tax_rate,
      line_total;
};

struct PoRow {
  Text number, vendor_code, order_date, delivery_date, currency, status, total, notes, updated_at;
  Text vendor_name;  // joined from the vendors view, for listings; not part of the payload
  std::vector<PoLineRow> lines;  // in line number order
};

// --- typed records -------------------------------------------------------------------------

struct Vendor {
  std::string code;  // trimmed
  std::string name;
  std::string tax_id;  // digits only, 15 or 16 of them
  Text address, city, phone, email;
  bool active = false;
  std::optional<Timestamp> updated_at;
};

struct Item {
  std::string code;
  std::string name;
  std::string uom;  // upper case, trimmed
  Text category, barcode;
  bool active = false;
  std::optional<Timestamp> updated_at;
};

struct PoLine {
  int line_no = 0;
  Text item_code;    // trimmed; nullopt for a non-stock line
  Text description;  // required for a non-stock line
  Decimal qty;
  std::string uom;
  Decimal unit_price, discount, tax_rate;  // discount is an amount; tax_rate a percentage
  Decimal net, tax, total;                 // computed by the money rule, at currency scale
};

struct PurchaseOrder {
  std::string number;  // trimmed
  std::string vendor_code;
  std::string vendor_name;
  Date order_date;
  std::optional<Date> delivery_date;
  std::string currency;  // ISO 4217, upper case
  std::string status;    // upper case, trimmed
  Decimal total;         // as the ERP states it, checked against the lines by the money rule
  Text notes;
  std::optional<Timestamp> updated_at;
  std::vector<PoLine> lines;
};

// One thing wrong with a record, with a field path such as "lines[3].qty" (0-based index into
// the lines as read, so the path points at the row) and a message for people.
struct Problem {
  std::string path;
  std::string message;
  bool operator==(const Problem&) const = default;
};
using Problems = std::vector<Problem>;

}  // namespace kokola
