#include "server.hpp"

#include <httplib.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "api.hpp"
#include "routes.hpp"

namespace sandbox {
namespace {

constexpr std::size_t kPayloadLimit = 8 * 1024 * 1024;
constexpr std::size_t kWorkerThreads = 32;

std::vector<FaultRule> parse_command_line_faults(const std::vector<std::string>& texts) {
  std::vector<FaultRule> rules;
  for (const auto& text : texts) {
    const auto value = nlohmann::json::parse(text, nullptr, false);
    std::string error = "not valid JSON";
    auto rule = value.is_discarded() ? std::nullopt : parse_fault_rule(value, error);
    if (!rule) throw std::runtime_error("reading --fault '" + text + "': " + error);
    rules.push_back(std::move(*rule));
  }
  return rules;
}

std::unique_ptr<httplib::Server> make_server(const ServeOptions& options) {
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    throw std::runtime_error("starting the sandbox: --tls-cert and --tls-key go together");
  }
  if (options.tls_cert.empty()) return std::make_unique<httplib::Server>();

  auto server =
      std::make_unique<httplib::SSLServer>(options.tls_cert.c_str(), options.tls_key.c_str());
  if (!server->is_valid()) {
    throw std::runtime_error("loading TLS certificate '" + options.tls_cert + "' and key '" +
                             options.tls_key + "': invalid or unreadable");
  }
  return server;
}

void configure(httplib::Server& server) {
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1000);
  server.set_keep_alive_timeout(5);
  server.set_read_timeout(10, 0);
  server.set_write_timeout(10, 0);
  server.set_payload_max_length(kPayloadLimit);
  server.new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
}

// Written to a temporary name and renamed, so that a reader never sees a partial number.
void write_port_file(const std::string& path, int port) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << port << '\n';
    if (!out.flush()) throw std::runtime_error("writing port file '" + path + "': write failed");
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) throw std::runtime_error("writing port file '" + path + "': " + error.message());
}

int bind(httplib::Server& server, const ServeOptions& options) {
  if (options.port == 0) {
    const int port = server.bind_to_any_port(options.listen);
    if (port < 0) throw std::runtime_error("binding '" + options.listen + "': no free port");
    return port;
  }
  if (!server.bind_to_port(options.listen, options.port)) {
    throw std::runtime_error("binding '" + options.listen + ":" + std::to_string(options.port) +
                             "': address in use or not available");
  }
  return options.port;
}

// SIGINT and SIGTERM are blocked in every thread and taken by sigwait() in one thread, which
// stops the server. SIGUSR2 only wakes that thread when the server ended by itself.
sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR2);
  return set;
}

}  // namespace

std::string read_token(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("reading token file '" + path + "': cannot open");
  std::stringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  const auto first = token.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    throw std::runtime_error("reading token file '" + path + "': the file is empty");
  }
  const auto last = token.find_last_not_of(" \t\r\n");
  return token.substr(first, last - first + 1);
}

int serve(const ServeOptions& options) {
  const std::string token = read_token(options.token_file);
  FaultTable faults(parse_command_line_faults(options.faults));
  Store store(options.db);
  Api api(store, faults, token);

  const sigset_t signals = stop_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto server = make_server(options);
  configure(*server);
  install_routes(*server, api, faults, options.quiet);
  const int port = bind(*server, options);
  if (!options.port_file.empty()) write_port_file(options.port_file, port);
  if (!options.quiet) {
    std::fprintf(stderr, "kokola-sandbox listening on %s:%d (%s)\n", options.listen.c_str(), port,
                 options.tls_cert.empty() ? "http" : "https");
  }

  std::atomic<bool> finished = false;
  std::thread stopper([&] {
    int received = 0;
    sigwait(&signals, &received);
    // stop() is ignored until the accept loop runs: repeat until listen has returned.
    while (received != SIGUSR2 && !finished) {
      server->stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  const bool clean = server->listen_after_bind();
  finished = true;
  pthread_kill(stopper.native_handle(), SIGUSR2);
  stopper.join();
  return clean ? 0 : 1;
}

}  // namespace sandbox
