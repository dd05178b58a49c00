#include "control/server.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/strand.hpp>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "control/connection.hpp"

namespace kokola::control {
namespace {

namespace asio = boost::asio;
using stream_protocol = asio::local::stream_protocol;

// After a failed accept (most often EMFILE: out of descriptors) the listening socket stays
// readable, so accepting again at once would spin. Wait instead, doubling up to a second.
constexpr std::chrono::milliseconds kFirstRetryDelay{100};
constexpr std::chrono::milliseconds kMaxRetryDelay{1000};

constexpr std::chrono::seconds kRefusalLogInterval{10};

// The caller's identity as of its connect(), from the kernel.
bool read_peer(stream_protocol::socket& socket, Peer& peer) {
  ucred cred{};
  socklen_t len = sizeof(cred);
  if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    return false;
  }
  peer = Peer{cred.uid, cred.gid, cred.pid};
  return true;
}

// Asio accepts without SOCK_CLOEXEC; a child the daemon starts must not inherit clients.
void set_close_on_exec(stream_protocol::socket& socket) {
  int fd = socket.native_handle();
  int flags = ::fcntl(fd, F_GETFD);
  if (flags >= 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

}  // namespace

ControlServer::ControlServer(asio::io_context& io, ServerOptions options, Handler handler)
    : io_(io),
      options_(std::move(options)),
      handler_(std::move(handler)),
      acceptor_(io),
      retry_timer_(io),
      limits_(std::make_shared<ConnectionLimits>(options_.limits)) {
  BoundSocket bound = bind_control_socket(options_.socket_path, options_.socket_group);
  socket_file_ = bound.file;

  boost::system::error_code ec;
  acceptor_.assign(stream_protocol(), bound.fd.get(), ec);
  if (ec) {
    unlink_socket_file(socket_file_);
    throw std::runtime_error("listening on control socket '" + options_.socket_path +
                             "': " + ec.message());
  }
  bound.fd.release();  // the acceptor owns it now
}

ControlServer::~ControlServer() { stop(); }

void ControlServer::start() {
  spdlog::info("control socket listening on '{}'", options_.socket_path);
  do_accept();
}

void ControlServer::stop() {
  stop_accepting();
  std::lock_guard lock(connections_mutex_);
  for (auto& weak : connections_) {
    if (auto connection = weak.lock()) connection->stop();
  }
  connections_.clear();
}

void ControlServer::drain() {
  stop_accepting();
  std::lock_guard lock(connections_mutex_);
  for (auto& weak : connections_) {
    if (auto connection = weak.lock()) connection->drain();
  }
}

void ControlServer::abandon(const std::string& message) {
  {
    std::lock_guard lock(connections_mutex_);
    for (auto& weak : connections_) {
      if (auto connection = weak.lock()) connection->abandon(message);
    }
    connections_.clear();
  }
  stop_accepting();
}

void ControlServer::stop_accepting() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ignored;
  retry_timer_.cancel();
  acceptor_.close(ignored);
  unlink_socket_file(socket_file_);
}

void ControlServer::do_accept() {
  // Each connection gets a strand of its own: its reads, writes and replies never overlap,
  // even if several threads run the io_context.
  acceptor_.async_accept(asio::make_strand(io_),
                         [this](boost::system::error_code ec, stream_protocol::socket socket) {
                           on_accept(ec, std::move(socket));
                         });
}

void ControlServer::on_accept(boost::system::error_code ec, stream_protocol::socket socket) {
  if (ec == asio::error::operation_aborted || stopped_) return;
  if (ec) {
    back_off(ec);
    return;
  }
  retry_delay_ = std::chrono::milliseconds(0);

  set_close_on_exec(socket);
  Peer peer;
  if (!read_peer(socket, peer)) {
    spdlog::warn("reading peer credentials on control socket '{}': {}", options_.socket_path,
                 std::strerror(errno));
    do_accept();
    return;
  }

  auto admission = limits_->admit(peer, options_.is_admin);
  auto connection = std::make_shared<Connection>(std::move(socket), peer, handler_,
                                                 std::move(admission.slot), options_.idle_timeout);
  {
    std::lock_guard lock(connections_mutex_);
    std::erase_if(connections_, [](const auto& weak) { return weak.expired(); });
    connections_.push_back(connection);
  }
  if (admission.refusal.empty()) {
    connection->start();
  } else {
    log_refusal(peer, admission.refusal);
    connection->refuse(std::move(admission.refusal));
  }
  do_accept();
}

// One user opening connections in a loop must not flood the log: one line per interval,
// counting the refusals it did not show.
void ControlServer::log_refusal(const Peer& peer, const std::string& why) {
  const auto now = std::chrono::steady_clock::now();
  if (last_refusal_log_ && now - *last_refusal_log_ < kRefusalLogInterval) {
    ++refusals_unlogged_;
    return;
  }
  std::string skipped;
  if (refusals_unlogged_ > 0) {
    skipped = " (" + std::to_string(refusals_unlogged_) + " more refused since the last such line)";
  }
  spdlog::warn("refusing control connection from uid {} pid {}: {}{}", peer.uid, peer.pid, why,
               skipped);
  last_refusal_log_ = now;
  refusals_unlogged_ = 0;
}

void ControlServer::back_off(boost::system::error_code ec) {
  retry_delay_ =
      retry_delay_.count() == 0 ? kFirstRetryDelay : std::min(retry_delay_ * 2, kMaxRetryDelay);
  spdlog::warn("accepting on control socket '{}': {}; retrying in {} ms", options_.socket_path,
               ec.message(), retry_delay_.count());

  retry_timer_.expires_after(retry_delay_);
  retry_timer_.async_wait([this](boost::system::error_code wait_ec) {
    if (wait_ec == asio::error::operation_aborted || stopped_) return;
    do_accept();
  });
}

}  // namespace kokola::control
