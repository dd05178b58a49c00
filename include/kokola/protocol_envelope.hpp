// The envelope of the control protocol (docs/control-protocol.md): framing, request ids,
// version, command names, error codes, and the progress and result lines. The arguments of
// each command are checked in protocol_args.hpp; include/kokola/protocol.hpp brings both.
// Header-only so that kokolactl never links the daemon's core. Every function is pure and
// never throws; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

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
inline constexpr std::int64_t kDefaultJobsLimit = 50;
inline constexpr std::size_t kMaxRetryIds = 100;

// The stable error codes of a failed result.
namespace error_code {
inline constexpr std::string_view kBadRequest = "bad_request";
inline constexpr std::string_view kUnsupportedVersion = "unsupported_version";
inline constexpr std::string_view kUnknownCommand = "unknown_command";
inline constexpr std::string_view kTooLarge = "too_large";
inline constexpr std::string_view kPermissionDenied = "permission_denied";
inline constexpr std::string_view kNotFound = "not_found";
inline constexpr std::string_view kErpError = "erp_error";
inline constexpr std::string_view kConfigInvalid = "config_invalid";  // reload: old one kept
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
inline constexpr std::string_view kJobs = "jobs";
inline constexpr std::string_view kJob = "job";
inline constexpr std::string_view kRetry = "retry";
inline constexpr std::string_view kPause = "pause";
inline constexpr std::string_view kResume = "resume";
inline constexpr std::string_view kReload = "reload";

inline constexpr std::string_view kAll[] = {kStatus, kList, kShow,  kPush,  kSync,   kAudit,
                                            kJobs,   kJob,  kRetry, kPause, kResume, kReload};
}  // namespace command

inline bool is_known_command(std::string_view cmd) {
  for (auto known : command::kAll) {
    if (cmd == known) return true;
  }
  return false;
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
