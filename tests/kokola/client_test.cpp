// HttpKokolaClient against a real cpp-httplib server on 127.0.0.1 (and a raw socket where a
// server must misbehave in ways httplib cannot). Timeouts are 300 ms to keep the suite fast.
#include "kokola/client.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "kokola/sigpipe.hpp"
#include "kokola/version.hpp"

namespace kokola {
namespace {

using namespace std::chrono_literals;

constexpr const char* kToken = "tok-5e3b9a71c2";
constexpr const char* kCreated = R"({"id":"po_000017","key":"PO/1","revision":3})";

struct Seen {
  std::string method, target, body;
  httplib::Headers headers;
  int remote_port = 0;
};

// A real server on an ephemeral port; records every request it is sent. Plain HTTP unless
// given an httplib::SSLServer.
class TestServer {
 public:
  explicit TestServer(httplib::Server::Handler handler,
                      std::unique_ptr<httplib::Server> server = std::make_unique<httplib::Server>())
      : owned_(std::move(server)), server_(*owned_) {
    auto record = [this, handler](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard lock(mutex_);
        seen_.push_back({req.method, req.target, req.body, req.headers, req.remote_port});
      }
      handler(req, res);
    };
    server_.set_tcp_nodelay(true);
    server_.Put(".*", record);
    server_.Get(".*", record);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  ~TestServer() {
    server_.stop();
    thread_.join();
  }

