#include "kokola/client.hpp"

#include <httplib.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

#include "kokola/response.hpp"
#include "kokola/sigpipe.hpp"
#include "kokola/transport_error.hpp"
#include "kokola/url.hpp"
#include "kokola/version.hpp"

namespace kokola {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// RFC 9110 token characters: what a header name may hold.
bool is_header_name(std::string_view name) {
  static constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
  if (name.empty()) return false;
  for (char c : name) {
    bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && kSpecials.find(c) == std::string_view::npos) return false;
  }
  return true;
}

// Printable ASCII and spaces only: no CR or LF that could end the header early.
bool is_header_value(std::string_view value) {
  for (unsigned char c : value) {
    if ((c < 0x20 && c != '\t') || c == 0x7F) return false;
  }
  return true;
}

void check_settings(const KokolaConfig& config, const std::string& token) {
  if (!is_header_name(config.auth_header)) {
    throw std::invalid_argument("checking auth_header '" + config.auth_header +
                                "': not a valid HTTP header name");
  }
  if (!is_header_name(config.auth_scheme) && !config.auth_scheme.empty()) {
    throw std::invalid_argument("checking auth_scheme '" + config.auth_scheme +
                                "': not a single word");
  }
  // The token is never shown, not even in part.
  if (token.empty() || !is_header_value(token)) {
    throw std::invalid_argument("checking the API token from '" + config.token_file +
                                "': it is empty or holds control characters");
  }
  check_entity_paths(config);
}

std::string auth_value(const KokolaConfig& config, const std::string& token) {
  return config.auth_scheme.empty() ? token : config.auth_scheme + " " + token;
}

// What came back from one exchange: an answer, or the library's error.
struct Exchange {
  bool answered = false;
  httplib::Response response;
  httplib::Error error = httplib::Error::Success;
  std::chrono::microseconds elapsed{0};
};

// The answer as the classifier sees it; the header values live in the caller's strings.
HttpAnswer answer_of(const httplib::Response& r, std::string& retry_after, std::string& location) {
  retry_after = r.get_header_value("Retry-After");
  location = r.get_header_value("Location");
  return {r.status,    r.reason, r.body,
          retry_after, location, r.get_header_value("Idempotent-Replayed") == "true"};
}

SendResult not_sent(const std::string& request, std::string_view what) {
  SendResult bad;
  bad.status = SendStatus::rejected;
  bad.error_code = "invalid_request";
  bad.message = request + ": not sent: the " + std::string(what) + " holds control characters";
  return bad;
}

}  // namespace

struct HttpKokolaClient::Impl {
  KokolaConfig config;
  std::string auth;   // the header value, "<scheme> <token>"
  std::string token;  // kept to redact it from anything the app sends back
  BaseUrl base;
  std::unique_ptr<httplib::ClientImpl> http;

  Impl(const KokolaConfig& c, std::string t)
      : config(c), auth(auth_value(c, t)), token(std::move(t)), base(parse_base_url(c.base_url)) {
    http = make_http();
  }

  ~Impl() {
    SigpipeGuard guard;  // closing a TLS connection writes a close_notify
    http.reset();
  }

  std::unique_ptr<httplib::ClientImpl> make_http() const;
  httplib::Headers headers(const std::string& request_id) const;
  Exchange exchange(httplib::Request& request);
  TransportFailure failure_of(const Exchange& exchange, bool idempotent) const;
  httplib::Request put_request(const PutRequest& req, const std::string& target) const;
  void log(const SendResult& result, const std::string& request_id) const;
};

std::unique_ptr<httplib::ClientImpl> HttpKokolaClient::Impl::make_http() const {
  std::unique_ptr<httplib::ClientImpl> client;
  if (base.https) {
    auto tls = std::make_unique<httplib::SSLClient>(base.host, base.port);
    if (!tls->is_valid()) {
      throw std::runtime_error("setting up TLS for '" + base.origin() + "': no SSL context");
    }
    tls->set_ca_cert_path(config.tls.ca_file, config.tls.ca_dir);
    tls->enable_server_certificate_verification(config.tls.verify);
    client = std::move(tls);
  } else {
    client = std::make_unique<httplib::ClientImpl>(base.host, base.port);
  }

  client->set_tcp_nodelay(true);
  client->set_keep_alive(true);
  client->set_follow_location(false);
  client->set_url_encode(false);  // the target is encoded already (percent_encode)
  client->set_connection_timeout(config.connect_timeout);
  client->set_read_timeout(config.request_timeout);
  client->set_write_timeout(config.request_timeout);
  if (!config.proxy.empty()) {
    // "http://host:port", checked by the configuration loader.
    BaseUrl proxy = parse_base_url(config.proxy);
    client->set_proxy(proxy.host, proxy.port);
  }
  return client;
}

