// Validation of PUT bodies against the per-entity schemas of the Kokola API contract
// (docs/kokola-api.md, "Request bodies"): required and unknown properties, types, formats
// and the purchase-order line rules. Every problem is reported with a field path such as
// "lines[3].qty" (0-based index into the body's lines). References to other records are
// checked by the Api, which holds the store. Pure functions; any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "target.hpp"

namespace sandbox {

struct FieldError {
  std::string path;
  std::string message;
};
using FieldErrors = std::vector<FieldError>;

FieldErrors validate_body(Entity entity, const nlohmann::json& body);

}  // namespace sandbox
