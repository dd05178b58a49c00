// The lock that makes one daemon own one state store: "<state path>.lock" beside the
// database, held with flock(LOCK_EX | LOCK_NB) for the daemon's lifetime, the holder's pid
// written in it for the message a second daemon prints. The kernel drops the lock when the
// holder exits, even by SIGKILL, so a stale file never blocks a start. Each StateLock opens
// its own file description, so a second lock on the same path fails within one process too.
// Start-up only (constructor and destructor); any thread.
#pragma once

#include <string>

namespace kokola {

class StateLock {
 public:
  // Creates the database's directory (mode 0750) when missing, then takes the lock. Throws
  // std::runtime_error "opening state store 'PATH': locked by another kokola-syncd (pid N)".
  explicit StateLock(const std::string& state_path);
  ~StateLock();
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;

  const std::string& lock_path() const { return lock_path_; }

 private:
  std::string lock_path_;
  int fd_ = -1;
};

}  // namespace kokola
