#include "api.hpp"

#include <chrono>
#include <thread>

#include "request_checks.hpp"

namespace sandbox {
namespace {

using nlohmann::json;

Answer json_answer(int status, const json& body) {
  Answer answer;
  answer.status = status;
  // Replace rather than throw on invalid UTF-8: a raw target may carry any bytes.
  answer.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return answer;
}

std::optional<std::string> error_code_of(const Answer& answer) {
  if (answer.status < 400) return std::nullopt;
  const auto body = json::parse(answer.body, nullptr, false);
  if (body.is_object() && body.contains("code") && body["code"].is_string()) {
    return body["code"].get<std::string>();
  }
  return std::nullopt;
}

Answer fault_answer(const FaultRule& rule) {
  Answer answer = error_answer(rule.status, rule.code, rule.message);
  std::optional<std::string> retry_after = rule.retry_after;
  if (!retry_after && (rule.status == 429 || rule.status == 503)) retry_after = "1";
  if (retry_after && !retry_after->empty())
    answer.headers.emplace_back("Retry-After", *retry_after);
  return answer;
}

RequestLogEntry log_entry(const ApiRequest& request) {
  RequestLogEntry log;
  log.ts = now_utc();
  log.method = request.method;
  log.target = request.target;
  log.request_id = request.request_id;
  log.idempotency_key = request.idempotency_key;
  return log;
}

}  // namespace

Answer error_answer(int status, const std::string& code, const std::string& message,
                    const FieldErrors& errors) {
  json list = json::array();
  for (const auto& e : errors) list.push_back({{"path", e.path}, {"message", e.message}});
  return json_answer(status, {{"code", code}, {"message", message}, {"errors", list}});
}

Api::Api(Store& store, FaultTable& faults, std::string token)
    : store_(store), faults_(faults), token_(std::move(token)) {}

Answer Api::handle(const ApiRequest& request) {
  RequestLogEntry log = log_entry(request);
  const Route route = route_target(request.target);
  if (route.kind == Route::Kind::not_found || route.kind == Route::Kind::admin) {
    return finish(error_answer(404, "not_found", "no such path: " + request.target), log);
  }
  log.entity = std::string(entity_name(route.entity));
  if (route.kind == Route::Kind::bad_key) {
    return finish(error_answer(400, "invalid_key", "invalid key in path: " + route.error), log);
  }
  log.key = route.key;
  return handle_record(request, route, log);
}

Answer Api::handle_record(const ApiRequest& request, const Route& route, RequestLogEntry& log) {
  const bool is_get = request.method == "GET" || request.method == "HEAD";
  if (!is_get && request.method != "PUT") {
    Answer answer =
        error_answer(405, "method_not_allowed",
                     "method " + request.method + " is not allowed here; use GET or PUT");
    answer.headers.emplace_back("Allow", "GET, PUT");
    return finish(std::move(answer), log);
  }
  if (!is_get) log.revision = revision_of(request.body);
  if (!authorized(request.authorization)) {
    Answer answer = error_answer(401, "unauthorized", "missing or invalid bearer token");
    answer.headers.emplace_back("WWW-Authenticate", "Bearer");
    return finish(std::move(answer), log);
  }

  const auto fault = faults_.take(is_get ? "GET" : "PUT", *log.entity, route.key);
  if (fault) {
    log.fault = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(fault->delay_ms));
    if (fault->action == FaultRule::Action::respond) return finish(fault_answer(*fault), log);
    if (fault->action == FaultRule::Action::close) {
      Answer dropped;
      dropped.drop_connection = true;
      log.status = std::nullopt;
      std::lock_guard lock(mutex_);
      store_.log_request(log);
      return dropped;
    }
  }

  Answer answer = is_get ? handle_get(route, log) : handle_put(request, route, log);
  answer.drop_connection = fault && fault->action == FaultRule::Action::close_after_apply;
  return answer;
}

Answer Api::handle_get(const Route& route, RequestLogEntry& log) {
  std::lock_guard lock(mutex_);
  const auto record = store_.find(route.entity, route.key);
  Answer answer = record ? json_answer(200, {{"id", record->id},
                                             {"key", route.key},
                                             {"revision", record->revision},
                                             {"record", json::parse(record->body)}})
                         : error_answer(404, "not_found",
                                        "no " + std::string(entity_name(route.entity)) +
                                            " with key '" + route.key + "'");
  log.status = answer.status;
  log.code = error_code_of(answer);
  store_.log_request(log);
  return answer;
}

