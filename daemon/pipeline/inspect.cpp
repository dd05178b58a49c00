// `kokolactl show`: everything the pipeline would decide about one record, without sending:
// readiness, every validation problem (even for a record that is not ready), dependencies,
// the payload and its hash, the ledger entry and the last receipt.
#include "domain/keys.hpp"
#include "pipeline/context.hpp"
#include "pipeline/pipeline.hpp"

namespace kokola {

namespace {

nlohmann::json ledger_json(const std::optional<LedgerEntry>& l) {
  if (!l) return nullptr;
  return {{"content_hash", l->content_hash},
          {"revision", l->revision},
          {"app_id", l->app_id},
          {"delivered_at", l->delivered_at},
          {"retired", l->retired}};
}

nlohmann::json dependency_states(const std::vector<PushResult>& deps) {
  auto out = nlohmann::json::array();
  for (const auto& d : deps) {
    // A look sends nothing: a dependency that changed is one a push would send first.
    const bool to_send = d.outcome == Outcome::queued;
    std::string message = to_send ? d.message + " before the PO" : d.summary();
    if (d.outcome == Outcome::unchanged) message = "delivered at its current version";
    out.push_back(
        {{"entity", entity_name(d.entity)},
         {"key", d.key},
         {"state", to_send ? std::string("to_send") : std::string(outcome_name(d.outcome))},
         {"message", message}});
  }
  return out;
}

}  // namespace

nlohmann::json job_json(const JobRecord& job) {
  auto attempts = nlohmann::json::array();
  for (const auto& a : job.attempts) {
    attempts.push_back({{"number", a.number},
                        {"started_at", a.started_at},
                        {"http_status", a.http_status},
                        {"latency_ms", a.latency_ms},
                        {"error", a.error}});
  }
  return {{"job", job.id},
          {"entity", entity_name(job.entity)},
          {"key", job.key},
          {"origin", job.origin},
          {"requested_by", job.requested_by},
          {"reason", job.reason},
          {"force", job.force},
          {"state", outcome_name(job.state)},
          {"reason_code", job.reason_code},
          {"message", job.message},
          {"idempotency_key", job.idempotency_key},
          {"revision", job.revision},
          {"content_hash", job.content_hash},
          {"app_id", job.app_id},
          {"verdicts", job.verdicts},
          {"created_at", job.created_at},
          {"finished_at", job.finished_at},
          {"attempts", attempts}};
}

nlohmann::json Inspection::to_json() const {
  bool sendable = readiness != "not_ready";
  return {{"entity", entity_name(entity)},
          {"key", key},
          {"found", found},
          {"readiness",
           {{"sendable", sendable}, {"readiness", readiness}, {"reason", readiness_reason}}},
          {"valid", found && problems.empty()},
          {"problems", problems_json(problems)},
          {"dependencies", dependency_states(verdict.dependencies)},
          {"verdict", verdict.to_json()},
          {"payload", payload},
          {"content_hash", content_hash.empty() ? nlohmann::json() : nlohmann::json(content_hash)},
          {"ledger", ledger_json(ledger)},
          {"last_receipt", last_receipt ? job_json(*last_receipt) : nlohmann::json()}};
}

Inspection Pipeline::inspect(Entity e, const std::string& raw) {
  Inspection in;
  in.entity = e;
  in.key = trim_key(raw);
  auto row = load_row(source_, e, in.key);
  if (!row) {
    in.verdict.entity = e;
    in.verdict.key = in.key;
    in.verdict.outcome = Outcome::not_ready;
    in.verdict.reason_code = reason::kNotFound;
    in.verdict.message = "not found in the ERP";
    in.readiness_reason = in.verdict.message;
    return in;
  }

  Context ctx(source_);
  PushRequest request;
  request.entity = e;
  request.key = in.key;
  request.dry_run = true;
  request.origin = "inspect";
  Processed p = process(*row, request, ctx, /*as_dependency=*/false);
  in.found = true;
  in.verdict = p.result;
  in.readiness = readiness_name(p.readiness);
  in.readiness_reason = p.readiness_reason;
  in.problems = p.problems;
  if (p.payload) {
    in.payload = p.payload->document;
    in.content_hash = p.payload->content_hash;
  }
  in.ledger = p.ledger;
  in.last_receipt = store_.last_receipt(e, in.key);
  return in;
}

}  // namespace kokola
