// The fingerprint of an ERP row: a hash of every raw column value (a PO with its lines) and
// of the rules it is judged by. A run compares it with the fingerprint of the row the ledger
// delivered, so that an unchanged row is recognised without mapping, validating or building
// JSON (docs/delivery.md). Pure functions; any thread.
#pragma once

#include <string>

#include "pipeline/record.hpp"
#include "rules/rules_config.hpp"

namespace kokola {

// Identifies the rules a row is judged by; part of every fingerprint, so that changed rules
// make every row look changed once.
std::string rules_fingerprint(const RulesConfig& rules);

// 32 lower-case hex digits.
std::string row_fingerprint(const AnyRow& row, const std::string& rules_id);

}  // namespace kokola
