// The data rules a deployment can tune (docs/data-rules.md, docs/configuration.md, section
// `rules`). Built once by the config loader; read-only afterwards; any thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "domain/date.hpp"
#include "domain/decimal.hpp"

namespace kokola {

struct RulesConfig {
  std::vector<std::string> ready_statuses{"APPROVED"};
  std::vector<std::string> retire_statuses{"CANCELLED", "CLOSED"};
  // Digits after the point per ISO 4217 currency; a PO in a currency not listed is invalid.
  std::map<std::string, int> currency_scales{{"IDR", 2}};
  // How far the ERP's PO total (and each line total) may be from the computed one.
  Decimal total_tolerance;
  // Quantities carry at most this many digits after the point.
  int quantity_scale = 4;
  // The ERP's time zone, for timestamps stored without an offset.
  std::shared_ptr<const TimeZone> erp_time_zone;
};

}  // namespace kokola
