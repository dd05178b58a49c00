// Reading the API token (docs/security.md): from kokola.token_file, which must be private to
// the daemon's user, or from the systemd credential kokola-token. No message ever quotes the
// content of the file.
#include <sys/stat.h>

#include <cstdio>
#include <stdexcept>

#include "config/config.hpp"
#include "config/files.hpp"

namespace kokola {
namespace {

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

std::optional<std::string> not_regular(const struct stat& st) {
  if (!S_ISREG(st.st_mode)) return "not a regular file";
  return std::nullopt;
}

// A token file that other users can read hands them the app's credentials.
FileCheck private_file(const std::string& path) {
  return [path](const struct stat& st) -> std::optional<std::string> {
    if (auto refusal = not_regular(st)) return refusal;
    if ((st.st_mode & 077) == 0) return std::nullopt;
    return "group or others may access it (mode " + octal_mode(st.st_mode) +
           "); make it private with 'chmod 600 " + path + "'";
  };
}

// The token: the content without surrounding white space, on one line.
std::string token_of(const std::string& content, const std::string& doing) {
  const auto first = content.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) throw std::runtime_error(doing + "the file is empty");

  const auto last = content.find_last_not_of(" \t\r\n");
  std::string token = content.substr(first, last - first + 1);
  // A line break inside would split the HTTP header it is sent in.
  if (token.find_first_of("\r\n") != std::string::npos) {
    throw std::runtime_error(doing + "the token spans several lines");
  }
  return token;
}

}  // namespace

std::string read_token_file(const std::string& path) {
  const std::string content = read_small_file(path, "token file", private_file(path));
  return token_of(content, "reading token file '" + path + "': ");
}

std::string read_api_token(const KokolaConfig& config) {
  if (!config.token_from_credential) return read_token_file(config.token_file);

  const std::string what = "systemd credential " + std::string(kTokenCredential);
  const std::string content = read_small_file(config.token_file, what, not_regular);
  return token_of(content, "reading " + what + " '" + config.token_file + "': ");
}

}  // namespace kokola
