// The arguments of each control command (docs/control-protocol.md, "Field rules" and
// "Commands"): one struct per command and one parse_*_args() that checks every field, refuses
// unknown ones and fills in the defaults, so that the daemon's handlers see only valid,
// typed values and kokolactl builds requests the daemon will accept. validate_request() runs
// the right one for a request. Header-only; pure, never throws; any thread.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kokola/outcome.hpp"
#include "kokola/protocol_envelope.hpp"
#include "kokola/timestamp.hpp"

namespace kokola {

// ---- Argument structs -------------------------------------------------------------------

struct ListArgs {
  std::string entity;  // "po", "item" or "vendor"
  bool ready = false;
  std::string search;
  std::int64_t limit = kDefaultListLimit;
};

struct ShowArgs {
  std::string entity;
  std::string key;
};

struct PushArgs {
  std::string entity;
  std::vector<std::string> keys;
  bool force = false;
  bool dry_run = false;
  std::string reason;
  bool wait = false;  // answer only when every job is final
};

struct SyncArgs {
  std::string entity = "all";  // "po", "item", "vendor" or "all"
  bool wait = false;           // progress while the runs go on, then their summary
};

struct AuditArgs {
  std::string since;  // empty, or UTC "2025-06-02T03:15:00Z" (normalize_instant)
  std::string user;   // empty: everyone
  std::int64_t limit = kDefaultAuditLimit;
};

struct JobsArgs {
  std::string state;   // empty: every state; else a job_state_filter name
  std::string entity;  // empty: every entity; else "po", "item" or "vendor"
  std::int64_t limit = kDefaultJobsLimit;
};

struct JobArgs {
  std::int64_t id = 0;
};

// Exactly one of `ids` (1 to kMaxRetryIds job ids) and `failed` (true) is given.
struct RetryArgs {
  std::vector<std::int64_t> ids;
  bool failed = false;  // every record whose newest job ended `failed`
  std::string reason;
  bool wait = false;
};

// pause and resume take the same arguments.
struct PauseArgs {
  std::string entity = "all";  // "po", "item", "vendor" or "all"
};

inline bool is_entity_name(std::string_view s) { return s == "po" || s == "item" || s == "vendor"; }

// ---- Job state filters (jobs --state) ---------------------------------------------------

namespace job_filter {
inline constexpr std::string_view kActive = "active";      // not final yet
inline constexpr std::string_view kFinished = "finished";  // final
}  // namespace job_filter

inline constexpr bool is_active_state(Outcome o) {
  return o == Outcome::queued || o == Outcome::sending || o == Outcome::retry_wait ||
         o == Outcome::in_doubt;
}

// The states a `jobs` filter selects: one outcome name, "active" or "finished". Empty for
// a name that is none of them (and for "": the caller treats that as "every state").
inline std::vector<Outcome> job_states_for_filter(std::string_view filter) {
  std::vector<Outcome> states;
  for (int i = 0; i <= static_cast<int>(Outcome::superseded); ++i) {
    auto o = static_cast<Outcome>(i);
    if ((filter == job_filter::kActive && is_active_state(o)) ||
        (filter == job_filter::kFinished && !is_active_state(o)) || filter == outcome_name(o)) {
      states.push_back(o);
    }
  }
  return states;
}

inline bool is_job_state_filter(std::string_view s) { return !job_states_for_filter(s).empty(); }

namespace protocol_detail {

// A JSON integer from 1 to the largest int64, or nullopt (also for 1.0 and "1").
inline std::optional<std::int64_t> positive_integer(const nlohmann::json& v) {
  if (v.is_number_unsigned()) {
    auto u = v.get<std::uint64_t>();
    if (u == 0 || u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(u);
  }
  if (v.is_number_integer() && v.get<std::int64_t>() > 0) return v.get<std::int64_t>();
  return std::nullopt;
}

// Reads the fields of one command's args, remembering the first problem. Every field read is
// marked known; finish() then refuses any other field, so that a misspelt "dryrun" can never
// turn a dry run into a real push.
class ArgReader {
 public:
  explicit ArgReader(const nlohmann::json& args) : args_(args) {}

  bool has(const char* name) const { return args_.contains(name); }

  // Required, or (optional == true) read only when present.
  void entity(std::string& out, bool allow_all, bool optional = false) {
    const auto* v = field("entity", !optional);
    if (!v) return;
    if (v->is_string() && (is_entity_name(v->get_ref<const std::string&>()) ||
                           (allow_all && v->get_ref<const std::string&>() == "all"))) {
      out = v->get<std::string>();
      return;
    }
    fail("args.entity", allow_all ? "must be one of \"po\", \"item\", \"vendor\", \"all\""
                                  : "must be one of \"po\", \"item\", \"vendor\"");
  }

  void boolean(const char* name, bool& out) {
    const auto* v = field(name, false);
    if (!v) return;
    if (!v->is_boolean()) return fail(std::string("args.") + name, "must be true or false");
    out = v->get<bool>();
  }

  void text(const char* name, std::string& out, std::size_t max_bytes) {
    const auto* v = field(name, false);
    if (!v) return;
    if (!v->is_string()) return fail(std::string("args.") + name, "must be a string");
    if (v->get_ref<const std::string&>().size() > max_bytes) {
      return fail(std::string("args.") + name,
                  "must be at most " + std::to_string(max_bytes) + " bytes");
    }
    out = v->get<std::string>();
  }

  void key(const char* name, std::string& out) {
    const auto* v = field(name, true);
    if (v) check_key(*v, std::string("args.") + name, out);
  }

  void keys(std::vector<std::string>& out) {
    const auto* v = field("keys", true);
    if (!v) return;
    if (!v->is_array() || v->empty() || v->size() > kMaxKeysPerPush) {
      return fail("args.keys",
                  "must be an array of 1 to " + std::to_string(kMaxKeysPerPush) + " keys");
    }
    out.resize(v->size());
    for (std::size_t i = 0; i < v->size() && !error_; ++i) {
      check_key((*v)[i], "args.keys[" + std::to_string(i) + "]", out[i]);
    }
  }

  void limit(std::int64_t& out) {
    const auto* v = field("limit", false);
    if (!v) return;
    if (!v->is_number_integer() || v->get<std::int64_t>() < 1 ||
        v->get<std::int64_t>() > kMaxListLimit) {
      return fail("args.limit", "must be an integer from 1 to " + std::to_string(kMaxListLimit));
    }
    out = v->get<std::int64_t>();
  }

  // A required job id.
  void job_id(const char* name, std::int64_t& out) {
    const auto* v = field(name, true);
    if (!v) return;
    auto id = positive_integer(*v);
    if (!id) return fail(std::string("args.") + name, "must be an integer greater than 0");
    out = *id;
  }

  void job_ids(const char* name, std::vector<std::int64_t>& out) {
    const auto* v = field(name, true);
    if (!v) return;
    const std::string path = std::string("args.") + name;
    if (!v->is_array() || v->empty() || v->size() > kMaxRetryIds) {
      return fail(path, "must be an array of 1 to " + std::to_string(kMaxRetryIds) + " job ids");
    }
    for (std::size_t i = 0; i < v->size(); ++i) {
      auto id = positive_integer((*v)[i]);
      if (!id) {
        return fail(path + "[" + std::to_string(i) + "]", "must be an integer greater than 0");
      }
      out.push_back(*id);
    }
  }

  // An optional `jobs` state filter: an outcome name, "active" or "finished".
  void state(std::string& out) {
    const auto* v = field("state", false);
    if (!v) return;
    if (!v->is_string() || !is_job_state_filter(v->get_ref<const std::string&>())) {
      return fail("args.state",
                  "must be a job state (queued, sending, retry_wait, in_doubt, delivered, "
                  "unchanged, not_ready, invalid, rejected, failed, superseded), \"active\" "
                  "or \"finished\"");
    }
    out = v->get<std::string>();
  }

  // An instant (include/kokola/timestamp.hpp), stored in its UTC form.
  void instant(const char* name, std::string& out) {
    const auto* v = field(name, false);
    if (!v) return;
    auto utc = v->is_string() ? normalize_instant(v->get_ref<const std::string&>()) : std::nullopt;
    if (!utc) {
      return fail(std::string("args.") + name,
                  "must be a date (2025-06-02) or an RFC 3339 time with a zone "
                  "(2025-06-02T10:00:00+07:00)");
    }
    out = *utc;
  }

  // A problem that involves several fields at once.
  void fail(std::string path, std::string_view what) {
    if (!error_) error_ = bad_request(std::move(path), what);
  }

  std::optional<ProtocolError> finish() {
    for (const auto& [name, value] : args_.items()) {
      if (error_) break;
      if (std::find(known_.begin(), known_.end(), name) == known_.end()) {
        fail("args." + name, "unknown field");
      }
    }
    return error_;
  }

 private:
  const nlohmann::json* field(const char* name, bool required) {
    known_.emplace_back(name);
    if (error_) return nullptr;
    auto it = args_.find(name);
    if (it == args_.end()) {
      if (required) fail(std::string("args.") + name, "missing");
      return nullptr;
    }
    return &*it;
  }

  void check_key(const nlohmann::json& v, const std::string& path, std::string& out) {
    if (!v.is_string() || v.get_ref<const std::string&>().empty()) {
      return fail(path, "must be a non-empty string");
    }
    const auto& key = v.get_ref<const std::string&>();
    if (key.size() > kMaxKeyBytes) {
      return fail(path, "must be at most " + std::to_string(kMaxKeyBytes) + " bytes");
    }
    // Padding (spaces, tabs, line ends) is trimmed later, as from the ERP's keys. Inside,
    // no key holds a control character (such a row is invalid and never sent).
    constexpr const char* kPadding = " \t\r\n";
    const auto first = key.find_first_not_of(kPadding);
    if (first == std::string::npos) return fail(path, "must not be blank");
    const auto last = key.find_last_not_of(kPadding);
    for (auto i = first; i <= last; ++i) {
      const auto c = static_cast<unsigned char>(key[i]);
      if (c < 0x20 || c == 0x7f) return fail(path, "must not contain control characters");
    }
    out = key;
  }

  const nlohmann::json& args_;
  std::vector<std::string> known_;
  std::optional<ProtocolError> error_;
};

template <typename T>
Parsed<T> finish(ArgReader& reader, T value) {
  if (auto e = reader.finish()) return *e;
  return value;
}

}  // namespace protocol_detail

// ---- Parsers ----------------------------------------------------------------------------

// Typed arguments of each command. The errors are bad_request naming the field
// ("args.keys[2]: must be a non-empty string"); their id is left empty for the caller.
inline Parsed<ListArgs> parse_list_args(const nlohmann::json& args) {
  protocol_detail::ArgReader r(args);
  ListArgs a;
  r.entity(a.entity, false);
  r.boolean("ready", a.ready);
  r.text("search", a.search, kMaxTextArgBytes);
  r.limit(a.limit);
  return protocol_detail::finish(r, std::move(a));
}

inline Parsed<ShowArgs> parse_show_args(const nlohmann::json& args) {
  protocol_detail::ArgReader r(args);
  ShowArgs a;
  r.entity(a.entity, false);
  r.key("key", a.key);
  return protocol_detail::finish(r, std::move(a));
}

inline Parsed<PushArgs> parse_push_args(const nlohmann::json& args) {
  protocol_detail::ArgReader r(args);
  PushArgs a;
  r.entity(a.entity, false);
  r.keys(a.keys);
  r.boolean("force", a.force);
  r.boolean("dry_run", a.dry_run);
  r.text("reason", a.reason, kMaxTextArgBytes);
  r.boolean("wait", a.wait);
  return protocol_detail::finish(r, std::move(a));
}

inline Parsed<SyncArgs> parse_sync_args(const nlohmann::json& args) {
  protocol_detail::ArgReader r(args);
  SyncArgs a;
  r.entity(a.entity, true, /*optional=*/true);
  r.boolean("wait", a.wait);
  return protocol_detail::finish(r, std::move(a));
}

inline Parsed<AuditArgs> parse_audit_args(const nlohmann::json& args) {
  protocol_detail::ArgReader r(args);
  AuditArgs a;
  r.instant("since", a.since);
  r.text("user", a.user, kMaxTextArgBytes);
  r.limit(a.limit);
  return protocol_detail::finish(r, std::move(a));
}

inline Parsed<JobsArgs> parse_jobs_args(const nlohmann::json& args) {
  protocol_detail::ArgReader r(args);
  JobsArgs a;
  r.state(a.state);
  r.entity(a.entity, false, /*optional=*/true);
  r.limit(a.limit);
  return protocol_detail::finish(r, std::move(a));
}

inline Parsed<JobArgs> parse_job_args(const nlohmann::json& args) {
  protocol_detail::ArgReader r(args);
  JobArgs a;
  r.job_id("id", a.id);
  return protocol_detail::finish(r, std::move(a));
}

inline Parsed<RetryArgs> parse_retry_args(const nlohmann::json& args) {
  protocol_detail::ArgReader r(args);
  RetryArgs a;
  const bool by_ids = r.has("ids");
  const bool by_failed = r.has("failed");
  if (by_ids == by_failed) {
    r.fail("args", by_ids ? "give either \"ids\" or \"failed\", not both"
                          : "give \"ids\" (job ids) or \"failed\": true");
  }
  if (by_ids) r.job_ids("ids", a.ids);
  if (by_failed) {
    r.boolean("failed", a.failed);
    if (!a.failed) r.fail("args.failed", "must be true (or give \"ids\" instead)");
  }
  r.text("reason", a.reason, kMaxTextArgBytes);
  r.boolean("wait", a.wait);
  return protocol_detail::finish(r, std::move(a));
}

inline Parsed<PauseArgs> parse_pause_args(const nlohmann::json& args) {
  protocol_detail::ArgReader r(args);
  PauseArgs a;
  r.entity(a.entity, true, /*optional=*/true);
  return protocol_detail::finish(r, std::move(a));
}

// resume takes what pause takes.
inline Parsed<PauseArgs> parse_resume_args(const nlohmann::json& args) {
  return parse_pause_args(args);
}

// status and reload take no arguments.
inline std::optional<ProtocolError> validate_no_args(const nlohmann::json& args) {
  protocol_detail::ArgReader r(args);
  return r.finish();
}

inline std::optional<ProtocolError> validate_status_args(const nlohmann::json& args) {
  return validate_no_args(args);
}

inline std::optional<ProtocolError> validate_reload_args(const nlohmann::json& args) {
  return validate_no_args(args);
}

namespace protocol_detail {

template <typename T>
std::optional<ProtocolError> problem_of(const Parsed<T>& parsed) {
  if (const auto* e = error_of(parsed)) return *e;
  return std::nullopt;
}

inline std::optional<ProtocolError> check_args(const std::string& cmd, const nlohmann::json& a) {
  if (cmd == command::kStatus || cmd == command::kReload) return validate_no_args(a);
  if (cmd == command::kList) return problem_of(parse_list_args(a));
  if (cmd == command::kShow) return problem_of(parse_show_args(a));
  if (cmd == command::kPush) return problem_of(parse_push_args(a));
  if (cmd == command::kSync) return problem_of(parse_sync_args(a));
  if (cmd == command::kAudit) return problem_of(parse_audit_args(a));
  if (cmd == command::kJobs) return problem_of(parse_jobs_args(a));
  if (cmd == command::kJob) return problem_of(parse_job_args(a));
  if (cmd == command::kRetry) return problem_of(parse_retry_args(a));
  if (cmd == command::kPause) return problem_of(parse_pause_args(a));
  if (cmd == command::kResume) return problem_of(parse_resume_args(a));
  return ProtocolError{std::string(error_code::kUnknownCommand),
                       "cmd: unknown command '" + cmd + "'", std::nullopt, false};
}

}  // namespace protocol_detail

// Checks a parsed request's arguments for its command; the error carries the request's id.
// The server calls this before the handler, so a handler sees only valid arguments.
inline std::optional<ProtocolError> validate_request(const Request& req) {
  auto e = protocol_detail::check_args(req.cmd, req.args);
  if (e) e->id = req.id;
  return e;
}

}  // namespace kokola
