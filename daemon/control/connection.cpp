#include "control/connection.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <exception>
#include <mutex>
#include <utility>

namespace kokola::control {
namespace {

namespace asio = boost::asio;
using Executor = asio::local::stream_protocol::socket::executor_type;

// Turns one request's answers into queued lines on the connection's strand. The lines are
// built on the caller's thread, so that serialising a large result does not stall the loop.
// It keeps the connection alive while the request is in flight (nothing is being read then);
// a connection already closed drops the lines.
class ConnectionReply : public Reply {
 public:
  ConnectionReply(std::shared_ptr<Connection> connection, Executor executor, std::string id)
      : connection_(std::move(connection)), executor_(std::move(executor)), id_(std::move(id)) {}

  ~ConnectionReply() override {
    if (!finish()) return;
    post(error_line(id_, error_code::kInternal, "the request ended without a result"), true);
  }

  void progress(nlohmann::json data) override {
    std::string line = progress_line(id_, data);
    // Checked and posted under the lock, so that no progress line can follow the result.
    std::lock_guard lock(mutex_);
    if (!done_) post(std::move(line), false);
  }

  void result(nlohmann::json data) override {
    if (!finish()) return;
    std::string line = result_line(id_, data);
    if (line.size() > kMaxResponseBytes) {
      line = error_line(id_, error_code::kTooLarge,
                        "result: " + std::to_string(line.size()) + " bytes, more than the " +
                            std::to_string(kMaxResponseBytes) + " a response may have");
    }
    post(std::move(line), true);
  }

  void error(std::string_view code, std::string message) override {
    if (!finish()) return;
    post(error_line(id_, code, message), true);
  }

 private:
  // Marks the reply answered; false when it already was.
  bool finish() {
    std::lock_guard lock(mutex_);
    if (done_) return false;
    done_ = true;
    return true;
  }

  void post(std::string line, bool final) {
    asio::post(executor_, [connection = connection_, line = std::move(line), final]() mutable {
      connection->send(std::move(line), final, false);
    });
  }

  std::shared_ptr<Connection> connection_;
  Executor executor_;
  std::string id_;
  std::mutex mutex_;
  bool done_ = false;
};

}  // namespace

// How long a refused connection stays half-open to take in what the client already sent,
// so that the client reads the refusal rather than a reset.
constexpr std::chrono::milliseconds kRefusalLinger{1000};

Connection::Connection(asio::local::stream_protocol::socket socket, Peer peer, Handler handler,
                       ConnectionSlot slot, std::chrono::milliseconds idle_timeout)
    : socket_(std::move(socket)),
      peer_(peer),
      handler_(std::move(handler)),
      slot_(std::move(slot)),
      idle_timeout_(idle_timeout),
      timer_(socket_.get_executor()) {}

void Connection::start() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->wait_for_request(); });
}

void Connection::refuse(std::string message) {
  asio::post(socket_.get_executor(), [self = shared_from_this(), m = std::move(message)] {
    self->refused_ = true;
    self->send(error_line(std::nullopt, error_code::kBusy, m), true, true);
  });
}

void Connection::stop() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] { self->close(); });
}

void Connection::drain() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    self->draining_ = true;
    if (self->waiting_for_request_ || self->refused_) self->close();
  });
}

void Connection::abandon(std::string message) {
  asio::post(socket_.get_executor(), [self = shared_from_this(), m = std::move(message)] {
    if (self->closed_) return;
    if (self->waiting_for_request_ || !self->request_id_) return self->close();
    self->send(error_line(self->request_id_, error_code::kShuttingDown, m), true, true);
  });
}

// Only the time spent waiting for the client counts as idle: the timer is armed here, after
// the previous result was written, and stopped by the next non-blank line.
void Connection::wait_for_request() {
  if (closed_) return;
  waiting_for_request_ = true;
  timer_.expires_after(idle_timeout_);
  timer_.async_wait(
      [self = shared_from_this()](boost::system::error_code ec) { self->on_idle(ec); });
  do_read();
}

void Connection::on_idle(boost::system::error_code ec) {
  // A wait that completed just before it was cancelled still reports success: check.
  if (ec == asio::error::operation_aborted || closed_ || !waiting_for_request_) return;
  if (!refused_) {
    spdlog::debug("closing control connection of uid {} pid {}: no request for {} ms", peer_.uid,
                  peer_.pid, idle_timeout_.count());
  }
  close();
}

