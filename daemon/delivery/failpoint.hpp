// Failpoints for the crash tests: places in the delivery path where a test can have the
// daemon kill itself (SIGKILL, no clean-up), to prove that nothing is lost or doubled.
// Armed only through the environment, read once at start-up:
//   KOKOLA_FAILPOINTS="after_job_written=3,after_answer=10"
// kills the process the 3rd time a job is written, or the 10th time an answer arrives,
// whichever comes first. Unset (production), a failpoint costs one branch. Names:
// after_job_written, after_request_sent (while the request is in flight, before its answer
// is read), after_answer, before_ledger_commit. Any thread.
#pragma once

#include <string>
#include <string_view>

namespace kokola {

// Reads KOKOLA_FAILPOINTS; call once before any thread starts. Returns a line for the log
// when failpoints are armed, empty otherwise. Throws std::invalid_argument on a bad value.
std::string arm_failpoints_from_environment();

// Kills the process when the named failpoint's count is reached.
void failpoint(std::string_view name);

// For after_request_sent: when the count is reached, kills the process `delay_ms` later from
// another thread, so that the kill lands while the request is in flight.
void failpoint_in_flight(std::string_view name, int delay_ms);

}  // namespace kokola
