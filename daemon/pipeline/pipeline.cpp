#include "pipeline/pipeline.hpp"

#include <spdlog/spdlog.h>

#include <set>

#include "domain/keys.hpp"
#include "pipeline/context.hpp"
#include "pipeline/fingerprint.hpp"

namespace kokola {

namespace {

bool is_ok(Outcome o) { return o == Outcome::delivered || o == Outcome::unchanged; }

std::string first_problem(const Problems& problems) {
  if (problems.empty()) return "";
  std::string s = problems.front().path + ": " + problems.front().message;
  if (problems.size() > 1) s += " (and " + std::to_string(problems.size() - 1) + " more)";
  return s;
}

// How a dependency's result reads inside its PO's message: "vendor 'V-0042': not ready
// (inactive)".
std::string describe_dependency(const PushResult& d) {
  std::string who = std::string(entity_name(d.entity)) + " '" + d.key + "': ";
  switch (d.outcome) {
    case Outcome::not_ready:
      return who + "not ready (" + d.message + ")";
    case Outcome::invalid:
      return who + "invalid (" + d.message + ")";
    default:
      return who + d.summary();
  }
}

// The field of a PO that names a dependency: "vendor_code" or "lines[2].item_code".
std::string dependency_path(const PurchaseOrder& po, const PushResult& dep) {
  if (dep.entity == Entity::vendor) return "vendor_code";
  for (size_t i = 0; i < po.lines.size(); ++i) {
    if (po.lines[i].item_code == dep.key) return "lines[" + std::to_string(i) + "].item_code";
  }
  return "lines";
}

// A PO cannot go when one of its dependencies did not: say why, with the PO's outcome.
void block_on_dependency(PushResult& r, const PurchaseOrder& po, const PushResult& dep) {
  r.message = describe_dependency(dep);
  if (dep.outcome == Outcome::not_ready || dep.outcome == Outcome::invalid) {
    r.outcome = Outcome::invalid;
    r.reason_code.clear();
    r.problems.push_back({dependency_path(po, dep), r.message});
    return;
  }
  r.outcome = dep.outcome == Outcome::in_doubt ? Outcome::failed : dep.outcome;
  r.reason_code = dep.reason_code.empty() ? std::string(reason::kAppTransient) : dep.reason_code;
}

// Log levels are a contract: a push that failed is an error, one left in doubt a warning,
// every other verdict (the ERP's data speaking) information.
void log_push(const PushRequest& request, const std::string& key, const PushResult& result) {
  auto level = spdlog::level::info;
  if (result.outcome == Outcome::failed || result.outcome == Outcome::rejected) {
    level = spdlog::level::err;
  } else if (result.outcome == Outcome::in_doubt) {
    level = spdlog::level::warn;
  }
  spdlog::log(level, "{} {} '{}' by {}: {}", request.dry_run ? "dry run of push" : "push",
              entity_name(request.entity), key, request.requested_by, result.summary());
}

PushResult not_found(Entity e, const std::string& key) {
  PushResult r;
  r.entity = e;
  r.key = key;
  r.outcome = Outcome::not_ready;
  r.reason_code = reason::kNotFound;
  r.message = "not found in the ERP";
  return r;
}

PushResult failure(Entity e, const std::string& key, std::string_view code, std::string msg) {
  PushResult r;
  r.entity = e;
  r.key = key;
  r.outcome = Outcome::failed;
  r.reason_code = code;
  r.message = std::move(msg);
  return r;
}

}  // namespace

std::string_view readiness_name(Readiness r) {
  switch (r) {
    case Readiness::ready:
      return "ready";
    case Readiness::retired:
      return "retired";
    case Readiness::not_ready:
      return "not_ready";
  }
  return "not_ready";
}

Pipeline::Pipeline(ErpSource& source, StateStore& store, const RulesConfig& rules)
    : source_(source), store_(store), rules_(rules), rules_id_(rules_fingerprint(rules)) {}

Pipeline::Processed Pipeline::process(const AnyRow& row, const PushRequest& request, Context& ctx,
                                      bool as_dependency) {
  Processed out;
  PushResult& r = out.result;
  r.entity = entity_of(row);
  r.key = trim_key(raw_key(row));
  r.dry_run = request.dry_run;
  out.row_hash = row_fingerprint(row, rules_id_);

  // Stage 2: the readiness gate. A dependency must be ready: a retired vendor cannot carry
  // a new PO.
  out.ledger = store_.ledger(r.entity, r.key);
  auto verdict = readiness_of(row, rules_, out.ledger.has_value());
  out.readiness = verdict.readiness;
  out.readiness_reason = verdict.reason;

  // Stage 3: validation, including the key collision rule.
  ctx.report(r.entity, r.key, "validating");
  auto mapped = map_row(row, rules_);
  out.problems = std::move(mapped.problems);
  for (const auto& other : ctx.index(r.entity).collisions(raw_key(row))) {
    out.problems.push_back(
        {std::string(key_field(r.entity)),
         "collides with '" + other + "' (keys equal ignoring case and surrounding spaces)"});
  }

  bool ready_enough = as_dependency ? verdict.readiness == Readiness::ready : verdict.sendable();
  if (!ready_enough) {
    r.outcome = Outcome::not_ready;
    r.message = verdict.reason;
    return out;
  }
  if (!out.problems.empty()) {
    r.outcome = Outcome::invalid;
    r.problems = out.problems;
    r.message = first_problem(r.problems);
    return out;
  }

  // Stage 4: a ready PO needs its vendor and items delivered at their current version.
  const auto* po = std::get_if<PurchaseOrder>(&*mapped.record);
  if (po && verdict.readiness == Readiness::ready) {
    ctx.report(r.entity, r.key, "dependencies");
    r.dependencies = push_dependencies(*po, request, ctx);
    // After a real push_dependencies() nothing is left queued unless another one blocked.
    for (const auto& dep : r.dependencies) {
      if (!is_ok(dep.outcome) && dep.outcome != Outcome::queued) {
        block_on_dependency(r, *po, dep);
        // Only what decided the outcome is reported: the others were looked at, not sent.
        PushResult blocking = dep;
        r.dependencies = {blocking};
        return out;
      }
    }
  }

  // Stages 5 and 6: the payload, and nothing to do when this content was delivered and no
  // other version is on its way to the app (the row went back to what the app holds while
  // a newer version waits or is being sent: that one would end up at the app, so this one
  // must follow it, with a higher revision).
  out.payload = payload_of(*mapped.record);
  r.content_hash = out.payload->content_hash;
  if (out.ledger && out.ledger->content_hash == r.content_hash && !request.force &&
      !store_.other_version_on_its_way(r.entity, r.key, r.content_hash)) {
    // The row changed in a way the payload does not show (a touched timestamp): remember
    // its fingerprint so that the next run recognises it at once.
    if (!request.dry_run && out.ledger->row_hash != out.row_hash) {
      store_.set_ledger_row_hash(r.entity, r.key, out.row_hash);
    }
    r.outcome = Outcome::unchanged;
    r.revision = out.ledger->revision;
    r.app_id = out.ledger->app_id;
    r.message = "already delivered at revision " + std::to_string(out.ledger->revision);
    return out;
  }
  // A version the app rejected is not sent again by the schedule: only a change of the
  // record, a manual push or --force sends it again. (A stale revision is not the app's
  // verdict on the content: the next push goes with a higher revision.)
  if (request.origin == "schedule" && !request.force) {
    auto last = store_.last_receipt(r.entity, r.key);
    if (last && last->state == Outcome::rejected && last->content_hash == r.content_hash &&
        last->reason_code != reason::kStaleRevision) {
      r.outcome = Outcome::rejected;
      r.reason_code = last->reason_code;
      r.job = last->id;
      r.message = "the app rejected this version (job " + std::to_string(last->id) +
                  "): " + last->message + "; sent again when the record changes";
      return out;
    }
  }
  if (request.dry_run) {
    r.outcome = Outcome::queued;
    r.message = out.ledger ? "would send an update" : "would send a new record";
    return out;
  }

  // The job: the senders deliver it (stages 7 and 8).
  ctx.report(r.entity, r.key, "queueing");
  JobRecord job =
      job_to_queue(r, *out.payload, verdict.readiness == Readiness::retired, out.row_hash, request);
  if (ctx.defer_jobs && !as_dependency) {
    ctx.deferred.push_back(std::move(job));
    r.outcome = Outcome::queued;
    r.message = "queued with its chunk of the run";
    return out;
  }
  r = enqueue(r, std::move(job), request);
  return out;
}

// Every dependency is checked before any is sent, so that a PO blocked by one of them
// sends nothing at all.
std::vector<PushResult> Pipeline::push_dependencies(const PurchaseOrder& po,
                                                    const PushRequest& request, Context& ctx) {
  std::vector<std::pair<Entity, std::string>> wanted{{Entity::vendor, po.vendor_code}};
  std::set<std::string> seen;
  for (const auto& line : po.lines) {
    if (line.item_code && seen.insert(*line.item_code).second) {
      wanted.emplace_back(Entity::item, *line.item_code);
    }
  }

  PushRequest dry = request;
  dry.dry_run = true;
  std::vector<PushResult> out;
  for (const auto& [e, key] : wanted) {
    out.push_back(check_dependency(e, key, dry, ctx));
    auto& r = out.back();
    if (!is_ok(r.outcome) && r.outcome != Outcome::queued) {
      // A verdict, not a look ahead: only the dependencies that would have been queued
      // stay marked as looked at without sending.
      r.dry_run = request.dry_run;
      return out;
    }
  }
  if (request.dry_run) return out;

  for (auto& r : out) {
    if (r.outcome == Outcome::queued) r = check_dependency(r.entity, r.key, request, ctx);
    r.dry_run = false;
  }
  return out;
}

PushResult Pipeline::check_dependency(Entity e, const std::string& key, const PushRequest& parent,
                                      Context& ctx) {
  // Only final answers are remembered: a dry look is repeated for real when it is time to send.
  auto cache_key = std::make_pair(e, key);
  if (auto it = ctx.dependencies.find(cache_key); it != ctx.dependencies.end()) {
    return it->second;
  }

  PushRequest request = parent;
  request.force = false;
  request.run_id = 0;  // a run counts the jobs of its own entity
  request.reason =
      "dependency of " + std::string(entity_name(parent.entity)) + " '" + parent.key + "'";
  PushResult result;
  if (auto row = load_row(source_, e, key)) {
    auto same = delivered_as_read(*row, e, key, ctx);
    result = same ? *same : process(*row, request, ctx, /*as_dependency=*/true).result;
    result.dry_run = request.dry_run;
  } else {
    result = not_found(e, key);
  }
  if (result.outcome != Outcome::queued || result.job) ctx.dependencies.emplace(cache_key, result);
  return result;
}

// A dependency whose row is the very one delivered (same fingerprint, under the same rules),
// delivered as ready, with no job waiting and no other row colliding with it since, is
// unchanged: the other stages would only say so again, at the cost of a payload for every
// vendor and item of every PO.
std::optional<PushResult> Pipeline::delivered_as_read(const AnyRow& row, Entity e,
                                                      const std::string& key, Context& ctx) {
  auto held = store_.ledger(e, key);
  if (!held || held->retired || held->row_hash != row_fingerprint(row, rules_id_)) {
    return std::nullopt;
  }
  if (store_.has_active_job(e, key)) return std::nullopt;
  if (!ctx.index(e).collisions(raw_key(row)).empty()) return std::nullopt;
  PushResult r;
  r.entity = e;
  r.key = key;
  r.outcome = Outcome::unchanged;
  r.content_hash = held->content_hash;
  r.revision = held->revision;
  r.app_id = held->app_id;
  r.message = "already delivered at revision " + std::to_string(held->revision);
  return r;
}

PushResult Pipeline::push(const PushRequest& request, const PushProgress& progress) {
  Context ctx(source_);
  ctx.progress = progress;
  std::string key = trim_key(request.key);
  PushResult result;
  try {
    ctx.report(request.entity, key, "loading");
    if (auto row = load_row(source_, request.entity, key)) {
      result = process(*row, request, ctx, /*as_dependency=*/false).result;
    } else {
      result = not_found(request.entity, key);
    }
  } catch (const ErpError& e) {
    result = failure(request.entity, key, reason::kErpError, e.what());
  } catch (const std::exception& e) {
    result = failure(request.entity, key, reason::kInternal, e.what());
  }
  result.dry_run = request.dry_run;

  if (request.origin == "manual" && !result.job && !request.dry_run) {
    write_receipt(result, request);
  }
  log_push(request, key, result);
  return result;
}

}  // namespace kokola
