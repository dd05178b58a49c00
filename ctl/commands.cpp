#include "commands.hpp"

#include <unistd.h>

#include <iostream>
#include <string>

#include "client.hpp"
#include "kokola/exit_codes.hpp"
#include "kokola/protocol.hpp"
#include "render.hpp"

namespace kokola::ctl {
namespace {

int exit_code_for_error(const std::string& code) {
  return code == error_code::kPermissionDenied ? kExitPermissionDenied : kExitError;
}

void print_result(const Invocation& inv, const nlohmann::json& data) {
  if (inv.json) {
    std::cout << data.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  } else {
    render_result(inv.cmd, data, std::cout);
  }
  std::cout.flush();
}

}  // namespace

int run(const Invocation& inv) {
  Request request{"kokolactl-" + std::to_string(::getpid()), inv.cmd, inv.args};

  // Progress is for a person watching; a script reading stderr gets only errors.
  const bool show_progress = ::isatty(STDERR_FILENO) == 1;
  auto on_progress = [&inv, show_progress](const nlohmann::json& data) {
    if (!show_progress) return;
    std::string line = render_progress(inv.cmd, data);
    if (!line.empty()) std::cerr << line << std::endl;
  };

  auto answer = call_daemon(inv.socket_path, request, inv.timeout, on_progress);
  if (const auto* e = std::get_if<ClientError>(&answer)) {
    std::cerr << "kokolactl: " << e->message << '\n';
    return e->exit_code;
  }

  const auto& response = std::get<Response>(answer);
  if (!response.ok) {
    std::cerr << "kokolactl: " << inv.cmd << " refused by kokola-syncd: " << response.error_message
              << " (" << response.error_code << ")\n";
    return exit_code_for_error(response.error_code);
  }

  print_result(inv, response.data);
  int code = exit_code_for_result(inv.cmd, response.data);
  if (code == kExitProtocol) {
    std::cerr << "kokolactl: reading the answer to " << inv.cmd
              << ": the result data is not what this kokolactl understands\n";
  }
  return code;
}

}  // namespace kokola::ctl
