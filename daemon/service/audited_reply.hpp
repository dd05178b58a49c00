// The audit trail's hold on one admin request (docs/security.md): a control::Reply that
// passes everything on to the connection's Reply and, on the way, writes the request to the
// state store when its work begins and completes the entry with the answer: "ok" with the
// outcomes and the jobs created, or the error code and message. A sync whose result names a
// run that failed is recorded as `erp_error` with the runs' errors.
//
// Threads: built on the event loop; begin(), add_jobs(), progress(), result() and error()
// may be called from any thread (the state store serialises its writes).
#pragma once

#include <memory>
#include <mutex>

#include "control/server.hpp"
#include "store/state_store.hpp"

namespace kokola {

class AuditedReply : public control::Reply {
 public:
  AuditedReply(StateStore& store, AuditEntry entry, std::shared_ptr<control::Reply> inner);
  // An entry begun and never answered is completed as `internal`.
  ~AuditedReply() override;
  AuditedReply(const AuditedReply&) = delete;
  AuditedReply& operator=(const AuditedReply&) = delete;

  // Writes the entry (result "running"). Throws std::runtime_error when the store refuses,
  // so that no admin work goes ahead without its audit line.
  void begin();
  // Jobs created by the work that its result does not name (a sync's).
  void add_jobs(const std::vector<std::int64_t>& jobs);

  void progress(nlohmann::json data) override;
  void result(nlohmann::json data) override;
  void error(std::string_view code, std::string message) override;

 private:
  // Completes the entry once; later calls do nothing. Never throws.
  void finish(std::string result, std::string message, const nlohmann::json* data);

  StateStore& store_;
  std::shared_ptr<control::Reply> inner_;
  std::mutex mutex_;
  AuditEntry entry_;
  bool begun_ = false;
  bool finished_ = false;
};

// The errors of the sync runs in a result's data that stopped early, as "po: cause" joined
// by "; ", or "" when every run completed (or the data holds no runs). Pure; any thread.
std::string run_errors(const nlohmann::json& data);

// The audit summary of a command's result data: for push, one {entity, key, outcome,
// reason_code} per result and dependency, and every job named; for sync, one {entity,
// counts} per run. Pure; any thread.
void summarise_result(const nlohmann::json& data, AuditEntry& entry);

}  // namespace kokola
