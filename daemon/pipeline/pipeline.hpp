// The one pipeline every push goes through, manual or scheduled (BRIEF §4): load, readiness
// gate, validate, dependencies, payload, skip if unchanged, deliver, receipt. push() serves
// `kokolactl push`; run() is a pass over a whole entity (the schedule and `kokolactl sync`);
// inspect() answers `kokolactl show` without sending anything.
//
// Thread-safety: push() and run() send, and must be called from one thread at a time (the
// daemon's sender thread): that is what keeps one push per record in flight. inspect() may be
// called from any thread at any time. A failure while handling one record (bad data, an ERP
// error) ends that record's push with a clear outcome and never stops the others.
#pragma once

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
};

// Called before each stage of a push: stage is "loading", "validating", "dependencies" or
// "sending".
using PushProgress = std::function<void(Entity e, std::string_view key, std::string_view stage)>;
// Called every few records during a run with the number processed so far.
using RunProgress = std::function<void(Entity e, std::int64_t processed)>;

struct RunSummary {
  Entity entity = Entity::vendor;
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

// Told after every attempt to reach the app, for `status` (reachability, last error).
using SendObserver = std::function<void(const SendResult& result)>;

class Pipeline {
 public:
  Pipeline(ErpSource& source, StateStore& store, KokolaTransport& app, const RulesConfig& rules);

  void set_send_observer(SendObserver observer) { on_send_ = std::move(observer); }

  PushResult push(const PushRequest& request, const PushProgress& progress = {});
  RunSummary run(Entity e, const RunProgress& progress = {});
  Inspection inspect(Entity e, const std::string& key);

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
  // Stages 7 and 8: the job, the attempt, the outcome and the ledger (deliver.cpp).
  PushResult deliver(const PushResult& checked, const Payload& payload, bool retired,
                     const PushRequest& request);
  PushResult resolve_in_doubt(PushResult result, const PutRequest& put, std::int64_t job_id);
  // Settles a job of this record that may have reached the app unanswered (settle.cpp);
  // false when it cannot be settled now, with `r` saying so.
  bool settle(PushResult& r, Processed& out);
  // The receipt of a manual request that sent nothing (not ready, invalid, unchanged).
  void write_receipt(PushResult& result, const PushRequest& request);

  ErpSource& source_;
  StateStore& store_;
  KokolaTransport& app_;
  const RulesConfig& rules_;
  SendObserver on_send_;
};

}  // namespace kokola