  std::string url(const char* scheme = "http") const {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(port_);
  }
  std::vector<Seen> seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  std::unique_ptr<httplib::Server> owned_;
  httplib::Server& server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<Seen> seen_;
};

KokolaConfig config_for(const std::string& url) {
  KokolaConfig config;
  config.base_url = url;
  config.token_file = "/run/credentials/kokola-token";
  config.connect_timeout = 300ms;
  config.request_timeout = 300ms;
  return config;
}

PutRequest po_put(std::string key = "PO/1") {
  PutRequest req;
  req.entity = Entity::purchase_order;
  req.key = std::move(key);
  req.body = R"({"number":"PO/1","revision":3,"schema_version":1})";
  req.idempotency_key = "job-42-7f3a";
  req.request_id = "job-42";
  return req;
}

httplib::Server::Handler answer(int status, std::string body) {
  return [status, body](const httplib::Request&, httplib::Response& res) {
    res.status = status;
    res.set_content(body, "application/json");
  };
}

// A loopback port with nothing listening on it.
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string http_date(std::chrono::system_clock::time_point when) {
  std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

TEST(HttpKokolaClient, SendsEveryHeaderExactlyOnce) {
  TestServer server(answer(201, kCreated));
  HttpKokolaClient client(config_for(server.url()), kToken);

  SendResult r = client.put(po_put());

  ASSERT_EQ(r.status, SendStatus::delivered) << r.message;
  auto seen = server.seen();
  ASSERT_EQ(seen.size(), 1u);
  const httplib::Headers& h = seen[0].headers;
  auto only = [&h](const char* name) {
    EXPECT_EQ(h.count(name), 1u) << name;
    auto it = h.find(name);
    return it == h.end() ? std::string() : it->second;
  };
  EXPECT_EQ(seen[0].method, "PUT");
  EXPECT_EQ(only("Authorization"), std::string("Bearer ") + kToken);
  EXPECT_EQ(only("Idempotency-Key"), "job-42-7f3a");
  EXPECT_EQ(only("X-Request-Id"), "job-42");
  EXPECT_EQ(only("User-Agent"), "kokola-sync/" + std::string(kVersion));
  EXPECT_EQ(only("Content-Type"), "application/json");
  EXPECT_EQ(only("Accept"), "application/json");
  EXPECT_EQ(seen[0].body, po_put().body);
}

TEST(HttpKokolaClient, UsesTheConfiguredAuthHeaderAndBareToken) {
  TestServer server(answer(201, kCreated));
  KokolaConfig config = config_for(server.url());
  config.auth_header = "X-Api-Key";
  config.auth_scheme = "";
  HttpKokolaClient client(config, kToken);

  ASSERT_EQ(client.put(po_put()).status, SendStatus::delivered);
  const httplib::Headers& h = server.seen().at(0).headers;
  EXPECT_EQ(h.count("Authorization"), 0u);
  ASSERT_EQ(h.count("X-Api-Key"), 1u);
  EXPECT_EQ(h.find("X-Api-Key")->second, kToken);
}

TEST(HttpKokolaClient, SendsTheKeyPercentEncodedAsOneSegment) {
  TestServer server(answer(201, kCreated));
  HttpKokolaClient client(config_for(server.url()), kToken);

  client.put(po_put("PO/2025/\xC3\xA9 1+%"));

  ASSERT_EQ(server.seen().size(), 1u);
  EXPECT_EQ(server.seen()[0].target, "/v1/purchase-orders/PO%2F2025%2F%C3%A9%201%2B%25");
}

TEST(HttpKokolaClient, CreatedAnswerIsDelivered) {
  TestServer server(answer(201, kCreated));
  HttpKokolaClient client(config_for(server.url()), kToken);

  SendResult r = client.put(po_put());

  EXPECT_EQ(r.status, SendStatus::delivered);
  EXPECT_EQ(r.http_status, 201);
  EXPECT_EQ(r.app_id, "po_000017");
  EXPECT_EQ(r.app_revision, 3);
  EXPECT_FALSE(r.replayed);
  EXPECT_GT(r.latency, 0us) << "measured in microseconds: a loopback answer takes some";
}

TEST(HttpKokolaClient, ReplayedAnswerIsMarked) {
  TestServer server([](const httplib::Request&, httplib::Response& res) {
    res.status = 200;
    res.set_header("Idempotent-Replayed", "true");
    res.set_content(kCreated, "application/json");
  });
  HttpKokolaClient client(config_for(server.url()), kToken);

  SendResult r = client.put(po_put());
  EXPECT_EQ(r.status, SendStatus::delivered);
  EXPECT_TRUE(r.replayed);
}

TEST(HttpKokolaClient, StaleRevisionCarriesTheAppsRevision) {
  TestServer server(
      answer(409, R"({"code":"stale_revision","message":"3 is not newer","current_revision":5})"));
  HttpKokolaClient client(config_for(server.url()), kToken);

  SendResult r = client.put(po_put());
  EXPECT_EQ(r.status, SendStatus::stale);
  EXPECT_EQ(r.app_revision, 5);
  EXPECT_EQ(r.error_code, "stale_revision");
}

TEST(HttpKokolaClient, UnauthorizedIsAuthFailure) {
  TestServer server(answer(401, R"({"code":"unauthorized","message":"invalid token"})"));
  HttpKokolaClient client(config_for(server.url()), kToken);

  SendResult r = client.put(po_put());
  EXPECT_EQ(r.status, SendStatus::auth_failed);
  EXPECT_EQ(r.http_status, 401);
  EXPECT_EQ(r.message, "PUT /v1/purchase-orders/PO%2F1: 401 unauthorized: invalid token");
}

TEST(HttpKokolaClient, ValidationFailureIsRejectedWithFieldErrors) {
  TestServer server(answer(422, R"({"code":"validation_failed","message":"invalid",
    "errors":[{"path":"lines[0].qty","message":"must be greater than 0"}]})"));
  HttpKokolaClient client(config_for(server.url()), kToken);

  SendResult r = client.put(po_put());
  EXPECT_EQ(r.status, SendStatus::rejected);
  EXPECT_EQ(r.error_code, "validation_failed");
  ASSERT_EQ(r.field_errors.size(), 1u);
  EXPECT_EQ(r.field_errors[0], (Problem{"lines[0].qty", "must be greater than 0"}));
  EXPECT_EQ(r.message,
            "PUT /v1/purchase-orders/PO%2F1: 422 validation_failed: lines[0].qty: must be "
            "greater than 0");
}

TEST(HttpKokolaClient, RateLimitHonoursRetryAfterSeconds) {
  TestServer server([](const httplib::Request&, httplib::Response& res) {
    res.status = 429;
    res.set_header("Retry-After", "7");
    res.set_content(R"({"code":"rate_limited","message":"slow down"})", "application/json");
  });
  HttpKokolaClient client(config_for(server.url()), kToken);

  SendResult r = client.put(po_put());
  EXPECT_EQ(r.status, SendStatus::transient);
  EXPECT_EQ(r.retry_after, std::chrono::seconds(7));
}

TEST(HttpKokolaClient, RateLimitHonoursRetryAfterHttpDate) {
  TestServer server([](const httplib::Request&, httplib::Response& res) {
    res.status = 429;
    res.set_header("Retry-After", http_date(std::chrono::system_clock::now() + 120s));
    res.set_content(R"({"code":"rate_limited","message":"slow down"})", "application/json");
  });
  HttpKokolaClient client(config_for(server.url()), kToken);

  SendResult r = client.put(po_put());
  EXPECT_EQ(r.status, SendStatus::transient);
  ASSERT_TRUE(r.retry_after.has_value());
  EXPECT_GE(r.retry_after->count(), 118);
  EXPECT_LE(r.retry_after->count(), 121);
}

TEST(HttpKokolaClient, UnavailableIsTransient) {
  TestServer server(answer(503, R"({"code":"unavailable","message":"maintenance"})"));
  HttpKokolaClient client(config_for(server.url()), kToken);

  SendResult r = client.put(po_put());
  EXPECT_EQ(r.status, SendStatus::transient);
  EXPECT_EQ(r.error_code, "unavailable");
  EXPECT_EQ(r.retry_after, std::nullopt);
}

TEST(HttpKokolaClient, RefusedConnectionIsTransientConnectError) {
  HttpKokolaClient client(config_for("http://127.0.0.1:" + std::to_string(closed_port())), kToken);

  SendResult r = client.put(po_put());
  EXPECT_EQ(r.status, SendStatus::transient);
  EXPECT_EQ(r.error_code, "connect_error");
  EXPECT_EQ(r.http_status, 0);
}

TEST(HttpKokolaClient, SlowAnswerIsInDoubtTimeout) {
  TestServer server([](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(700ms);
    res.set_content(kCreated, "application/json");
  });
  HttpKokolaClient client(config_for(server.url()), kToken);

  SendResult r = client.put(po_put());
  EXPECT_EQ(r.status, SendStatus::in_doubt);
  EXPECT_EQ(r.error_code, "timeout");
  EXPECT_GE(r.latency, 270ms);
  EXPECT_LT(r.latency, 700ms);
}

// Regression (library notes): after a timeout on a keep-alive connection, the next request
// must not read the late answer to the previous one.
TEST(HttpKokolaClient, NextRequestAfterTimeoutGetsItsOwnAnswer) {
  TestServer server([](const httplib::Request& req, httplib::Response& res) {
    bool slow = req.target.find("SLOW") != std::string::npos;
    if (slow) std::this_thread::sleep_for(500ms);
    std::string id = slow ? "po_slow" : "po_fast";
    res.status = 201;
    res.set_content(R"({"id":")" + id + R"(","key":"k","revision":1})", "application/json");
  });
  HttpKokolaClient client(config_for(server.url()), kToken);

  ASSERT_EQ(client.put(po_put("FIRST")).app_id, "po_fast");
  EXPECT_EQ(client.put(po_put("SLOW")).status, SendStatus::in_doubt);
  std::this_thread::sleep_for(300ms);  // the late answer is written by now
  SendResult next = client.put(po_put("FAST"));
  EXPECT_EQ(next.status, SendStatus::delivered);
  EXPECT_EQ(next.app_id, "po_fast");
}

TEST(HttpKokolaClient, KeepsOneConnectionAlive) {
  TestServer server(answer(201, kCreated));
  HttpKokolaClient client(config_for(server.url()), kToken);

  for (int i = 0; i < 3; ++i) ASSERT_EQ(client.put(po_put()).status, SendStatus::delivered);
  client.get(Entity::vendor, "V1", "job-43");

  std::set<int> ports;
  for (const Seen& s : server.seen()) ports.insert(s.remote_port);
  EXPECT_EQ(server.seen().size(), 4u);
  EXPECT_EQ(ports.size(), 1u);
}

TEST(HttpKokolaClient, NeverRepeatsTheTokenTheAppEchoes) {
  TestServer server([](const httplib::Request& req, httplib::Response& res) {
    std::string auth = req.get_header_value("Authorization");
    res.status = req.method == "GET" ? 500 : 422;
    res.set_content(R"({"code":"validation_failed","message":"bad auth )" + auth +
                        R"(","errors":[{"path":")" + auth + R"(","message":")" + auth + R"("}]})",
                    "application/json");
  });
  HttpKokolaClient client(config_for(server.url()), kToken);

