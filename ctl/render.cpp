#include "render.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "kokola/exit_codes.hpp"
#include "kokola/outcome.hpp"

namespace kokola::ctl {
namespace render {

const nlohmann::json& field(const nlohmann::json& j, const char* name) {
  static const nlohmann::json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(name);
  return it == j.end() ? kNull : *it;
}

bool flag(const nlohmann::json& j, const char* name) {
  const auto& v = field(j, name);
  return v.is_boolean() && v.get<bool>();
}

std::string text(const nlohmann::json& j, const char* name) { return scalar(field(j, name)); }

std::string scalar(const nlohmann::json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_boolean()) return j.get<bool>() ? "yes" : "no";
  if (j.is_number()) return j.dump();
  return "";
}

std::string counts(const nlohmann::json& counts) {
  if (!counts.is_object()) return "";
  // Outcomes in their natural order first, then anything this client does not know.
  std::vector<std::string> names;
  for (int i = 0; i <= static_cast<int>(Outcome::superseded); ++i) {
    names.emplace_back(outcome_name(static_cast<Outcome>(i)));
  }
  for (const auto& [name, n] : counts.items()) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }

  std::string out;
  for (const auto& name : names) {
    auto it = counts.find(name);
    if (it == counts.end() || scalar(*it).empty() || scalar(*it) == "0") continue;
    if (!out.empty()) out += ", ";
    out += name + " " + scalar(*it);
  }
  return out;
}

std::string duration(long long seconds) {
  if (seconds < 0) seconds = 0;
  auto pad = [](long long n) { return (n < 10 ? "0" : "") + std::to_string(n); };
  if (seconds < 60) return std::to_string(seconds) + "s";
  if (seconds < 3600) return std::to_string(seconds / 60) + "m " + pad(seconds % 60) + "s";
  if (seconds < 86400) {
    return std::to_string(seconds / 3600) + "h " + pad(seconds % 3600 / 60) + "m";
  }
  return std::to_string(seconds / 86400) + "d " + std::to_string(seconds % 86400 / 3600) + "h";
}

void problems(const nlohmann::json& list, int indent, std::ostream& out) {
  if (!list.is_array()) return;
  for (const auto& p : list) {
    std::string path = text(p, "path");
    out << std::string(indent, ' ') << (path.empty() ? "" : path + ": ") << text(p, "message")
        << '\n';
  }
}

}  // namespace render

