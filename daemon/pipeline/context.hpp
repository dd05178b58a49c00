// State shared by the stages of one push or one run: the key indexes for the collision rule
// (built once, lazily, from the ERP's keys), the dependencies already checked, and the
// progress callback. Lives on the calling thread's stack; not shared between threads.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "domain/keys.hpp"
#include "pipeline/pipeline.hpp"

namespace kokola {

struct Pipeline::Context {
  explicit Context(ErpSource& source) : source_(source) {}

  const KeyIndex& index(Entity e) {
    auto it = indexes_.find(e);
    if (it != indexes_.end()) return it->second;
    return indexes_.emplace(e, KeyIndex(source_.keys(e))).first->second;
  }

  void report(Entity e, std::string_view key, std::string_view stage) const {
    if (progress) progress(e, key, stage);
  }

  PushProgress progress;
  // Dependencies checked (and sent if needed) during this push or run, so that a vendor
  // shared by many POs is looked at once.
  std::map<std::pair<Entity, std::string>, PushResult> dependencies;
  // Set by a run: the jobs of its own records wait in `deferred` and are queued a chunk at a
  // time, in one transaction (queue_deferred()). A dependency's job is queued at once: the
  // PO that needs it must find it waiting.
  bool defer_jobs = false;
  std::vector<JobRecord> deferred;

 private:
  ErpSource& source_;
  std::map<Entity, KeyIndex> indexes_;
};

struct Pipeline::Processed {
  PushResult result;
  Readiness readiness = Readiness::not_ready;
  std::string readiness_reason;
  std::optional<Payload> payload;
  std::optional<LedgerEntry> ledger;
  Problems problems;     // validation problems, even when the record is not ready
  std::string row_hash;  // the row's fingerprint
};

}  // namespace kokola