Answer Api::handle_put(const ApiRequest& request, const Route& route, RequestLogEntry& log) {
  if (!is_json_media_type(request.content_type)) {
    return finish(
        error_answer(415, "unsupported_media_type", "Content-Type must be application/json"), log);
  }
  const auto& key = request.idempotency_key;
  if (!key || !is_valid_idempotency_key(*key)) {
    return finish(error_answer(400, "missing_idempotency_key",
                               "an Idempotency-Key header of 1-255 printable ASCII characters "
                               "is required on PUT"),
                  log);
  }

  std::lock_guard lock(mutex_);
  Transaction tx(store_.database());
  Answer answer;
  if (const auto stored = store_.find_answer(*key)) {
    const bool same = stored->method == request.method && stored->target == request.target &&
                      stored->request_body == request.body;
    answer = same ? Answer{stored->status, stored->body, {{"Idempotent-Replayed", "true"}}}
                  : error_answer(
                        422, "idempotency_key_reused",
                        "Idempotency-Key '" + *key + "' was already used for a different request");
    log.replayed = same;
  } else {
    answer = process_put(route, request.body, log.applied);
    store_.remember_answer(
        *key, {request.method, request.target, request.body, answer.status, answer.body}, log.ts);
  }
  log.status = answer.status;
  log.code = error_code_of(answer);
  store_.log_request(log);
  tx.commit();
  return answer;
}

Answer Api::process_put(const Route& route, const std::string& text, bool& applied) {
  const json body = json::parse(text, nullptr, false);
  if (body.is_discarded()) return error_answer(400, "malformed_json", "the body is not valid JSON");

  if (auto errors = validate_body(route.entity, body); !errors.empty()) {
    return error_answer(422, "validation_failed", "the record does not match the schema", errors);
  }
  const std::string property(key_property(route.entity));
  const auto& body_key = body[property].get_ref<const std::string&>();
  if (body_key != route.key) {
    return error_answer(422, "key_mismatch",
                        "the " + property + " in the body differs from the key in the path",
                        {{property, "is '" + body_key + "', the path names '" + route.key + "'"}});
  }
  if (route.entity == Entity::po) {
    if (auto refused = check_references(body)) return *refused;
  }

  const auto revision = body["revision"].get<std::int64_t>();
  const auto held = store_.find(route.entity, route.key);
  if (held && held->revision >= revision) {
    Answer stale = error_answer(409, "stale_revision",
                                "revision " + std::to_string(revision) +
                                    " is not higher than the revision the app holds (" +
                                    std::to_string(held->revision) + ")");
    json stale_body = json::parse(stale.body);
    stale_body["current_revision"] = held->revision;
    stale.body = stale_body.dump(-1, ' ', false, json::error_handler_t::replace);
    return stale;
  }

  bool created = false;
  const std::string id = store_.upsert(route.entity, route.key, revision, text, now_utc(), created);
  applied = true;
  return json_answer(created ? 201 : 200, {{"id", id}, {"key", route.key}, {"revision", revision}});
}

std::optional<Answer> Api::check_references(const json& body) {
  FieldErrors errors;
  const auto& vendor = body["vendor_code"].get_ref<const std::string&>();
  if (!store_.find(Entity::vendor, vendor)) {
    errors.push_back({"vendor_code", "no vendor with code '" + vendor + "' is held"});
  }
  const auto& lines = body["lines"];
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& item = lines[i]["item_code"];
    if (item.is_string() && !store_.find(Entity::item, item.get<std::string>())) {
      errors.push_back({"lines[" + std::to_string(i) + "].item_code",
                        "no item with code '" + item.get<std::string>() + "' is held"});
    }
  }
  if (errors.empty()) return std::nullopt;
  return error_answer(422, "unknown_reference",
                      "the purchase order names records the app "
                      "does not hold",
                      errors);
}

bool Api::authorized(const std::optional<std::string>& header) const {
  return header && bearer_token_matches(*header, token_);
}

Answer Api::finish(Answer answer, RequestLogEntry& log) {
  log.status = answer.status;
  log.code = error_code_of(answer);
  std::lock_guard lock(mutex_);
  store_.log_request(log);
  return answer;
}

void Api::log_unhandled(const ApiRequest& request, int status, const std::string& code) {
  RequestLogEntry log = log_entry(request);
  log.status = status;
  log.code = code;
  const Route route = route_target(request.target);
  if (route.kind == Route::Kind::record || route.kind == Route::Kind::bad_key) {
    log.entity = std::string(entity_name(route.entity));
    if (route.kind == Route::Kind::record) log.key = route.key;
  }
  std::lock_guard lock(mutex_);
  store_.log_request(log);
}

json Api::dump() {
  std::lock_guard lock(mutex_);
  return store_.dump();
}

void Api::reset() {
  std::lock_guard lock(mutex_);
  store_.reset();
}

}  // namespace sandbox
