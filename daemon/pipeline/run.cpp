// A run: one pass over every record of an entity, in key order, streaming. A row whose
// fingerprint equals the one the ledger delivered (and that has no job waiting) is counted
// unchanged at once; a never-delivered row whose fingerprint was judged not ready before is
// counted not ready at once; every other row goes through the same stages as a manual push,
// and a version to deliver is queued. A verdict that did not change since the last run is
// not logged again.
#include <spdlog/spdlog.h>

#include <chrono>

#include "domain/keys.hpp"
#include "pipeline/context.hpp"
#include "pipeline/fingerprint.hpp"
#include "pipeline/pipeline.hpp"

namespace kokola {

namespace {

constexpr std::int64_t kProgressEvery = 500;

bool is_failure(Outcome o) {
  return o != Outcome::delivered && o != Outcome::unchanged && o != Outcome::not_ready &&
         o != Outcome::queued;
}

}  // namespace

nlohmann::json RunSummary::to_json() const {
  auto list = nlohmann::json::array();
  for (const auto& f : failures) {
    list.push_back({{"key", f.key}, {"outcome", outcome_name(f.outcome)}, {"message", f.message}});
  }
  return {{"entity", entity_name(entity)},
          {"run", run_id},
          {"full_compare", full_compare},
          {"started_at", started_at},
          {"duration_ms", duration_ms},
          {"counts", counts},
          {"failures", list},
          {"error", error}};
}

RunSummary Pipeline::run(Entity e, std::int64_t run_id, bool full_compare,
                         const RunProgress& progress) {
  RunSummary summary;
  summary.entity = e;
  summary.run_id = run_id;
  summary.full_compare = full_compare;
  summary.started_at = utc_now_rfc3339();
  auto start = std::chrono::steady_clock::now();
  Context ctx(source_);
  PushRequest request;
  request.entity = e;
  request.origin = "schedule";
  request.requested_by = "schedule";
  request.run_id = run_id;
  std::int64_t processed = 0;

  // The quick comparisons; nullopt when the row needs the full stages.
  auto quick = [&](const AnyRow& row, const std::string& key) -> std::optional<Outcome> {
    if (full_compare) return std::nullopt;
    const std::string fp = row_fingerprint(row, rules_id_);
    auto peek = store_.peek(e, key);
    if (peek.active) return std::nullopt;
    if (!peek.row_hash.empty()) {
      if (peek.row_hash == fp) return Outcome::unchanged;
      return std::nullopt;
    }
    if (store_.not_ready_verdict(e, key, fp)) return Outcome::not_ready;
    return std::nullopt;
  };

  auto visit = [&](AnyRow&& row) {
    PushResult r;
    try {
      request.key = trim_key(raw_key(row));
      if (auto known = quick(row, request.key)) {
        r.outcome = *known;
      } else {
        auto out = process(row, request, ctx, /*as_dependency=*/false);
        r = std::move(out.result);
        if (r.outcome == Outcome::not_ready || r.outcome == Outcome::invalid) {
          // Logged once per change of the row or of the verdict, not once per run.
          if (store_.remember_verdict(e, r.key, out.row_hash, r.outcome, r.message)) {
            spdlog::log(r.outcome == Outcome::invalid ? spdlog::level::warn : spdlog::level::info,
                        "run {}: '{}': {}", entity_name(e), r.key, r.summary());
          }
        }
      }
    } catch (const std::exception& ex) {
      r.entity = e;
      r.key = request.key;
      r.outcome = Outcome::failed;
      r.reason_code = reason::kInternal;
      r.message = ex.what();
      spdlog::error("run {}: '{}': {}", entity_name(e), r.key, r.message);
    }
    r.key = request.key;
    ++summary.counts[std::string(outcome_name(r.outcome))];
    if (is_failure(r.outcome) && summary.failures.size() < RunSummary::kMaxListedFailures) {
      summary.failures.push_back(r);
    }
    if (++processed % kProgressEvery == 0 && progress) progress(e, processed, summary.counts);
    return !stop_requested_.load();
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
    if (stop_requested_) summary.error = "stopped: kokola-syncd is shutting down";
  } catch (const std::exception& ex) {
    summary.error = ex.what();
    spdlog::error("run {}: {}", entity_name(e), summary.error);
  }
  if (progress) progress(e, processed, summary.counts);

  summary.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - start)
                            .count();
  return summary;
}

}  // namespace kokola