namespace {

using render::field;
using render::flag;
using render::text;

bool is_waiting(const std::string& outcome) {
  return outcome == "queued" || outcome == "sending" || outcome == "retry_wait";
}

// "queued as job 42: the app is rate-limited until ...". The daemon's message may already
// start with "queued as job 42"; it is not said twice.
std::string queued_summary(const nlohmann::json& r) {
  const std::string outcome = text(r, "outcome");
  const std::string head = "queued as job " + text(r, "job");
  std::string summary = head;
  if (outcome == "retry_wait") summary += " (waiting to retry)";
  if (outcome == "sending") summary += " (sending)";

  std::string message = text(r, "message");
  if (message.rfind(head, 0) == 0) {
    auto rest = message.find_first_not_of(":; ", head.size());
    message = rest == std::string::npos ? "" : message.substr(rest);
  }
  if (message.empty()) message = "`kokolactl job " + text(r, "job") + "` follows it";
  return summary + ": " + message;
}

// "delivered (job 12, revision 1, app id po_000017)", "not ready: status 'DRAFT' ...".
std::string push_summary(const nlohmann::json& r) {
  std::string outcome = text(r, "outcome");
  if (is_waiting(outcome) && !text(r, "job").empty() && !flag(r, "dry_run")) {
    return queued_summary(r);
  }
  std::string summary = outcome;
  std::replace(summary.begin(), summary.end(), '_', ' ');
  if (outcome == "rejected") summary += " by the app";

  std::vector<std::string> details;
  if (!text(r, "job").empty()) details.push_back("job " + text(r, "job"));
  if (!text(r, "revision").empty()) details.push_back("revision " + text(r, "revision"));
  if (!text(r, "app_id").empty()) details.push_back("app id " + text(r, "app_id"));
  // 0: no answer came (in doubt, a connection that failed): no status to show.
  if (std::string http = text(r, "http_status"); !http.empty() && http != "0") {
    details.push_back("HTTP " + http);
  }
  if (flag(r, "dry_run")) details.push_back("dry run");
  if (!details.empty()) {
    summary += " (";
    for (std::size_t i = 0; i < details.size(); ++i) summary += (i ? ", " : "") + details[i];
    summary += ")";
  }

  // An invalid record's problems follow, one per line: the message would repeat the first.
  std::string message = text(r, "message");
  const auto& listed = field(r, "problems");
  bool problems_follow = outcome == "invalid" && listed.is_array() && !listed.empty();
  if (!message.empty() && outcome != "delivered" && outcome != "unchanged" && !problems_follow) {
    summary += ": " + message;
  }
  return summary;
}

// "po X: delivered ...", or for a retry "retry of job 41: po X: delivered (job 57, ...)".
void render_push_result(const nlohmann::json& r, int indent, std::ostream& out) {
  std::string subject = text(r, "entity") + ' ' + text(r, "key");
  if (subject == " ") subject.clear();
  out << std::string(indent, ' ');
  if (!text(r, "retry_of").empty()) out << "retry of job " << text(r, "retry_of") << ": ";
  out << (subject.empty() ? "" : subject + ": ") << push_summary(r) << '\n';
  render::problems(field(r, "problems"), indent + 2, out);
  const auto& deps = field(r, "dependencies");
  if (!deps.is_array()) return;
  for (const auto& d : deps) render_push_result(d, indent + 2, out);
}

void render_push(const nlohmann::json& data, std::ostream& out) {
  const auto& results = field(data, "results");
  if (!results.is_array()) return;
  // Only `retry --failed` can ask for nothing.
  if (results.empty()) out << "nothing to retry: no record's newest job failed\n";
  for (const auto& r : results) render_push_result(r, 0, out);
}

void render_list(const nlohmann::json& data, std::ostream& out) {
  const auto& records = field(data, "records");
  if (!records.is_array()) return;
  for (const auto& r : records) {
    std::string label = text(r, "label");
    out << text(r, "key") << (label.empty() ? "" : " - " + label) << '\n';
  }
}

// Without --wait the daemon only says which runs it started.
void render_sync_started(const nlohmann::json& runs, std::ostream& out) {
  for (const auto& run : runs) {
    out << text(run, "entity") << ": ";
    if (flag(run, "started")) {
      out << "run started\n";
    } else {
      out << "not started" << (text(run, "message").empty() ? "" : ": " + text(run, "message"))
          << '\n';
    }
  }
  out << "follow it with `kokolactl status`, or run `kokolactl sync --wait`\n";
}

bool is_started_form(const nlohmann::json& runs) {
  return runs.is_array() && !runs.empty() && field(runs[0], "started").is_boolean();
}

void render_sync(const nlohmann::json& data, std::ostream& out) {
  const auto& runs = field(data, "runs");
  if (!runs.is_array()) return;
  if (is_started_form(runs)) return render_sync_started(runs, out);
  for (const auto& run : runs) {
    std::string counts = render::counts(field(run, "counts"));
    if (!text(run, "error").empty()) {
      // The run stopped early (the ERP could not be read): its counts are not the whole story.
      out << text(run, "entity") << ": failed: " << text(run, "error") << '\n';
    } else {
      out << text(run, "entity") << ": " << text(run, "duration_ms") << " ms, "
          << (counts.empty() ? "nothing to send" : counts) << '\n';
    }
    const auto& failures = field(run, "failures");
    if (!failures.is_array()) continue;
    for (const auto& f : failures) {
      out << "  " << text(f, "key") << ": " << text(f, "outcome");
      if (!text(f, "message").empty()) out << ": " << text(f, "message");
      out << '\n';
    }
  }
}

// "push po A B", "sync all": what an audited request asked for.
std::string audit_subject(const nlohmann::json& e) {
  const auto& args = field(e, "args");
  std::string subject = text(e, "command");
  if (!text(args, "entity").empty()) subject += " " + text(args, "entity");
  const auto& keys = field(args, "keys");
  if (keys.is_array()) {
    for (std::size_t i = 0; i < keys.size() && i < 3; ++i) subject += " " + render::scalar(keys[i]);
    if (keys.size() > 3) subject += " (+" + std::to_string(keys.size() - 3) + " more)";
  }
  const auto& ids = field(args, "ids");
  if (ids.is_array()) {
    for (std::size_t i = 0; i < ids.size() && i < 5; ++i) subject += " " + render::scalar(ids[i]);
    if (ids.size() > 5) subject += " (+" + std::to_string(ids.size() - 5) + " more)";
  }
  if (flag(args, "failed")) subject += " --failed";
  if (flag(args, "force")) subject += " --force";
  if (flag(args, "dry_run")) subject += " --dry-run";
  if (flag(args, "wait")) subject += " --wait";
  return subject;
}

// "ok: delivered 2 (jobs 10, 12)" or "permission_denied: push needs the admin role ...".
std::string audit_result(const nlohmann::json& e) {
  std::string result = text(e, "result");
  if (result != "ok")
    return text(e, "message").empty() ? result : result + ": " + text(e, "message");

  nlohmann::json counts = nlohmann::json::object();
  const auto& outcomes = field(e, "outcomes");
  for (const auto& o : outcomes.is_array() ? outcomes : nlohmann::json::array()) {
    if (!text(o, "outcome").empty())
      counts[text(o, "outcome")] = counts.value(text(o, "outcome"), 0) + 1;
    const auto& run = field(o, "counts");
    if (!run.is_object()) continue;
    for (const auto& [name, n] : run.items()) {
      if (n.is_number_integer()) counts[name] = counts.value(name, 0) + n.get<long long>();
    }
  }
  std::string summary = render::counts(counts);
  if (!summary.empty()) result += ": " + summary;

  const auto& jobs = field(e, "jobs");
  if (jobs.is_array() && !jobs.empty()) {
    result += jobs.size() == 1 ? " (job " : " (jobs ";
    for (std::size_t i = 0; i < jobs.size() && i < 10; ++i) {
      result += (i ? ", " : "") + render::scalar(jobs[i]);
    }
    if (jobs.size() > 10) result += ", ... " + std::to_string(jobs.size()) + " in all";
    result += ")";
  }
  return result;
}

// One line per entry, oldest first.
void render_audit(const nlohmann::json& data, std::ostream& out) {
  const auto& entries = field(data, "entries");
  if (!entries.is_array()) return;
  for (const auto& e : entries) {
    std::string user = text(e, "user").empty() ? "?" : text(e, "user");
    out << text(e, "at") << "  " << user << " (uid " << text(e, "uid") << ", pid " << text(e, "pid")
        << ", " << text(e, "role") << ")  " << audit_subject(e) << ": " << audit_result(e);
    if (!text(e, "reason").empty()) out << "  reason: " << text(e, "reason");
    out << '\n';
  }
}

// A sync whose runs completed exits 0 whatever their counts; one that stopped early, 1.
int sync_exit_code(const nlohmann::json& data) {
  const auto& runs = field(data, "runs");
  if (!runs.is_array()) return kExitProtocol;
  for (const auto& run : runs) {
    if (!text(run, "error").empty()) return kExitError;
  }
  return kExitOk;
}

// The exit code over one push result and its dependencies (combine_exit_codes). A dry run
// reports what it would send as "queued": that is its success, not a job waiting.
int push_exit_code(const nlohmann::json& r) {
  auto outcome = parse_outcome(text(r, "outcome"));
  if (!outcome) return kExitProtocol;
  int code = exit_code_for(*outcome, text(r, "reason_code"));
  if (flag(r, "dry_run") && *outcome == Outcome::queued) code = kExitOk;
  const auto& deps = field(r, "dependencies");
  if (deps.is_array()) {
    for (const auto& d : deps) code = combine_exit_codes(code, push_exit_code(d));
  }
  return code;
}

int results_exit_code(const nlohmann::json& data) {
  const auto& results = field(data, "results");
  if (!results.is_array()) return kExitProtocol;
  int code = kExitOk;
  for (const auto& r : results) code = combine_exit_codes(code, push_exit_code(r));
  return code;
}

// `job`: as push would exit for the job's state, so that a script can follow a queued push.
int job_exit_code(const nlohmann::json& data) {
  auto state = parse_outcome(text(data, "state"));
  if (!state) return kExitProtocol;
  return exit_code_for(*state, text(data, "reason_code"));
}

}  // namespace

