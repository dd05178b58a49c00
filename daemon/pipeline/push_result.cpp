#include "pipeline/push_result.hpp"

namespace kokola {

nlohmann::json problems_json(const Problems& problems) {
  auto out = nlohmann::json::array();
  for (const auto& p : problems) out.push_back({{"path", p.path}, {"message", p.message}});
  return out;
}

nlohmann::json PushResult::to_json() const {
  nlohmann::json j = {
      {"entity", entity_name(entity)},
      {"key", key},
      {"outcome", outcome_name(outcome)},
      {"reason_code", reason_code},
      {"message", message},
      {"job", job ? nlohmann::json(*job) : nlohmann::json()},
      {"revision", revision ? nlohmann::json(*revision) : nlohmann::json()},
      {"content_hash", content_hash},
      {"app_id", app_id},
      {"http_status", http_status ? nlohmann::json(http_status) : nlohmann::json()},
      {"problems", problems_json(problems)},
      {"dry_run", dry_run},
  };
  auto deps = nlohmann::json::array();
  for (const auto& d : dependencies) deps.push_back(d.to_json());
  j["dependencies"] = std::move(deps);
  return j;
}

std::string PushResult::summary() const {
  std::string s(outcome_name(outcome));
  if (!message.empty()) s += ": " + message;
  return s;
}

}  // namespace kokola
