// The outbox half of StateStore: queueing a version of a record as a job, handing due jobs
// to the senders, putting them back to wait, and what `status`, `jobs` and the runs ask of
// the queue. See state_store.hpp.
#include <algorithm>

#include "store/row_codec.hpp"
#include "store/sqlite.hpp"
#include "store/state_store.hpp"

namespace kokola {
namespace {

// Every query on active jobs names the states of the partial indexes jobs_active and
// jobs_active_record exactly as they do: SQLite uses a partial index only when the query's
// WHERE repeats the index's term, so "waiting" adds its exclusion beside it.
constexpr const char* kActive = "('queued', 'sending', 'retry_wait', 'in_doubt')";
constexpr const char* kWaiting =
    "state IN ('queued', 'sending', 'retry_wait', 'in_doubt') AND state != 'sending'";

// The revision for a new version: above every one handed out and the one the ledger holds.
std::int64_t issue_revision(SqliteDb& db, Entity e, const std::string& key) {
  auto query = db.cached(
      "SELECT max(coalesce((SELECT last_issued FROM revisions WHERE entity = ?1 AND key = ?2), "
      "0), coalesce((SELECT revision FROM ledger WHERE entity = ?1 AND key = ?2), 0)) + 1");
  query.bind(1, entity_name(e)).bind(2, key);
  query.step();
  const std::int64_t next = query.column_int(0);
  db.cached(
        "INSERT INTO revisions (entity, key, last_issued) VALUES (?, ?, ?) "
        "ON CONFLICT (entity, key) DO UPDATE SET last_issued = excluded.last_issued")
      .bind(1, entity_name(e))
      .bind(2, key)
      .bind(3, next)
      .run();
  return next;
}

struct Waiting {
  std::int64_t id = 0;
  Outcome state = Outcome::queued;
  std::string content_hash;
  int priority = 0;
  std::int64_t revision = 0;
};

// The record's jobs that are waiting or sending, oldest first.
std::vector<Waiting> active_jobs(SqliteDb& db, Entity e, const std::string& key) {
  auto query = db.cached(std::string("SELECT id, state, content_hash, priority, revision FROM jobs "
                                     "WHERE entity = ? AND key = ? AND state IN ") +
                         kActive + " ORDER BY id");
  query.bind(1, entity_name(e)).bind(2, key);
  std::vector<Waiting> out;
  while (query.step()) {
    out.push_back({query.column_int(0), store::read_outcome(query.column_text(1), db.path()),
                   query.column_text(2), static_cast<int>(query.column_int(3)),
                   query.column_int(4)});
  }
  return out;
}

}  // namespace

Enqueued StateStore::enqueue_job(JobRecord job) {
  std::lock_guard guard(mutex_);
  Transaction transaction(*db_);
  Enqueued out = enqueue_locked(std::move(job));
  transaction.commit();
  return out;
}

std::vector<Enqueued> StateStore::enqueue_jobs(std::vector<JobRecord> jobs) {
  std::lock_guard guard(mutex_);
  Transaction transaction(*db_);
  std::vector<Enqueued> out;
  out.reserve(jobs.size());
  for (auto& job : jobs) out.push_back(enqueue_locked(std::move(job)));
  transaction.commit();
  return out;
}

// enqueue_job() inside the caller's transaction.
Enqueued StateStore::enqueue_locked(JobRecord job) {
  Enqueued out;
  for (const Waiting& w : active_jobs(*db_, job.entity, job.key)) {
    if (w.content_hash == job.content_hash && w.state != Outcome::sending && !job.force) {
      // This version is already on its way: the new request rides on that job.
      if (job.priority < w.priority) {
        db_->cached("UPDATE jobs SET priority = ? WHERE id = ?")
            .bind(1, static_cast<std::int64_t>(job.priority))
            .bind(2, w.id)
            .run();
      }
      // A run counts and waits for the jobs it rides on as for its own (the run that queued
      // it may be long over, or cut short by a restart).
      if (job.run_id > 0) {
        db_->cached("UPDATE jobs SET run_id = ? WHERE id = ?")
            .bind(1, job.run_id)
            .bind(2, w.id)
            .run();
      }
      out.id = w.id;
      out.revision = w.revision;
      return out;
    }
  }
  job.state = Outcome::queued;
  job.revision = issue_revision(*db_, job.entity, job.key);
  if (job.created_at.empty()) job.created_at = utc_now_rfc3339();
  db_->cached(
         "INSERT INTO jobs (entity, key, origin, requested_by, reason, force, state, "
         "idempotency_key, revision, content_hash, verdicts, created_at, priority, body, "
         "retired, depends_on, run_id, row_hash) "
         "VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, entity_name(job.entity))
      .bind(2, job.key)
      .bind(3, job.origin)
      .bind(4, job.requested_by)
      .bind(5, job.reason)
      .bind(6, static_cast<std::int64_t>(job.force ? 1 : 0))
      .bind(7, job.idempotency_key)
      .bind(8, job.revision)
      .bind(9, job.content_hash)
      .bind(10, store::write_json(job.verdicts))
      .bind(11, job.created_at)
      .bind(12, static_cast<std::int64_t>(job.priority))
      .bind(13, job.body)
      .bind(14, static_cast<std::int64_t>(job.retired ? 1 : 0))
      .bind(15, store::write_json(job.depends_on))
      .bind(16, job.run_id)
      .bind(17, job.row_hash)
      .run();
  out.id = db_->last_insert_rowid();
  out.created = true;
  out.revision = job.revision;

  // Older waiting versions will never be sent: the new one carries a higher revision.
  for (const Waiting& w : active_jobs(*db_, job.entity, job.key)) {
    if (w.id == out.id || w.state == Outcome::sending) continue;
    db_->cached(
           "UPDATE jobs SET state = 'superseded', reason_code = '', body = '', "
           "next_attempt_at = 0, message = ?, finished_at = ? WHERE id = ?")
        .bind(1,
              "superseded by job " + std::to_string(out.id) +
                  (w.content_hash == job.content_hash ? " (the same content, pushed with --force)"
                                                      : " (a newer version)"))
        .bind(2, utc_now_rfc3339())
        .bind(3, w.id)
        .run();
    out.superseded = w.id;
  }
  return out;
}

std::vector<JobRecord> StateStore::due_jobs(std::int64_t now_ms, int limit) {
  std::lock_guard guard(mutex_);
  auto query = db_->cached(std::string("SELECT id FROM jobs WHERE ") + kWaiting +
                           " AND next_attempt_at <= ? ORDER BY priority, id LIMIT ?");
  query.bind(1, now_ms).bind(2, static_cast<std::int64_t>(limit));
  std::vector<std::int64_t> ids;
  while (query.step()) ids.push_back(query.column_int(0));
  std::vector<JobRecord> out;
  out.reserve(ids.size());
  for (auto id : ids) {
    auto one = db_->cached(
        "SELECT id, entity, key, state, idempotency_key, revision, content_hash, priority, "
        "tries, body, retired, depends_on, run_id, row_hash, origin, created_at, force FROM jobs "
        "WHERE id = ?");
    one.bind(1, id);
    if (!one.step()) continue;
    JobRecord job;
    job.id = one.column_int(0);
    job.entity = store::read_entity(one.column_text(1), path_);
    job.key = one.column_text(2);
    job.state = store::read_outcome(one.column_text(3), path_);
    job.idempotency_key = one.column_text(4);
    job.revision = one.column_int(5);
    job.content_hash = one.column_text(6);
    job.priority = static_cast<int>(one.column_int(7));
    job.tries = static_cast<int>(one.column_int(8));
    job.body = one.column_text(9);
    job.retired = one.column_int(10) != 0;
    job.depends_on = store::read_json(one.column_text(11));
    job.run_id = one.column_int(12);
    job.row_hash = one.column_text(13);
    job.origin = one.column_text(14);
    job.created_at = one.column_text(15);
    job.force = one.column_int(16) != 0;
    out.push_back(std::move(job));
  }
  return out;
}

std::optional<std::int64_t> StateStore::next_due() {
  std::lock_guard guard(mutex_);
  auto query = db_->cached(std::string("SELECT min(next_attempt_at) FROM jobs WHERE ") + kWaiting);
  if (!query.step() || query.column_text(0).empty()) return std::nullopt;
  return query.column_int(0);
}

bool StateStore::claim_job(std::int64_t id, Outcome from_state) {
  return claim_jobs({{id, from_state}}).front();
}

std::vector<bool> StateStore::claim_jobs(
    const std::vector<std::pair<std::int64_t, Outcome>>& jobs) {
  std::lock_guard guard(mutex_);
  Transaction transaction(*db_);
  std::vector<bool> claimed;
  claimed.reserve(jobs.size());
  for (const auto& [id, from_state] : jobs) {
    db_->cached("UPDATE jobs SET state = 'sending', tries = tries + 1 WHERE id = ? AND state = ?")
        .bind(1, id)
        .bind(2, outcome_name(from_state))
        .run();
    claimed.push_back(db_->changes() == 1);
  }
  transaction.commit();
  return claimed;
}

void StateStore::unclaim_jobs(const std::vector<std::pair<std::int64_t, Outcome>>& jobs) {
  std::lock_guard guard(mutex_);
  Transaction transaction(*db_);
  for (const auto& [id, back_to] : jobs) {
    db_->cached("UPDATE jobs SET state = ?, tries = tries - 1 WHERE id = ? AND state = 'sending'")
        .bind(1, outcome_name(back_to))
        .bind(2, id)
        .run();
  }
  transaction.commit();
}

void StateStore::reschedule_job(std::int64_t id, Outcome state, std::int64_t next_ms,
                                const std::string& reason_code, const std::string& message) {
  std::lock_guard guard(mutex_);
  Transaction transaction(*db_);
  db_->cached(
         "UPDATE jobs SET state = ?, next_attempt_at = ?, reason_code = ?, message = ? "
         "WHERE id = ?")
      .bind(1, outcome_name(state))
      .bind(2, next_ms)
      .bind(3, reason_code)
      .bind(4, message)
      .bind(5, id)
      .run();
  transaction.commit();
}

void StateStore::retry_waiting_now() {
  std::lock_guard guard(mutex_);
  Transaction transaction(*db_);
  db_->prepare(std::string("UPDATE jobs SET next_attempt_at = 0 WHERE ") + kWaiting +
               " AND state != 'queued'")
      .run();
  transaction.commit();
}

bool StateStore::has_active_job(Entity e, const std::string& key) {
  std::lock_guard guard(mutex_);
  auto query = db_->cached(std::string("SELECT 1 FROM jobs WHERE entity = ? AND key = ? "
                                       "AND state IN ") +
                           kActive + " LIMIT 1");
  query.bind(1, entity_name(e)).bind(2, key);
  return query.step();
}

bool StateStore::other_version_on_its_way(Entity e, const std::string& key,
                                          const std::string& content_hash) {
  std::lock_guard guard(mutex_);
  auto query = db_->cached(std::string("SELECT 1 FROM jobs WHERE entity = ? AND key = ? AND "
                                       "content_hash != ? AND state IN ") +
                           kActive + " LIMIT 1");
  query.bind(1, entity_name(e)).bind(2, key).bind(3, content_hash);
  return query.step();
}

std::optional<std::int64_t> StateStore::newer_job(Entity e, const std::string& key, std::int64_t id,
                                                  std::int64_t revision) {
  std::lock_guard guard(mutex_);
  auto query = db_->cached(
      "SELECT id FROM jobs WHERE entity = ? AND key = ? AND id > ? AND revision > ? "
      "ORDER BY id DESC LIMIT 1");
  query.bind(1, entity_name(e)).bind(2, key).bind(3, id).bind(4, revision);
  if (!query.step()) return std::nullopt;
  return query.column_int(0);
}

LedgerPeek StateStore::peek(Entity e, const std::string& key) {
  return peek_many(e, {key}).front();
}

// The chunks of a run come in key order, so their entries lie together in the indexes: three
// range scans answer a chunk. A chunk whose keys are not close together (an ERP that sorts
// differently) falls back to a look-up per key.
std::vector<LedgerPeek> StateStore::peek_many(Entity e, const std::vector<std::string>& keys) {
  std::vector<LedgerPeek> out(keys.size());
  if (keys.empty()) return out;
  std::vector<std::pair<std::string_view, size_t>> order;  // (key, its place in `keys`)
  order.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) order.emplace_back(keys[i], i);
  std::sort(order.begin(), order.end());
  const std::int64_t cap = 4 * static_cast<std::int64_t>(keys.size()) + 64;
  // Calls `fill` for every place of `key` in `keys`.
  auto places = [&](const std::string& key, auto fill) {
    auto range = std::equal_range(order.begin(), order.end(),
                                  std::make_pair(std::string_view(key), size_t{0}),
                                  [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto it = range.first; it != range.second; ++it) fill(out[it->second]);
  };

  std::lock_guard guard(mutex_);
  Transaction transaction(*db_, Transaction::Kind::read);
  // Runs a range query (?1 entity, ?2 and ?3 the bounds, ?4 the cap): false when it hit the cap.
  auto scan = [&](const std::string& sql, auto fill) {
    auto query = db_->cached(sql);
    query.bind(1, entity_name(e))
        .bind(2, order.front().first)
        .bind(3, order.back().first)
        .bind(4, cap);
    std::int64_t rows = 0;
    while (query.step()) {
      ++rows;
      const std::string key = query.column_text(0);
      places(key, [&](LedgerPeek& p) { fill(p, query); });
    }
    return rows < cap;
  };
  const bool close_together =
      scan("SELECT key, row_hash FROM ledger WHERE entity = ?1 AND key BETWEEN ?2 AND ?3 LIMIT ?4",
           [](LedgerPeek& p, auto& row) { p.row_hash = row.column_text(1); }) &&
      scan(std::string("SELECT key FROM jobs WHERE entity = ?1 AND key BETWEEN ?2 AND ?3 AND "
                       "state IN ") +
               kActive + " LIMIT ?4",
           [](LedgerPeek& p, auto&) { p.active = true; }) &&
      scan(
          "SELECT key, row_hash FROM verdicts WHERE entity = ?1 AND key BETWEEN ?2 AND ?3 AND "
          "outcome = 'not_ready' LIMIT ?4",
          [](LedgerPeek& p, auto& row) { p.not_ready_hash = row.column_text(1); });
  if (!close_together) {
    auto query = db_->cached(
        std::string("SELECT (SELECT row_hash FROM ledger WHERE entity = ?1 AND key = ?2), "
                    "EXISTS (SELECT 1 FROM jobs WHERE entity = ?1 AND key = ?2 AND state IN ") +
        kActive +
        "), (SELECT row_hash FROM verdicts WHERE entity = ?1 AND key = ?2 AND "
        "outcome = 'not_ready')");
    for (size_t i = 0; i < keys.size(); ++i) {
      query.bind(1, entity_name(e)).bind(2, keys[i]);
      query.step();
      out[i] = {query.column_text(0), query.column_int(1) != 0, query.column_text(2)};
      query.reset();
    }
  }
  transaction.commit();
  return out;
}

void StateStore::set_ledger_row_hash(Entity e, const std::string& key,
                                     const std::string& row_hash) {
  std::lock_guard guard(mutex_);
  Transaction transaction(*db_);
  db_->cached("UPDATE ledger SET row_hash = ? WHERE entity = ? AND key = ?")
      .bind(1, row_hash)
      .bind(2, entity_name(e))
      .bind(3, key)
      .run();
  transaction.commit();
}

std::map<Entity, QueueCounts> StateStore::queue_counts() {
  std::lock_guard guard(reader_mutex_);
  std::map<Entity, QueueCounts> out;
  for (auto e : kAllEntities) out[e];
  auto query = reader_->cached(std::string("SELECT entity, state, count(*) FROM jobs WHERE "
                                           "state IN ") +
                               kActive + " GROUP BY entity, state");
  while (query.step()) {
    auto& c = out[store::read_entity(query.column_text(0), path_)];
    auto state = store::read_outcome(query.column_text(1), path_);
    std::int64_t n = query.column_int(2);
    if (state == Outcome::queued) c.queued = n;
    if (state == Outcome::sending) c.sending = n;
    if (state == Outcome::retry_wait) c.retry_wait = n;
    if (state == Outcome::in_doubt) c.in_doubt = n;
  }
  return out;
}

std::int64_t StateStore::records_ended(Outcome state) {
  std::lock_guard guard(reader_mutex_);
  auto query = reader_->cached(
      "SELECT count(*) FROM jobs f WHERE f.state = ? AND NOT EXISTS (SELECT 1 FROM jobs l "
      "WHERE l.entity = f.entity AND l.key = f.key AND l.id > f.id)");
  query.bind(1, outcome_name(state));
  query.step();
  return query.column_int(0);
}

std::map<std::string, std::int64_t> StateStore::run_job_counts(std::int64_t run_id) {
  std::lock_guard guard(mutex_);
  std::map<std::string, std::int64_t> out;
  auto query = db_->cached(
      "SELECT state, count(*) FROM jobs WHERE run_id = ? AND run_id > 0 GROUP BY state");
  query.bind(1, run_id);
  while (query.step()) out[query.column_text(0)] = query.column_int(1);
  return out;
}

bool StateStore::run_has_moving_jobs(std::int64_t run_id) {
  std::lock_guard guard(mutex_);
  auto query = db_->cached(
      "SELECT 1 FROM jobs WHERE run_id = ? AND run_id > 0 AND state IN ('queued', 'sending') "
      "LIMIT 1");
  query.bind(1, run_id);
  return query.step();
}

bool StateStore::remember_verdict(Entity e, const std::string& key, const std::string& row_hash,
                                  Outcome outcome, const std::string& message) {
  std::lock_guard guard(mutex_);
  auto query =
      db_->cached("SELECT row_hash, outcome, message FROM verdicts WHERE entity = ? AND key = ?");
  query.bind(1, entity_name(e)).bind(2, key);
  if (query.step() && query.column_text(0) == row_hash &&
      query.column_text(1) == outcome_name(outcome) && query.column_text(2) == message) {
    return false;
  }
  Transaction transaction(*db_);
  db_->cached(
         "INSERT INTO verdicts (entity, key, row_hash, outcome, message) VALUES (?, ?, ?, ?, ?) "
         "ON CONFLICT (entity, key) DO UPDATE SET row_hash = excluded.row_hash, "
         "outcome = excluded.outcome, message = excluded.message")
      .bind(1, entity_name(e))
      .bind(2, key)
      .bind(3, row_hash)
      .bind(4, outcome_name(outcome))
      .bind(5, message)
      .run();
  transaction.commit();
  return true;
}

std::int64_t StateStore::prune(const std::string& jobs_before, const std::string& runs_before,
                               const std::string& audit_before) {
  std::lock_guard guard(mutex_);
  Transaction transaction(*db_);
  std::int64_t removed = 0;
  if (!jobs_before.empty()) {
    // A record's newest job stays, whatever its age: it is the record's last receipt.
    db_->prepare(
           "DELETE FROM jobs WHERE finished_at != '' AND finished_at < ? AND id NOT IN "
           "(SELECT max(id) FROM jobs GROUP BY entity, key)")
        .bind(1, jobs_before)
        .run();
    removed += db_->changes();
  }
  if (!runs_before.empty()) {
    db_->prepare("DELETE FROM runs WHERE finished_at != '' AND finished_at < ?")
        .bind(1, runs_before)
        .run();
    removed += db_->changes();
  }
  if (!audit_before.empty()) {
    db_->prepare("DELETE FROM audit WHERE finished_at != '' AND at < ?")
        .bind(1, audit_before)
        .run();
    removed += db_->changes();
  }
  transaction.commit();
  return removed;
}

std::string StateStore::integrity_check() {
  std::lock_guard guard(mutex_);
  Statement query = db_->prepare("PRAGMA integrity_check");
  return query.step() ? query.column_text(0) : "no answer";
}

}  // namespace kokola
