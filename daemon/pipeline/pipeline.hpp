// The one pipeline every push goes through, manual or scheduled (BRIEF §4): load, readiness
// gate, validate, dependencies, payload, skip if unchanged, and then the job: a version to
// deliver is queued in the outbox (the state store) before anything is sent; the senders
// (delivery/dispatcher.hpp) deliver it and write the receipt's outcome. push() serves
// `kokolactl push`; run() is a pass over a whole entity (the schedule and `kokolactl sync`);
// inspect() answers `kokolactl show` without queueing anything.
//
// Thread-safety: every method may be called from any thread, also at the same time: the
// state store serialises the queueing, and a record never has two jobs waiting (a newer
// version supersedes an older one). A failure while handling one record (bad data, an ERP
// error) ends that record's push with a clear outcome and never stops the others.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/entity.hpp"
#include "erp/source.hpp"
#include "kokola/client.hpp"
#include "pipeline/push_result.hpp"
#include "pipeline/record.hpp"
#include "rules/rules_config.hpp"
#include "store/state_store.hpp"

namespace kokola {

struct PushRequest {
  Entity entity = Entity::purchase_order;
  std::string key;
  bool force = false;    // send even when the ledger says this content was delivered
  bool dry_run = false;  // stop before sending: report what would happen
  std::string reason;    // the requester's --reason text, kept in the receipt
  std::string requested_by = "schedule";  // "uid 1000 (alice)" or "schedule"
  std::string origin = "manual";          // "manual" or "schedule"
  std::int64_t run_id = 0;                // the run it belongs to; 0: none
};

// Called before each stage of a push: stage is "loading", "validating", "dependencies" or
// "queueing".
using PushProgress = std::function<void(Entity e, std::string_view key, std::string_view stage)>;
// Called every few hundred records during a run with the counts so far (outcome name ->
// records; "queued" for jobs queued).
using RunProgress = std::function<void(Entity e, std::int64_t processed,
                                       const std::map<std::string, std::int64_t>& counts)>;

// The start of a run's error when a shutdown stopped it.
constexpr const char* kShutdownStopsRun = "stopped: kokola-syncd is shutting down";

struct RunSummary {
  Entity entity = Entity::vendor;
  std::int64_t run_id = 0;
  bool full_compare = false;  // every row compared in full, not only by fingerprint
  std::string started_at;
  std::int64_t duration_ms = 0;
  std::map<std::string, std::int64_t> counts;  // outcome name -> records
  std::vector<PushResult> failures;            // the first kMaxListedFailures not delivered
  std::string error;  // set when the run could not finish (the ERP could not be read)
  static constexpr size_t kMaxListedFailures = 20;

  nlohmann::json to_json() const;
};

struct Inspection {
  Entity entity = Entity::vendor;
  std::string key;
  bool found = false;
  PushResult verdict;                   // what a push would do now (a dry run)
  std::string readiness = "not_ready";  // "ready", "retired" or "not_ready"
  std::string readiness_reason;
  Problems problems;       // every validation problem, even when not ready
  nlohmann::json payload;  // null when the record cannot be sent
  std::string content_hash;
  std::optional<LedgerEntry> ledger;
  std::optional<JobRecord> last_receipt;

  nlohmann::json to_json() const;
};

std::string_view readiness_name(Readiness r);
// A receipt as the control protocol shows it (`show`, later `job`).
nlohmann::json job_json(const JobRecord& job);

// Told after a job was queued (to wake the senders) and when it replaced an older one.
using EnqueueObserver = std::function<void(const Enqueued& queued, const PushRequest& request)>;

class Pipeline {
 public:
  Pipeline(ErpSource& source, StateStore& store, const RulesConfig& rules);

  void set_enqueue_observer(EnqueueObserver observer) { on_enqueue_ = std::move(observer); }

  // Stages 1-6 and the job: a result with outcome `queued` and the job's id when there is
  // something to deliver; the final verdict otherwise.
  PushResult push(const PushRequest& request, const PushProgress& progress = {});
  // Goes over every row of an entity in key order and queues what changed. A row whose
  // fingerprint equals the one the ledger delivered is `unchanged` at once, unless
  // `full_compare`. The summary counts verdicts and jobs queued; the jobs' outcomes are the
  // caller's to wait for.
  RunSummary run(Entity e, std::int64_t run_id, bool full_compare,
                 const RunProgress& progress = {});
  Inspection inspect(Entity e, const std::string& key);
  // Makes a run in progress stop after its current record (shutting down).
  void request_stop() { stop_requested_ = true; }

 private:
  struct Context;
  struct Processed;

  // Stages 2-8 for a record already loaded. A dependency must be ready, not only sendable.
  Processed process(const AnyRow& row, const PushRequest& request, Context& ctx,
                    bool as_dependency);
  std::vector<PushResult> push_dependencies(const PurchaseOrder& po, const PushRequest& request,
                                            Context& ctx);
  PushResult check_dependency(Entity e, const std::string& key, const PushRequest& parent,
                              Context& ctx);
  std::optional<PushResult> delivered_as_read(const AnyRow& row, Entity e, const std::string& key,
                                              Context& ctx);
  // The job for a version to deliver, and queueing it (enqueue.cpp).
  JobRecord job_to_queue(const PushResult& checked, const Payload& payload, bool retired,
                         const std::string& row_hash, const PushRequest& request) const;
  PushResult enqueue(const PushResult& checked, JobRecord job, const PushRequest& request);
  // Queues the jobs a run deferred (Context::deferred) in one transaction.
  void queue_deferred(Context& ctx, const PushRequest& request);
  // The receipt of a manual request that sent nothing (not ready, invalid, unchanged).
  void write_receipt(PushResult& result, const PushRequest& request);

  ErpSource& source_;
  StateStore& store_;
  const RulesConfig& rules_;
  std::string rules_id_;  // rules_fingerprint(rules_)
  EnqueueObserver on_enqueue_;
  std::atomic<bool> stop_requested_{false};
};

}  // namespace kokola
