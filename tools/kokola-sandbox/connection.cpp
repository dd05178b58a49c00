#include "connection.hpp"

#include <dirent.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cstdlib>
#include <memory>
#include <string>

namespace sandbox {
namespace {

struct Endpoint {
  std::string address;
  int port = -1;
};

// Formats an address the way cpp-httplib fills Request::remote_addr and local_addr.
bool endpoint_of(const sockaddr_storage& storage, socklen_t length, Endpoint& out) {
  char host[NI_MAXHOST];
  char service[NI_MAXSERV];
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&storage), length, host, sizeof host, service,
                  sizeof service, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return false;
  }
  out.address = host;
  out.port = std::atoi(service);
  return true;
}

bool matches(int fd, const httplib::Request& request) {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  Endpoint local;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0) return false;
  if (!endpoint_of(storage, length, local)) return false;
  if (local.port != request.local_port || local.address != request.local_addr) return false;

  Endpoint peer;
  length = sizeof storage;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0) return false;
  if (!endpoint_of(storage, length, peer)) return false;
  return peer.port == request.remote_port && peer.address == request.remote_addr;
}

struct DirCloser {
  void operator()(DIR* dir) const { closedir(dir); }
};

int find_socket(const httplib::Request& request) {
  std::unique_ptr<DIR, DirCloser> dir(opendir("/proc/self/fd"));
  if (!dir) return -1;
  const int own = dirfd(dir.get());
  while (const dirent* entry = readdir(dir.get())) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (*end != '\0' || end == entry->d_name || fd == own) continue;
    if (matches(static_cast<int>(fd), request)) return static_cast<int>(fd);
  }
  return -1;
}

}  // namespace

bool drop_connection(const httplib::Request& request) {
  const int fd = find_socket(request);
  return fd >= 0 && shutdown(fd, SHUT_RDWR) == 0;
}

}  // namespace sandbox