  SendResult r = client.put(po_put());
  ASSERT_EQ(r.status, SendStatus::rejected);
  ASSERT_EQ(r.field_errors.size(), 1u);
  EXPECT_NE(r.message.find("[redacted]"), std::string::npos);
  EXPECT_EQ(r.message.find(kToken), std::string::npos);
  EXPECT_EQ(r.field_errors[0].path.find(kToken), std::string::npos);
  EXPECT_EQ(r.field_errors[0].message.find(kToken), std::string::npos);

  FetchResult f = client.get(Entity::vendor, "V1", "job-44");
  EXPECT_EQ(f.status.message.find(kToken), std::string::npos);
}

TEST(HttpKokolaClient, DoesNotFollowRedirects) {
  std::atomic<int> elsewhere{0};
  TestServer server([&elsewhere](const httplib::Request& req, httplib::Response& res) {
    if (req.target == "/elsewhere") {
      ++elsewhere;
      res.set_content(kCreated, "application/json");
      return;
    }
    res.set_redirect("/elsewhere", 302);
  });
  HttpKokolaClient client(config_for(server.url()), kToken);

  SendResult r = client.put(po_put());
  EXPECT_EQ(r.status, SendStatus::rejected);
  EXPECT_EQ(r.http_status, 302);
  EXPECT_EQ(r.error_code, "redirect");
  EXPECT_EQ(elsewhere.load(), 0);
}

