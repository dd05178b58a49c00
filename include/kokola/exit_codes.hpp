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
  kExitUsage = 64,              // sysexits EX_USAGE: bad command line
  kExitDaemonUnreachable = 69,  // sysexits EX_UNAVAILABLE: no daemon, or no answer in time
  kExitProtocol = 76,           // sysexits EX_PROTOCOL: the daemon's answer made no sense
  kExitPermissionDenied = 77,   // sysexits EX_NOPERM: socket or role refused the request
};

// The exit code for one push result. Several results: the caller takes the highest.
constexpr int exit_code_for(Outcome outcome, std::string_view reason_code) {
  switch (outcome) {
    case Outcome::delivered:
    case Outcome::unchanged:
    case Outcome::queued:
    case Outcome::superseded:
      return kExitOk;
    case Outcome::not_ready:
      return kExitNotReady;
    case Outcome::invalid:
      return kExitInvalid;
    case Outcome::in_doubt:
      return kExitInDoubt;
    case Outcome::rejected:
      return reason_code == reason::kAppAuth ? kExitAppAuth : kExitRejected;
    case Outcome::failed:
    case Outcome::retry_wait:
    case Outcome::sending:
      if (reason_code == reason::kAppAuth) return kExitAppAuth;
      if (reason_code == reason::kAppUnreachable || reason_code == reason::kAppTransient ||
          reason_code == reason::kAppTls) {
        return kExitAppUnavailable;
      }
      if (reason_code == reason::kNotFound) return kExitNotReady;
      return kExitError;
  }
  return kExitError;
}

}  // namespace kokola
