// What `kokolactl status` reports: per entity the last run, whether one is running and when
// the next is due; the app's reachability and last error; what is being pushed now. Written
// by the sender thread and the event loop, read by the event loop.
// Thread-safety: every method locks; any thread.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/entity.hpp"
#include "kokola/client.hpp"

namespace kokola {

class ServiceStatus {
 public:
  ServiceStatus();

  void run_started(Entity e);
  // `summary` is RunSummary::to_json(); a run with failures or an error degrades the service.
  void run_finished(Entity e, nlohmann::json summary, bool had_failures);
  void set_next_run(Entity e, std::optional<std::chrono::steady_clock::time_point> at);
  void set_last_run(Entity e, nlohmann::json summary);  // restored from the state store

  void push_started(Entity e, const std::string& key);
  void push_finished(Entity e, const std::string& key);

  void app_answered(const SendResult& result);
  // Jobs waiting for the app (queued, retry_wait, in_doubt, sending). A failure of the app
  // degrades the service only while some wait: with nothing to send, the last failure says
  // nothing about what the app holds.
  void set_jobs_waiting(std::int64_t n);

  // The "status" result of the control protocol, minus what the caller adds (version, pid,
  // paths).
  nlohmann::json to_json(
      const std::map<Entity, std::pair<bool, std::chrono::milliseconds>>& schedule) const;
  bool degraded() const;
  // One line for systemd's STATUS= and logs: "last po run 12:00:03Z: 3 delivered, 1 failed;
  // 0 in flight; degraded: ...".
  std::string summary_line() const;

 private:
  struct EntityState {
    nlohmann::json last_run = nullptr;
    bool last_run_failed = false;
    bool running = false;
    std::optional<std::chrono::steady_clock::time_point> next_run;
  };

  std::vector<std::string> degraded_reasons_locked() const;

  mutable std::mutex mutex_;
  std::chrono::system_clock::time_point started_;
  std::map<Entity, EntityState> entities_;
  std::vector<std::pair<Entity, std::string>> in_flight_;
  std::optional<bool> app_reachable_;
  std::string app_last_error_;
  std::string app_problem_;  // "unreachable", "refuses the API token", ...
  std::int64_t jobs_waiting_ = 0;
  std::string app_last_failure_at_;
};

}  // namespace kokola
