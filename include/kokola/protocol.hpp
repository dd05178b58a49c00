// The control protocol spoken on kokola-syncd's Unix socket (docs/control-protocol.md):
// newline-delimited JSON, one request at a time per connection, zero or more progress lines
// and exactly one final result per request. This header is the single definition of the
// framing, the field rules and the error codes, shared by the daemon's server and by
// kokolactl. Header-only so that kokolactl never links the daemon's core. Every function is
// pure and never throws; any thread.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "kokola/timestamp.hpp"

namespace kokola {

inline constexpr int kProtocolVersion = 1;
// A request line, newline included. The server closes a connection that sends a longer one.
inline constexpr std::size_t kMaxMessageBytes = 65536;
// A response line, newline included. Results (a PO with 1,000 lines, a list of 10,000
// records) do not fit in kMaxMessageBytes, so answers have a limit of their own.
inline constexpr std::size_t kMaxResponseBytes = 16 * 1024 * 1024;
inline constexpr std::size_t kMaxIdChars = 64;
inline constexpr std::size_t kMaxKeysPerPush = 100;
inline constexpr std::size_t kMaxKeyBytes = 512;
inline constexpr std::size_t kMaxTextArgBytes = 1024;  // search, reason
inline constexpr std::int64_t kMaxListLimit = 10000;
inline constexpr std::int64_t kDefaultListLimit = 1000;
inline constexpr std::int64_t kDefaultAuditLimit = 100;

// The stable error codes of a failed result.
namespace error_code {
inline constexpr std::string_view kBadRequest = "bad_request";
inline constexpr std::string_view kUnsupportedVersion = "unsupported_version";
inline constexpr std::string_view kUnknownCommand = "unknown_command";
inline constexpr std::string_view kTooLarge = "too_large";
inline constexpr std::string_view kPermissionDenied = "permission_denied";
inline constexpr std::string_view kNotFound = "not_found";
inline constexpr std::string_view kErpError = "erp_error";
inline constexpr std::string_view kShuttingDown = "shutting_down";
inline constexpr std::string_view kBusy = "busy";  // too many connections; sent with a null id
inline constexpr std::string_view kInternal = "internal";
}  // namespace error_code

// The command names.
namespace command {
inline constexpr std::string_view kStatus = "status";
inline constexpr std::string_view kList = "list";
inline constexpr std::string_view kShow = "show";
inline constexpr std::string_view kPush = "push";
inline constexpr std::string_view kSync = "sync";
inline constexpr std::string_view kAudit = "audit";
}  // namespace command

inline bool is_known_command(std::string_view cmd) {
  return cmd == command::kStatus || cmd == command::kList || cmd == command::kShow ||
         cmd == command::kPush || cmd == command::kSync || cmd == command::kAudit;
}

struct Request {
  std::string id;
  std::string cmd;
  nlohmann::json args = nlohmann::json::object();
};

// Why a request line was refused. `id` is the request's id when it could be read (else the
// error goes out with "id": null); `close` asks the server to close the connection after
// the error (the line was too long, not UTF-8 or not JSON: the stream cannot be trusted).
struct ProtocolError {
  std::string code;
  std::string message;
  std::optional<std::string> id;
  bool close = false;
};

// A value, or why it could not be had.
template <typename T>
using Parsed = std::variant<T, ProtocolError>;

template <typename T>
const ProtocolError* error_of(const Parsed<T>& p) {
  return std::get_if<ProtocolError>(&p);
}

// ---- UTF-8 ------------------------------------------------------------------------------

// Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF.
inline bool is_valid_utf8_text(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    std::uint32_t min = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

// ---- Requests ---------------------------------------------------------------------------

namespace protocol_detail {

inline ProtocolError bad_request(std::string field, std::string_view what,
                                 std::optional<std::string> id = std::nullopt) {
  return {std::string(error_code::kBadRequest), std::move(field) + ": " + std::string(what),
          std::move(id), false};
}

inline std::optional<ProtocolError> check_envelope_fields(const nlohmann::json& doc) {
  for (const auto& [name, value] : doc.items()) {
    if (name != "v" && name != "id" && name != "cmd" && name != "args") {
      return bad_request(name, "unknown field");
    }
  }
  return std::nullopt;
}

inline Parsed<std::string> read_id(const nlohmann::json& doc) {
  auto it = doc.find("id");
  if (it == doc.end()) return bad_request("id", "missing");
  if (!it->is_string()) return bad_request("id", "must be a string");
  const auto& id = it->get_ref<const std::string&>();
  if (id.empty() || id.size() > kMaxIdChars) return bad_request("id", "must be 1 to 64 chars");
  return id;
}

inline std::optional<ProtocolError> check_version(const nlohmann::json& doc) {
  auto it = doc.find("v");
  if (it == doc.end()) return bad_request("v", "missing");
  if (!it->is_number()) return bad_request("v", "must be an integer");
  if (!it->is_number_integer() || it->get<std::int64_t>() != kProtocolVersion) {
    return ProtocolError{
        std::string(error_code::kUnsupportedVersion),
        "v: this server speaks version " + std::to_string(kProtocolVersion) + ", not " + it->dump(),
        std::nullopt, false};
  }
  return std::nullopt;
}

}  // namespace protocol_detail

// Reads one request line (without its newline). Checks the envelope only: v, id, cmd, args;
// the arguments of each command are checked by validate_request().
inline Parsed<Request> parse_request(std::string_view line) {
  using protocol_detail::bad_request;
  if (line.size() + 1 > kMaxMessageBytes) {
    return ProtocolError{std::string(error_code::kTooLarge),
                         "request: longer than " + std::to_string(kMaxMessageBytes) + " bytes",
                         std::nullopt, true};
  }
  if (!is_valid_utf8_text(line)) {
    auto e = bad_request("request", "not valid UTF-8");
    e.close = true;
    return e;
  }
  auto doc = nlohmann::json::parse(line, nullptr, false);
  if (doc.is_discarded()) {
    auto e = bad_request("request", "not valid JSON");
    e.close = true;
    return e;
  }
  if (!doc.is_object()) return bad_request("request", "must be a JSON object");

  auto id = protocol_detail::read_id(doc);
  if (auto* e = error_of(id)) return *e;
  Request req;
  req.id = std::get<std::string>(std::move(id));

  // From here on a well-formed id is echoed in the error, whatever else is wrong.
  auto envelope_error = protocol_detail::check_envelope_fields(doc);
  if (!envelope_error) envelope_error = protocol_detail::check_version(doc);
  if (envelope_error) {
    envelope_error->id = req.id;
    return *envelope_error;
  }

  auto cmd = doc.find("cmd");
  if (cmd == doc.end() || !cmd->is_string()) {
    return bad_request("cmd", "must be a string", req.id);
  }
  req.cmd = cmd->get<std::string>();
  if (!is_known_command(req.cmd)) {
    return ProtocolError{std::string(error_code::kUnknownCommand),
                         "cmd: unknown command '" + req.cmd + "'", req.id, false};
  }

  auto args = doc.find("args");
  if (args != doc.end()) {
    if (!args->is_object()) return bad_request("args", "must be an object", req.id);
    req.args = std::move(*args);
  }
  return req;
}

// ---- Arguments --------------------------------------------------------------------------

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
};

struct SyncArgs {
  std::string entity = "all";  // "po", "item", "vendor" or "all"
};

struct AuditArgs {
  std::string since;  // empty, or UTC "2025-06-02T03:15:00Z" (normalize_instant)
  std::string user;   // empty: everyone
  std::int64_t limit = kDefaultAuditLimit;
};

inline bool is_entity_name(std::string_view s) { return s == "po" || s == "item" || s == "vendor"; }

namespace protocol_detail {

// Reads the fields of one command's args, remembering the first problem. Every field read is
// marked known; finish() then refuses any other field, so that a misspelt "dryrun" can never
// turn a dry run into a real push.
class ArgReader {
 public:
  explicit ArgReader(const nlohmann::json& args) : args_(args) {}

