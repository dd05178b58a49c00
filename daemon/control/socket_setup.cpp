#include "control/socket_setup.hpp"

#include <errno.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace kokola::control {
namespace {

constexpr mode_t kDirectoryMode = 0750;
constexpr mode_t kDirectoryUmask = 0027;              // the directory is born 0750
constexpr mode_t kSocketUmask = 0117;                 // the socket is born 0660
constexpr uid_t kKeepOwner = static_cast<uid_t>(-1);  // chown: leave as it is
constexpr gid_t kKeepGroup = static_cast<gid_t>(-1);
constexpr int kListenBacklog = 64;

[[noreturn]] void fail(const std::string& doing, const std::string& subject,
                       const std::string& cause) {
  throw std::runtime_error(doing + " '" + subject + "': " + cause);
}

std::string errno_text(int err) { return std::strerror(err); }

// Restores the previous umask when the scope ends.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : previous_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(previous_); }
  ScopedUmask(const ScopedUmask&) = delete;
  ScopedUmask& operator=(const ScopedUmask&) = delete;

 private:
  mode_t previous_;
};

sockaddr_un make_address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty()) fail("binding control socket", path, "the path is empty");
  if (path.size() >= sizeof(addr.sun_path)) {
    fail("binding control socket", path,
         "the path is " + std::to_string(path.size()) + " bytes, a Unix socket allows " +
             std::to_string(sizeof(addr.sun_path) - 1));
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  return addr;
}

UniqueFd new_socket(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) fail("creating control socket", path, errno_text(errno));
  return fd;
}

// The directory must be ours alone: whoever can write in it can replace the socket.
void check_directory(const std::string& dir, const struct stat& st) {
  if (!S_ISDIR(st.st_mode)) fail("checking socket directory", dir, "not a directory");
  if (st.st_uid != ::geteuid()) {
    fail("checking socket directory", dir,
         "owned by uid " + std::to_string(st.st_uid) + ", not by this process (uid " +
             std::to_string(::geteuid()) + ")");
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    fail("checking socket directory", dir,
         "writable by group or others; the socket needs a directory of its own");
  }
}

// A directory we create is 0750 from the start and belongs to the socket's group, so that
// the group's members can reach the socket inside it (the group needs x on the directory).
void create_directory(const std::string& dir, const std::string& group, gid_t gid) {
  int rc = 0;
  {
    ScopedUmask umask(kDirectoryUmask);
    rc = ::mkdir(dir.c_str(), kDirectoryMode);
  }
  if (rc != 0) fail("creating socket directory", dir, errno_text(errno));
  if (gid != kKeepGroup && ::chown(dir.c_str(), kKeepOwner, gid) != 0) {
    int err = errno;
    ::rmdir(dir.c_str());
    fail("setting group '" + group + "' on socket directory", dir, errno_text(err));
  }
}

void prepare_directory(const std::string& dir, const std::string& group, gid_t gid) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) fail("checking socket directory", dir, errno_text(errno));
    create_directory(dir, group, gid);
    return;
  }
  check_directory(dir, st);
}

// A socket left by a daemon that died is removed; a live one or any other file is refused.
void clear_existing(const std::string& path, const sockaddr_un& addr) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return;
    fail("checking control socket", path, errno_text(errno));
  }
  if (!S_ISSOCK(st.st_mode)) {
    fail("refusing to replace", path, "it exists and is not a socket");
  }

  UniqueFd probe = new_socket(path);
  if (::connect(probe.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0) {
    throw std::runtime_error("another kokola-syncd is listening on '" + path + "'");
  }
  if (errno != ECONNREFUSED) fail("probing existing socket", path, errno_text(errno));
  if (::unlink(path.c_str()) != 0) fail("removing stale socket", path, errno_text(errno));
}

gid_t lookup_group(const std::string& name) {
  group entry{};
  group* found = nullptr;
  std::vector<char> buffer(16384);
  int rc = 0;
  while ((rc = ::getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found)) ==
         ERANGE) {
    buffer.resize(buffer.size() * 2);
  }
  if (rc != 0) fail("looking up socket group", name, errno_text(rc));
  if (found == nullptr) fail("looking up socket group", name, "no such group");
  return found->gr_gid;
}

SocketFile describe(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) fail("checking control socket", path, errno_text(errno));
  return SocketFile{path, st.st_dev, st.st_ino};
}

// Unlinks the new socket if set-up fails after bind().
class UnlinkGuard {
 public:
  explicit UnlinkGuard(const SocketFile& file) : file_(file) {}
  ~UnlinkGuard() {
    if (armed_) unlink_socket_file(file_);
  }
  UnlinkGuard(const UnlinkGuard&) = delete;
  UnlinkGuard& operator=(const UnlinkGuard&) = delete;
  void release() { armed_ = false; }

 private:
  const SocketFile& file_;
  bool armed_ = true;
};

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

BoundSocket bind_control_socket(const std::string& path, const std::string& group) {
  const sockaddr_un addr = make_address(path);
  const gid_t gid = group.empty() ? kKeepGroup : lookup_group(group);
  std::string dir = std::filesystem::path(path).parent_path().string();
  prepare_directory(dir.empty() ? "." : dir, group, gid);
  clear_existing(path, addr);

  BoundSocket bound{new_socket(path), {}};
  {
    ScopedUmask umask(kSocketUmask);
    if (::bind(bound.fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
      fail("binding control socket", path, errno_text(errno));
    }
  }
  bound.file = describe(path);
  UnlinkGuard guard(bound.file);

  if (gid != kKeepGroup) {
    if (::chown(path.c_str(), kKeepOwner, gid) != 0) {
      fail("setting group '" + group + "' on control socket", path, errno_text(errno));
    }
  }
  if (::listen(bound.fd.get(), kListenBacklog) != 0) {
    fail("listening on control socket", path, errno_text(errno));
  }
  guard.release();
  return bound;
}

void unlink_socket_file(const SocketFile& file) {
  struct stat st {};
  if (file.path.empty() || ::lstat(file.path.c_str(), &st) != 0) return;
  if (st.st_dev == file.dev && st.st_ino == file.ino) ::unlink(file.path.c_str());
}

}  // namespace kokola::control
