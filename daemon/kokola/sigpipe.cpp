#include "kokola/sigpipe.hpp"

#include <pthread.h>

#include <cerrno>
#include <ctime>

namespace kokola {
namespace {

sigset_t sigpipe_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  return set;
}

bool sigpipe_pending() {
  sigset_t pending;
  sigemptyset(&pending);
  return sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
}

}  // namespace

SigpipeGuard::SigpipeGuard() {
  sigset_t block = sigpipe_set();
  was_pending_ = sigpipe_pending();
  pthread_sigmask(SIG_BLOCK, &block, &old_mask_);
}

SigpipeGuard::~SigpipeGuard() {
  // Consume a SIGPIPE raised by our writes while it is still blocked; a zero timeout makes
  // sigtimedwait() return at once when none is pending.
  if (!was_pending_ && sigpipe_pending()) {
    sigset_t set = sigpipe_set();
    timespec zero{0, 0};
    int saved_errno = errno;
    while (sigtimedwait(&set, nullptr, &zero) == -1 && errno == EINTR) {
    }
    errno = saved_errno;
  }
  pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

}  // namespace kokola