void render_result(std::string_view cmd, const nlohmann::json& data, std::ostream& out) {
  if (!data.is_object()) return;
  if (cmd == "push" || cmd == "retry") render_push(data, out);
  if (cmd == "list") render_list(data, out);
  if (cmd == "sync") render_sync(data, out);
  if (cmd == "show") render::show(data, out);
  if (cmd == "status") render::status(data, out);
  if (cmd == "audit") render_audit(data, out);
  if (cmd == "jobs") render::jobs(data, out);
  if (cmd == "job") render::job(data, out);
  if (cmd == "pause" || cmd == "resume") render::paused(data, out);
  if (cmd == "reload") render::reloaded(data, out);
}

int exit_code_for_result(std::string_view cmd, const nlohmann::json& data) {
  if (!data.is_object()) return kExitProtocol;
  if (cmd == "push" || cmd == "retry") return results_exit_code(data);
  if (cmd == "job") return job_exit_code(data);
  if (cmd == "sync") return sync_exit_code(data);
  if (cmd == "show") return flag(data, "found") ? kExitOk : kExitNotReady;
  if (cmd == "status") return flag(data, "degraded") ? kExitDegraded : kExitOk;
  return kExitOk;
}

std::string render_progress(std::string_view cmd, const nlohmann::json& data) {
  if (cmd == "push" || cmd == "retry") {
    std::string line = text(data, "entity") + " " + text(data, "key") + ": " + text(data, "stage");
    std::vector<std::string> details;
    if (!text(data, "job").empty()) details.push_back("job " + text(data, "job"));
    if (!text(data, "next_attempt_at").empty()) {
      details.push_back("next attempt " + text(data, "next_attempt_at"));
    }
    for (std::size_t i = 0; i < details.size(); ++i) {
      line += (i ? ", " : " (") + details[i] + (i + 1 == details.size() ? ")" : "");
    }
    if (!text(data, "message").empty()) line += ": " + text(data, "message");
    return line;
  }
  if (cmd == "sync") {
    // {"entity", "processed", and a count per outcome name}
    nlohmann::json counts = nlohmann::json::object();
    if (data.is_object()) {
      for (const auto& [name, n] : data.items()) {
        if (name != "entity" && name != "processed") counts[name] = n;
      }
    }
    std::string line = text(data, "entity") + ": " + text(data, "processed") + " processed";
    std::string listed = render::counts(counts);
    return listed.empty() ? line : line + ": " + listed;
  }
  return "";
}

}  // namespace kokola::ctl
