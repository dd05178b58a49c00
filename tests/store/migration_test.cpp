// Opening a state store written by an older release: schema version 2 (before the outbox)
// is migrated to the current version, keeping the ledger and receipts, and a job that
// release left unfinished is ended as failed with the reason why.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "store/migrations.hpp"
#include "store/state_store.hpp"
#include "support/temp_dir.hpp"

namespace kokola {
namespace {

using ::testing::HasSubstr;

// The schema of versions 1 and 2 exactly as that release created it.
constexpr const char* kSchemaOfVersion2 = R"sql(
CREATE TABLE ledger (
  entity        TEXT    NOT NULL,
  key           TEXT    NOT NULL,
  content_hash  TEXT    NOT NULL,
  revision      INTEGER NOT NULL,
  app_id        TEXT    NOT NULL DEFAULT '',
  delivered_at  TEXT    NOT NULL,
  retired       INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),
  PRIMARY KEY (entity, key)
) WITHOUT ROWID;

CREATE TABLE revisions (
  entity       TEXT    NOT NULL,
  key          TEXT    NOT NULL,
  last_issued  INTEGER NOT NULL,
  PRIMARY KEY (entity, key)
) WITHOUT ROWID;

CREATE TABLE jobs (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  entity           TEXT    NOT NULL,
  key              TEXT    NOT NULL,
  origin           TEXT    NOT NULL,
  requested_by     TEXT    NOT NULL,
  reason           TEXT    NOT NULL DEFAULT '',
  force            INTEGER NOT NULL DEFAULT 0 CHECK (force IN (0, 1)),
  state            TEXT    NOT NULL,
  reason_code      TEXT    NOT NULL DEFAULT '',
  message          TEXT    NOT NULL DEFAULT '',
  idempotency_key  TEXT    NOT NULL DEFAULT '',
  revision         INTEGER NOT NULL DEFAULT 0,
  content_hash     TEXT    NOT NULL DEFAULT '',
  app_id           TEXT    NOT NULL DEFAULT '',
  verdicts         TEXT    NOT NULL DEFAULT '{}',
  created_at       TEXT    NOT NULL,
  finished_at      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX jobs_by_record ON jobs (entity, key, id);

CREATE TABLE attempts (
  job_id       INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  number       INTEGER NOT NULL,
  started_at   TEXT    NOT NULL,
  http_status  INTEGER NOT NULL DEFAULT 0,
  latency_ms   INTEGER NOT NULL DEFAULT 0,
  error        TEXT    NOT NULL DEFAULT '',
  PRIMARY KEY (job_id, number)
) WITHOUT ROWID;

CREATE TABLE runs (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  entity       TEXT    NOT NULL,
  started_at   TEXT    NOT NULL,
  finished_at  TEXT    NOT NULL,
  duration_ms  INTEGER NOT NULL,
  counts       TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX runs_by_entity ON runs (entity, id);

CREATE TABLE audit (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  at           TEXT    NOT NULL,
  uid          INTEGER NOT NULL,
  user         TEXT    NOT NULL DEFAULT '',
  pid          INTEGER NOT NULL DEFAULT 0,
  role         TEXT    NOT NULL,
  command      TEXT    NOT NULL,
  args         TEXT    NOT NULL DEFAULT '{}',
  reason       TEXT    NOT NULL DEFAULT '',
  result       TEXT    NOT NULL,
  message      TEXT    NOT NULL DEFAULT '',
  outcomes     TEXT    NOT NULL DEFAULT '[]',
  jobs         TEXT    NOT NULL DEFAULT '[]',
  finished_at  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_time ON audit (at);
CREATE INDEX audit_by_user ON audit (user, id);
PRAGMA user_version = 2;
)sql";

// What a version-2 daemon left behind: a delivered vendor, a PO it was sending when it was
// killed, and an item job in doubt.
constexpr const char* kDataOfVersion2 = R"sql(
INSERT INTO ledger VALUES ('vendor', 'V-1', 'h1', 3, 'vnd_1', '2025-01-01T00:00:00Z', 0);
INSERT INTO revisions VALUES ('vendor', 'V-1', 3), ('po', 'PO-1', 1);
INSERT INTO jobs (entity, key, origin, requested_by, state, message, revision, created_at,
                  finished_at, app_id)
  VALUES ('vendor', 'V-1', 'manual', 'uid 1000 (alice)', 'delivered', 'created in the app', 3,
          '2025-01-01T00:00:00Z', '2025-01-01T00:00:01Z', 'vnd_1');
INSERT INTO jobs (entity, key, origin, requested_by, state, revision, created_at)
  VALUES ('po', 'PO-1', 'manual', 'uid 1000 (alice)', 'sending', 1,
          '2025-01-02T00:00:00Z');
INSERT INTO jobs (entity, key, origin, requested_by, state, message, revision, created_at)
  VALUES ('item', 'I-1', 'schedule', 'schedule', 'in_doubt', 'no answer', 1,
          '2025-01-02T00:00:00Z');
INSERT INTO attempts VALUES (2, 1, '2025-01-02T00:00:00Z', 0, 5000, 'no answer');
)sql";

void write_version2_store(const std::string& path) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  for (const char* sql : {kSchemaOfVersion2, kDataOfVersion2}) {
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
    sqlite3_free(error);
  }
  sqlite3_close(db);
}

class StoreMigration : public ::testing::Test {
 protected:
  void SetUp() override { write_version2_store(path_); }

