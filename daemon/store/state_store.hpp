// The state store: the daemon's own SQLite database (WAL) holding the ledger (per record, the
// content last delivered, its revision and the app's id), the receipts (one per job, with its
// attempts) and the run history. It carries a schema version and migrates itself on open.
// Writing transactions start with BEGIN IMMEDIATE. A lock file beside the database makes a
// second daemon on the same state refuse to start.
// Thread-safety: one connection guarded by a mutex; every method may be called from any
// thread. A failed read or write throws std::runtime_error naming the database and SQLite's
// cause (docs/state-store.md describes the tables).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/entity.hpp"
#include "kokola/outcome.hpp"

namespace kokola {

class StateLock;
class SqliteDb;
class WalCheckpointer;

struct LedgerEntry {
  Entity entity = Entity::vendor;
  std::string key;
  std::string content_hash;   // of the content last delivered
  std::int64_t revision = 0;  // the revision that delivery carried
  std::string app_id;         // the Kokola App's id for the record
  std::string delivered_at;   // RFC 3339, UTC
  bool retired = false;       // the delivered content was a retirement (cancelled, inactive)
  std::string row_hash;       // fingerprint of the ERP row it was built from
};

struct Attempt {
  int number = 0;
  std::string started_at;  // RFC 3339, UTC
  int http_status = 0;     // 0: no answer
  std::int64_t latency_ms = 0;
  std::string error;  // empty on an answer; else what went wrong
};

// A job and its receipt: who asked, why, what was decided and what happened.
struct JobRecord {
  std::int64_t id = 0;
  Entity entity = Entity::vendor;
  std::string key;
  std::string origin = "manual";  // "manual" or "schedule"
  std::string requested_by;       // "uid 1000 (alice)" or "schedule"
  std::string reason;             // --reason text
  bool force = false;
  Outcome state = Outcome::queued;  // current state; the outcome once finished
  std::string reason_code;          // include/kokola/outcome.hpp, empty when delivered
  std::string message;              // for people: the verdict or the app's reason
  std::string idempotency_key;
  std::int64_t revision = 0;
  std::string content_hash;
  std::string app_id;
  nlohmann::json verdicts = nlohmann::json::object();  // readiness, problems, dependencies
  std::string created_at;
  std::string finished_at;
  std::vector<Attempt> attempts;

  // The outbox: what the senders need (store/outbox.cpp).
  int priority = kPriorityScheduled;
  int tries = 0;                     // PUT requests made so far
  std::int64_t next_attempt_at = 0;  // unix milliseconds; 0: at once
  std::string body;                  // the request body; emptied when the job is finished
  bool retired = false;              // the payload is a retirement
  nlohmann::json depends_on = nlohmann::json::array();  // [{"entity", "key"}] to deliver first
  std::int64_t run_id = 0;                              // the run that queued it; 0: none
  std::string row_hash;  // fingerprint of the ERP row the payload was built from

  static constexpr int kPriorityManual = 0;
  static constexpr int kPriorityScheduled = 1;
};

// What enqueue_job() did.
struct Enqueued {
  std::int64_t id = 0;          // the job that will deliver this version
  bool created = false;         // false: a job for this exact content was already waiting
  std::int64_t superseded = 0;  // the older waiting job it replaced; 0: none
  std::int64_t revision = 0;
};

// A filter for jobs(): empty strings match everything.
struct JobQuery {
  std::string state;  // an outcome name, "active" or "finished"
  std::string entity;
  std::string key;
  std::int64_t limit = 50;
};

// The waiting work of one entity, for `status`.
struct QueueCounts {
  std::int64_t queued = 0, sending = 0, retry_wait = 0, in_doubt = 0;
  std::int64_t total() const { return queued + sending + retry_wait + in_doubt; }
};

// A record's fingerprint as the ledger knows it, for the run's quick comparison.
struct LedgerPeek {
  std::string row_hash;        // of the ERP row last delivered; "" when never delivered
  bool active = false;         // a job of the record is waiting or sending
  std::string not_ready_hash;  // of the ERP row last judged not ready; "" when none was
};

struct RunRecord {
  std::int64_t id = 0;
  Entity entity = Entity::vendor;
  std::string started_at, finished_at;
  std::int64_t duration_ms = 0;
  nlohmann::json counts = nlohmann::json::object();  // outcome name -> count
};

// One line of the audit trail: an admin request or a refused request, who made it and how it
// ended. Written when the request arrives (result "running") and completed when answered.
struct AuditEntry {
  std::int64_t id = 0;
  std::string at;  // RFC 3339 UTC, when the request arrived
  std::int64_t uid = 0;
  std::string user;  // the user's name; empty when the uid has none
  std::int64_t pid = 0;
  std::string role;  // the caller's role: "admin", "viewer" or "none"
  std::string command;
  nlohmann::json args = nlohmann::json::object();
  std::string reason;              // the --reason text
  std::string result = "running";  // "running", "ok", or the error code of the answer
  std::string message;             // the error message; empty when ok
  nlohmann::json outcomes = nlohmann::json::array();  // push: per key; sync: per run
  std::vector<std::int64_t> jobs;                     // the jobs the request created
  std::string finished_at;                            // empty while running
};

struct AuditQuery {
  std::string since;  // RFC 3339 UTC; empty: from the start
  std::string user;   // empty: everyone
  std::int64_t limit = 100;
};

class StateStore {
 public:
  static constexpr int kSchemaVersion = 5;

