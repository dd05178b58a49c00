#include "service/status.hpp"

#include <algorithm>

#include "store/state_store.hpp"

namespace kokola {

ServiceStatus::ServiceStatus() : started_(std::chrono::system_clock::now()) {
  for (auto e : kAllEntities) entities_[e];
}

void ServiceStatus::run_started(Entity e) {
  std::lock_guard lock(mutex_);
  entities_[e].running = true;
}

void ServiceStatus::run_finished(Entity e, nlohmann::json summary, bool had_failures) {
  std::lock_guard lock(mutex_);
  auto& s = entities_[e];
  s.running = false;
  s.last_run = std::move(summary);
  s.last_run_failed = had_failures;
}

void ServiceStatus::set_next_run(Entity e,
                                 std::optional<std::chrono::steady_clock::time_point> at) {
  std::lock_guard lock(mutex_);
  entities_[e].next_run = at;
}

void ServiceStatus::set_last_run(Entity e, nlohmann::json summary) {
  std::lock_guard lock(mutex_);
  entities_[e].last_run = std::move(summary);
}

void ServiceStatus::push_started(Entity e, const std::string& key) {
  std::lock_guard lock(mutex_);
  in_flight_.emplace_back(e, key);
}

void ServiceStatus::push_finished(Entity e, const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = std::find(in_flight_.begin(), in_flight_.end(), std::make_pair(e, key));
  if (it != in_flight_.end()) in_flight_.erase(it);
}

void ServiceStatus::app_answered(const SendResult& result) {
  std::lock_guard lock(mutex_);
  bool reached = result.http_status != 0 && result.status != SendStatus::auth_failed &&
                 result.status != SendStatus::transient;
  app_reachable_ = reached;
  if (!reached) {
    app_last_error_ = result.message;
    app_last_failure_at_ = utc_now_rfc3339();
    if (result.http_status == 0) {
      app_problem_ = "is unreachable";
    } else if (result.status == SendStatus::auth_failed) {
      app_problem_ = "refuses the API token";
    } else if (result.http_status == 429) {
      app_problem_ = "is limiting the rate of requests";
    } else {
      app_problem_ = "is failing";
    }
  }
}

void ServiceStatus::set_jobs_waiting(std::int64_t n) {
  std::lock_guard lock(mutex_);
  jobs_waiting_ = n;
}

std::vector<std::string> ServiceStatus::degraded_reasons_locked() const {
  std::vector<std::string> reasons;
  if (app_reachable_ == false && jobs_waiting_ > 0) {
    reasons.push_back("the Kokola App " + app_problem_ + ": " + app_last_error_);
  }
  for (const auto& [e, s] : entities_) {
    if (s.last_run_failed) {
      reasons.push_back("the last " + std::string(entity_name(e)) +
                        " run could not deliver everything");
    }
  }
  return reasons;
}

bool ServiceStatus::degraded() const {
  std::lock_guard lock(mutex_);
  return !degraded_reasons_locked().empty();
}

std::string ServiceStatus::summary_line() const {
  std::lock_guard lock(mutex_);
  std::string line;
  for (const auto& [e, s] : entities_) {
    if (s.running) {
      line += std::string(entity_name(e)) + " run going on; ";
    } else if (s.last_run.is_object() && s.last_run.contains("counts")) {
      std::string counts;
      for (const auto& [name, n] : s.last_run["counts"].items()) {
        if (!n.is_number()) continue;
        if (!counts.empty()) counts += ", ";
        counts += std::to_string(n.get<std::int64_t>()) + " " + name;
      }
      line += "last " + std::string(entity_name(e)) +
              " run: " + (counts.empty() ? std::string("nothing") : counts) + "; ";
    }
  }
  line += std::to_string(in_flight_.size()) + " in flight";
  auto reasons = degraded_reasons_locked();
  if (!reasons.empty()) line += "; degraded: " + reasons.front();
  return line;
}

nlohmann::json ServiceStatus::to_json(
    const std::map<Entity, std::pair<bool, std::chrono::milliseconds>>& schedule) const {
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  nlohmann::json entities = nlohmann::json::object();
  for (const auto& [e, s] : entities_) {
    auto sched = schedule.at(e);
    nlohmann::json next = nullptr;
    if (s.next_run) {
      next = std::max<std::int64_t>(
          0, std::chrono::duration_cast<std::chrono::seconds>(*s.next_run - now).count());
    }
    entities[std::string(entity_name(e))] = {
        {"enabled", sched.first},
        {"interval_s", std::chrono::duration_cast<std::chrono::seconds>(sched.second).count()},
        {"next_run_in_s", next},
        {"running", s.running},
        {"last_run", s.last_run}};
  }
  auto in_flight = nlohmann::json::array();
  for (const auto& [e, key] : in_flight_) {
    in_flight.push_back({{"entity", entity_name(e)}, {"key", key}});
  }
  auto reasons = degraded_reasons_locked();
  auto uptime =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - started_)
          .count();
  return {{"uptime_s", uptime},
          {"entities", entities},
          {"in_flight", in_flight},
          {"app",
           {{"reachable", app_reachable_ ? nlohmann::json(*app_reachable_) : nlohmann::json()},
            {"last_error", app_last_error_},
            {"problem", app_reachable_ == false ? app_problem_ : std::string()}}},
          {"degraded", !reasons.empty()},
          {"degraded_reasons", reasons}};
}

}  // namespace kokola