  TempDir dir_;
  std::string path_ = dir_.file("state.db");
};

TEST_F(StoreMigration, Version2IsMigratedToTheLatest) {
  StateStore store(path_);

  EXPECT_EQ(store.schema_version(), latest_schema_version());
  EXPECT_EQ(StateStore::kSchemaVersion, latest_schema_version());
  EXPECT_EQ(store.integrity_check(), "ok");
}

TEST_F(StoreMigration, JobLeftSendingIsFailedWithTheReason) {
  StateStore store(path_);

  auto po = store.job(2);
  ASSERT_TRUE(po.has_value());
  EXPECT_EQ(po->state, Outcome::failed);
  EXPECT_EQ(po->reason_code, "app_transient");
  EXPECT_THAT(po->message, HasSubstr("left unsettled by an earlier kokola-syncd"));
  EXPECT_FALSE(po->finished_at.empty());
  ASSERT_EQ(po->attempts.size(), 1u);

  auto item = store.job(3);
  EXPECT_EQ(item->state, Outcome::failed);
  EXPECT_THAT(item->message, HasSubstr("no answer (left unsettled"));
  EXPECT_TRUE(store.jobs(JobQuery{"active", "", "", 10}).empty());
  EXPECT_EQ(store.mark_interrupted_jobs(), 0);
}

TEST_F(StoreMigration, LedgerAndFinishedReceiptsAreKept) {
  StateStore store(path_);

  auto ledger = store.ledger(Entity::vendor, "V-1");
  ASSERT_TRUE(ledger.has_value());
  EXPECT_EQ(ledger->revision, 3);
  EXPECT_EQ(ledger->app_id, "vnd_1");
  EXPECT_EQ(ledger->row_hash, "") << "no fingerprint yet: the next run compares in full";
  auto delivered = store.job(1);
  EXPECT_EQ(delivered->state, Outcome::delivered);
  EXPECT_EQ(delivered->message, "created in the app");
  EXPECT_EQ(delivered->priority, JobRecord::kPriorityScheduled);
  EXPECT_EQ(delivered->depends_on, nlohmann::json::array());
}

TEST_F(StoreMigration, MigratedStoreTakesNewJobsAboveOldRevisions) {
  StateStore store(path_);
  JobRecord job;
  job.entity = Entity::purchase_order;
  job.key = "PO-1";
  job.origin = "manual";
  job.requested_by = "uid 1000 (alice)";
  job.content_hash = "h2";
  job.body = "{}";

  EXPECT_EQ(store.records_ended(Outcome::failed), 2)
      << "PO-1 and I-1 ended failed by the migration";
  Enqueued queued = store.enqueue_job(job);
  EXPECT_EQ(queued.revision, 2);
  EXPECT_EQ(store.enqueue_job(job).id, queued.id);
  EXPECT_EQ(store.records_ended(Outcome::failed), 1) << "PO-1's newest job is the new one";
}

}  // namespace
}  // namespace kokola