  void entity(std::string& out, bool allow_all) {
    const auto* v = field("entity", true);
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
    if (v.get_ref<const std::string&>().size() > kMaxKeyBytes) {
      return fail(path, "must be at most " + std::to_string(kMaxKeyBytes) + " bytes");
    }
    out = v.get<std::string>();
  }

  void fail(std::string path, std::string_view what) {
    if (!error_) error_ = bad_request(std::move(path), what);
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
  return protocol_detail::finish(r, std::move(a));
}

inline Parsed<SyncArgs> parse_sync_args(const nlohmann::json& args) {
  protocol_detail::ArgReader r(args);
  SyncArgs a;
  if (args.contains("entity")) r.entity(a.entity, true);
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

inline std::optional<ProtocolError> validate_status_args(const nlohmann::json& args) {
  protocol_detail::ArgReader r(args);
  return r.finish();
}

// Checks a parsed request's arguments for its command; the error carries the request's id.
// The server calls this before the handler, so a handler sees only valid arguments.
inline std::optional<ProtocolError> validate_request(const Request& req) {
  std::optional<ProtocolError> e;
  auto take = [&e](const auto& parsed) {
    if (const auto* err = error_of(parsed)) e = *err;
  };
  if (req.cmd == command::kStatus) {
    e = validate_status_args(req.args);
  } else if (req.cmd == command::kList) {
    take(parse_list_args(req.args));
  } else if (req.cmd == command::kShow) {
    take(parse_show_args(req.args));
  } else if (req.cmd == command::kPush) {
    take(parse_push_args(req.args));
  } else if (req.cmd == command::kSync) {
    take(parse_sync_args(req.args));
  } else if (req.cmd == command::kAudit) {
    take(parse_audit_args(req.args));
  } else {
    e = ProtocolError{std::string(error_code::kUnknownCommand),
                      "cmd: unknown command '" + req.cmd + "'", std::nullopt, false};
  }
  if (e) e->id = req.id;
  return e;
}

// ---- Response lines ---------------------------------------------------------------------

namespace protocol_detail {

// Invalid UTF-8 in the data (legacy ERP text) becomes U+FFFD instead of throwing.
inline std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

inline std::string envelope(const std::optional<std::string>& id, std::string_view rest) {
  std::string line = "{\"v\":" + std::to_string(kProtocolVersion) + ",\"id\":";
  line += id ? dump(nlohmann::json(*id)) : std::string("null");
  line += rest;
  line += "}\n";
  return line;
}

// A message is one line of text: control characters become spaces.
inline std::string one_line(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return out;
}

}  // namespace protocol_detail

// Each builder returns a complete line, newline included, and never throws.
inline std::string progress_line(const std::string& id, const nlohmann::json& data) {
  return protocol_detail::envelope(
      id, ",\"type\":\"progress\",\"data\":" + protocol_detail::dump(data));
}

inline std::string result_line(const std::string& id, const nlohmann::json& data) {
  return protocol_detail::envelope(
      id, ",\"type\":\"result\",\"ok\":true,\"data\":" + protocol_detail::dump(data));
}

inline std::string error_line(const std::optional<std::string>& id, std::string_view code,
                              std::string_view message) {
  nlohmann::json error = {{"code", std::string(code)},
                          {"message", protocol_detail::one_line(message)}};
  return protocol_detail::envelope(
      id, ",\"type\":\"result\",\"ok\":false,\"error\":" + protocol_detail::dump(error));
}

// A request line, as a client sends it.
inline std::string request_line(const Request& req) {
  return protocol_detail::envelope(req.id, ",\"cmd\":" + protocol_detail::dump(req.cmd) +
                                               ",\"args\":" + protocol_detail::dump(req.args));
}

inline std::string error_line(const ProtocolError& e) {
  return error_line(e.id, e.code, e.message);
}

// One line read by a client.
struct Response {
  std::optional<std::string> id;  // null when the server could not read the request
  bool final = false;             // "type": "result" (else "progress")
  bool ok = false;                // for a final result
  nlohmann::json data;            // progress or result data
  std::string error_code;         // when final and not ok
  std::string error_message;
};

// Reads one response line (without its newline). A malformed line gives an error whose code
// is "malformed_response" (a client-side code, never sent on the wire).
inline Parsed<Response> parse_response_line(std::string_view line) {
  auto bad = [](std::string what) {
    return ProtocolError{"malformed_response", std::move(what), std::nullopt, true};
  };
  auto doc = nlohmann::json::parse(line, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return bad("not a JSON object");
  auto v = doc.find("v");
  if (v == doc.end() || *v != kProtocolVersion) return bad("v: not version 1");

  Response r;
  auto id = doc.find("id");
  if (id == doc.end() || !(id->is_string() || id->is_null())) return bad("id: missing");
  if (id->is_string()) r.id = id->get<std::string>();

  auto type = doc.find("type");
  if (type == doc.end() || !type->is_string()) return bad("type: missing");
  if (*type == "progress") {
    r.data = doc.value("data", nlohmann::json::object());
    return r;
  }
  if (*type != "result") return bad("type: unknown type " + type->dump());

  r.final = true;
  auto ok = doc.find("ok");
  if (ok == doc.end() || !ok->is_boolean()) return bad("ok: missing");
  r.ok = ok->get<bool>();
  if (r.ok) {
    r.data = doc.value("data", nlohmann::json::object());
    return r;
  }
  auto error = doc.find("error");
  if (error == doc.end() || !error->is_object() || !error->contains("code") ||
      !(*error)["code"].is_string()) {
    return bad("error: missing its code");
  }
  r.error_code = (*error)["code"].get<std::string>();
  const auto& message = error->value("message", nlohmann::json(""));
  r.error_message = message.is_string() ? message.get<std::string>() : message.dump();
  return r;
}

}  // namespace kokola
