#include "store/state_store.hpp"

#include <ctime>

#include "store/checkpointer.hpp"
#include "store/migrations.hpp"
#include "store/row_codec.hpp"
#include "store/sqlite.hpp"
#include "store/state_lock.hpp"

namespace kokola {
namespace {

// How long a writer waits for a lock held by someone else (in practice: a `sqlite3 .backup`
// or an admin's read) before failing.
constexpr int kBusyTimeoutMs = 5000;

void configure(SqliteDb& db) {
  db.exec("PRAGMA busy_timeout = " + std::to_string(kBusyTimeoutMs));

  Statement wal = db.prepare("PRAGMA journal_mode = WAL");
  if (!wal.step() || wal.column_text(0) != "wal") {
    throw std::runtime_error("opening state store '" + db.path() +
                             "': the database refuses write-ahead logging");
  }

  // NORMAL in WAL mode: a commit survives the daemon being killed at any moment (it is in
  // the log the moment COMMIT returns); only a power loss may take the last commits back.
  // That loses nothing the design cannot recover: a job that was marked sending but is not
  // any more is looked up again, a lost ledger entry makes the next run send the content
  // again, and a revision handed out twice is refused by the app as stale and raised
  // (docs/state-store.md). FULL would cost an fsync per job step (about 0.2 ms here).
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
}

std::unique_ptr<SqliteDb> open_database(const std::string& path) {
  try {
    auto db = std::make_unique<SqliteDb>(path);
    configure(*db);
    migrate(*db, path);
    return db;
  } catch (const SqliteError& e) {
    throw std::runtime_error("opening state store '" + path + "': " + e.cause());
  }
}

// A second connection for reads that must not queue behind the writer; WAL mode lets it
// read while the writer writes.
std::unique_ptr<SqliteDb> open_reader(const std::string& path) {
  try {
    auto db = std::make_unique<SqliteDb>(path);
    db->exec("PRAGMA busy_timeout = " + std::to_string(kBusyTimeoutMs));
    db->exec("PRAGMA query_only = ON");
    return db;
  } catch (const SqliteError& e) {
    throw std::runtime_error("opening state store '" + path + "': " + e.cause());
  }
}

}  // namespace

StateStore::StateStore(const std::string& path)
    : path_(path),
      lock_(std::make_unique<StateLock>(path)),
      db_(open_database(path)),
      checkpointer_(std::make_unique<WalCheckpointer>(*db_, mutex_)),
      reader_(open_reader(path)) {}

StateStore::~StateStore() = default;

int StateStore::schema_version() {
  std::lock_guard guard(mutex_);
  return read_schema_version(*db_);
}

std::optional<LedgerEntry> StateStore::ledger(Entity e, const std::string& key) {
  std::lock_guard guard(mutex_);
  auto query = db_->cached(
      "SELECT content_hash, revision, app_id, delivered_at, retired, row_hash FROM ledger "
      "WHERE entity = ? AND key = ?");
  query.bind(1, entity_name(e)).bind(2, key);
  if (!query.step()) return std::nullopt;

  LedgerEntry entry;
  entry.entity = e;
  entry.key = key;
  entry.content_hash = query.column_text(0);
  entry.revision = query.column_int(1);
  entry.app_id = query.column_text(2);
  entry.delivered_at = query.column_text(3);
  entry.retired = query.column_int(4) != 0;
  entry.row_hash = query.column_text(5);
  return entry;
}

// A state store lost or restored from an older backup restarts revisions below what the app
// holds; the app refuses those as stale_revision with the revision it holds, and the pipeline
// calls raise_revision() so that the next push of that record goes through.
std::int64_t StateStore::next_revision(Entity e, const std::string& key) {
  std::lock_guard guard(mutex_);
  Transaction transaction(*db_);

  // Above both the last one handed out and the one the ledger holds, so a ledger written by
  // any route never sees its revision handed out again.
  Statement query = db_->prepare(
      "SELECT max(coalesce((SELECT last_issued FROM revisions WHERE entity = ?1 AND key = ?2), "
      "0), coalesce((SELECT revision FROM ledger WHERE entity = ?1 AND key = ?2), 0)) + 1");
  query.bind(1, entity_name(e)).bind(2, key);
  query.step();
  const std::int64_t next = query.column_int(0);

  db_->prepare(
         "INSERT INTO revisions (entity, key, last_issued) VALUES (?, ?, ?) "
         "ON CONFLICT (entity, key) DO UPDATE SET last_issued = excluded.last_issued")
      .bind(1, entity_name(e))
      .bind(2, key)
      .bind(3, next)
      .run();
  transaction.commit();
  return next;
}

void StateStore::raise_revision(Entity e, const std::string& key, std::int64_t held) {
  std::lock_guard guard(mutex_);
  Transaction transaction(*db_);
  db_->prepare(
         "INSERT INTO revisions (entity, key, last_issued) VALUES (?, ?, ?) "
         "ON CONFLICT (entity, key) DO UPDATE SET "
         "last_issued = max(last_issued, excluded.last_issued)")
      .bind(1, entity_name(e))
      .bind(2, key)
      .bind(3, held)
      .run();
  transaction.commit();
}

std::int64_t StateStore::ledger_count(Entity e) {
  std::lock_guard guard(mutex_);
  Statement query = db_->prepare("SELECT count(*) FROM ledger WHERE entity = ?");
  query.bind(1, entity_name(e));
  query.step();
  return query.column_int(0);
}

std::int64_t StateStore::start_run(Entity e, const std::string& started_at) {
  std::lock_guard guard(mutex_);
  Transaction transaction(*db_);
  db_->prepare(
         "INSERT INTO runs (entity, started_at, finished_at, duration_ms) VALUES (?, ?, '', 0)")
      .bind(1, entity_name(e))
      .bind(2, started_at)
      .run();
  const std::int64_t id = db_->last_insert_rowid();
  transaction.commit();
  return id;
}

std::int64_t StateStore::record_run(const RunRecord& run) {
  std::lock_guard guard(mutex_);
  Transaction transaction(*db_);
  if (run.id > 0) {
    db_->prepare("UPDATE runs SET finished_at = ?, duration_ms = ?, counts = ? WHERE id = ?")
        .bind(1, run.finished_at.empty() ? utc_now_rfc3339() : run.finished_at)
        .bind(2, run.duration_ms)
        .bind(3, store::write_json(run.counts))
        .bind(4, run.id)
        .run();
    transaction.commit();
    return run.id;
  }
  db_->prepare(
         "INSERT INTO runs (entity, started_at, finished_at, duration_ms, counts) "
         "VALUES (?, ?, ?, ?, ?)")
      .bind(1, entity_name(run.entity))
      .bind(2, run.started_at)
      .bind(3, run.finished_at.empty() ? utc_now_rfc3339() : run.finished_at)
      .bind(4, run.duration_ms)
      .bind(5, store::write_json(run.counts))
      .run();
  const std::int64_t id = db_->last_insert_rowid();
  transaction.commit();
  return id;
}

std::optional<RunRecord> StateStore::last_run(Entity e) {
  std::lock_guard guard(mutex_);
  Statement query = db_->prepare(
      "SELECT id, started_at, finished_at, duration_ms, counts FROM runs "
      "WHERE entity = ? AND finished_at != '' ORDER BY id DESC LIMIT 1");
  query.bind(1, entity_name(e));
  if (!query.step()) return std::nullopt;

  RunRecord run;
  run.id = query.column_int(0);
  run.entity = e;
  run.started_at = query.column_text(1);
  run.finished_at = query.column_text(2);
  run.duration_ms = query.column_int(3);
  run.counts = store::read_json(query.column_text(4));
  return run;
}

std::string utc_now_rfc3339() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);

  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace kokola