  // Opens (creating the file and its directory's lock) and migrates. Throws
  // std::runtime_error: "opening state store '/var/lib/...': locked by another kokola-syncd
  // (pid 1234)", or a newer schema than this build knows.
  explicit StateStore(const std::string& path);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  const std::string& path() const { return path_; }
  int schema_version();

  std::optional<LedgerEntry> ledger(Entity e, const std::string& key);
  // Hands out the next revision for a record: strictly greater than any handed out before,
  // durable before it returns, so a crash can never reuse one.
  std::int64_t next_revision(Entity e, const std::string& key);
  // Makes the next revision of a record greater than `held`, the revision the app says it
  // holds (after a stale_revision answer).
  void raise_revision(Entity e, const std::string& key, std::int64_t held);

  // Writes a new job (state queued, or a final outcome for one that never sends) and
  // returns its id.
  std::int64_t create_job(const JobRecord& job);
  void set_job_state(std::int64_t id, Outcome state);
  // Numbered after the job's last attempt when a.number is 0.
  void add_attempt(std::int64_t job_id, const Attempt& a);
  // Finishes a job and, when it delivered, writes the ledger entry in the same transaction.
  // Attempts listed in `job` that add_attempt() did not store yet are stored with it.
  void finish_job(const JobRecord& job, const std::optional<LedgerEntry>& ledger);

  std::optional<JobRecord> job(std::int64_t id);
  std::optional<JobRecord> last_receipt(Entity e, const std::string& key);
  std::vector<JobRecord> recent_jobs(int limit);
  // The newest job of a record that may have reached the app without an answer (left
  // `sending` or `in_doubt`) and that no later delivery made moot; it must be looked up at
  // the app before the record is sent again.
  std::optional<JobRecord> unsettled_job(Entity e, const std::string& key);
  // At start-up: jobs a stopped daemon left `sending` become `in_doubt`. Returns how many.
  std::int64_t mark_interrupted_jobs();

  // The highest job id so far (0 when none), and the ids above one: the jobs a piece of
  // work on the sender thread created between the two calls.
  std::int64_t last_job_id();
  std::vector<std::int64_t> job_ids_after(std::int64_t id);

  // The audit trail (store/audit.cpp). add_audit() returns the new entry's id;
  // finish_audit() writes result, message, outcomes, jobs and finished_at of that entry.
  std::int64_t add_audit(const AuditEntry& entry);
  void finish_audit(const AuditEntry& entry);
  // The newest `limit` entries matching the query, oldest first.
  std::vector<AuditEntry> audit(const AuditQuery& query);

