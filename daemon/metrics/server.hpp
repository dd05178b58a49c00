// The metrics endpoint: an HTTP server (cpp-httplib) on a loopback address that answers
// `GET /metrics` with the exposition text (`text/plain; version=0.0.4`) and everything else
// with 404. It has no authentication, which is why the configuration accepts only loopback
// addresses (docs/operations.md, section Metrics). Built and started only when
// `metrics.enabled` is true.
//
// Threads: construct, start() and stop() on one thread (main). The server accepts on a thread
// of its own and answers on a small pool; `render` runs there and must be thread-safe. It
// may throw: the scrape then gets a 500, and the daemon goes on.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "config/config.hpp"

namespace httplib {
class Server;
}

namespace kokola::metrics {

class Server {
 public:
  using Render = std::function<std::string()>;

  Server(const MetricsConfig& config, Render render);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the address and starts answering. Throws std::runtime_error naming the address
  // when it cannot be bound (start-up only).
  void start();
  // Stops answering and joins the server's thread. Idempotent.
  void stop();

  // The port bound (the configured one); 0 before start().
  int port() const { return port_; }

 private:
  MetricsConfig config_;
  Render render_;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace kokola::metrics
