#include "service/audited_reply.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "kokola/protocol.hpp"
#include "pipeline/pipeline.hpp"

namespace kokola {
namespace {

void add_push_result(const nlohmann::json& r, AuditEntry& entry) {
  if (!r.is_object()) return;
  entry.outcomes.push_back({{"entity", r.value("entity", "")},
                            {"key", r.value("key", "")},
                            {"outcome", r.value("outcome", "")},
                            {"reason_code", r.value("reason_code", "")}});
  auto job = r.find("job");
  if (job != r.end() && job->is_number_integer()) entry.jobs.push_back(job->get<std::int64_t>());
  auto deps = r.find("dependencies");
  if (deps == r.end() || !deps->is_array()) return;
  for (const auto& d : *deps) add_push_result(d, entry);
}

}  // namespace

std::string run_errors(const nlohmann::json& data) {
  std::string errors;
  auto runs = data.is_object() ? data.find("runs") : data.end();
  if (!data.is_object() || runs == data.end() || !runs->is_array()) return errors;
  for (const auto& run : *runs) {
    if (!run.is_object()) continue;
    auto error = run.find("error");
    if (error == run.end() || !error->is_string() || error->get<std::string>().empty()) continue;
    if (!errors.empty()) errors += "; ";
    errors += run.value("entity", "") + ": " + error->get<std::string>();
  }
  return errors;
}

void summarise_result(const nlohmann::json& data, AuditEntry& entry) {
  if (!data.is_object()) return;
  if (auto results = data.find("results"); results != data.end() && results->is_array()) {
    for (const auto& r : *results) add_push_result(r, entry);
  }
  if (auto runs = data.find("runs"); runs != data.end() && runs->is_array()) {
    for (const auto& run : *runs) {
      if (!run.is_object()) continue;
      entry.outcomes.push_back(
          {{"entity", run.value("entity", "")}, {"counts", run.value("counts", nlohmann::json())}});
    }
  }
  std::sort(entry.jobs.begin(), entry.jobs.end());
  entry.jobs.erase(std::unique(entry.jobs.begin(), entry.jobs.end()), entry.jobs.end());
}

AuditedReply::AuditedReply(StateStore& store, AuditEntry entry,
                           std::shared_ptr<control::Reply> inner)
    : store_(store), inner_(std::move(inner)), entry_(std::move(entry)) {}

AuditedReply::~AuditedReply() {
  finish("internal", "the request ended without an answer", nullptr);
}

void AuditedReply::begin() {
  std::lock_guard guard(mutex_);
  if (begun_) return;
  entry_.id = store_.add_audit(entry_);
  begun_ = true;
}

void AuditedReply::add_jobs(const std::vector<std::int64_t>& jobs) {
  std::lock_guard guard(mutex_);
  entry_.jobs.insert(entry_.jobs.end(), jobs.begin(), jobs.end());
}

void AuditedReply::progress(nlohmann::json data) { inner_->progress(std::move(data)); }

void AuditedReply::result(nlohmann::json data) {
  // A sync run stops early only when the ERP could not be read: the answer carries it, and
  // the trail records the request as failed rather than ok.
  std::string errors = run_errors(data);
  if (errors.empty()) {
    finish("ok", "", &data);
  } else if (errors.find(kShutdownStopsRun) != std::string::npos) {
    finish(std::string(error_code::kShuttingDown), std::move(errors), &data);
  } else {
    finish(std::string(error_code::kErpError), std::move(errors), &data);
  }
  inner_->result(std::move(data));
}

void AuditedReply::error(std::string_view code, std::string message) {
  finish(std::string(code), message, nullptr);
  inner_->error(code, std::move(message));
}

void AuditedReply::finish(std::string result, std::string message, const nlohmann::json* data) {
  std::lock_guard guard(mutex_);
  if (finished_) return;
  finished_ = true;
  entry_.result = std::move(result);
  entry_.message = std::move(message);
  if (data) summarise_result(*data, entry_);
  entry_.finished_at = utc_now_rfc3339();
  try {
    if (begun_) {
      store_.finish_audit(entry_);
    } else {
      entry_.id = store_.add_audit(entry_);
    }
  } catch (const std::exception& e) {
    spdlog::error("writing the audit entry of {} by uid {}: {}", entry_.command, entry_.uid,
                  e.what());
  }
}

}  // namespace kokola
