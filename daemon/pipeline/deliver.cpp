// Stages 7 and 8 of the pipeline: the job is written before anything is sent, the attempt is
// recorded, the app's answer is classified, and the job's outcome and the ledger change are
// written in one transaction.
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "pipeline/pipeline.hpp"

namespace kokola {

namespace {

// A random (version 4) UUID: the job's Idempotency-Key, the same for every attempt of the job.
std::string new_idempotency_key() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) throw std::runtime_error("generating an idempotency key");
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

// A job for one push, with who asked and why; the caller fills in what it decided.
JobRecord job_for(const PushResult& r, const PushRequest& request) {
  JobRecord job;
  job.entity = r.entity;
  job.key = r.key;
  job.origin = request.origin;
  job.requested_by = request.requested_by;
  job.reason = request.reason;
  job.force = request.force;
  job.created_at = utc_now_rfc3339();
  return job;
}

Attempt attempt_of(int number, const std::string& started_at, const SendResult& res) {
  Attempt a;
  a.number = number;
  a.started_at = started_at;
  a.http_status = res.http_status;
  a.latency_ms = res.latency.count();
  if (res.status != SendStatus::delivered) a.error = res.message;
  return a;
}

// What went with a push, as kept in its receipt: entity, key, outcome, job.
nlohmann::json dependencies_json(const std::vector<PushResult>& deps) {
  auto out = nlohmann::json::array();
  for (const auto& d : deps) {
    out.push_back({{"entity", entity_name(d.entity)},
                   {"key", d.key},
                   {"outcome", outcome_name(d.outcome)},
                   {"job", d.job ? nlohmann::json(*d.job) : nlohmann::json()}});
  }
  return out;
}

// Sets outcome, reason code and message from the app's answer (everything but in doubt).
void classify(PushResult& r, const SendResult& res) {
  r.http_status = res.http_status;
  switch (res.status) {
    case SendStatus::delivered:
      r.outcome = Outcome::delivered;
      r.app_id = res.app_id;
      r.message = res.http_status == 201 ? "created in the app" : "updated in the app";
      if (res.replayed) r.message += " (answer replayed by the app)";
      return;
    case SendStatus::stale:
      r.outcome = Outcome::rejected;
      r.reason_code = reason::kStaleRevision;
      r.message = (res.app_revision > 0
                       ? "the app holds revision " + std::to_string(res.app_revision) + ", newer"
                       : std::string("the app holds a newer revision")) +
                  " than this one (" + std::to_string(r.revision.value_or(0)) + ")" +
                  (res.app_revision > 0 ? "; the next push will carry a higher one" : "");
      return;
    case SendStatus::rejected:
      if (res.error_code == "tls_error") {
        // Not the app's verdict on the record: its certificate was not accepted, so nothing
        // was sent. A configuration problem, not retried.
        r.outcome = Outcome::failed;
        r.reason_code = reason::kAppTls;
        r.message = res.message;
        return;
      }
      r.outcome = Outcome::rejected;
      r.reason_code = reason::kAppRejected;
      r.message = res.message;
      r.problems = res.field_errors;
      return;
    case SendStatus::auth_failed:
      r.outcome = Outcome::failed;
      r.reason_code = reason::kAppAuth;
      r.message = res.message;
      return;
    case SendStatus::transient:
      r.outcome = Outcome::failed;
      r.reason_code =
          res.error_code == "connect_error" ? reason::kAppUnreachable : reason::kAppTransient;
      r.message = res.message;
      return;
    case SendStatus::in_doubt:
      r.outcome = Outcome::in_doubt;
      r.reason_code = reason::kAppTransient;
      r.message = res.message;
      return;
  }
}

}  // namespace

PushResult Pipeline::deliver(const PushResult& checked, const Payload& payload, bool retired,
                             const PushRequest& request) {
  PushResult r = checked;
  r.revision = store_.next_revision(r.entity, r.key);

  JobRecord job = job_for(r, request);
  job.state = Outcome::sending;
  job.idempotency_key = new_idempotency_key();
  job.revision = *r.revision;
  job.content_hash = payload.content_hash;
  job.verdicts = {{"readiness", retired ? "retired" : "ready"},
                  {"valid", true},
                  {"dependencies", dependencies_json(r.dependencies)}};
  job.id = store_.create_job(job);
  r.job = job.id;

  PutRequest put{r.entity, r.key, request_body(payload, *r.revision), job.idempotency_key,
                 "job-" + std::to_string(job.id)};
  std::string started = utc_now_rfc3339();
  SendResult res = app_.put(put);
  store_.add_attempt(job.id, attempt_of(1, started, res));
  if (on_send_) on_send_(res);

  classify(r, res);
  if (res.status == SendStatus::stale && res.app_revision > 0) {
    store_.raise_revision(r.entity, r.key, res.app_revision);
  }
  if (r.outcome == Outcome::in_doubt) r = resolve_in_doubt(std::move(r), put, job.id);

  std::optional<LedgerEntry> ledger;
  if (r.outcome == Outcome::delivered) {
    ledger = LedgerEntry{r.entity,          r.key,  payload.content_hash, *r.revision, r.app_id,
                         utc_now_rfc3339(), retired};
  }
  job.state = r.outcome;
  job.reason_code = r.reason_code;
  job.message = r.message;
  job.app_id = r.app_id;
  job.finished_at = utc_now_rfc3339();
  store_.finish_job(job, ledger);
  return r;
}

// The request went out and no answer came: it may have been applied. Look the record up
// before anyone sends again; our revision at the app means it was.
PushResult Pipeline::resolve_in_doubt(PushResult r, const PutRequest& put, std::int64_t job_id) {
  std::string started = utc_now_rfc3339();
  FetchResult found = app_.get(put.entity, put.key, put.request_id);
  store_.add_attempt(job_id, attempt_of(2, started, found.status));

  if (found.found && found.revision == r.revision.value_or(-1)) {
    r.outcome = Outcome::delivered;
    r.reason_code.clear();
    r.app_id = found.app_id;
    r.message = "no answer to the request, but the app holds this revision: delivered";
    return r;
  }
  if (found.status.http_status == 0 && !found.found) {
    r.message += "; looking the record up failed too: " + found.status.message;
  } else {
    r.message += found.found ? "; the app holds revision " + std::to_string(found.revision)
                             : "; the app does not hold the record yet";
  }
  spdlog::warn("push {} '{}' (job {}): in doubt: {}", entity_name(r.entity), r.key, job_id,
               r.message);
  return r;
}

void Pipeline::write_receipt(PushResult& result, const PushRequest& request) {
  JobRecord job = job_for(result, request);
  job.state = result.outcome;
  job.reason_code = result.reason_code;
  job.message = result.message;
  job.content_hash = result.content_hash;
  job.revision = result.revision.value_or(0);
  job.app_id = result.app_id;
  job.verdicts = {{"problems", problems_json(result.problems)},
                  {"dependencies", dependencies_json(result.dependencies)}};
  job.finished_at = job.created_at;
  job.id = store_.create_job(job);
  store_.finish_job(job, std::nullopt);
  result.job = job.id;
}

}  // namespace kokola