httplib::Headers HttpKokolaClient::Impl::headers(const std::string& request_id) const {
  httplib::Headers h;
  h.emplace(config.auth_header, auth);
  if (!request_id.empty()) h.emplace("X-Request-Id", request_id);
  h.emplace("Accept", "application/json");
  h.emplace("User-Agent", "kokola-sync/" + std::string(kVersion));
  return h;
}

Exchange HttpKokolaClient::Impl::exchange(httplib::Request& request) {
  Exchange ex;
  SigpipeGuard guard;
  auto start = Clock::now();
  ex.answered = http->send(request, ex.response, ex.error);
  ex.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);

  // Never reuse a connection after a failure: a late answer to this request must not be read
  // as the answer to the next one. httplib 0.11.4 closes it too; stop() makes sure.
  if (!ex.answered) http->stop();
  return ex;
}

TransportFailure HttpKokolaClient::Impl::failure_of(const Exchange& ex, bool idempotent) const {
  TransportFailure f;
  f.error = ex.error;
  f.elapsed = ex.elapsed;
  f.connect_timeout = config.connect_timeout;
  f.read_timeout = config.request_timeout;
  f.origin = base.origin();
  f.idempotent = idempotent;
  if (base.https && ex.error == httplib::Error::SSLServerVerification) {
    long verify = static_cast<httplib::SSLClient&>(*http).get_openssl_verify_result();
    f.tls_detail = verify == X509_V_OK ? "host name does not match the certificate"
                                       : X509_verify_cert_error_string(verify);
  }
  f.ca_description =
      config.tls.ca_file.empty() ? "'" + config.tls.ca_dir + "'" : "'" + config.tls.ca_file + "'";
  return f;
}

httplib::Request HttpKokolaClient::Impl::put_request(const PutRequest& req,
                                                     const std::string& target) const {
  httplib::Request request;
  request.method = "PUT";
  request.path = target;
  request.headers = headers(req.request_id);
  if (!req.idempotency_key.empty()) request.headers.emplace("Idempotency-Key", req.idempotency_key);
  request.headers.emplace("Content-Type", "application/json");
  request.body = req.body;
  return request;
}

void HttpKokolaClient::Impl::log(const SendResult& result, const std::string& request_id) const {
  // The message starts with the request line; anything from the app in it is redacted.
  spdlog::debug("kokola: {} [{} ms, request id '{}']", result.message,
                std::chrono::duration_cast<milliseconds>(result.latency).count(), request_id);
}

void HttpKokolaClient::set_token(std::string token) {
  check_settings(impl_->config, token);
  impl_->auth = auth_value(impl_->config, token);
  impl_->token = std::move(token);
}

HttpKokolaClient::HttpKokolaClient(const KokolaConfig& config, std::string token) {
  check_settings(config, token);
  impl_ = std::make_unique<Impl>(config, std::move(token));
}

HttpKokolaClient::~HttpKokolaClient() = default;

SendResult HttpKokolaClient::put(const PutRequest& req) {
  std::string target = record_target(impl_->config, req.entity, req.key);
  std::string line = "PUT " + target;
  if (!is_header_value(req.idempotency_key)) return not_sent(line, "idempotency key");
  if (!is_header_value(req.request_id)) return not_sent(line, "request id");

  httplib::Request request = impl_->put_request(req, target);
  Exchange ex = impl_->exchange(request);

  SendResult result;
  if (ex.answered) {
    std::string retry_after, location;
    auto answer = answer_of(ex.response, retry_after, location);
    result = classify_put_answer(answer, line, std::chrono::system_clock::now());
    result.latency = ex.elapsed;
  } else {
    result = classify_transport_failure(impl_->failure_of(ex, false), line);
  }
  redact(result, impl_->token);
  impl_->log(result, req.request_id);
  return result;
}

FetchResult HttpKokolaClient::get(Entity entity, const std::string& key,
                                  const std::string& request_id) {
  std::string target = record_target(impl_->config, entity, key);
  std::string line = "GET " + target;
  FetchResult fetch;
  if (!is_header_value(request_id)) {
    fetch.status = not_sent(line, "request id");
    return fetch;
  }

  httplib::Request request;
  request.method = "GET";
  request.path = target;
  request.headers = impl_->headers(request_id);

  Exchange ex = impl_->exchange(request);
  if (ex.answered) {
    std::string retry_after, location;
    auto answer = answer_of(ex.response, retry_after, location);
    fetch = classify_get_answer(answer, line, std::chrono::system_clock::now());
    fetch.status.latency = ex.elapsed;
  } else {
    fetch.status = classify_transport_failure(impl_->failure_of(ex, true), line);
  }
  redact(fetch, impl_->token);
  impl_->log(fetch.status, request_id);
  return fetch;
}

}  // namespace kokola
