// Delivering one claimed job: its dependencies, the look-up of an answer that never came,
// the PUT, the classification of the answer, and what the job becomes: delivered (with the
// ledger, in one transaction), rejected, failed, or back to wait.
#include <spdlog/spdlog.h>

#include "delivery/clock.hpp"
#include "delivery/dispatcher.hpp"
#include "delivery/failpoint.hpp"
#include "rules/payload.hpp"

namespace kokola {
namespace {

// How long after the request starts the after_request_sent failpoint kills the daemon.
constexpr int kInFlightKillMs = 20;

Attempt attempt_of(const std::string& started_at, const SendResult& res) {
  Attempt a;
  a.started_at = started_at;
  a.http_status = res.http_status;
  a.latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(res.latency).count();
  if (res.status != SendStatus::delivered) a.error = res.message;
  return a;
}

std::string request_body_of(const JobRecord& job) {
  auto doc = nlohmann::json::parse(job.body);
  doc["revision"] = job.revision;
  return canonical_json(doc);
}

std::string stale_message(const SendResult& res, std::int64_t revision) {
  return (res.app_revision > 0
              ? "the app holds revision " + std::to_string(res.app_revision) + ", newer"
              : std::string("the app holds a newer revision")) +
         " than this one (" + std::to_string(revision) + "); the next push carries a higher one";
}

}  // namespace

void Dispatcher::send(JobRecord job, KokolaTransport& app) {
  // A PO goes only when its vendor and items reached the app.
  for (const auto& d : job.depends_on) {
    auto e = parse_entity(d.value("entity", ""));
    std::string key = d.value("key", "");
    if (!e) continue;
    auto held = store_.ledger(*e, key);
    if (held && !held->retired) continue;
    auto last = store_.last_receipt(*e, key);
    std::string why = std::string(entity_name(*e)) + " '" + key + "': " +
                      (last ? std::string(outcome_name(last->state)) +
                                  (last->message.empty() ? "" : " (" + last->message + ")")
                            : std::string("not delivered"));
    std::string code =
        last && !last->reason_code.empty() ? last->reason_code : std::string(reason::kAppTransient);
    store_.complete_job(job.id, Outcome::failed, code, why, "", std::nullopt);
    auto u = JobUpdate::of(job, Outcome::failed, true);
    u.reason_code = code;
    u.message = why;
    spdlog::error("job {} ({} '{}'): failed: {}", job.id, entity_name(job.entity), job.key, why);
    publish(u);
    return;
  }

  if (superseded_meanwhile(job)) return;
  if (job.state == Outcome::in_doubt && resolve_in_doubt(job, app)) return;
  if (already_delivered(job)) return;
  if (job.tries > 1) {
    std::lock_guard lock(mutex_);
    std::lock_guard view(view_mutex_);
    ++retries_;
  }

  PutRequest put{job.entity, job.key, request_body_of(job), job.idempotency_key,
                 "job-" + std::to_string(job.id)};
  rate_.acquire();
  std::string started = utc_now_rfc3339();
  failpoint_in_flight("after_request_sent", kInFlightKillMs);
  SendResult res = app.put(put);
  failpoint("after_answer");
  if (observer_) observer_(res);
  settle_answer(job, res, attempt_of(started, res), app);
}

void Dispatcher::settle_answer(const JobRecord& job, const SendResult& res, const Attempt& attempt,
                               KokolaTransport& app) {
  switch (res.status) {
    case SendStatus::delivered: {
      app_answered();
      std::string message = res.http_status == 201 ? "created in the app" : "updated in the app";
      if (res.replayed) message += " (answer replayed by the app)";
      return finish_delivered(job, res.app_id, message, res.http_status, attempt);
    }
    case SendStatus::stale:
      app_answered();
      if (res.app_revision > 0) store_.raise_revision(job.entity, job.key, res.app_revision);
      return finish(job, Outcome::rejected, reason::kStaleRevision,
                    stale_message(res, job.revision), res.http_status, attempt);
    case SendStatus::rejected:
      if (res.error_code != "tls_error") {
        app_answered();
        return finish(job, Outcome::rejected, reason::kAppRejected, res.message, res.http_status,
                      attempt);
      }
      break;
    case SendStatus::auth_failed:
    case SendStatus::transient:
    case SendStatus::in_doubt:
      break;
  }

  // The job goes on: its attempt is stored before whatever comes next.
  store_.add_attempt(job.id, attempt);
  try_again_later(job, res, app);
}

void Dispatcher::try_again_later(const JobRecord& job, const SendResult& res,
                                 KokolaTransport& app) {
  if (res.status == SendStatus::rejected) {
    // A TLS error is not the app's verdict on the record: nothing was sent. The job waits
    // until the certificate (or the configuration) is fixed.
    hold_after_failure(res);
    return wait_again(job, Outcome::retry_wait, reason::kAppTls, res.message, 0);
  }
  if (res.status == SendStatus::auth_failed) {
    // Our credentials, not the record: keep the job until the token is fixed (SIGHUP).
    hold_after_failure(res);
    return wait_again(job, Outcome::retry_wait, reason::kAppAuth, res.message, res.http_status);
  }
  if (res.status == SendStatus::in_doubt) {
    // Looked up before sending is held: when the app answers the look-up it is up, and the
    // job settles now. The look-up that finds no answer holds sending itself.
    JobRecord doubted = job;
    doubted.state = Outcome::in_doubt;
    if (resolve_in_doubt(doubted, app)) return;
    return wait_again(job, Outcome::retry_wait, reason::kAppTransient,
                      res.message + "; the app does not hold it: sent again later", 0);
  }
  hold_after_failure(res);
  std::string code = res.error_code == "connect_error" ? std::string(reason::kAppUnreachable)
                                                       : std::string(reason::kAppTransient);
  std::string message = res.message;
  if (res.retry_after) {
    std::chrono::seconds most{};
    {
      std::lock_guard lock(mutex_);
      most = std::chrono::duration_cast<std::chrono::seconds>(config_.max_retry_after);
    }
    if (*res.retry_after > most) {
      message += "; waiting " + std::to_string(most.count()) + " s (delivery.max_retry_after)";
    }
  }
  wait_again(job, Outcome::retry_wait, code, message, res.http_status);
}

// The request may have reached the app: ask which revision it holds. True when that settled
// the job (delivered, or put back to wait because the app could not be asked).
bool Dispatcher::resolve_in_doubt(const JobRecord& job, KokolaTransport& app) {
  std::string started = utc_now_rfc3339();
  FetchResult found = app.get(job.entity, job.key, "job-" + std::to_string(job.id));
  // Listed as the look-up it is, not as a request that sent the record.
  Attempt lookup = attempt_of(started, found.status);
  lookup.error = "look-up (GET)" + (lookup.error.empty() ? std::string() : ": " + lookup.error);
  store_.add_attempt(job.id, lookup);
  if (observer_) observer_(found.status);
  const bool answered = found.found || found.status.http_status == 404;
  if (!answered) {
    hold_after_failure(found.status);
    wait_again(job, Outcome::in_doubt, reason::kNoAnswer,
               "sent without an answer, and the app cannot be asked now: " + found.status.message,
               0);
    return true;
  }
  app_answered();
  // No HTTP status goes with the outcome: the request itself had no answer, and the
  // look-up's is in the receipt.
  if (found.found && found.revision == job.revision) {
    finish_delivered(job, found.app_id,
                     "no answer to the request, but the app holds this revision: delivered", 0);
    return true;
  }
  if (found.found && found.revision > job.revision) {
    finish(job, Outcome::superseded, "",
           "the app holds revision " + std::to_string(found.revision) + ", newer than this one", 0);
    return true;
  }
  return false;
}

// A newer version queued while this job was claimed did not supersede it (a claimed job is
// `sending`); once claimed jobs went back to wait, both wait. The newer one carries the
// higher revision, so the app would refuse this one as stale: it ends superseded, unsent.
bool Dispatcher::superseded_meanwhile(const JobRecord& job) {
  auto newer = store_.newer_job(job.entity, job.key, job.id, job.revision);
  if (!newer) return false;
  finish(job, Outcome::superseded, "",
         "superseded by job " + std::to_string(*newer) + " (a newer version)", 0);
  return true;
}

// A job queued while an older one with the same content was being sent (a second push, or a
// run next to a push), or both recovered after a crash: once the older one is delivered,
// sending this one would write the same content to the app twice. A forced push sends anyway.
bool Dispatcher::already_delivered(const JobRecord& job) {
  if (job.force) return false;
  auto held = store_.ledger(job.entity, job.key);
  if (!held || held->content_hash != job.content_hash || held->retired != job.retired) {
    return false;
  }
  const std::string message =
      "already delivered at revision " + std::to_string(held->revision) + " by another job";
  store_.complete_job(job.id, Outcome::unchanged, "", message, held->app_id, std::nullopt);
  auto u = JobUpdate::of(job, Outcome::unchanged, true);
  u.revision = held->revision;
  u.app_id = held->app_id;
  u.message = message;
  spdlog::info("job {} ({} '{}'): unchanged: {}", job.id, entity_name(job.entity), job.key,
               message);
  publish(u);
  return true;
}

void Dispatcher::finish_delivered(const JobRecord& job, const std::string& app_id,
                                  const std::string& message, int http_status,
                                  const std::optional<Attempt>& attempt) {
  LedgerEntry entry{job.entity, job.key,           job.content_hash, job.revision,
                    app_id,     utc_now_rfc3339(), job.retired,      job.row_hash};
  failpoint("before_ledger_commit");
  store_.complete_job(job.id, Outcome::delivered, "", message, app_id, entry, attempt);
  auto u = JobUpdate::of(job, Outcome::delivered, true);
  u.app_id = app_id;
  u.message = message;
  u.http_status = http_status;
  // A manual push's delivery is news for its admin; a run's thousands are in its summary.
  const auto level =
      job.priority == JobRecord::kPriorityManual ? spdlog::level::info : spdlog::level::debug;
  spdlog::log(level, "job {} ({} '{}'): delivered at revision {}", job.id, entity_name(job.entity),
              job.key, job.revision);
  publish(u);
}

void Dispatcher::finish(const JobRecord& job, Outcome outcome, std::string_view code,
                        const std::string& message, int http_status,
                        const std::optional<Attempt>& attempt) {
  store_.complete_job(job.id, outcome, std::string(code), message, "", std::nullopt, attempt);
  auto u = JobUpdate::of(job, outcome, true);
  u.reason_code = code;
  u.message = message;
  u.http_status = http_status;
  auto level = outcome == Outcome::superseded ? spdlog::level::info : spdlog::level::err;
  spdlog::log(level, "job {} ({} '{}'): {}: {}", job.id, entity_name(job.entity), job.key,
              outcome_name(outcome), message);
  publish(u);
}

// Back to wait after a transient failure; `failed` once the retry horizon has passed.
void Dispatcher::wait_again(const JobRecord& job, Outcome state, std::string_view code,
                            const std::string& message, int http_status) {
  DeliveryConfig config;
  std::int64_t hold = 0;
  {
    std::lock_guard lock(mutex_);
    config = config_;
    hold = hold_until_ms();
  }
  const std::int64_t now = unix_ms_now();
  const std::int64_t created = unix_ms_of(job.created_at);
  if (created > 0 && now - created >= config.retry_horizon.count()) {
    const std::string unknown =
        state == Outcome::in_doubt
            ? "; whether the app holds it is unknown: the next run or kokolactl retry sends it "
              "again"
            : "";
    return finish(job, Outcome::failed, code,
                  message + " (gave up after " + std::to_string(job.tries) + " tries)" + unknown,
                  http_status);
  }
  std::int64_t next = now + backoff_delay(std::max(1, job.tries), config, jitter_unit()).count();
  next = std::max(next, hold);
  store_.reschedule_job(job.id, state, next, std::string(code), message);
  auto u = JobUpdate::of(job, state, false);
  u.reason_code = code;
  u.message = message;
  u.http_status = http_status;
  u.next_attempt_at = next;
  spdlog::warn("job {} ({} '{}'): {}; try {} at {}", job.id, entity_name(job.entity), job.key,
               message, job.tries + 1, rfc3339_of_ms(next));
  publish(u);
}

}  // namespace kokola
