#include "store/state_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace kokola {
namespace {

namespace fs = std::filesystem;

std::string errno_text(int error) {
  std::string text = std::strerror(error);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(text[0]));
  return text;
}

// mkdir -p with mode 0750 for every directory it creates (std::filesystem would use 0777
// less the umask).
void create_directories(const fs::path& dir, const std::string& doing) {
  if (dir.empty() || fs::is_directory(dir)) return;
  create_directories(dir.parent_path(), doing);
  if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) {
    throw std::runtime_error(doing + "creating directory '" + dir.string() +
                             "': " + errno_text(errno));
  }
}

// The pid the holder wrote, or "unknown" if the file holds none (yet).
std::string read_holder(int fd) {
  char buffer[32] = {};
  const ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  if (n <= 0) return "unknown";

  std::string text(buffer, static_cast<std::size_t>(n));
  text = text.substr(0, text.find_first_not_of("0123456789"));
  return text.empty() ? "unknown" : text;
}

void write_pid(int fd, const std::string& doing) {
  const std::string text = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    throw std::runtime_error(doing + "writing lock file: " + errno_text(errno));
  }
}

}  // namespace

StateLock::StateLock(const std::string& state_path) : lock_path_(state_path + ".lock") {
  const std::string doing = "opening state store '" + state_path + "': ";
  create_directories(fs::path(state_path).parent_path(), doing);

  fd_ = ::open(lock_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
  if (fd_ < 0) {
    throw std::runtime_error(doing + "opening lock file '" + lock_path_ +
                             "': " + errno_text(errno));
  }

  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    const std::string holder = read_holder(fd_);
    ::close(fd_);
    if (error == EWOULDBLOCK) {
      throw std::runtime_error(doing + "locked by another kokola-syncd (pid " + holder + ")");
    }
    throw std::runtime_error(doing + "locking '" + lock_path_ + "': " + errno_text(error));
  }

  try {
    write_pid(fd_, doing);
  } catch (...) {
    ::close(fd_);
    throw;
  }
}

StateLock::~StateLock() {
  // The file stays: unlinking it would race with a daemon that has just opened it and
  // would then lock an inode nobody else can find.
  ::close(fd_);
}

}  // namespace kokola
