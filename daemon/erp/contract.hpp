// The ERP source contract (docs/erp-source.md) as data: for each of the four views, the
// columns a source reads, in order, each bound to the row field it fills. Every ERP source
// builds its queries from these lists, and the schema check compares views against them, so
// the contract is written down once. Constants only; any thread.
#pragma once

#include <array>
#include <string_view>

#include "domain/model.hpp"

namespace kokola {

template <typename Row>
struct ContractColumn {
  std::string_view name;
  Text Row::*field;
};

inline constexpr std::array<ContractColumn<VendorRow>, 9> kVendorColumns{{
    {"code", &VendorRow::code},
    {"name", &VendorRow::name},
    {"tax_id", &VendorRow::tax_id},
    {"address", &VendorRow::address},
    {"city", &VendorRow::city},
    {"phone", &VendorRow::phone},
    {"email", &VendorRow::email},
    {"active", &VendorRow::active},
    {"updated_at", &VendorRow::updated_at},
}};

inline constexpr std::array<ContractColumn<ItemRow>, 7> kItemColumns{{
    {"code", &ItemRow::code},
    {"name", &ItemRow::name},
    {"uom", &ItemRow::uom},
    {"category", &ItemRow::category},
    {"barcode", &ItemRow::barcode},
    {"active", &ItemRow::active},
    {"updated_at", &ItemRow::updated_at},
}};

inline constexpr std::array<ContractColumn<PoRow>, 9> kPurchaseOrderColumns{{
    {"number", &PoRow::number},
    {"vendor_code", &PoRow::vendor_code},
    {"order_date", &PoRow::order_date},
    {"delivery_date", &PoRow::delivery_date},
    {"currency", &PoRow::currency},
    {"status", &PoRow::status},
    {"total", &PoRow::total},
    {"notes", &PoRow::notes},
    {"updated_at", &PoRow::updated_at},
}};

inline constexpr std::array<ContractColumn<PoLineRow>, 10> kPoLineColumns{{
    {"po_number", &PoLineRow::po_number},
    {"line_no", &PoLineRow::line_no},
    {"item_code", &PoLineRow::item_code},
    {"description", &PoLineRow::description},
    {"qty", &PoLineRow::qty},
    {"uom", &PoLineRow::uom},
    {"unit_price", &PoLineRow::unit_price},
    {"discount", &PoLineRow::discount},
    {"tax_rate", &PoLineRow::tax_rate},
    {"line_total", &PoLineRow::line_total},
}};

// The key column of each view (the first of its list).
inline constexpr std::string_view kVendorKey = "code";
inline constexpr std::string_view kItemKey = "code";
inline constexpr std::string_view kPurchaseOrderKey = "number";

}  // namespace kokola
