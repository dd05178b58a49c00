// Fuzz target: the ERP row mapper (daemon/rules/mapper.hpp). The first byte picks the row
// kind (vendor, item or purchase order); the rest is split into the row's columns in the
// order of the ERP contract (erp/contract.hpp), see fields.hpp for NULL. A PO's header
// columns are followed by its lines, ten columns each. Missing columns are NULL. The mapper
// must report problems, never crash, and give a record exactly when it finds none.
#include <cstdlib>
#include <memory>

#include "domain/date.hpp"
#include "erp/contract.hpp"
#include "fields.hpp"
#include "rules/mapper.hpp"

namespace {

using Fields = std::vector<std::optional<std::string>>;

constexpr std::size_t kMaxPoLines = 64;

// Fills the row's columns from fields[pos...], NULL past the end; returns the next position.
template <typename Row, std::size_t N>
std::size_t fill(Row& row, const std::array<kokola::ContractColumn<Row>, N>& columns,
                 const Fields& fields, std::size_t pos) {
  for (const auto& column : columns) {
    row.*column.field = pos < fields.size() ? fields[pos] : std::nullopt;
    ++pos;
  }
  return pos;
}

template <typename Record>
void check(const kokola::Mapped<Record>& m) {
  if (m.valid() != m.record.has_value()) std::abort();
}

const kokola::RulesConfig& rules() {
  static const kokola::RulesConfig kRules = [] {
    kokola::RulesConfig r;
    r.erp_time_zone = std::make_shared<const kokola::TimeZone>("Asia/Jakarta");
    return r;
  }();
  return kRules;
}

void map_po(const Fields& fields) {
  kokola::PoRow row;
  std::size_t pos = fill(row, kokola::kPurchaseOrderColumns, fields, 0);
  while (pos < fields.size() && row.lines.size() < kMaxPoLines) {
    pos = fill(row.lines.emplace_back(), kokola::kPoLineColumns, fields, pos);
  }
  check(kokola::map_purchase_order(row, rules()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  Fields fields = kokola::fuzz::split_fields(kokola::fuzz::as_text(data + 1, size - 1));
  switch (data[0] % 3) {
    case 0: {
      kokola::VendorRow row;
      fill(row, kokola::kVendorColumns, fields, 0);
      check(kokola::map_vendor(row, rules()));
      break;
    }
    case 1: {
      kokola::ItemRow row;
      fill(row, kokola::kItemColumns, fields, 0);
      check(kokola::map_item(row, rules()));
      break;
    }
    default:
      map_po(fields);
      break;
  }
  return 0;
}
