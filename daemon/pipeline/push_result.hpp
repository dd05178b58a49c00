// What one push came to: the outcome of the pipeline's stages for one record, with the
// dependencies pushed before it. Returned to kokolactl (control protocol "push result") and
// summarised in receipts. Plain value type; any thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/entity.hpp"
#include "domain/model.hpp"
#include "kokola/outcome.hpp"

namespace kokola {

struct PushResult {
  Entity entity = Entity::vendor;
  std::string key;
  Outcome outcome = Outcome::failed;
  std::string reason_code;  // include/kokola/outcome.hpp; empty when delivered or unchanged
  std::string message;      // one line for people: why, or what the app said
  std::optional<std::int64_t> job;
  std::optional<std::int64_t> revision;
  std::string content_hash;
  std::string app_id;
  int http_status = 0;
  Problems problems;
  std::vector<PushResult> dependencies;
  bool dry_run = false;

  nlohmann::json to_json() const;
  // "delivered", "not ready: status 'DRAFT' ...", "invalid", "rejected by the app: ...".
  std::string summary() const;
};

nlohmann::json problems_json(const Problems& problems);

}  // namespace kokola
