// The human form of the durable-delivery commands: jobs (a table), job (a receipt with
// every attempt), pause and resume (what is paused), reload (the generation applied); and
// the table layout the other renderers share.
#include <algorithm>
#include <string>
#include <vector>

#include "render.hpp"

namespace kokola::ctl::render {
namespace {

constexpr std::size_t kMessageBytes = 60;  // the MESSAGE column of `jobs`

// Characters, not bytes, so that a key in UTF-8 keeps its column straight.
std::size_t columns(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool is_final(const std::string& state) {
  return state != "queued" && state != "sending" && state != "retry_wait" && state != "in_doubt";
}

// The next attempt of a job still going, or when it finished.
std::string when(const nlohmann::json& j) {
  if (!is_final(text(j, "state"))) {
    return text(j, "next_attempt_at").empty() ? "-" : "next " + text(j, "next_attempt_at");
  }
  return text(j, "finished_at").empty() ? "-" : text(j, "finished_at");
}

Row job_row(const nlohmann::json& j) {
  std::string message = trimmed(text(j, "message"), kMessageBytes);
  return {text(j, "id"),
          text(j, "entity"),
          text(j, "key"),
          text(j, "state"),
          text(j, "tries"),
          when(j),
          message.empty() ? "-" : message};
}

// "  label:            value", the values of a receipt in one column.
void line(std::ostream& out, const std::string& label, const std::string& value) {
  constexpr std::size_t kWidth = 19;  // "  idempotency key:" and a space
  std::string head = "  " + label + ":";
  out << head << std::string(head.size() < kWidth ? kWidth - head.size() : 1, ' ') << value << '\n';
}

// "retry_wait (app_transient): HTTP 503 from the app".
std::string state_line(const nlohmann::json& j) {
  std::string s = text(j, "state");
  if (!text(j, "reason_code").empty()) s += " (" + text(j, "reason_code") + ")";
  if (!text(j, "message").empty()) s += ": " + trimmed(text(j, "message"), 1024);
  return s;
}

// One line of a list in a receipt's verdicts: "vendor V-1: queued (job 7)" for a dependency,
// "lines[2].qty: must be positive" for a problem; anything else as JSON.
std::string list_entry(const nlohmann::json& e) {
  if (e.is_object() && e.contains("entity") && e.contains("key")) {
    std::string s = text(e, "entity") + " " + text(e, "key");
    if (!text(e, "outcome").empty()) s += ": " + text(e, "outcome");
    if (!text(e, "job").empty()) s += " (job " + text(e, "job") + ")";
    return s;
  }
  if (e.is_object() && e.contains("path") && e.contains("message")) {
    return text(e, "path") + ": " + text(e, "message");
  }
  return e.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void verdicts(const nlohmann::json& v, std::ostream& out) {
  if (!v.is_object() || v.empty()) return;
  out << "  verdicts:\n";
  for (const auto& [name, value] : v.items()) {
    if (value.is_array()) {
      out << "    " << name << ":" << (value.empty() ? " none" : "") << '\n';
      for (const auto& e : value) out << "      " << list_entry(e) << '\n';
      continue;
    }
    std::string shown = scalar(value);
    if (shown.empty() && !value.is_null()) {
      shown = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    out << "    " << name << ": " << shown << '\n';
  }
}

void attempts(const nlohmann::json& list, std::ostream& out) {
  if (!list.is_array() || list.empty()) {
    line(out, "attempts", "none");
    return;
  }
  out << "  attempts:\n";
  std::vector<Row> rows = {{"#", "STARTED", "HTTP", "LATENCY", "ERROR"}};
  for (const auto& a : list) {
    std::string http = text(a, "http_status");
    if (http == "0") http.clear();  // no answer: the connection failed
    std::string latency = text(a, "latency_ms");
    std::string error = trimmed(text(a, "error"), 200);
    rows.push_back({text(a, "number"), text(a, "started_at"), http.empty() ? "-" : http,
                    latency.empty() ? "-" : latency + " ms", error.empty() ? "-" : error});
  }
  table(rows, out, 4);
}

}  // namespace

void table(const std::vector<Row>& rows, std::ostream& out, int indent) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], columns(row[i]));
  }
  for (const auto& row : rows) {
    std::string text(static_cast<std::size_t>(std::max(indent, 0)), ' ');
    for (std::size_t i = 0; i < row.size(); ++i) {
      text += row[i];
      if (i + 1 < row.size()) text += std::string(widths[i] - columns(row[i]) + 2, ' ');
    }
    out << text << '\n';
  }
}

std::string trimmed(std::string_view text, std::size_t max_bytes) {
  std::string out(text);
  for (auto& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  if (out.size() <= max_bytes) return out;
  std::size_t cut = max_bytes > 3 ? max_bytes - 3 : 0;
  // Back up to the first byte of a character.
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  return out.substr(0, cut) + "...";
}

void jobs(const nlohmann::json& data, std::ostream& out) {
  const auto& list = field(data, "jobs");
  if (!list.is_array() || list.empty()) {
    out << "no jobs\n";
    return;
  }
  std::vector<Row> rows = {{"ID", "ENTITY", "KEY", "STATE", "TRIES", "WHEN", "MESSAGE"}};
  for (const auto& j : list) rows.push_back(job_row(j));
  table(rows, out);
}

void job(const nlohmann::json& data, std::ostream& out) {
  out << "job " << text(data, "id") << ": " << text(data, "entity") << ' ' << text(data, "key")
      << '\n';
  line(out, "state", state_line(data));
  std::string origin = text(data, "origin");
  if (!text(data, "requested_by").empty()) origin += ", requested by " + text(data, "requested_by");
  line(out, "origin", origin);
  if (!text(data, "reason").empty()) line(out, "reason", text(data, "reason"));
  line(out, "created", text(data, "created_at"));
  if (!text(data, "next_attempt_at").empty())
    line(out, "next attempt", text(data, "next_attempt_at"));
  if (!text(data, "finished_at").empty()) line(out, "finished", text(data, "finished_at"));
  line(out, "tries", text(data, "tries"));
  if (std::string r = text(data, "revision"); !r.empty() && r != "0") line(out, "revision", r);
  if (flag(data, "force")) line(out, "force", "yes");
  if (!text(data, "content_hash").empty()) line(out, "content hash", text(data, "content_hash"));
  if (!text(data, "idempotency_key").empty()) {
    line(out, "idempotency key", text(data, "idempotency_key"));
  }
  if (!text(data, "app_id").empty()) line(out, "app id", text(data, "app_id"));
  verdicts(field(data, "verdicts"), out);
  attempts(field(data, "attempts"), out);
}

void paused(const nlohmann::json& data, std::ostream& out) {
  const auto& list = field(data, "paused");
  if (!list.is_array() || list.empty()) {
    out << "no schedule is paused\n";
    return;
  }
  std::string names;
  for (const auto& e : list) names += (names.empty() ? "" : ", ") + scalar(e);
  out << "paused: " << names << " (the schedule only: manual pushes and queued jobs still go)\n";
}

void reloaded(const nlohmann::json& data, std::ostream& out) {
  out << "configuration reloaded from " << text(data, "config") << " (generation "
      << text(data, "config_generation") << ")\n";
}

}  // namespace kokola::ctl::render
