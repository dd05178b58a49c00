// Keeps SIGPIPE from killing the process while the calling thread writes to a socket whose
// peer has gone (cpp-httplib sends without MSG_NOSIGNAL, and OpenSSL writes with plain
// write()). The daemon also ignores SIGPIPE in main; this guard makes the Kokola client safe
// in any process (tests, tools) without touching the process-wide disposition.
//
// SigpipeGuard blocks SIGPIPE for the calling thread only, and on destruction discards a
// SIGPIPE that became pending meanwhile (the kernel sends it to the writing thread) before it
// restores the thread's previous mask. The failed write itself still reports EPIPE. Use it on
// the stack around one request, on the thread that makes the request.
#pragma once

#include <signal.h>

namespace kokola {

class SigpipeGuard {
 public:
  SigpipeGuard();
  ~SigpipeGuard();
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t old_mask_;
  bool was_pending_ = false;  // a SIGPIPE pending before the guard is not ours to discard
};

}  // namespace kokola