  // The outbox (store/outbox.cpp). enqueue_job() writes a new version of a record as a job
  // (state queued, with the next revision) in one transaction: a job still waiting for this
  // exact content is reused (and made manual when the new request is); a waiting job with
  // other content is superseded. A job being sent is never superseded: the new one waits.
  Enqueued enqueue_job(JobRecord job);
  // enqueue_job() for several jobs (of different records) in one transaction: a run queues
  // a chunk of records at once. What each did, in their order.
  std::vector<Enqueued> enqueue_jobs(std::vector<JobRecord> jobs);
  // The due jobs (queued, retry_wait or in_doubt with next_attempt_at <= now_ms), manual
  // first, then oldest first; at most `limit`.
  std::vector<JobRecord> due_jobs(std::int64_t now_ms, int limit);
  // The earliest next_attempt_at of a waiting job, if any.
  std::optional<std::int64_t> next_due();
  // Marks a due job `sending` and counts the try; false when it is no longer in
  // `from_state` (superseded meanwhile).
  bool claim_job(std::int64_t id, Outcome from_state);
  // claim_job() for several jobs (id, from_state) in one transaction: whether each was.
  std::vector<bool> claim_jobs(const std::vector<std::pair<std::int64_t, Outcome>>& jobs);
  // Undoes the claim of jobs that were not sent after all (id, the state they go back to):
  // back to waiting, the try not counted.
  void unclaim_jobs(const std::vector<std::pair<std::int64_t, Outcome>>& jobs);
  // Ends a job with its outcome and, when it delivered, writes the ledger entry in the same
  // transaction, with the attempt that ended it when given (numbered after the last one).
  // Only the outcome fields change; the receipt's other fields stay.
  void complete_job(std::int64_t id, Outcome state, const std::string& reason_code,
                    const std::string& message, const std::string& app_id,
                    const std::optional<LedgerEntry>& ledger,
                    const std::optional<Attempt>& attempt = std::nullopt);
  // Puts a job back to wait (retry_wait or in_doubt) until `next_ms`, with why.
  void reschedule_job(std::int64_t id, Outcome state, std::int64_t next_ms,
                      const std::string& reason_code, const std::string& message);
  // Makes every job waiting for a later try (retry_wait, in_doubt) due now.
  void retry_waiting_now();
  // True when the record has a job waiting or sending.
  bool has_active_job(Entity e, const std::string& key);
  // True when the record has a job waiting or sending with content other than
  // `content_hash`: a version that would reach the app after the one the ledger holds.
  bool other_version_on_its_way(Entity e, const std::string& key, const std::string& content_hash);
  // The newest job of the record queued after job `id` with a higher revision than
  // `revision` (a newer version), if any.
  std::optional<std::int64_t> newer_job(Entity e, const std::string& key, std::int64_t id,
                                        std::int64_t revision);
  LedgerPeek peek(Entity e, const std::string& key);
  // peek() for many records of one entity, in one read transaction; in the order of `keys`.
  std::vector<LedgerPeek> peek_many(Entity e, const std::vector<std::string>& keys);
  // The ledger entry now stands for a row with this fingerprint (same content delivered).
  void set_ledger_row_hash(Entity e, const std::string& key, const std::string& row_hash);
  // On a connection of its own: `status` and the metrics do not wait for a run's or a
  // sender's transaction; they see the last commit.
  std::map<Entity, QueueCounts> queue_counts();
  std::vector<JobRecord> jobs(const JobQuery& query);
  // How many records' newest job ended in `state` (failed, rejected); on the same connection
  // as queue_counts().
  std::int64_t records_ended(Outcome state);
  // The records whose newest job ended `failed`: that job for each.
  std::vector<JobRecord> failed_records(int limit);
  // Outcome -> number of jobs a run queued.
  // Counting visits every job of the run: a million for a large initial sync.
  std::map<std::string, std::int64_t> run_job_counts(std::int64_t run_id);
  // Whether a job the run queued is still queued or sending: a look at the first only.
  bool run_has_moving_jobs(std::int64_t run_id);
  // The last verdict remembered for a record that was not delivered, and setting it; a
  // delivered record's verdict is forgotten. Returns true when the verdict changed.
  bool remember_verdict(Entity e, const std::string& key, const std::string& row_hash,
                        Outcome outcome, const std::string& message);
  // Deletes finished jobs (with their attempts), runs and audit entries older than the
  // cut-offs (RFC 3339 UTC); empty: keep. Returns the number of rows removed.
  std::int64_t prune(const std::string& jobs_before, const std::string& runs_before,
                     const std::string& audit_before);
  // PRAGMA integrity_check: "ok" or SQLite's first complaint.
  std::string integrity_check();

  // A run is written when it starts (its id marks the jobs it queues) and completed by
  // record_run(); a run with id 0 is inserted whole.
  std::int64_t start_run(Entity e, const std::string& started_at);
  std::int64_t record_run(const RunRecord& run);
  std::optional<RunRecord> last_run(Entity e);
  std::int64_t ledger_count(Entity e);

 private:
  Enqueued enqueue_locked(JobRecord job);

  std::string path_;
  std::mutex mutex_;
  std::unique_ptr<StateLock> lock_;
  std::unique_ptr<SqliteDb> db_;
  std::unique_ptr<WalCheckpointer> checkpointer_;  // after db_: stopped before it closes
  std::mutex reader_mutex_;
  std::unique_ptr<SqliteDb> reader_;  // read-only, opened after db_ has migrated the schema
};

// RFC 3339 UTC "now" with seconds ("2026-12-03T16:40:00Z"), as stored in the state store.
std::string utc_now_rfc3339();

}  // namespace kokola
