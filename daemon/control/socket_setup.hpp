// Creating the control socket safely (docs/security.md): in a directory of its own, of a
// path that fits sun_path, never over another daemon's live socket, with mode 0660 from
// the moment it exists (bound under a scoped umask, so there is no chmod window), owned by
// the configured group, close-on-exec. A directory it creates is 0750 from the start and
// gets the configured group before the socket is bound, so that the group can reach it. Start-up
// only: these functions throw std::runtime_error with a one-line message. Call them from the main
// thread before any other thread starts (the umask is process-wide).
#pragma once

#include <sys/types.h>

#include <string>

namespace kokola::control {

// Owns a file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

// Which file a bound socket is, so that shutting down unlinks our socket and never one that
// a later daemon put at the same path.
struct SocketFile {
  std::string path;
  dev_t dev = 0;
  ino_t ino = 0;
};

struct BoundSocket {
  UniqueFd fd;  // bound and listening, close-on-exec
  SocketFile file;
};

// Prepares the directory, clears a stale socket, binds, listens and sets the group.
BoundSocket bind_control_socket(const std::string& path, const std::string& group);

// Removes the socket file if it is still the one we bound. Never throws.
void unlink_socket_file(const SocketFile& file);

}  // namespace kokola::control
