#include "metrics/registry.hpp"

#include "delivery/clock.hpp"
#include "delivery/dispatcher.hpp"
#include "kokola/client.hpp"
#include "pipeline/pipeline.hpp"

namespace kokola::metrics {
namespace {

// Seconds. Loopback answers take well under a millisecond; the request timeout is 30 s by
// default, so the last bounds catch slow answers before the +Inf bucket does.
const std::vector<double> kLatencyBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                            0.5,   1,      2.5,   5,    10,    30,   60};
constexpr std::string_view kResults[] = {"ok", "incomplete", "error"};
constexpr std::string_view kQueueStates[] = {"queued", "sending", "retry_wait", "in_doubt"};
constexpr std::string_view kClasses[] = {"2xx", "4xx", "5xx", "none"};

// States a job is in while it still waits for the app.
constexpr std::string_view kUnfinished[] = {"queued", "sending", "retry_wait", "in_doubt",
                                            "failed"};

std::string entity_label(Entity e) { return std::string(entity_name(e)); }

std::int64_t queue_count(const QueueCounts& q, std::string_view state) {
  if (state == "queued") return q.queued;
  if (state == "sending") return q.sending;
  if (state == "retry_wait") return q.retry_wait;
  return q.in_doubt;
}

void write_live(Exposition& out, const LiveState& live) {
  out.family("kokola_queue_depth", "gauge",
             "Jobs waiting or being sent, by entity and state, read from the state store at "
             "scrape time.");
  for (auto e : kAllEntities) {
    auto it = live.queues.find(e);
    const QueueCounts q = it == live.queues.end() ? QueueCounts{} : it->second;
    for (auto state : kQueueStates) {
      out.sample("kokola_queue_depth", {{"entity", entity_label(e)}, {"state", std::string(state)}},
                 static_cast<double>(queue_count(q, state)));
    }
  }
  out.family("kokola_jobs_in_flight", "gauge", "Requests to the app being made now.");
  out.sample("kokola_jobs_in_flight", {}, live.in_flight);
  out.family("kokola_retries_total", "counter",
             "Tries of a job after its first, since the daemon started.");
  out.sample("kokola_retries_total", {}, static_cast<double>(live.retries));
  out.family("kokola_rate_limited", "gauge",
             "1 while the app's Retry-After holds all sending, else 0.");
  out.sample("kokola_rate_limited", {}, live.rate_limited ? 1 : 0);
  out.family("kokola_sending_held", "gauge",
             "1 while all sending is held (Retry-After, or backoff after the app failed), else 0.");
  out.sample("kokola_sending_held", {}, live.held ? 1 : 0);
}

}  // namespace

std::string_view run_result(const std::string& error,
                            const std::map<std::string, std::int64_t>& counts) {
  if (!error.empty()) return "error";
  for (auto state : kUnfinished) {
    auto it = counts.find(std::string(state));
    if (it != counts.end() && it->second > 0) return "incomplete";
  }
  return "ok";
}

std::string status_class(int http_status) {
  if (http_status >= 100 && http_status <= 599) return std::to_string(http_status / 100) + "xx";
  return "none";
}

Registry::Registry(std::string version) : version_(std::move(version)), latency_(kLatencyBounds) {
  // Every series an alert may rate() exists from the first scrape, at 0.
  for (auto e : kAllEntities) {
    for (auto result : kResults) runs_[{e, std::string(result)}] = 0;
  }
  for (auto c : kClasses) requests_[std::string(c)] = 0;
}

void Registry::run_finished(const RunSummary& summary, std::int64_t finished_unix_ms) {
  const auto result = run_result(summary.error, summary.counts);
  std::lock_guard lock(mutex_);
  ++runs_[{summary.entity, std::string(result)}];
  for (const auto& [outcome, n] : summary.counts) {
    if (n > 0) records_[{summary.entity, outcome}] += static_cast<std::uint64_t>(n);
  }
  if (result == "ok") last_success_ms_[summary.entity] = finished_unix_ms;
}

void Registry::set_last_success(Entity e, std::int64_t unix_ms) {
  std::lock_guard lock(mutex_);
  last_success_ms_[e] = unix_ms;
}

void Registry::app_answered(const SendResult& result) {
  const double seconds = std::chrono::duration<double>(result.latency).count();
  std::lock_guard lock(mutex_);
  ++requests_[status_class(result.http_status)];
  latency_.observe(seconds);
}

std::string Registry::render(const LiveState& live) const {
  std::unique_lock lock(mutex_);
  const auto runs = runs_;
  const auto records = records_;
  const auto last_success = last_success_ms_;
  const auto requests = requests_;
  const HistogramData latency = latency_.data();
  lock.unlock();

  Exposition out;
  out.family("kokola_build_info", "gauge", "Always 1; the label carries the daemon's version.");
  out.sample("kokola_build_info", {{"version", version_}}, 1);
  out.family("kokola_runs_total", "counter",
             "Runs (scheduled or requested) by entity and how they ended: ok, incomplete, error.");
  for (const auto& [key, n] : runs) {
    out.sample("kokola_runs_total", {{"entity", entity_label(key.first)}, {"result", key.second}},
               static_cast<double>(n));
  }
  out.family("kokola_run_records_total", "counter",
             "Records handled by runs, by entity and where each stood when its run ended.");
  for (const auto& [key, n] : records) {
    out.sample("kokola_run_records_total",
               {{"entity", entity_label(key.first)}, {"outcome", key.second}},
               static_cast<double>(n));
  }
  out.family("kokola_last_successful_run_timestamp_seconds", "gauge",
             "Unix time at which the entity's last ok run ended.");
  for (const auto& [e, ms] : last_success) {
    out.sample("kokola_last_successful_run_timestamp_seconds", {{"entity", entity_label(e)}},
               static_cast<double>(ms / 1000));
  }
  write_live(out, live);
  out.family("kokola_app_requests_total", "counter",
             "Requests to the app (PUT and look-ups) by HTTP status class; none: no answer.");
  for (const auto& [cls, n] : requests) {
    out.sample("kokola_app_requests_total", {{"class", cls}}, static_cast<double>(n));
  }
  out.family("kokola_app_request_duration_seconds", "histogram",
             "Time from sending a request to the app to its answer, or to giving up on it.");
  out.histogram("kokola_app_request_duration_seconds", {}, latency);
  return out.text();
}

LiveState read_live_state(StateStore& store, const Dispatcher& dispatcher) {
  LiveState live;
  live.queues = store.queue_counts();
  const DeliveryState d = dispatcher.state();
  live.in_flight = d.in_flight;
  live.retries = d.retries;
  live.rate_limited = d.rate_limited_until.has_value();
  live.held = d.rate_limited_until.has_value() || d.backoff_until.has_value();
  return live;
}

void seed_last_success(Registry& registry, StateStore& store) {
  for (auto e : kAllEntities) {
    auto run = store.last_run(e);
    if (!run || !run->counts.is_object()) continue;
    std::string error;
    std::map<std::string, std::int64_t> counts;
    for (const auto& [name, value] : run->counts.items()) {
      if (value.is_number_integer()) counts[name] = value.get<std::int64_t>();
      if (name == "error") error = value.is_string() ? value.get<std::string>() : "error";
    }
    const std::int64_t at = unix_ms_of(run->finished_at);
    if (at > 0 && run_result(error, counts) == "ok") registry.set_last_success(e, at);
  }
}

}  // namespace kokola::metrics
