#include "rules/readiness.hpp"

#include <algorithm>

#include "rules/text.hpp"

namespace kokola {
namespace {

bool listed(const std::vector<std::string>& statuses, const std::string& status) {
  return std::any_of(statuses.begin(), statuses.end(),
                     [&](const std::string& s) { return upper_ascii(trim_text(s)) == status; });
}

// Vendors and items: the ERP's active flag decides.
ReadinessVerdict active_readiness(const Text& active, bool delivered_before) {
  if (!active || trim_text(*active).empty()) return {Readiness::not_ready, "active is missing"};

  std::optional<bool> flag = parse_active(*active);
  if (!flag) {
    return {Readiness::not_ready,
            "active value " + quoted(trim_text(*active)) +
                " is not recognised (expected 1/0, true/false, t/f, y/n or yes/no)"};
  }
  if (*flag) return {Readiness::ready, ""};
  if (delivered_before) return {Readiness::retired, "inactive: retired after delivery"};
  return {Readiness::not_ready, "inactive"};
}

}  // namespace

std::optional<bool> parse_active(std::string_view text) {
  std::string v = lower_ascii(trim_text(text));
  if (v == "1" || v == "true" || v == "t" || v == "y" || v == "yes") return true;
  if (v == "0" || v == "false" || v == "f" || v == "n" || v == "no") return false;
  return std::nullopt;
}

ReadinessVerdict vendor_readiness(const VendorRow& row, bool delivered_before) {
  return active_readiness(row.active, delivered_before);
}

ReadinessVerdict item_readiness(const ItemRow& row, bool delivered_before) {
  return active_readiness(row.active, delivered_before);
}

ReadinessVerdict po_readiness(const PoRow& row, const RulesConfig& rules, bool delivered_before) {
  std::string status = row.status ? upper_ascii(trim_text(*row.status)) : "";
  if (status.empty()) return {Readiness::not_ready, "status is missing"};

  std::string named = "status " + quoted(status);
  if (listed(rules.ready_statuses, status)) return {Readiness::ready, ""};
  if (listed(rules.retire_statuses, status)) {
    if (delivered_before) return {Readiness::retired, named + ": retired after delivery"};
    return {Readiness::not_ready, named + ": never delivered, nothing to retire"};
  }
  return {Readiness::not_ready,
          named + " is not one of the ready statuses (" + join(rules.ready_statuses, ", ") + ")"};
}

}  // namespace kokola