TEST(HttpKokolaClient, GetFindsTheRecord) {
  TestServer server(
      answer(200, R"({"id":"v_1","key":"V/1","revision":2,"record":{"code":"V/1"}})"));
  HttpKokolaClient client(config_for(server.url()), kToken);

  FetchResult f = client.get(Entity::vendor, "V/1", "job-45");
  EXPECT_TRUE(f.found);
  EXPECT_EQ(f.revision, 2);
  EXPECT_EQ(f.app_id, "v_1");
  EXPECT_EQ(f.body, R"({"code":"V/1"})");
  auto seen = server.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].target, "/v1/vendors/V%2F1");
  EXPECT_EQ(seen[0].headers.count("Idempotency-Key"), 0u);
  EXPECT_EQ(seen[0].headers.find("X-Request-Id")->second, "job-45");
}

TEST(HttpKokolaClient, GetOfAnAbsentRecordIsNotFound) {
  TestServer server(answer(404, R"({"code":"not_found","message":"no such vendor"})"));
  HttpKokolaClient client(config_for(server.url()), kToken);

  FetchResult f = client.get(Entity::vendor, "V9", "job-46");
  EXPECT_FALSE(f.found);
  EXPECT_EQ(f.status.status, SendStatus::delivered);
  EXPECT_EQ(f.status.http_status, 404);
}

TEST(HttpKokolaClient, GetTimeoutIsTransient) {
  TestServer server([](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(600ms);
    res.status = 404;
  });
  HttpKokolaClient client(config_for(server.url()), kToken);

  FetchResult f = client.get(Entity::item, "A1", "job-47");
  EXPECT_FALSE(f.found);
  EXPECT_EQ(f.status.status, SendStatus::transient);
  EXPECT_EQ(f.status.error_code, "timeout");
}

TEST(HttpKokolaClient, RefusesRequestIdsThatCouldInjectHeaders) {
  TestServer server(answer(201, kCreated));
  HttpKokolaClient client(config_for(server.url()), kToken);
  PutRequest req = po_put();
  req.request_id = "job-1\r\nX-Evil: 1";

  SendResult r = client.put(req);
  EXPECT_EQ(r.status, SendStatus::rejected);
  EXPECT_EQ(r.error_code, "invalid_request");
  EXPECT_TRUE(server.seen().empty());
}

TEST(HttpKokolaClient, RejectsBadSettingsWithoutShowingTheToken) {
  EXPECT_THROW(HttpKokolaClient(config_for("ftp://127.0.0.1"), kToken), std::invalid_argument);
  EXPECT_THROW(HttpKokolaClient(config_for("http://127.0.0.1"), ""), std::invalid_argument);
  try {
    HttpKokolaClient(config_for("http://127.0.0.1"), "secret\nvalue");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).find("secret"), std::string::npos) << e.what();
  }
}

