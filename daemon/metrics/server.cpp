#include "metrics/server.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <chrono>
#include <stdexcept>

namespace kokola::metrics {
namespace {

// A scrape every few seconds at most needs one worker. A worker stays with its connection
// while the client keeps it open, so there are a few more, and a client that sends nothing
// for kTimeoutSeconds is dropped: a local process holding connections open can still delay
// scrapes (docs/operations.md, Metrics).
constexpr std::size_t kWorkers = 4;
constexpr std::size_t kMaxRequestBody = 4096;
constexpr int kKeepAliveRequests = 100;
constexpr time_t kTimeoutSeconds = 2;
constexpr auto kStartWait = std::chrono::seconds(5);
constexpr auto kStartPoll = std::chrono::milliseconds(1);
constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

// cpp-httplib sets SO_REUSEPORT by default, which would let a second process bind the same
// port and take half of the scrapes. SO_REUSEADDR alone only allows a quick restart.
void reuse_address_only(socket_t sock) {
  int yes = 1;
  ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
}

void configure(httplib::Server& http) {
  http.set_socket_options(reuse_address_only);
  http.set_tcp_nodelay(true);
  http.set_keep_alive_max_count(kKeepAliveRequests);
  http.set_keep_alive_timeout(kTimeoutSeconds);
  http.set_read_timeout(kTimeoutSeconds, 0);
  http.set_write_timeout(kTimeoutSeconds, 0);
  http.set_payload_max_length(kMaxRequestBody);
  http.new_task_queue = [] { return new httplib::ThreadPool(kWorkers); };
}

// No exception may leave a handler: a failed scrape answers 500 and says why.
void answer(const Server::Render& render, httplib::Response& res) {
  try {
    res.set_content(render(), kContentType);
  } catch (const std::exception& e) {
    spdlog::error("answering a metrics scrape: {}", e.what());
    res.status = 500;
    res.set_content(std::string("reading the metrics: ") + e.what() + "\n", "text/plain");
  }
}

}  // namespace

Server::Server(const MetricsConfig& config, Render render)
    : config_(config), render_(std::move(render)) {}

Server::~Server() { stop(); }

void Server::start() {
  http_ = std::make_unique<httplib::Server>();
  configure(*http_);
  http_->Get("/metrics",
             [this](const httplib::Request&, httplib::Response& res) { answer(render_, res); });

  const std::string where = "binding the metrics endpoint '" + config_.listen + "'";
  if (config_.port == 0) {
    port_ = http_->bind_to_any_port(config_.host);
  } else if (http_->bind_to_port(config_.host, config_.port)) {
    port_ = config_.port;
  }
  if (port_ <= 0) {
    port_ = 0;
    throw std::runtime_error(where + ": address in use or not available");
  }

  thread_ = std::thread([this] { http_->listen_after_bind(); });
  // stop() does nothing to a server that is not running yet, so wait until it is.
  const auto deadline = std::chrono::steady_clock::now() + kStartWait;
  while (!http_->is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(kStartPoll);
  }
  if (!http_->is_running()) {
    stop();
    throw std::runtime_error(where + ": the server did not start");
  }
  spdlog::info("metrics: serving http://{}/metrics", config_.listen);
}

void Server::stop() {
  if (!http_) return;
  http_->stop();
  if (thread_.joinable()) thread_.join();
  http_.reset();
}

}  // namespace kokola::metrics
