// The HTTP side of the sandbox: installs on a cpp-httplib server the handlers that turn
// requests into Api calls (every method, every path, routed on the raw target), the admin
// endpoints under /_sandbox/ (test-only, not part of the contract), the error handler that
// gives library-generated errors (e.g. 413) the contract's error body, the X-Request-Id echo
// and the one-line request log on stderr. Handlers run on the server's worker threads.
#pragma once

#include <httplib.h>

#include "api.hpp"
#include "faults.hpp"

namespace sandbox {

void install_routes(httplib::Server& server, Api& api, FaultTable& faults, bool quiet);

}  // namespace sandbox
