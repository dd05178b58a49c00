#include "kokola/response.hpp"

#include <nlohmann/json.hpp>
#include <optional>

#include "domain/utf8.hpp"
#include "kokola/retry_after.hpp"

namespace kokola {
namespace {

using nlohmann::json;

// The error body of every 4xx/5xx answer (docs/kokola-api.md): code, message, field errors,
// and on 409 the revision the app holds.
struct AppError {
  std::string code;
  std::string message;
  Problems errors;
  std::optional<std::int64_t> current_revision;
};

// nullopt for anything that is not JSON, or nests deeper than kMaxJsonDepth.
std::optional<json> parse_json(std::string_view body) {
  bool too_deep = false;
  json::parser_callback_t depth_guard = [&too_deep](int depth, json::parse_event_t, json&) {
    too_deep = too_deep || depth > kMaxJsonDepth;
    return true;
  };
  json value = json::parse(body.begin(), body.end(), depth_guard, false);
  if (value.is_discarded() || too_deep) return std::nullopt;
  return value;
}

std::string string_member(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

std::optional<std::int64_t> revision_member(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  auto value = it->get<std::int64_t>();
  if (value < 1) return std::nullopt;
  return value;
}

Problems field_errors(const json& object) {
  Problems problems;
  auto it = object.find("errors");
  if (it == object.end() || !it->is_array()) return problems;
  for (const json& entry : *it) {
    if (problems.size() == kMaxFieldErrors) break;
    if (!entry.is_object()) continue;
    problems.push_back(
        {one_line(string_member(entry, "path")), one_line(string_member(entry, "message"))});
  }
  return problems;
}

AppError parse_app_error(std::string_view body) {
  AppError error;
  auto value = parse_json(body);
  if (!value || !value->is_object()) return error;
  error.code = one_line(string_member(*value, "code"), 64);
  error.message = one_line(string_member(*value, "message"));
  error.errors = field_errors(*value);
  error.current_revision = revision_member(*value, "current_revision");
  return error;
}

bool is_transient_status(int status) { return status == 408 || status == 429 || status >= 500; }

// The part of a message after "<status> <code>": the first field error, or the app's message.
std::string detail_of(const AppError& error) {
  if (error.errors.empty()) return error.message;
  const Problem& first = error.errors.front();
  std::string detail = first.path.empty() ? first.message : first.path + ": " + first.message;
  if (error.errors.size() > 1) {
    detail += " (and " + std::to_string(error.errors.size() - 1) + " more)";
  }
  return detail;
}

std::string answer_message(std::string_view request, const HttpAnswer& answer,
                           std::string_view label, std::string_view detail) {
  std::string message = std::string(request) + ": " + std::to_string(answer.status);
  if (!label.empty()) message += " " + std::string(label);
  if (!detail.empty()) message += ": " + std::string(detail);
  return message;
}

void set_status(SendResult& result, int status) {
  if (status >= 300 && status < 400) {
    result.status = SendStatus::rejected;
  } else if (status == 401 || status == 403) {
    result.status = SendStatus::auth_failed;
  } else if (is_transient_status(status)) {
    result.status = SendStatus::transient;
  } else if (status >= 400) {
    result.status = SendStatus::rejected;
  } else {
    result.status = SendStatus::in_doubt;  // 1xx or a 2xx without a usable body
  }
}

// Every answer that is not a 2xx: the app's error body, Retry-After and the status decide.
SendResult classify_error_answer(const HttpAnswer& answer, std::string_view request,
                                 std::chrono::system_clock::time_point now) {
  SendResult result;
  result.http_status = answer.status;
  result.replayed = answer.replayed;
  set_status(result, answer.status);

  AppError error = parse_app_error(answer.body);
  bool redirect = answer.status >= 300 && answer.status < 400;
  std::string label = error.code.empty() ? one_line(answer.reason, 64) : error.code;
  std::string detail = detail_of(error);
  result.error_code = !error.code.empty() ? error.code
                      : redirect          ? "redirect"
                                          : "http_" + std::to_string(answer.status);
  result.field_errors = std::move(error.errors);

  if (redirect) {
    detail = "redirect to '" + one_line(answer.location) + "' not followed";
  }
  if (answer.status == 409 && error.code == "stale_revision") {
    result.status = SendStatus::stale;
    result.app_revision = error.current_revision.value_or(0);
    if (detail.empty()) detail = "the app holds revision " + std::to_string(result.app_revision);
  }
  if (result.status == SendStatus::transient) {
    result.retry_after = parse_retry_after(answer.retry_after, now);
  }

  result.message = answer_message(request, answer, label, detail);
  if (result.retry_after) {
    result.message +=
        " (the app asks to retry after " + std::to_string(result.retry_after->count()) + " s)";
  }
  return result;
}

SendResult unparsable(const HttpAnswer& answer, std::string_view request, SendStatus status,
                      std::string_view why) {
  SendResult result;
  result.status = status;
  result.http_status = answer.status;
  result.replayed = answer.replayed;
  result.error_code = "unparsable_answer";
  result.message = answer_message(request, answer, "unparsable answer", why);
  return result;
}

// A 2xx body names the record: {"id", "key", "revision"} (and "record" on GET).
const char* check_record_answer(const std::optional<json>& value) {
  if (!value || !value->is_object()) return "the body is not a JSON object";
  if (string_member(*value, "id").empty()) return "no \"id\" string";
  auto key = value->find("key");
  if (key == value->end() || !key->is_string()) return "no \"key\" string";
  if (!revision_member(*value, "revision")) return "no \"revision\" integer >= 1";
  return nullptr;
}

std::string_view put_verb(int status) { return status == 201 ? "created" : "replaced"; }

}  // namespace

SendResult classify_put_answer(const HttpAnswer& answer, std::string_view request,
                               std::chrono::system_clock::time_point now) {
  if (answer.status < 200 || answer.status >= 300) {
    return classify_error_answer(answer, request, now);
  }
  // Without the app's id and revision the pipeline cannot write its ledger: a GET decides.
  auto value = parse_json(answer.body);
  if (const char* why = check_record_answer(value)) {
    return unparsable(answer, request, SendStatus::in_doubt, why);
  }

  SendResult result;
  result.status = SendStatus::delivered;
  result.http_status = answer.status;
  result.replayed = answer.replayed;
  result.app_id = one_line(string_member(*value, "id"));
  result.app_revision = *revision_member(*value, "revision");
  result.message = answer_message(
      request, answer, put_verb(answer.status),
      "app id '" + result.app_id + "', revision " + std::to_string(result.app_revision));
  if (answer.replayed) result.message += " (replayed)";
  return result;
}

FetchResult classify_get_answer(const HttpAnswer& answer, std::string_view request,
                                std::chrono::system_clock::time_point now) {
  FetchResult fetch;
  if (answer.status == 404) {
    fetch.status = classify_error_answer(answer, request, now);
    fetch.status.status = SendStatus::delivered;
    return fetch;
  }
  if (answer.status < 200 || answer.status >= 300) {
    fetch.status = classify_error_answer(answer, request, now);
    return fetch;
  }

  auto value = parse_json(answer.body);
  const char* why = check_record_answer(value);
  if (!why && (!value->contains("record") || !value->at("record").is_object())) {
    why = "no \"record\" object";
  }
  if (why) {
    fetch.status = unparsable(answer, request, SendStatus::transient, why);
    return fetch;
  }

  fetch.found = true;
  fetch.app_id = one_line(string_member(*value, "id"));
  fetch.revision = *revision_member(*value, "revision");
  fetch.content_hash = one_line(string_member(*value, "content_hash"), 128);
  fetch.body = value->at("record").dump(-1, ' ', false, json::error_handler_t::replace);
  fetch.status.status = SendStatus::delivered;
  fetch.status.http_status = answer.status;
  fetch.status.app_id = fetch.app_id;
  fetch.status.app_revision = fetch.revision;
  fetch.status.message =
      answer_message(request, answer, "found",
                     "app id '" + fetch.app_id + "', revision " + std::to_string(fetch.revision));
  return fetch;
}

std::string one_line(std::string_view text, std::size_t max_bytes) {
  std::string clean = escape_invalid_utf8(text);
  for (char& c : clean) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) c = ' ';
  }
  if (clean.size() <= max_bytes) return clean;

  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(clean[cut]) & 0xC0) == 0x80) --cut;
  clean.resize(cut);
  return clean + "...";
}

namespace {

void redact_text(std::string& text, std::string_view secret) {
  static constexpr std::string_view kMark = "[redacted]";
  for (auto pos = text.find(secret); pos != std::string::npos;
       pos = text.find(secret, pos + kMark.size())) {
    text.replace(pos, secret.size(), kMark);
  }
}

}  // namespace

void redact(SendResult& result, std::string_view secret) {
  if (secret.empty()) return;
  redact_text(result.message, secret);
  redact_text(result.error_code, secret);
  redact_text(result.app_id, secret);
  for (Problem& problem : result.field_errors) {
    redact_text(problem.path, secret);
    redact_text(problem.message, secret);
  }
}

void redact(FetchResult& result, std::string_view secret) {
  if (secret.empty()) return;
  redact(result.status, secret);
  redact_text(result.app_id, secret);
  redact_text(result.content_hash, secret);
  redact_text(result.body, secret);
}

}  // namespace kokola
