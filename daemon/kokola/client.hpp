// The Kokola HTTP client (docs/kokola-api.md): PUT a record by key with its revision,
// Idempotency-Key and X-Request-Id, and GET a record by key. Classifies every result into
// what the pipeline needs (delivered, rejected, auth failure, transient, in doubt).
// KokolaTransport is the seam for tests. HttpKokolaClient owns one keep-alive connection
// (cpp-httplib serialises requests on it): use one per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "domain/entity.hpp"
#include "domain/model.hpp"

namespace kokola {

enum class SendStatus {
  delivered,    // 200 or 201
  stale,        // 409 stale_revision: the app holds a newer revision
  rejected,     // any other 4xx except 401/403/408/429: permanent
                // (also a 3xx, which is never followed, and an untrusted TLS certificate)
  auth_failed,  // 401, 403
  transient,    // connect error, 408, 429, 5xx: safe to retry (nothing applied)
  in_doubt,     // the request may have reached the app, no answer came
};

struct SendResult {
  SendStatus status = SendStatus::transient;
  int http_status = 0;            // 0: no HTTP answer
  std::string app_id;             // on delivered
  std::int64_t app_revision = 0;  // on delivered or stale: the revision the app holds
  // The app's stable code; "http_<status>" when its body has none; or ours: "connect_error",
  // "write_error", "timeout", "no_answer", "tls_error", "redirect", "unparsable_answer",
  // "invalid_request" (docs/http-client.md).
  std::string error_code;
  std::string message;    // one line for people, e.g. the app's message
  Problems field_errors;  // the app's field errors on 422
  std::optional<std::chrono::seconds> retry_after;
  std::chrono::microseconds latency{0};
  bool replayed = false;  // the app answered from its idempotency cache
};

struct PutRequest {
  Entity entity = Entity::vendor;
  std::string key;              // trimmed ERP key; percent-encoded by the client
  std::string body;             // canonical JSON with revision
  std::string idempotency_key;  // one per job
  std::string request_id;       // X-Request-Id: the job id
};

// The answer to a GET by key. status.status is delivered whenever the app answered the
// question: found (200) or not (404, found == false). A GET changes nothing, so a failure
// without an answer is transient, never in_doubt. See docs/http-client.md.
struct FetchResult {
  SendResult status;  // delivered when found, or when the app says it holds no such record
  bool found = false;
  std::int64_t revision = 0;
  std::string app_id;
  std::string content_hash;  // of the stored record, as the app reports it, if it does
  std::string body;          // the raw JSON record
};

class KokolaTransport {
 public:
  virtual ~KokolaTransport() = default;
  virtual SendResult put(const PutRequest& req) = 0;
  virtual FetchResult get(Entity entity, const std::string& key, const std::string& request_id) = 0;
};

class HttpKokolaClient : public KokolaTransport {
 public:
  // The token is kept in memory only; it never appears in messages or logs (anything the app
  // echoes back is redacted). Throws std::invalid_argument for a base_url, path prefix, auth
  // header or token it cannot use, and std::runtime_error when TLS cannot be set up: call it
  // at start-up. No connection is made before the first request.
  HttpKokolaClient(const KokolaConfig& config, std::string token);
  ~HttpKokolaClient() override;
  HttpKokolaClient(const HttpKokolaClient&) = delete;
  HttpKokolaClient& operator=(const HttpKokolaClient&) = delete;

  SendResult put(const PutRequest& req) override;
  FetchResult get(Entity entity, const std::string& key, const std::string& request_id) override;

  // Uses a new token from the next request on (a rotated token). Call it on the thread that
  // sends, like put() and get(). Throws std::invalid_argument for a token it cannot use,
  // keeping the old one.
  void set_token(std::string token);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// RFC 3986 percent-encoding of a key for a URL path segment: everything except unreserved
// characters (A-Z a-z 0-9 - . _ ~) is encoded, '/' included.
std::string percent_encode(std::string_view key);

}  // namespace kokola
