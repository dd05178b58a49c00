// kokolactl's side of the control protocol: a blocking Unix-socket client that sends one
// request and reads lines until the final result for that request's id, handing progress
// events to a callback on the way. Failures come back as a ClientError carrying kokolactl's
// exit code and a one-line message. Single-threaded; one call at a time.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <variant>

#include "kokola/protocol.hpp"

namespace kokola::ctl {

struct ClientError {
  int exit_code = 1;
  std::string message;  // without the "kokolactl: " prefix
};

using ProgressCallback = std::function<void(const nlohmann::json& data)>;

// Connects to `socket_path`, sends `request` and waits at most `timeout` for its result.
// A Response with final == true (ok or not) or a ClientError.
std::variant<Response, ClientError> call_daemon(const std::string& socket_path,
                                                const Request& request,
                                                std::chrono::milliseconds timeout,
                                                const ProgressCallback& on_progress);

}  // namespace kokola::ctl
