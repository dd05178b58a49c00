// The job half of StateStore: jobs, their attempts and the ledger write that finishes a
// delivered job. See state_store.hpp.
#include "store/row_codec.hpp"
#include "store/sqlite.hpp"
#include "store/state_store.hpp"

namespace kokola {
namespace {

constexpr const char* kJobColumns =
    "SELECT id, entity, key, origin, requested_by, reason, force, state, reason_code, message, "
    "idempotency_key, revision, content_hash, app_id, verdicts, created_at, finished_at, "
    "priority, tries, next_attempt_at, body, retired, depends_on, run_id, row_hash "
    "FROM jobs ";

template <typename Row>
JobRecord read_job_row(const Row& row, const std::string& store_path) {
  JobRecord job;
  job.id = row.column_int(0);
  job.entity = store::read_entity(row.column_text(1), store_path);
  job.key = row.column_text(2);
  job.origin = row.column_text(3);
  job.requested_by = row.column_text(4);
  job.reason = row.column_text(5);
  job.force = row.column_int(6) != 0;
  job.state = store::read_outcome(row.column_text(7), store_path);
  job.reason_code = row.column_text(8);
  job.message = row.column_text(9);
  job.idempotency_key = row.column_text(10);
  job.revision = row.column_int(11);
  job.content_hash = row.column_text(12);
  job.app_id = row.column_text(13);
  job.verdicts = store::read_json(row.column_text(14));
  job.created_at = row.column_text(15);
  job.finished_at = row.column_text(16);
  job.priority = static_cast<int>(row.column_int(17));
  job.tries = static_cast<int>(row.column_int(18));
  job.next_attempt_at = row.column_int(19);
  job.body = row.column_text(20);
  job.retired = row.column_int(21) != 0;
  job.depends_on = store::read_json(row.column_text(22));
  job.run_id = row.column_int(23);
  job.row_hash = row.column_text(24);
  return job;
}

std::vector<Attempt> read_attempts(SqliteDb& db, std::int64_t job_id) {
  auto query = db.cached(
      "SELECT number, started_at, http_status, latency_ms, error FROM attempts "
      "WHERE job_id = ? ORDER BY number");
  query.bind(1, job_id);

  std::vector<Attempt> attempts;
  while (query.step()) {
    Attempt a;
    a.number = static_cast<int>(query.column_int(0));
    a.started_at = query.column_text(1);
    a.http_status = static_cast<int>(query.column_int(2));
    a.latency_ms = query.column_int(3);
    a.error = query.column_text(4);
    attempts.push_back(std::move(a));
  }
  return attempts;
}

// Reads every job the query yields, each with its attempts.
template <typename Query>
std::vector<JobRecord> read_jobs(SqliteDb& db, Query& query) {
  std::vector<JobRecord> jobs;
  while (query.step()) jobs.push_back(read_job_row(query, db.path()));
  for (JobRecord& job : jobs) job.attempts = read_attempts(db, job.id);
  return jobs;
}

// `ignore_known`: an attempt already stored under its number is left as it is. Number 0:
// after the job's last one.
void insert_attempt(SqliteDb& db, std::int64_t job_id, const Attempt& a, bool ignore_known) {
  std::int64_t number = a.number;
  if (number <= 0) {
    auto last = db.cached("SELECT coalesce(max(number), 0) + 1 FROM attempts WHERE job_id = ?");
    last.bind(1, job_id);
    last.step();
    number = last.column_int(0);
  }
  db.cached(std::string(ignore_known ? "INSERT OR IGNORE" : "INSERT") +
            " INTO attempts (job_id, number, started_at, http_status, latency_ms, error) "
            "VALUES (?, ?, ?, ?, ?, ?)")
      .bind(1, job_id)
      .bind(2, number)
      .bind(3, a.started_at.empty() ? utc_now_rfc3339() : a.started_at)
      .bind(4, static_cast<std::int64_t>(a.http_status))
      .bind(5, a.latency_ms)
      .bind(6, a.error)
      .run();
}

void write_ledger(SqliteDb& db, const LedgerEntry& entry) {
  db.cached(
        "INSERT INTO ledger (entity, key, content_hash, revision, app_id, delivered_at, retired, "
        "row_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (entity, key) DO UPDATE SET "
        "content_hash = excluded.content_hash, revision = excluded.revision, "
        "app_id = excluded.app_id, delivered_at = excluded.delivered_at, "
        "retired = excluded.retired, row_hash = excluded.row_hash")
      .bind(1, entity_name(entry.entity))
      .bind(2, entry.key)
      .bind(3, entry.content_hash)
      .bind(4, entry.revision)
      .bind(5, entry.app_id)
      .bind(6, entry.delivered_at.empty() ? utc_now_rfc3339() : entry.delivered_at)
      .bind(7, static_cast<std::int64_t>(entry.retired ? 1 : 0))
      .bind(8, entry.row_hash)
      .run();
  // A delivered record has no verdict to remember.
  db.cached("DELETE FROM verdicts WHERE entity = ? AND key = ?")
      .bind(1, entity_name(entry.entity))
      .bind(2, entry.key)
      .run();
}

void fail_no_job(const std::string& doing, std::int64_t id, const std::string& store_path) {
  throw std::runtime_error(doing + " job " + std::to_string(id) + " in state store '" + store_path +
                           "': no such job");
}

}  // namespace

std::int64_t StateStore::create_job(const JobRecord& job) {
  std::lock_guard guard(mutex_);
  Transaction transaction(*db_);
  db_->cached(
         "INSERT INTO jobs (entity, key, origin, requested_by, reason, force, state, "
         "reason_code, message, idempotency_key, revision, content_hash, app_id, verdicts, "
         "created_at, finished_at, priority, tries, next_attempt_at, body, retired, "
         "depends_on, run_id, row_hash) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, entity_name(job.entity))
      .bind(2, job.key)
      .bind(3, job.origin)
      .bind(4, job.requested_by)
      .bind(5, job.reason)
      .bind(6, static_cast<std::int64_t>(job.force ? 1 : 0))
      .bind(7, outcome_name(job.state))
      .bind(8, job.reason_code)
      .bind(9, job.message)
      .bind(10, job.idempotency_key)
      .bind(11, job.revision)
      .bind(12, job.content_hash)
      .bind(13, job.app_id)
      .bind(14, store::write_json(job.verdicts))
      .bind(15, job.created_at.empty() ? utc_now_rfc3339() : job.created_at)
      .bind(16, job.finished_at)
      .bind(17, static_cast<std::int64_t>(job.priority))
      .bind(18, static_cast<std::int64_t>(job.tries))
      .bind(19, job.next_attempt_at)
      .bind(20, job.body)
      .bind(21, static_cast<std::int64_t>(job.retired ? 1 : 0))
      .bind(22, store::write_json(job.depends_on))
      .bind(23, job.run_id)
      .bind(24, job.row_hash)
      .run();
  const std::int64_t id = db_->last_insert_rowid();

  for (const Attempt& a : job.attempts) insert_attempt(*db_, id, a, false);
  transaction.commit();
  return id;
}

void StateStore::set_job_state(std::int64_t id, Outcome state) {
  std::lock_guard guard(mutex_);
  Transaction transaction(*db_);
  db_->cached("UPDATE jobs SET state = ? WHERE id = ?")
      .bind(1, outcome_name(state))
      .bind(2, id)
      .run();
  if (db_->changes() == 0) fail_no_job("updating", id, path_);
  transaction.commit();
}

void StateStore::add_attempt(std::int64_t job_id, const Attempt& a) {
  std::lock_guard guard(mutex_);
  Transaction transaction(*db_);
  insert_attempt(*db_, job_id, a, false);
  transaction.commit();
}

void StateStore::finish_job(const JobRecord& job, const std::optional<LedgerEntry>& ledger) {
  std::lock_guard guard(mutex_);
  Transaction transaction(*db_);
  db_->cached(
         "UPDATE jobs SET state = ?, reason_code = ?, message = ?, idempotency_key = ?, "
         "revision = ?, content_hash = ?, app_id = ?, verdicts = ?, finished_at = ?, body = '', "
         "next_attempt_at = 0 WHERE id = ?")
      .bind(1, outcome_name(job.state))
      .bind(2, job.reason_code)
      .bind(3, job.message)
      .bind(4, job.idempotency_key)
      .bind(5, job.revision)
      .bind(6, job.content_hash)
      .bind(7, job.app_id)
      .bind(8, store::write_json(job.verdicts))
      .bind(9, job.finished_at.empty() ? utc_now_rfc3339() : job.finished_at)
      .bind(10, job.id)
      .run();
  if (db_->changes() == 0) fail_no_job("finishing", job.id, path_);

  // Attempts the caller kept in the record but did not add one by one are stored now.
  for (const Attempt& a : job.attempts) insert_attempt(*db_, job.id, a, true);
  if (ledger) write_ledger(*db_, *ledger);
  transaction.commit();
}

void StateStore::complete_job(std::int64_t id, Outcome state, const std::string& reason_code,
                              const std::string& message, const std::string& app_id,
                              const std::optional<LedgerEntry>& ledger,
                              const std::optional<Attempt>& attempt) {
  std::lock_guard guard(mutex_);
  Transaction transaction(*db_);
  db_->cached(
         "UPDATE jobs SET state = ?, reason_code = ?, message = ?, app_id = ?, finished_at = ?, "
         "body = '', next_attempt_at = 0 WHERE id = ?")
      .bind(1, outcome_name(state))
      .bind(2, reason_code)
      .bind(3, message)
      .bind(4, app_id)
      .bind(5, utc_now_rfc3339())
      .bind(6, id)
      .run();
  if (db_->changes() == 0) fail_no_job("finishing", id, path_);
  if (attempt) insert_attempt(*db_, id, *attempt, false);
  if (ledger) write_ledger(*db_, *ledger);
  transaction.commit();
}

std::optional<JobRecord> StateStore::job(std::int64_t id) {
  std::lock_guard guard(mutex_);
  auto query = db_->cached(std::string(kJobColumns) + "WHERE id = ?");
  query.bind(1, id);
  auto jobs = read_jobs(*db_, query);
  if (jobs.empty()) return std::nullopt;
  return std::move(jobs.front());
}

std::optional<JobRecord> StateStore::last_receipt(Entity e, const std::string& key) {
  std::lock_guard guard(mutex_);
  auto query = db_->cached(std::string(kJobColumns) +
                           "WHERE entity = ? AND key = ? ORDER BY id DESC LIMIT 1");
  query.bind(1, entity_name(e)).bind(2, key);
  auto jobs = read_jobs(*db_, query);
  if (jobs.empty()) return std::nullopt;
  return std::move(jobs.front());
}

std::optional<JobRecord> StateStore::unsettled_job(Entity e, const std::string& key) {
  std::lock_guard guard(mutex_);
  auto query =
      db_->cached(std::string(kJobColumns) +
                  "WHERE entity = ?1 AND key = ?2 AND state IN ('sending', 'in_doubt') AND id > "
                  "coalesce((SELECT max(id) FROM jobs WHERE entity = ?1 AND key = ?2 "
                  "AND state = 'delivered'), 0) ORDER BY id DESC LIMIT 1");
  query.bind(1, entity_name(e)).bind(2, key);
  auto jobs = read_jobs(*db_, query);
  if (jobs.empty()) return std::nullopt;
  return std::move(jobs.front());
}

std::int64_t StateStore::mark_interrupted_jobs() {
  std::lock_guard guard(mutex_);
  Transaction transaction(*db_);
  // The try that was going on has no answer to keep; the receipt still lists it, so that the
  // look-up that follows is not taken for the request itself. (The time it began is not
  // known: the restart's stands in.)
  db_->prepare(
         "INSERT INTO attempts (job_id, number, started_at, http_status, latency_ms, error) "
         "SELECT j.id, (SELECT coalesce(max(a.number), 0) + 1 FROM attempts a WHERE a.job_id = "
         "j.id), ?, 0, 0, 'no answer: kokola-syncd stopped while this job was being sent (its "
         "request may or may not have gone out)' FROM jobs j WHERE j.state = 'sending'")
      .bind(1, utc_now_rfc3339())
      .run();
  db_->prepare(
         "UPDATE jobs SET state = 'in_doubt', reason_code = 'app_transient', "
         "message = 'the daemon stopped while this job was sending' WHERE state = 'sending'")
      .run();
  std::int64_t changed = db_->changes();
  transaction.commit();
  return changed;
}

std::vector<JobRecord> StateStore::recent_jobs(int limit) {
  std::lock_guard guard(mutex_);
  Statement query = db_->prepare(std::string(kJobColumns) + "ORDER BY id DESC LIMIT ?");
  query.bind(1, static_cast<std::int64_t>(limit));
  return read_jobs(*db_, query);
}

}  // namespace kokola

namespace kokola {

std::vector<JobRecord> StateStore::jobs(const JobQuery& q) {
  std::lock_guard guard(mutex_);
  std::string where = "WHERE 1 = 1";
  if (q.state == "active") {
    where += " AND state IN ('queued', 'sending', 'retry_wait', 'in_doubt')";
  } else if (q.state == "finished") {
    where += " AND state NOT IN ('queued', 'sending', 'retry_wait', 'in_doubt')";
  } else if (!q.state.empty()) {
    where += " AND state = ?1";
  }
  if (!q.entity.empty()) where += " AND entity = ?2";
  if (!q.key.empty()) where += " AND key = ?3";
  Statement query = db_->prepare(std::string(kJobColumns) + where + " ORDER BY id DESC LIMIT ?4");
  if (!q.state.empty() && q.state != "active" && q.state != "finished") query.bind(1, q.state);
  if (!q.entity.empty()) query.bind(2, q.entity);
  if (!q.key.empty()) query.bind(3, q.key);
  query.bind(4, q.limit);
  return read_jobs(*db_, query);
}

std::vector<JobRecord> StateStore::failed_records(int limit) {
  std::lock_guard guard(mutex_);
  Statement query = db_->prepare(std::string(kJobColumns) +
                                 "WHERE id IN (SELECT max(id) FROM jobs GROUP BY entity, key) "
                                 "AND state = 'failed' ORDER BY id LIMIT ?");
  query.bind(1, static_cast<std::int64_t>(limit));
  return read_jobs(*db_, query);
}

}  // namespace kokola
