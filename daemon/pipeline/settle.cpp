// Before a record is sent again, a job of its that may have reached the app without an
// answer (left `sending` by a stopped daemon, or `in_doubt`) is settled: the app is asked
// which revision it holds. Holding the job's revision means it was applied: the job becomes
// delivered and the ledger learns it. Holding less (or nothing) means it was not, and the
// revision precondition keeps it from ever applying later: the job is failed. When the app
// cannot be asked, nothing is sent.
#include <spdlog/spdlog.h>

#include "pipeline/context.hpp"
#include "pipeline/pipeline.hpp"

namespace kokola {

bool Pipeline::settle(PushResult& r, Processed& out) {
  auto job = store_.unsettled_job(r.entity, r.key);
  if (!job) return true;

  std::string started = utc_now_rfc3339();
  FetchResult found = app_.get(r.entity, r.key, "job-" + std::to_string(job->id));
  Attempt lookup;
  lookup.number = static_cast<int>(job->attempts.size()) + 1;
  lookup.started_at = started;
  lookup.http_status = found.status.http_status;
  lookup.latency_ms = found.status.latency.count();
  store_.add_attempt(job->id, lookup);
  std::string which =
      "job " + std::to_string(job->id) + " (revision " + std::to_string(job->revision) + ")";

  bool answered = found.found || found.status.http_status == 404;
  if (!answered) {
    r.outcome = Outcome::in_doubt;
    r.reason_code = reason::kAppTransient;
    r.job = job->id;
    r.message = which + " may have reached the app and the app cannot be asked now (" +
                found.status.message + "): nothing sent";
    return false;
  }

  job->attempts.clear();
  job->finished_at = utc_now_rfc3339();
  std::optional<LedgerEntry> ledger;
  if (found.found && found.revision == job->revision) {
    job->state = Outcome::delivered;
    job->reason_code.clear();
    job->app_id = found.app_id;
    job->message = "settled later: the app holds this revision";
    bool retired = job->verdicts.value("readiness", "") == "retired";
    ledger = LedgerEntry{r.entity,          r.key,  job->content_hash, job->revision, found.app_id,
                         utc_now_rfc3339(), retired};
    out.ledger = ledger;
  } else {
    job->state = Outcome::failed;
    job->message = "settled later: not applied (the app holds " +
                   (found.found ? "revision " + std::to_string(found.revision) : "nothing") + ")";
  }
  store_.finish_job(*job, ledger);
  spdlog::info("{} '{}': {} {}", entity_name(r.entity), r.key, which, job->message);
  return true;
}

}  // namespace kokola