void Connection::do_read() {
  if (closed_) return;
  asio::async_read_until(
      socket_, asio::dynamic_buffer(read_buffer_, kMaxMessageBytes), '\n',
      [self = shared_from_this()](boost::system::error_code ec, std::size_t size) {
        self->on_read(ec, size);
      });
}

void Connection::on_read(boost::system::error_code ec, std::size_t size) {
  if (ec == asio::error::operation_aborted || closed_) return;
  if (refused_) {
    // Lingering: what the client sends is not read as a request.
    read_buffer_.clear();
    if (ec) {
      close();
    } else {
      do_read();
    }
    return;
  }
  if (ec == asio::error::not_found) {
    // The buffer is full and holds no newline: the line is longer than the protocol allows.
    read_buffer_.clear();
    send(error_line(std::nullopt, error_code::kTooLarge,
                    "request: no newline within " + std::to_string(kMaxMessageBytes) + " bytes"),
         true, true);
    return;
  }
  if (ec) {
    if (ec != asio::error::eof && ec != asio::error::connection_reset) {
      spdlog::warn("reading control request from pid {}: {}", peer_.pid, ec.message());
    }
    close();
    return;
  }

  std::string line = read_buffer_.substr(0, size - 1);
  read_buffer_.erase(0, size);
  handle_line(line);
}

void Connection::handle_line(std::string_view line) {
  // A blank line (someone typing into socat) is not a request.
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
    do_read();
    return;
  }

  waiting_for_request_ = false;
  timer_.cancel();
  if (draining_) {
    send(error_line(std::nullopt, error_code::kShuttingDown,
                    "kokola-syncd is stopping and takes no new request"),
         true, true);
    return;
  }
  auto parsed = parse_request(line);
  if (const auto* e = error_of(parsed)) {
    send(error_line(*e), true, e->close);
    return;
  }
  auto request = std::get<Request>(std::move(parsed));
  if (auto e = validate_request(request)) {
    send(error_line(*e), true, false);
    return;
  }
  dispatch(std::move(request));
}

void Connection::dispatch(Request request) {
  request_id_ = request.id;
  auto reply =
      std::make_shared<ConnectionReply>(shared_from_this(), socket_.get_executor(), request.id);
  spdlog::debug("control request '{}' {} from uid {} pid {}", request.id, request.cmd, peer_.uid,
                peer_.pid);
  try {
    handler_(peer_, request, reply);
  } catch (const std::exception& e) {
    spdlog::error("handling control request '{}' ({}): {}", request.id, request.cmd, e.what());
    reply->error(error_code::kInternal, "handling the request failed: " + std::string(e.what()));
  } catch (...) {
    spdlog::error("handling control request '{}' ({}): unknown exception", request.id, request.cmd);
    reply->error(error_code::kInternal, "handling the request failed");
  }
}

void Connection::send(std::string line, bool final, bool close_after) {
  if (closed_) return;
  queue_.push_back(Outgoing{std::move(line), final, close_after});
  if (!writing_) do_write();
}

void Connection::do_write() {
  writing_ = true;
  asio::async_write(socket_, asio::buffer(queue_.front().line),
                    [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                      self->on_write(ec);
                    });
}

void Connection::on_write(boost::system::error_code ec) {
  writing_ = false;
  if (ec == asio::error::operation_aborted || closed_) return;
  if (ec) {
    spdlog::debug("writing control reply to pid {}: {}", peer_.pid, ec.message());
    close();
    return;
  }

  Outgoing done = std::move(queue_.front());
  queue_.pop_front();
  if (done.final && done.close_after) {
    if (refused_) {
      linger();
    } else {
      close();
    }
    return;
  }
  if (done.final) {
    request_id_.reset();
    if (draining_) return close();
    wait_for_request();
  }
  if (!queue_.empty()) do_write();
}

// After a refusal: stop sending, discard what the client sends until it hangs up or the
// linger time is over, then close.
void Connection::linger() {
  boost::system::error_code ignored;
  socket_.shutdown(asio::socket_base::shutdown_send, ignored);
  waiting_for_request_ = true;
  timer_.expires_after(kRefusalLinger);
  timer_.async_wait(
      [self = shared_from_this()](boost::system::error_code ec) { self->on_idle(ec); });
  read_buffer_.clear();
  do_read();
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  queue_.clear();
  timer_.cancel();
  slot_.release();
  boost::system::error_code ignored;
  socket_.shutdown(asio::socket_base::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace kokola::control
