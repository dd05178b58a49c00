#include "commands.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <iostream>
#include <string>

#include "client.hpp"
#include "kokola/exit_codes.hpp"
#include "kokola/protocol.hpp"
#include "progress.hpp"
#include "render.hpp"

namespace kokola::ctl {
namespace {

std::size_t terminal_width() {
  winsize ws{};
  return ::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 ? ws.ws_col : 0;
}

// A reload refused for an invalid configuration lists every problem on a line of its own
// (the daemon joins them with "; ").
int report_config_invalid(const std::string& message) {
  std::cerr << "kokolactl: reload: the new configuration is invalid; kokola-syncd keeps the old "
               "one (config_invalid):\n";
  std::size_t start = 0;
  while (start <= message.size()) {
    auto end = message.find("; ", start);
    if (end == std::string::npos) end = message.size();
    if (end > start) std::cerr << "  " << message.substr(start, end - start) << '\n';
    start = end + 2;
  }
  return kExitConfigInvalid;
}

int report_error(const Invocation& inv, const Response& response) {
  if (response.error_code == error_code::kConfigInvalid) {
    return report_config_invalid(response.error_message);
  }
  // Only the role and the connection limits refuse a request; other errors are answers.
  const bool refusal = response.error_code == error_code::kPermissionDenied ||
                       response.error_code == error_code::kBusy;
  std::cerr << "kokolactl: " << inv.cmd << (refusal ? " refused by" : ": error from")
            << " kokola-syncd: " << response.error_message << " (" << response.error_code << ")\n";
  return response.error_code == error_code::kPermissionDenied ? kExitPermissionDenied : kExitError;
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

  // Progress is for a person watching; a script reading stderr gets only errors, and from a
  // `sync --wait` a line every few seconds.
  const bool terminal = ::isatty(STDERR_FILENO) == 1;
  ProgressView progress(inv.cmd, ProgressView::mode_for(inv.cmd, inv.wait, terminal), std::cerr,
                        terminal ? terminal_width() : 0);
  auto on_progress = [&progress](const nlohmann::json& data) { progress.update(data); };

  auto answer = call_daemon(inv.socket_path, request, inv.timeout, on_progress);
  progress.finish();
  if (const auto* e = std::get_if<ClientError>(&answer)) {
    std::cerr << "kokolactl: " << e->message << '\n';
    return e->exit_code;
  }

  const auto& response = std::get<Response>(answer);
  if (!response.ok) return report_error(inv, response);

  print_result(inv, response.data);
  int code = exit_code_for_result(inv.cmd, response.data);
  if (code == kExitProtocol) {
    std::cerr << "kokolactl: reading the answer to " << inv.cmd
              << ": the result data is not what this kokolactl understands\n";
  }
  return code;
}

}  // namespace kokola::ctl
