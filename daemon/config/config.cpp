#include "config/config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "config/sections.hpp"
#include "config/yaml_reader.hpp"

namespace kokola {
namespace {

namespace fs = std::filesystem;

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) {
    if (!out.empty()) out += '\n';
    out += line;
  }
  return out;
}

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

// Closes a descriptor on every path out of read_file().
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

// The whole content of a regular file; `what` names it in the message ("config").
std::string read_file(const std::string& path, const std::string& what) {
  const std::string doing = "reading " + what + " '" + path + "': ";
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw std::runtime_error(doing + describe_errno(errno));

  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw std::runtime_error(doing + describe_errno(errno));
  if (S_ISDIR(st.st_mode)) throw std::runtime_error(doing + describe_errno(EISDIR));

  std::string content;
  char buffer[8192];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(doing + describe_errno(errno));
    if (n == 0) break;
    content.append(buffer, static_cast<std::size_t>(n));
  }
  return content;
}

// Relative paths in the file are relative to the file's own directory, not to wherever the
// daemon happened to be started from.
void resolve(std::string& path, const fs::path& base) {
  if (path.empty() || base.empty() || fs::path(path).is_absolute()) return;
  path = (base / path).lexically_normal().string();
}

void resolve_paths(Config& config, const fs::path& base) {
  resolve(config.erp.sqlite_path, base);
  resolve(config.kokola.token_file, base);
  resolve(config.kokola.tls.ca_file, base);
  resolve(config.kokola.tls.ca_dir, base);
  resolve(config.state_path, base);
  resolve(config.control.socket_path, base);
}

YAML::Node parse_yaml(const std::string& text, const std::string& origin) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    ProblemList problems(origin);
    problems.add(e.mark.line >= 0 ? e.mark.line + 1 : 1, "", "invalid YAML: " + e.msg);
    throw ConfigError(problems.items());
  }
}

}  // namespace

ConfigError::ConfigError(const std::vector<std::string>& problems)
    : std::runtime_error(join_lines(problems)), problems_(problems) {}

Config parse_config(const std::string& yaml_text, const std::string& origin) {
  const YAML::Node root = parse_yaml(yaml_text, origin);
  ProblemList problems(origin);
  Config config;
  config.source_path = origin;

  if (root.IsDefined() && !root.IsNull() && !root.IsMap()) {
    problems.add(1, "", "expected a map of sections (erp, kokola, ...) at the top level");
    throw ConfigError(problems.items());
  }

  MapReader reader(root, "", 1, problems);
  read_sections(reader, config);
  if (!problems.empty()) throw ConfigError(problems.items());

  resolve_paths(config, fs::path(origin).parent_path());
  return config;
}

Config load_config(const std::string& path) {
  const std::string text = read_file(path, "config");
  return parse_config(text, fs::absolute(path).lexically_normal().string());
}

std::string read_token_file(const std::string& path) {
  const std::string content = read_file(path, "token file");
  const auto first = content.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    throw std::runtime_error("reading token file '" + path + "': the file is empty");
  }

  const auto last = content.find_last_not_of(" \t\r\n");
  std::string token = content.substr(first, last - first + 1);
  // A line break inside would split the HTTP header it is sent in.
  if (token.find_first_of("\r\n") != std::string::npos) {
    throw std::runtime_error("reading token file '" + path + "': the token spans several lines");
  }
  return token;
}

}  // namespace kokola
