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

struct LedgerEntry {
  Entity entity = Entity::vendor;
  std::string key;
  std::string content_hash;   // of the content last delivered
  std::int64_t revision = 0;  // the revision that delivery carried
  std::string app_id;         // the Kokola App's id for the record
  std::string delivered_at;   // RFC 3339, UTC
  bool retired = false;       // the delivered content was a retirement (cancelled, inactive)
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
};

struct RunRecord {
  std::int64_t id = 0;
  Entity entity = Entity::vendor;
  std::string started_at, finished_at;
  std::int64_t duration_ms = 0;
  nlohmann::json counts = nlohmann::json::object();  // outcome name -> count
};

class StateStore {
 public:
  static constexpr int kSchemaVersion = 1;

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
  void add_attempt(std::int64_t job_id, const Attempt& a);
  // Finishes a job and, when it delivered, writes the ledger entry in the same transaction.
  // Attempts listed in `job` that add_attempt() did not store yet are stored with it.
  void finish_job(const JobRecord& job, const std::optional<LedgerEntry>& ledger);

  std::optional<JobRecord> job(std::int64_t id);
  std::optional<JobRecord> last_receipt(Entity e, const std::string& key);
  std::vector<JobRecord> recent_jobs(int limit);

  std::int64_t record_run(const RunRecord& run);
  std::optional<RunRecord> last_run(Entity e);
  std::int64_t ledger_count(Entity e);

 private:
  std::string path_;
  std::mutex mutex_;
  std::unique_ptr<StateLock> lock_;
  std::unique_ptr<SqliteDb> db_;
};

// RFC 3339 UTC "now" with seconds ("2026-12-03T16:40:00Z"), as stored in the state store.
std::string utc_now_rfc3339();

}  // namespace kokola
