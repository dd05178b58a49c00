// One record of any entity, so that the pipeline's stages are written once: the row as read,
// the typed record, and the per-entity operations the stages need (load, readiness, mapping,
// payload). Pure functions apart from load_row(), which reads the ERP; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "domain/entity.hpp"
#include "domain/model.hpp"
#include "erp/source.hpp"
#include "rules/payload.hpp"
#include "rules/readiness.hpp"
#include "rules/rules_config.hpp"

namespace kokola {

using AnyRow = std::variant<VendorRow, ItemRow, PoRow>;
using AnyRecord = std::variant<Vendor, Item, PurchaseOrder>;

Entity entity_of(const AnyRow& row);
// The key as stored in the ERP (untrimmed); empty when the column is NULL.
std::string raw_key(const AnyRow& row);
// The field path of the key in problems: "code" or "number".
std::string_view key_field(Entity e);

std::optional<AnyRow> load_row(ErpSource& source, Entity e, std::string_view key);

ReadinessVerdict readiness_of(const AnyRow& row, const RulesConfig& rules, bool delivered_before);

struct MappedRecord {
  std::optional<AnyRecord> record;
  Problems problems;
};
MappedRecord map_row(const AnyRow& row, const RulesConfig& rules);

Payload payload_of(const AnyRecord& record);

}  // namespace kokola