// Accepts one connection, reads the whole request and closes it without an answer.
class SilentServer {
 public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 1);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve_one(); });
  }
  ~SilentServer() {
    ::shutdown(fd_, SHUT_RDWR);  // wakes accept() if no client came
    thread_.join();
    ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  void serve_one() {
    int conn = ::accept(fd_, nullptr, nullptr);
    if (conn < 0) return;
    std::string got;
    char buf[4096];
    // The PUT bodies here are JSON objects: the request is whole when the last byte is '}'.
    while (got.empty() || got.back() != '}') {
      ssize_t n = ::recv(conn, buf, sizeof buf, 0);
      if (n <= 0) break;
      got.append(buf, static_cast<std::size_t>(n));
    }
    ::close(conn);
  }

  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

TEST(HttpKokolaClient, ConnectionClosedWithoutAnswerIsInDoubt) {
  SilentServer server;
  HttpKokolaClient client(config_for(server.url()), kToken);

  SendResult r = client.put(po_put());
  EXPECT_EQ(r.status, SendStatus::in_doubt);
  EXPECT_EQ(r.error_code, "no_answer");
  EXPECT_LT(r.latency, 270ms);
}

// HTTPS against a self-signed certificate for 127.0.0.1, made once with the openssl tool.
class HttpKokolaClientTls : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ =
        std::filesystem::temp_directory_path() / ("kokola-tls-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::string cmd =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
        "-nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
        "-keyout '" +
        key() + "' -out '" + cert() + "' >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  static std::string cert() { return (dir_ / "cert.pem").string(); }
  static std::string key() { return (dir_ / "key.pem").string(); }

  static std::unique_ptr<httplib::Server> tls_server() {
    auto server = std::make_unique<httplib::SSLServer>(cert().c_str(), key().c_str());
    EXPECT_TRUE(server->is_valid());
    return server;
  }

  static inline std::filesystem::path dir_;
};

TEST_F(HttpKokolaClientTls, TrustedCertificateDelivers) {
  TestServer server(answer(201, kCreated), tls_server());
  KokolaConfig config = config_for(server.url("https"));
  config.tls.ca_file = cert();
  HttpKokolaClient client(config, kToken);

  SendResult r = client.put(po_put());
  EXPECT_EQ(r.status, SendStatus::delivered) << r.message;
  EXPECT_EQ(server.seen().size(), 1u);
}

TEST_F(HttpKokolaClientTls, UntrustedCertificateIsRejectedAsTlsError) {
  TestServer server(answer(201, kCreated), tls_server());
  HttpKokolaClient client(config_for(server.url("https")), kToken);  // the system CA bundle

  SendResult r = client.put(po_put());
  EXPECT_EQ(r.status, SendStatus::rejected);
  EXPECT_EQ(r.error_code, "tls_error");
  EXPECT_NE(r.message.find("is not trusted"), std::string::npos) << r.message;
  EXPECT_TRUE(server.seen().empty());
}

TEST_F(HttpKokolaClientTls, VerificationOffAcceptsAnyCertificate) {
  TestServer server(answer(201, kCreated), tls_server());
  KokolaConfig config = config_for(server.url("https"));
  config.tls.verify = false;
  HttpKokolaClient client(config, kToken);

  EXPECT_EQ(client.put(po_put()).status, SendStatus::delivered);
}

TEST_F(HttpKokolaClientTls, MissingCaFileIsRejectedAsTlsError) {
  TestServer server(answer(201, kCreated), tls_server());
  KokolaConfig config = config_for(server.url("https"));
  config.tls.ca_file = (dir_ / "absent.pem").string();
  HttpKokolaClient client(config, kToken);

  SendResult r = client.put(po_put());
  EXPECT_EQ(r.status, SendStatus::rejected);
  EXPECT_EQ(r.error_code, "tls_error");
  EXPECT_NE(r.message.find("absent.pem"), std::string::npos) << r.message;
}

TEST(SigpipeGuard, WriteToAClosedPeerDoesNotKillTheProcess) {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  struct sigaction old {};
  ASSERT_EQ(sigaction(SIGPIPE, &dfl, &old), 0);

  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  ::close(fds[1]);
  ssize_t n = 0;
  int err = 0;
  {
    SigpipeGuard guard;
    n = ::write(fds[0], "x", 1);  // raises SIGPIPE: fatal unless the guard holds it
    err = errno;
  }
  ::close(fds[0]);
  sigset_t pending;
  sigpending(&pending);
  sigaction(SIGPIPE, &old, nullptr);

  EXPECT_EQ(n, -1);
  EXPECT_EQ(err, EPIPE);
  EXPECT_EQ(sigismember(&pending, SIGPIPE), 0);
}

}  // namespace
}  // namespace kokola
