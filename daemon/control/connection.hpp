// One client connection of the control server (server.hpp): reads a request line, checks
// it, hands it to the Handler, writes the replies through a queue in the order they were
// made, and only then reads the next line. While it waits for the client's next request an
// idle timer runs; a connection refused by the limits gets one error line and is closed.
// Everything runs on the connection's strand; start(), refuse(), stop() and the Reply may
// be called from any thread (they post to that strand).
#pragma once

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "control/limits.hpp"
#include "control/server.hpp"

namespace kokola::control {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(boost::asio::local::stream_protocol::socket socket, Peer peer, Handler handler,
             ConnectionSlot slot, std::chrono::milliseconds idle_timeout);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start();
  // Sends a `busy` error line with a null id, then closes without reading a request.
  void refuse(std::string message);
  void stop();
  // The daemon is stopping: closes the connection when it waits for a request, else once
  // the result of the request in flight is written.
  void drain();
  // Answers a request still in flight with `shutting_down` and `message`, then closes.
  void abandon(std::string message);

  // Queues one complete line. `final` marks the request's result: once it is written the
  // next request is read, or the connection closes when `close_after` is set. Strand only.
  void send(std::string line, bool final, bool close_after);

  const Peer& peer() const { return peer_; }

 private:
  struct Outgoing {
    std::string line;
    bool final = false;
    bool close_after = false;
  };

  void wait_for_request();
  void on_idle(boost::system::error_code ec);
  void do_read();
  void on_read(boost::system::error_code ec, std::size_t size);
  void handle_line(std::string_view line);
  void dispatch(Request request);
  void do_write();
  void on_write(boost::system::error_code ec);
  void linger();
  void close();

  boost::asio::local::stream_protocol::socket socket_;
  Peer peer_;
  Handler handler_;
  ConnectionSlot slot_;
  std::chrono::milliseconds idle_timeout_;
  boost::asio::steady_timer timer_;  // idle timeout, or the end of lingering after a refusal
  bool waiting_for_request_ = false;
  bool refused_ = false;
  bool draining_ = false;
  std::optional<std::string> request_id_;  // of the request in flight
  std::string read_buffer_;
  std::deque<Outgoing> queue_;
  bool writing_ = false;
  bool closed_ = false;
};

}  // namespace kokola::control
