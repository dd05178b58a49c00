// The control socket server: accepts local connections, reads newline-delimited JSON requests
// (include/kokola/protocol.hpp, docs/control-protocol.md), checks them, hands each valid
// request to the daemon's Handler together with the caller's kernel-verified identity, and
// writes the handler's progress lines and final result back in order.
//
// Threads: construct, start() and stop() on the thread that runs the io_context. The Handler
// is called on that thread and must return quickly (long work goes to a worker, which keeps
// the Reply). A Reply may be used from any thread, but only while the io_context exists: a
// worker must finish before the io_context is destroyed.
//
// One request at a time per connection: the next line is read only after the final result
// of the current one was written. An error in one connection closes only that connection.
// A failed accept (e.g. out of descriptors) is retried after a back-off, logged once per try.
//
// Limits (docs/security.md): a connection that sends no complete request line for
// `idle_timeout` while the server waits for its next request is closed (time spent waiting
// for a result does not count). Connections are counted per uid and in total
// (control/limits.hpp); one over a limit gets a `busy` error line with a null id and is
// closed at once.
#pragma once

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/limits.hpp"
#include "control/socket_setup.hpp"
#include "kokola/protocol.hpp"

namespace kokola::control {

class Connection;

// Who is on the other end, as the kernel saw it at connect() (SO_PEERCRED). Never taken
// from the message.
struct Peer {
  uid_t uid = 0;
  gid_t gid = 0;
  pid_t pid = 0;
};

// The answer channel of one request. Thread-safe: each call posts to the connection's
// executor. After result() or error() further calls are ignored; if the client went away,
// calls are silently dropped. A Reply keeps its connection open until it is answered or
// destroyed; one destroyed without a final answer sends an `internal` error, so that a
// client never waits for an answer that cannot come.
class Reply {
 public:
  virtual ~Reply() = default;
  virtual void progress(nlohmann::json data) = 0;
  virtual void result(nlohmann::json data) = 0;
  virtual void error(std::string_view code, std::string message) = 0;
};

// Called with a request whose envelope and arguments are valid.
using Handler = std::function<void(const Peer&, const Request&, std::shared_ptr<Reply>)>;

struct ServerOptions {
  std::string socket_path;
  std::string socket_group;  // empty: keep the daemon's primary group
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  LimitSettings limits;
  // Whether a peer may use the slots kept for admins; empty: root only. Called on the
  // io_context's thread, only when the other slots are taken.
  std::function<bool(const Peer&)> is_admin;
};

class ControlServer {
 public:
  // Binds the socket (see socket_setup.hpp); throws std::runtime_error on failure.
  ControlServer(boost::asio::io_context& io, ServerOptions options, Handler handler);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Starts accepting connections.
  void start();
  // Closes the acceptor and every connection and removes the socket file. Idempotent.
  void stop();
  // The first half of a graceful stop: closes the acceptor and removes the socket file;
  // idle connections close, and one with a request in flight closes once its result is
  // written. abandon() then answers what is still in flight with `shutting_down` and
  // `message`, and stops.
  void drain();
  void abandon(const std::string& message);

  const std::string& socket_path() const { return options_.socket_path; }

 private:
  void stop_accepting();
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::local::stream_protocol::socket s);
  // Waits before accepting again after a failed accept, longer after each failure in a row.
  void back_off(boost::system::error_code ec);
  void log_refusal(const Peer& peer, const std::string& why);

  boost::asio::io_context& io_;
  ServerOptions options_;
  Handler handler_;
  SocketFile socket_file_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  std::chrono::milliseconds retry_delay_{0};  // 0: the last accept succeeded
  std::shared_ptr<ConnectionLimits> limits_;
  std::optional<std::chrono::steady_clock::time_point> last_refusal_log_;
  std::size_t refusals_unlogged_ = 0;
  std::mutex connections_mutex_;
  std::vector<std::weak_ptr<Connection>> connections_;
  bool stopped_ = false;
};

}  // namespace kokola::control
