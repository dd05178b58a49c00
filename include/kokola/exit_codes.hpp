// kokolactl's exit codes: one table, documented in docs/exit-codes.md and kokolactl(1).
// The daemon's results carry an outcome and a reason code; exit_code_for() maps them, so
// that every program speaking the control protocol reads them the same way. Any thread.
#pragma once

#include <string_view>

#include "kokola/outcome.hpp"

namespace kokola {

enum ExitCode : int {
  kExitOk = 0,                  // delivered, unchanged, or the command succeeded
  kExitError = 1,               // the daemon reported an internal error, or nothing else fits
  kExitNotReady = 2,            // a record is not ready (or not found in the ERP)
  kExitInvalid = 3,             // a record failed validation
  kExitRejected = 4,            // the Kokola App rejected a record (4xx other than auth)
  kExitAppAuth = 5,             // the Kokola App refused our credentials (401/403)
  kExitAppUnavailable = 6,      // the Kokola App is unreachable or answered with a transient error
  kExitInDoubt = 7,             // a request was sent and no answer came: the outcome is unknown
  kExitDegraded = 8,            // status: the service is degraded
  kExitQueued = 9,              // accepted and queued: not delivered yet (queued, retry_wait)
  kExitConfigInvalid = 10,      // reload: the new configuration is invalid; the old one stays
  kExitUsage = 64,              // sysexits EX_USAGE: bad command line
  kExitDaemonUnreachable = 69,  // sysexits EX_UNAVAILABLE: no daemon, or no answer in time
  kExitProtocol = 76,           // sysexits EX_PROTOCOL: the daemon's answer made no sense
  kExitPermissionDenied = 77,   // sysexits EX_NOPERM: socket or role refused the request
};

// The exit code for one push result (or one job's state); several are combined with
// combine_exit_codes(). A job that is not final yet (queued, sending, retry_wait) exits
// kExitQueued, so that a script can tell "will still be tried" from "gave up", unless it is
// held for our credentials (kExitAppAuth) or the app's certificate (kExitAppUnavailable).
constexpr int exit_code_for(Outcome outcome, std::string_view reason_code) {
  switch (outcome) {
    case Outcome::delivered:
    case Outcome::unchanged:
    case Outcome::superseded:
      return kExitOk;
    case Outcome::queued:
    case Outcome::sending:
    case Outcome::retry_wait:
      // Kept for a later try, but waiting on something only an admin can fix.
      if (reason_code == reason::kAppAuth) return kExitAppAuth;
      if (reason_code == reason::kAppTls) return kExitAppUnavailable;
      return kExitQueued;
    case Outcome::not_ready:
      return kExitNotReady;
    case Outcome::invalid:
      return kExitInvalid;
    case Outcome::in_doubt:
      return kExitInDoubt;
    case Outcome::rejected:
      return reason_code == reason::kAppAuth ? kExitAppAuth : kExitRejected;
    case Outcome::failed:
      if (reason_code == reason::kAppAuth) return kExitAppAuth;
      if (reason_code == reason::kNoAnswer) return kExitInDoubt;  // it may have arrived
      if (reason_code == reason::kAppUnreachable || reason_code == reason::kAppTransient ||
          reason_code == reason::kAppTls) {
        return kExitAppUnavailable;
      }
      if (reason_code == reason::kNotFound) return kExitNotReady;
      return kExitError;
  }
  return kExitError;
}

// The exit code for two results together: the higher, except that kExitQueued ranks below
// every failure, so that a record which needs fixing is not hidden behind one that only
// waits its turn (one invalid and one queued PO exit 3, not 9).
constexpr int combine_exit_codes(int a, int b) {
  // Ranks: 0 lowest, then 9, then 1, 2, 3, ... in their own order.
  auto rank = [](int code) { return code == kExitQueued ? 1 : code * 2; };
  return rank(a) >= rank(b) ? a : b;
}

}  // namespace kokola
