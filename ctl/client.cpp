#include "client.hpp"

#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cctype>
#include <cstring>

#include "kokola/exit_codes.hpp"

namespace kokola::ctl {
namespace {

using Clock = std::chrono::steady_clock;

// strerror() in the lower case of the project's messages: "no such file or directory".
std::string cause(int err) {
  std::string text = std::strerror(err);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

// Closes the socket when the call ends.
class Socket {
 public:
  Socket() : fd_(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

// The group that owns the socket, or else its directory (which may be what refused us):
// the group the user has to join. Empty when neither can be read.
std::string owning_group(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    auto slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
    if (::stat(dir.empty() ? "/" : dir.c_str(), &st) != 0) return "";
  }
  char buf[4096];
  group entry{};
  group* found = nullptr;
  if (getgrgid_r(st.st_gid, &entry, buf, sizeof buf, &found) != 0 || found == nullptr) {
    return "gid " + std::to_string(st.st_gid);
  }
  return entry.gr_name;
}

ClientError connect_error(const std::string& path, int err) {
  if (err == EACCES || err == EPERM) {
    std::string group = owning_group(path);
    std::string which = group.empty() ? "the socket's group" : "the group '" + group + "'";
    return {kExitPermissionDenied, "permission denied on '" + path + "': your user must be in " +
                                       which + " (see docs/security.md)"};
  }
  return {kExitDaemonUnreachable, "cannot reach kokola-syncd at '" + path + "': " + cause(err) +
                                      " (is the daemon running?)"};
}

std::optional<ClientError> connect_to(const Socket& s, const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    return ClientError{kExitUsage, "socket path '" + path + "' is empty or longer than " +
                                       std::to_string(sizeof(addr.sun_path) - 1) + " bytes"};
  }
  if (s.fd() < 0) return ClientError{kExitError, "creating a socket: " + cause(errno)};
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (::connect(s.fd(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    return connect_error(path, errno);
  }
  return std::nullopt;
}

std::optional<ClientError> send_all(const Socket& s, const std::string& path,
                                    std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(s.fd(), data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return ClientError{kExitDaemonUnreachable,
                         "sending the request to kokola-syncd at '" + path + "': " + cause(errno)};
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return std::nullopt;
}

// Reads lines from the socket, one at a time, until a deadline.
class LineReader {
 public:
  LineReader(const Socket& s, std::string path, Clock::time_point deadline, long timeout_s)
      : socket_(s), path_(std::move(path)), deadline_(deadline), timeout_s_(timeout_s) {}

  std::variant<std::string, ClientError> next() {
    for (;;) {
      auto newline = buffer_.find('\n');
      if (newline != std::string::npos) {
        std::string line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        return line;
      }
      if (buffer_.size() >= kMaxResponseBytes) {
        return ClientError{kExitProtocol, "reading from kokola-syncd at '" + path_ +
                                              "': an answer longer than " +
                                              std::to_string(kMaxResponseBytes) + " bytes"};
      }
      if (auto e = fill()) return *e;
    }
  }

 private:
  std::optional<ClientError> fill() {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
    pollfd p{socket_.fd(), POLLIN, 0};
    int ready = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
    if (ready < 0 && errno == EINTR) return std::nullopt;
    if (ready == 0) {
      return ClientError{kExitDaemonUnreachable,
                         "no answer from kokola-syncd at '" + path_ + "' within " +
                             std::to_string(timeout_s_) +
                             " s (the request may still complete; see kokolactl status)"};
    }
    char chunk[65536];
    ssize_t n = ready < 0 ? -1 : ::recv(socket_.fd(), chunk, sizeof(chunk), 0);
    if (n < 0 && errno == EINTR) return std::nullopt;
    if (n < 0) {
      return ClientError{kExitDaemonUnreachable,
                         "reading from kokola-syncd at '" + path_ + "': " + cause(errno)};
    }
    if (n == 0) {
      return ClientError{kExitDaemonUnreachable,
                         "kokola-syncd at '" + path_ + "' closed the connection before answering"};
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return std::nullopt;
  }

  const Socket& socket_;
  std::string path_;
  Clock::time_point deadline_;
  long timeout_s_;
  std::string buffer_;
};

}  // namespace

std::variant<Response, ClientError> call_daemon(const std::string& socket_path,
                                                const Request& request,
                                                std::chrono::milliseconds timeout,
                                                const ProgressCallback& on_progress) {
  Socket socket;
  if (auto e = connect_to(socket, socket_path)) return *e;
  if (auto e = send_all(socket, socket_path, request_line(request))) return *e;

  auto timeout_s = std::chrono::duration_cast<std::chrono::seconds>(timeout).count();
  LineReader reader(socket, socket_path, Clock::now() + timeout, static_cast<long>(timeout_s));
  for (;;) {
    auto line = reader.next();
    if (auto* e = std::get_if<ClientError>(&line)) return *e;

    auto parsed = parse_response_line(std::get<std::string>(line));
    if (const auto* e = error_of(parsed)) {
      return ClientError{kExitProtocol, "reading the answer of kokola-syncd at '" + socket_path +
                                            "': malformed line: " + e->message};
    }
    auto response = std::get<Response>(std::move(parsed));
    // A null id answers a request the daemon could not read: ours, on this connection.
    if (response.id && *response.id != request.id) continue;
    if (response.final) return response;
    if (on_progress) on_progress(response.data);
  }
}

}  // namespace kokola::ctl
