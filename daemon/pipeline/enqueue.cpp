// The job for a version to deliver: written to the outbox (the state store) with who asked,
// why and the verdicts, before anything is sent; the senders take it from there
// (delivery/dispatcher.hpp).
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "delivery/failpoint.hpp"
#include "pipeline/context.hpp"
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

}  // namespace

JobRecord Pipeline::job_to_queue(const PushResult& r, const Payload& payload, bool retired,
                                 const std::string& row_hash, const PushRequest& request) const {
  JobRecord job = job_for(r, request);
  job.idempotency_key = new_idempotency_key();
  job.content_hash = payload.content_hash;
  job.verdicts = {{"readiness", retired ? "retired" : "ready"},
                  {"valid", true},
                  {"dependencies", dependencies_json(r.dependencies)}};
  job.priority =
      request.origin == "manual" ? JobRecord::kPriorityManual : JobRecord::kPriorityScheduled;
  job.body = canonical_json(payload.document);
  job.retired = retired;
  job.run_id = request.run_id;
  job.row_hash = row_hash;
  for (const auto& d : r.dependencies) {
    if (d.outcome == Outcome::queued) {
      job.depends_on.push_back({{"entity", entity_name(d.entity)}, {"key", d.key}});
    }
  }
  return job;
}

PushResult Pipeline::enqueue(const PushResult& checked, JobRecord job, const PushRequest& request) {
  PushResult r = checked;
  Enqueued queued = store_.enqueue_job(std::move(job));
  failpoint("after_job_written");
  if (on_enqueue_) on_enqueue_(queued, request);
  r.outcome = Outcome::queued;
  r.job = queued.id;
  r.revision = queued.revision;
  r.message = queued.created ? "queued as job " + std::to_string(queued.id)
                             : "already queued as job " + std::to_string(queued.id);
  return r;
}

void Pipeline::queue_deferred(Context& ctx, const PushRequest& request) {
  if (ctx.deferred.empty()) return;
  std::vector<JobRecord> jobs;
  jobs.swap(ctx.deferred);
  const auto queued = store_.enqueue_jobs(std::move(jobs));
  failpoint("after_job_written");
  if (on_enqueue_) {
    for (const auto& q : queued) on_enqueue_(q, request);
  }
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
