#include "config/files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace kokola {
namespace {

// Closes a descriptor on every path out of read_small_file().
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::string describe_errno(int error) {
  switch (error) {
    case ENOENT:
      return "no such file";
    case EACCES:
      return "permission denied";
    case EISDIR:
      return "is a directory";
    default:
      break;
  }
  std::string text = std::strerror(error);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(text[0]));
  return text;
}

std::string read_small_file(const std::string& path, const std::string& what,
                            const FileCheck& check) {
  const std::string doing = "reading " + what + " '" + path + "': ";
  // O_NONBLOCK: opening a FIFO must not wait for a writer before a check can refuse it.
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) throw std::runtime_error(doing + describe_errno(errno));

  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw std::runtime_error(doing + describe_errno(errno));
  if (S_ISDIR(st.st_mode)) throw std::runtime_error(doing + describe_errno(EISDIR));
  if (check) {
    if (auto refusal = check(st)) throw std::runtime_error(doing + *refusal);
  }
  // Reading blocks again, so that a pipe given as the config is read to its end.
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0) {
    throw std::runtime_error(doing + describe_errno(errno));
  }

  std::string content;
  char buffer[8192];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(doing + describe_errno(errno));
    if (n == 0) break;
    content.append(buffer, static_cast<std::size_t>(n));
    if (content.size() > kMaxSmallFileBytes) {
      throw std::runtime_error(doing + "larger than " + std::to_string(kMaxSmallFileBytes >> 20) +
                               " MiB, which no configuration or token is: is it the right file?");
    }
  }
  return content;
}

}  // namespace kokola
