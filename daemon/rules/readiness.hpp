// The readiness gate (stage 2 of the pipeline): may this record be sent at all? A record is
// sendable when it is ready (PO status in ready_statuses; vendor or item active), or when it
// was delivered before and has since been retired (PO status in retire_statuses; vendor or
// item deactivated). Decided on the raw row, before validation, so that a draft full of
// holes is reported as not ready rather than invalid. Pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/model.hpp"
#include "rules/rules_config.hpp"

namespace kokola {

enum class Readiness { ready, retired, not_ready };

struct ReadinessVerdict {
  Readiness readiness = Readiness::not_ready;
  std::string reason;  // for not_ready and retired: exactly why, e.g. "status 'DRAFT' is not
                       // one of the ready statuses (APPROVED)" or "inactive"
  bool sendable() const { return readiness != Readiness::not_ready; }
};

// "1", "0", "true", "false", "t", "f", "y", "n", "yes", "no" in any case, trimmed.
std::optional<bool> parse_active(std::string_view text);

ReadinessVerdict vendor_readiness(const VendorRow& row, bool delivered_before);
ReadinessVerdict item_readiness(const ItemRow& row, bool delivered_before);
ReadinessVerdict po_readiness(const PoRow& row, const RulesConfig& rules, bool delivered_before);

}  // namespace kokola
