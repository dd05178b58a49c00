// A run: one pass over every record of an entity, in key order, streaming (in chunks of a
// few hundred rows, whose ledger entries are read at once). A row whose
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
constexpr size_t kChunk = 256;
constexpr size_t kRememberedDependencies = 4096;

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
  ctx.defer_jobs = true;
  PushRequest request;
  request.entity = e;
  request.origin = "schedule";
  request.requested_by = "schedule";
  request.run_id = run_id;
  std::int64_t processed = 0;

  // The quick comparisons; nullopt when the row needs the full stages.
  auto quick = [&](const AnyRow& row, const LedgerPeek& peek) -> std::optional<Outcome> {
    if (full_compare || peek.active) return std::nullopt;
    if (peek.row_hash.empty() && peek.not_ready_hash.empty()) return std::nullopt;
    const std::string fp = row_fingerprint(row, rules_id_);
    if (!peek.row_hash.empty()) {
      if (peek.row_hash == fp) return Outcome::unchanged;
      return std::nullopt;
    }
    if (peek.not_ready_hash == fp) return Outcome::not_ready;
    return std::nullopt;
  };

  auto visit = [&](const AnyRow& row, const std::string& key, const LedgerPeek& peek) {
    PushResult r;
    request.key = key;
    try {
      if (auto known = quick(row, peek)) {
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

  // The chunk's jobs, in one transaction: a commit per record took the state store from the
  // senders for most of a run's time. When that fails, the chunk's records failed.
  auto queue_chunk = [&]() {
    std::vector<std::string> keys;
    for (const auto& job : ctx.deferred) keys.push_back(job.key);
    try {
      queue_deferred(ctx, request);
    } catch (const std::exception& ex) {
      ctx.deferred.clear();
      const std::string why = std::string("queueing its job: ") + ex.what();
      spdlog::error("run {}: {} records not queued: {}", entity_name(e), keys.size(), why);
      for (const auto& key : keys) {
        --summary.counts[std::string(outcome_name(Outcome::queued))];
        ++summary.counts[std::string(outcome_name(Outcome::failed))];
        if (summary.failures.size() < RunSummary::kMaxListedFailures) {
          PushResult r;
          r.entity = e;
          r.key = key;
          r.outcome = Outcome::failed;
          r.reason_code = reason::kInternal;
          r.message = why;
          summary.failures.push_back(std::move(r));
        }
      }
    }
  };

  // Rows are taken in chunks, so that the ledger is read for a whole chunk at once.
  std::vector<AnyRow> chunk;
  chunk.reserve(kChunk);
  auto flush = [&]() {
    std::vector<std::string> keys;
    keys.reserve(chunk.size());
    for (const auto& row : chunk) keys.push_back(trim_key(raw_key(row)));
    auto peeks = full_compare ? std::vector<LedgerPeek>(keys.size()) : store_.peek_many(e, keys);
    bool go_on = true;
    for (size_t i = 0; i < chunk.size() && go_on; ++i) go_on = visit(chunk[i], keys[i], peeks[i]);
    chunk.clear();
    queue_chunk();
    // The dependencies checked so far spare a vendor shared by many POs a second check; a
    // run over every PO would otherwise remember every vendor and item it met.
    if (ctx.dependencies.size() > kRememberedDependencies) ctx.dependencies.clear();
    return go_on;
  };
  auto take = [&](AnyRow&& row) {
    chunk.push_back(std::move(row));
    return chunk.size() < kChunk || flush();
  };

  try {
    switch (e) {
      case Entity::vendor:
        source_.scan_vendors([&](VendorRow&& row) { return take(AnyRow(std::move(row))); });
        break;
      case Entity::item:
        source_.scan_items([&](ItemRow&& row) { return take(AnyRow(std::move(row))); });
        break;
      case Entity::purchase_order:
        source_.scan_purchase_orders([&](PoRow&& row) { return take(AnyRow(std::move(row))); });
        break;
    }
  } catch (const std::exception& ex) {
    summary.error = ex.what();
    spdlog::error("run {}: {}", entity_name(e), summary.error);
  }
  // The rows read before the end of the scan, or before the ERP failed, still go through.
  try {
    flush();
  } catch (const std::exception& ex) {
    if (summary.error.empty()) summary.error = ex.what();
    spdlog::error("run {}: {}", entity_name(e), ex.what());
  }
  if (stop_requested_ && summary.error.empty()) {
    summary.error = kShutdownStopsRun;
  }
  if (progress) progress(e, processed, summary.counts);

  summary.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - start)
                            .count();
  return summary;
}

}  // namespace kokola
