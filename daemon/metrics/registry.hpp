// The daemon's metrics (docs/operations.md, section Metrics), all named `kokola_...`. Two
// kinds of value: what happened, counted as it happens (runs and their records, requests to
// the app and their latency, the last successful run of each entity), and what is true now,
// read only when a scrape asks (queue depth, jobs in flight, retries, rate-limited) so that
// nothing has to be kept in step: LiveState carries that, built by read_live_state().
//
// Threads: every method may be called from any thread (one mutex). Runs are told from the
// runner thread, requests from the sender threads, scrapes come from the metrics server.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "domain/entity.hpp"
#include "metrics/histogram.hpp"
#include "store/state_store.hpp"

namespace kokola {
struct RunSummary;
struct SendResult;
class Dispatcher;
}  // namespace kokola

namespace kokola::metrics {

// What a scrape reads at that moment.
struct LiveState {
  std::map<Entity, QueueCounts> queues;
  int in_flight = 0;
  std::int64_t retries = 0;   // tries after a job's first, since the daemon started
  bool rate_limited = false;  // the app's Retry-After holds all sending
  bool held = false;          // sending is held, by Retry-After or by backoff after failures
};

// How a run ended, as the label `result` of kokola_runs_total: "ok" (it read the whole entity
// and every job it queued reached its outcome), "incomplete" (some jobs were still waiting
// for the app, in doubt, or failed when it ended) or "error" (it could not finish: the ERP
// could not be read, or the daemon stopped).
std::string_view run_result(const std::string& error,
                            const std::map<std::string, std::int64_t>& counts);

// "2xx", "4xx", ...; "none" when no HTTP answer came.
std::string status_class(int http_status);

class Registry {
 public:
  explicit Registry(std::string version);
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // A run ended (at `finished_unix_ms`): counts it by result and its records by outcome; an
  // "ok" run sets its entity's last-success time.
  void run_finished(const RunSummary& summary, std::int64_t finished_unix_ms);
  // The last successful run known before this process started (from the state store).
  void set_last_success(Entity e, std::int64_t unix_ms);
  // One request to the app: its status class and latency.
  void app_answered(const SendResult& result);

  // The whole exposition text, with `live` for the values read at scrape time.
  std::string render(const LiveState& live) const;

 private:
  using Key = std::pair<Entity, std::string>;

  std::string version_;
  mutable std::mutex mutex_;
  std::map<Key, std::uint64_t> runs_;     // (entity, result)
  std::map<Key, std::uint64_t> records_;  // (entity, outcome)
  std::map<Entity, std::int64_t> last_success_ms_;
  std::map<std::string, std::uint64_t> requests_;  // status class
  Histogram latency_;
};

// Reads the scrape-time values: one grouped count of the active jobs in the state store and
// the senders' state. Any thread.
LiveState read_live_state(StateStore& store, const Dispatcher& dispatcher);
// Sets each entity's last-success time from its last recorded run, when that run was "ok".
void seed_last_success(Registry& registry, StateStore& store);

}  // namespace kokola::metrics
