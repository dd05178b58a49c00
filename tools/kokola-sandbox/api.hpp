// The Kokola API contract as the sandbox applies it (docs/kokola-api.md): token check, fault
// rules, Idempotency-Key replay, body validation, key match, references, the revision
// precondition and the upsert, and GET by key. Independent of the HTTP library: it takes a
// plain request and returns a plain answer, which routes.cpp turns into HTTP. Thread-safe:
// every use of the store is serialised by one mutex; fault delays sleep outside it.
#pragma once

#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "faults.hpp"
#include "store.hpp"
#include "validate.hpp"

namespace sandbox {

struct ApiRequest {
  std::string method;  // "GET", "HEAD", "PUT", ...
  std::string target;  // raw, as on the request line
  std::string body;
  std::optional<std::string> content_type;
  std::optional<std::string> authorization;
  std::optional<std::string> idempotency_key;
  std::optional<std::string> request_id;
};

struct Answer {
  int status = 200;
  std::string body;  // JSON text
  std::vector<std::pair<std::string, std::string>> headers;
  // Close the connection without sending this answer (fault rules "close" and
  // "close_after_apply").
  bool drop_connection = false;
};

// An answer with the contract's error body: {"code", "message", "errors": [...]}.
Answer error_answer(int status, const std::string& code, const std::string& message,
                    const FieldErrors& errors = {});

class Api {
 public:
  Api(Store& store, FaultTable& faults, std::string token);

  // Answers a request for /v1/<entity>/<key> or any path that is not an admin path.
  Answer handle(const ApiRequest& request);
  // Logs a request answered by the HTTP library itself (e.g. 413 for a body over the limit).
  void log_unhandled(const ApiRequest& request, int status, const std::string& code);

  nlohmann::json dump();
  void reset();

 private:
  Answer handle_record(const ApiRequest& request, const Route& route, RequestLogEntry& log);
  Answer handle_get(const Route& route, RequestLogEntry& log);
  Answer handle_put(const ApiRequest& request, const Route& route, RequestLogEntry& log);
  Answer process_put(const Route& route, const std::string& body, bool& applied);
  std::optional<Answer> check_references(const nlohmann::json& body);
  bool authorized(const std::optional<std::string>& header) const;
  Answer finish(Answer answer, RequestLogEntry& log);

  Store& store_;
  FaultTable& faults_;
  std::string token_;
  std::mutex mutex_;
};

}  // namespace sandbox
