// Closing a connection from inside a request handler without answering, for the fault
// rules "close" and "close_after_apply". cpp-httplib 0.11 gives handlers no access to the
// socket, so the socket is found by the request's four-tuple: among this process's
// descriptors, the TCP socket whose local and peer addresses are the request's (the same for
// HTTP and HTTPS, so libssl need not be linked). shutdown() (not close())
// makes the library's own write of the answer fail, so it then closes the socket itself.
// Call only from the handler thread that serves the request.
#pragma once

#include <httplib.h>

namespace sandbox {

// Returns false when the socket could not be found (the answer is then sent normally).
bool drop_connection(const httplib::Request& request);

}  // namespace sandbox
