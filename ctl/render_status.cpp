// The human form of `status` and `show`: the two renderers that lay out many fields.
// (table() and trimmed() are in render_jobs.cpp.)
#include <algorithm>
#include <string>
#include <vector>

#include "render.hpp"

namespace kokola::ctl::render {
namespace {

long long seconds_of(const nlohmann::json& j, const char* name) {
  const auto& v = field(j, name);
  return v.is_number() ? v.get<long long>() : -1;
}

std::string app_state(const nlohmann::json& app) {
  const auto& reachable = field(app, "reachable");
  std::string line = text(app, "base_url") + ": ";
  if (reachable.is_null()) return line + "not contacted yet";
  if (flag(app, "reachable")) return line + "reachable";
  std::string error = text(app, "last_error");
  // "is limiting the rate of requests", "is failing", ...: an app that answers 429 or 503 is
  // not unreachable. An older daemon sends no problem.
  std::string problem = text(app, "problem");
  if (problem.rfind("is ", 0) == 0) problem.erase(0, 3);
  if (problem.empty()) problem = "unreachable";
  return line + problem + (error.empty() ? "" : " (" + error + ")");
}

// "queued 3, sending 1, retry_wait 2": the entity's jobs not final yet.
std::string queue(const nlohmann::json& e) {
  nlohmann::json jobs =
      field(e, "queue").is_object() ? field(e, "queue") : nlohmann::json::object();
  if (field(e, "in_flight").is_number()) jobs["sending"] = field(e, "in_flight");
  std::string listed = counts(jobs);
  return listed.empty() ? "-" : listed;
}

Row entity_row(const std::string& name, const nlohmann::json& e) {
  long long interval = seconds_of(e, "interval_s");
  std::string schedule = !flag(e, "enabled") ? "off"
                         : interval >= 0     ? "every " + duration(interval)
                                             : "on";
  if (flag(e, "paused")) schedule = "PAUSED (" + schedule + ")";
  const auto& last = field(e, "last_run");
  std::string last_run = last.is_object() ? text(last, "started_at") : "never";
  std::string took = last.is_object() ? text(last, "duration_ms") + " ms" : "-";
  std::string counts = last.is_object() ? render::counts(field(last, "counts")) : "";

  long long next = seconds_of(e, "next_run_in_s");
  std::string next_run = flag(e, "running") ? "running now"
                         : next >= 0        ? "in " + duration(next)
                                            : "-";
  if (flag(e, "paused") && !flag(e, "running")) next_run = "-";
  return {name, schedule, last_run, took, next_run, queue(e), counts.empty() ? "-" : counts};
}

void entity_table(const nlohmann::json& entities, std::ostream& out) {
  std::vector<Row> rows = {
      {"ENTITY", "SCHEDULE", "LAST RUN", "TOOK", "NEXT RUN", "QUEUE", "LAST RUN COUNTS"}};
  for (const char* name : {"vendor", "item", "po"}) {
    if (field(entities, name).is_object()) rows.push_back(entity_row(name, field(entities, name)));
  }
  table(rows, out);
}

// "4 senders, queue 12, in flight 2, 37 retries; rate-limited until T; backing off until T".
std::string delivery(const nlohmann::json& d) {
  std::string line = text(d, "senders") + " senders, queue " + text(d, "queue_depth") +
                     ", in flight " + text(d, "in_flight") + ", " + text(d, "retries") +
                     " retries since start";
  if (!text(d, "rate_limited_until").empty()) {
    line += "; rate-limited until " + text(d, "rate_limited_until");
  }
  if (!text(d, "backoff_until").empty()) line += "; backing off until " + text(d, "backoff_until");
  return line;
}

// "/etc/kokola-sync/kokola-sync.yaml (generation 4, reloaded 2026-...Z)".
std::string config_line(const nlohmann::json& data) {
  std::string line = text(data, "config");
  if (text(data, "config_generation").empty()) return line;
  line += " (generation " + text(data, "config_generation");
  const auto& reload = field(data, "last_reload");
  if (reload.is_object()) {
    line += flag(reload, "ok") ? ", reloaded " + text(reload, "at")
                               : ", reload at " + text(reload, "at") +
                                     " refused: " + trimmed(text(reload, "message"), 300);
  }
  return line + ")";
}

void in_flight(const nlohmann::json& list, std::ostream& out) {
  if (!list.is_array() || list.empty()) return;
  out << "in flight:\n";
  for (const auto& f : list) {
    out << "  " << text(f, "entity") << ' ' << text(f, "key");
    if (!text(f, "job").empty()) out << " (job " << text(f, "job") << ')';
    out << '\n';
  }
}

void health(const nlohmann::json& data, std::ostream& out) {
  if (!flag(data, "degraded")) {
    out << "health: ok\n";
    return;
  }
  out << "health: DEGRADED\n";
  const auto& reasons = field(data, "degraded_reasons");
  if (!reasons.is_array()) return;
  for (const auto& r : reasons) out << "  " << scalar(r) << '\n';
}

// "revision 1, app id po_000017, delivered 2025-06-02T10:15:00+07:00".
std::string ledger_line(const nlohmann::json& ledger) {
  if (!ledger.is_object()) return "never delivered";
  std::string line = "revision " + text(ledger, "revision");
  if (!text(ledger, "app_id").empty()) line += ", app id " + text(ledger, "app_id");
  if (!text(ledger, "delivered_at").empty()) line += ", delivered " + text(ledger, "delivered_at");
  return line;
}

void receipt(const nlohmann::json& job, std::ostream& out) {
  if (!job.is_object()) {
    out << "  last receipt:  none\n";
    return;
  }
  // The whole receipt is `kokolactl job N`; here what it came to, when and for whom.
  std::string head = "job " + text(job, "job") + ", " + text(job, "state");
  if (!text(job, "finished_at").empty()) head += " " + text(job, "finished_at");
  out << "  last receipt:  " << head << '\n';
  if (!text(job, "requested_by").empty()) {
    out << "                 requested by " << text(job, "requested_by");
    if (!text(job, "reason").empty()) out << ": " << text(job, "reason");
    out << '\n';
  }
  if (!text(job, "message").empty()) out << "                 " << text(job, "message") << '\n';
}

void readiness(const nlohmann::json& r, std::ostream& out) {
  std::string state = text(r, "readiness");
  std::replace(state.begin(), state.end(), '_', ' ');
  out << "  sendable:      " << (flag(r, "sendable") ? "yes" : "no") << " (" << state;
  if (!text(r, "reason").empty()) out << ": " << text(r, "reason");
  out << ")\n";
}

void dependencies(const nlohmann::json& deps, std::ostream& out) {
  if (!deps.is_array() || deps.empty()) return;
  out << "  dependencies:\n";
  for (const auto& d : deps) {
    out << "    " << text(d, "entity") << ' ' << text(d, "key") << ": " << text(d, "state");
    if (!text(d, "message").empty()) out << ": " << text(d, "message");
    out << '\n';
  }
}

}  // namespace

void status(const nlohmann::json& data, std::ostream& out) {
  out << "kokola-syncd " << text(data, "version") << " (pid " << text(data, "pid") << "), up "
      << duration(seconds_of(data, "uptime_s")) << " since " << text(data, "started_at") << '\n';
  const auto& erp = field(data, "erp");
  std::vector<Row> rows = {{"config", config_line(data)},
                           {"state", text(data, "state_path")},
                           {"erp", text(erp, "engine") + " " + text(erp, "path")},
                           {"app", app_state(field(data, "app"))}};
  if (field(data, "delivery").is_object())
    rows.push_back({"delivery", delivery(field(data, "delivery"))});
  table(rows, out);
  out << '\n';
  entity_table(field(data, "entities"), out);
  out << '\n';
  in_flight(field(data, "in_flight"), out);
  health(data, out);
}

void show(const nlohmann::json& data, std::ostream& out) {
  out << text(data, "entity") << ' ' << text(data, "key");
  if (!flag(data, "found")) {
    out << ": not found in the ERP\n";
    return;
  }
  out << '\n';
  readiness(field(data, "readiness"), out);
  out << "  valid:         " << (flag(data, "valid") ? "yes" : "no") << '\n';
  problems(field(data, "problems"), 4, out);
  dependencies(field(data, "dependencies"), out);
  if (!text(data, "content_hash").empty()) {
    out << "  content hash:  " << text(data, "content_hash") << '\n';
  }
  out << "  ledger:        " << ledger_line(field(data, "ledger")) << '\n';
  receipt(field(data, "last_receipt"), out);

  const auto& payload = field(data, "payload");
  if (payload.is_null()) return;
  out << "payload:\n"
      << payload.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

}  // namespace kokola::ctl::render
