// kokolactl's command line (docs/kokolactl.md): CLI11 definitions for the global options and
// every command (push, list, show, sync, status, audit, jobs, job, retry, pause, resume,
// reload), turned into one control request. Called once from main (and by the unit tests);
// not thread-safe.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>

namespace kokola::ctl {

struct Invocation {
  std::string socket_path;
  bool json = false;  // print the result data as JSON
  bool wait = false;  // --wait: the daemon answers when the work is final
  std::chrono::milliseconds timeout;
  std::string cmd;  // the protocol command
  nlohmann::json args = nlohmann::json::object();
};

// The invocation, or the exit code when kokolactl is done already (--help, --version: 0;
// a usage error, already printed to stderr: 64).
std::variant<Invocation, int> parse_command_line(int argc, char** argv);

}  // namespace kokola::ctl
