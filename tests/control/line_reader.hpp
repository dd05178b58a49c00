// Reading the daemon's newline-delimited JSON answers from a raw socket in control tests.
// Test code; one thread per socket.
#pragma once

#include <poll.h>
#include <sys/socket.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace kokola::control {

// The next line from `fd` as JSON, or nullopt on end of stream or after 5 s. `buffer` keeps
// what was read past the line for the next call.
inline std::optional<nlohmann::json> read_json_line(int fd, std::string& buffer) {
  for (;;) {
    auto nl = buffer.find('\n');
    if (nl != std::string::npos) {
      auto line = buffer.substr(0, nl);
      buffer.erase(0, nl + 1);
      return nlohmann::json::parse(line);
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) return std::nullopt;
    char chunk[4096];
    ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) return std::nullopt;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

}  // namespace kokola::control
