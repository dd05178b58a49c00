// A run: one pass over every record of an entity, in key order, through the same stages as a
// manual push. Unchanged and not-ready records are counted, not receipted; one info line
// sums the run up.
#include <spdlog/spdlog.h>

#include <chrono>

#include "domain/keys.hpp"
#include "pipeline/context.hpp"
#include "pipeline/pipeline.hpp"

namespace kokola {

namespace {

constexpr std::int64_t kProgressEvery = 100;

bool is_failure(Outcome o) {
  return o != Outcome::delivered && o != Outcome::unchanged && o != Outcome::not_ready;
}

std::string counts_text(const std::map<std::string, std::int64_t>& counts) {
  std::string s;
  for (const auto& [name, n] : counts) {
    if (!s.empty()) s += ", ";
    s += std::to_string(n) + " " + name;
  }
  return s.empty() ? "nothing" : s;
}

}  // namespace

nlohmann::json RunSummary::to_json() const {
  auto list = nlohmann::json::array();
  for (const auto& f : failures) {
    list.push_back({{"key", f.key}, {"outcome", outcome_name(f.outcome)}, {"message", f.message}});
  }
  return {{"entity", entity_name(entity)},
          {"started_at", started_at},
          {"duration_ms", duration_ms},
          {"counts", counts},
          {"failures", list},
          {"error", error}};
}

RunSummary Pipeline::run(Entity e, const RunProgress& progress) {
  RunSummary summary;
  summary.entity = e;
  summary.started_at = utc_now_rfc3339();
  auto start = std::chrono::steady_clock::now();
  Context ctx(source_);
  PushRequest request;
  request.entity = e;
  request.origin = "schedule";
  request.requested_by = "schedule";
  std::int64_t processed = 0;

  auto visit = [&](AnyRow&& row) {
    PushResult r;
    try {
      request.key = trim_key(raw_key(row));
      r = process(row, request, ctx, /*as_dependency=*/false).result;
    } catch (const std::exception& ex) {
      r.entity = e;
      r.key = request.key;
      r.outcome = Outcome::failed;
      r.reason_code = reason::kInternal;
      r.message = ex.what();
    }
    ++summary.counts[std::string(outcome_name(r.outcome))];
    if (is_failure(r.outcome)) {
      spdlog::debug("run {}: '{}': {}", entity_name(e), r.key, r.summary());
      if (summary.failures.size() < RunSummary::kMaxListedFailures) summary.failures.push_back(r);
    }
    if (++processed % kProgressEvery == 0 && progress) progress(e, processed);
    return true;
  };

  try {
    switch (e) {
      case Entity::vendor:
        source_.scan_vendors([&](VendorRow&& row) { return visit(AnyRow(std::move(row))); });
        break;
      case Entity::item:
        source_.scan_items([&](ItemRow&& row) { return visit(AnyRow(std::move(row))); });
        break;
      case Entity::purchase_order:
        source_.scan_purchase_orders([&](PoRow&& row) { return visit(AnyRow(std::move(row))); });
        break;
    }
  } catch (const std::exception& ex) {
    summary.error = ex.what();
    spdlog::error("run {}: {}", entity_name(e), summary.error);
  }

  summary.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - start)
                            .count();
  RunRecord record;
  record.entity = e;
  record.started_at = summary.started_at;
  record.finished_at = utc_now_rfc3339();
  record.duration_ms = summary.duration_ms;
  record.counts = summary.counts;
  if (!summary.error.empty()) record.counts["error"] = summary.error;
  store_.record_run(record);
  spdlog::info("run {}: {} records in {} ms: {}", entity_name(e), processed, summary.duration_ms,
               counts_text(summary.counts));
  return summary;
}

}  // namespace kokola
