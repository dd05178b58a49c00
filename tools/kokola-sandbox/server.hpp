// Start-up and lifetime of `kokola-sandbox serve`: reads the token file, parses fault rules,
// opens the store, configures the HTTP or HTTPS server (TCP_NODELAY, keep-alive, timeouts,
// 8 MiB body limit), writes the port file once listening, and stops cleanly on SIGINT or
// SIGTERM. Start-up errors are thrown as std::runtime_error; call from the main thread.
#pragma once

#include <string>
#include <vector>

namespace sandbox {

struct ServeOptions {
  std::string token_file;
  std::string listen = "127.0.0.1";
  int port = 8080;  // 0: any free port
  std::string port_file;
  std::string db = ":memory:";
  std::vector<std::string> faults;  // one JSON object each
  std::string tls_cert;
  std::string tls_key;
  bool quiet = false;
};

// Runs until a stop signal arrives; returns the process exit code.
int serve(const ServeOptions& options);

// Reads the token file, trimmed of surrounding white space; throws if unreadable or empty.
std::string read_token(const std::string& path);

}  // namespace sandbox
