#include "store/state_store.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <regex>

#include "store/migrations.hpp"
#include "store/state_lock.hpp"
#include "support/temp_dir.hpp"

namespace kokola {
namespace {

using ::testing::HasSubstr;

// Runs SQL on the file behind the store's back, as an admin with sqlite3 would.
void raw_exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

JobRecord sample_job() {
  JobRecord job;
  job.entity = Entity::purchase_order;
  job.key = "PWU2012502-0000517";
  job.origin = "manual";
  job.requested_by = "uid 1000 (alice)";
  job.reason = "vendor waiting";
  job.force = true;
  job.idempotency_key = "job-key-1";
  job.verdicts = {{"ready", true}, {"problems", nlohmann::json::array({"lines[3].qty"})}};
  return job;
}

TEST(StateStore, MigratesAnEmptyFileToTheLatestVersion) {
  TempDir dir;
  StateStore store(dir.file("state.db"));

  EXPECT_EQ(store.schema_version(), StateStore::kSchemaVersion);
  EXPECT_EQ(latest_schema_version(), StateStore::kSchemaVersion);
  EXPECT_EQ(store.ledger_count(Entity::vendor), 0);
  EXPECT_TRUE(std::filesystem::exists(dir.file("state.db.lock")));
}

TEST(StateStore, UsesWriteAheadLogging) {
  TempDir dir;
  const std::string path = dir.file("state.db");
  { StateStore store(path); }

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST(StateStore, CreatesTheParentDirectoryPrivately) {
  TempDir dir;
  const std::string path = dir.file("var/lib/kokola-sync/state.db");
  StateStore store(path);

  struct stat st {};
  ASSERT_EQ(::stat(dir.file("var/lib/kokola-sync").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0750u);
}

TEST(StateStore, ItsFilesAreReadableByItsOwnerOnlyWhateverTheUmask) {
  TempDir dir;
  const std::string path = dir.file("state.db");
  const mode_t old_mask = ::umask(022);
  {
    StateStore store(path);
    store.enqueue_job([] {
      JobRecord job;
      job.key = "V-1";
      job.idempotency_key = "idem";
      job.body = "{}";
      return job;
    }());
    for (const std::string& file : {path, path + "-wal", path + "-shm"}) {
      struct stat st {};
      ASSERT_EQ(::stat(file.c_str(), &st), 0) << file;
      EXPECT_EQ(st.st_mode & 0777, 0600u) << file;
    }
  }
  ::umask(old_mask);
}

TEST(StateStore, ReopenKeepsData) {
  TempDir dir;
  const std::string path = dir.file("state.db");
  {
    StateStore store(path);
    LedgerEntry entry{Entity::item, "BRG-001", "abc123", 3, "app-9", "", false, ""};
    JobRecord job = sample_job();
    job.id = store.create_job(job);
    job.state = Outcome::delivered;
    store.finish_job(job, entry);
  }

  StateStore store(path);
  const auto entry = store.ledger(Entity::item, "BRG-001");
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->content_hash, "abc123");
  EXPECT_EQ(entry->revision, 3);
  EXPECT_EQ(entry->app_id, "app-9");
  EXPECT_EQ(store.recent_jobs(10).size(), 1u);
}

TEST(StateStore, RefusesANewerSchema) {
  TempDir dir;
  const std::string path = dir.file("state.db");
  { StateStore store(path); }
  raw_exec(path, "PRAGMA user_version = " + std::to_string(StateStore::kSchemaVersion + 1));

  try {
    StateStore store(path);
    FAIL() << "expected a refusal";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("opening state store '" + path + "'"));
    const std::string newer = std::to_string(StateStore::kSchemaVersion + 1);
    const std::string known = std::to_string(StateStore::kSchemaVersion);
    EXPECT_THAT(e.what(), HasSubstr("schema version " + newer +
                                    " is newer than this build knows (" + known + ")"));
  }
}

TEST(StateStore, SecondOpenOfTheSamePathIsRefusedWithThePid) {
  TempDir dir;
  const std::string path = dir.file("state.db");
  StateStore first(path);

  try {
    StateStore second(path);
    FAIL() << "expected a refusal";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "opening state store '" + path +
                                         "': locked by another kokola-syncd (pid " +
                                         std::to_string(::getpid()) + ")");
  }
}

TEST(StateStore, LockIsReleasedWhenTheStoreCloses) {
  TempDir dir;
  const std::string path = dir.file("state.db");
  { StateStore first(path); }
  EXPECT_NO_THROW(StateStore second(path));
}

TEST(StateLock, SecondLockInTheSameProcessConflicts) {
  TempDir dir;
  StateLock lock(dir.file("state.db"));
  EXPECT_THROW(StateLock again(dir.file("state.db")), std::runtime_error);
  EXPECT_NO_THROW(StateLock other(dir.file("other.db")));
}

TEST(StateStore, NextRevisionIsStrictlyIncreasingAndSurvivesReopen) {
  TempDir dir;
  const std::string path = dir.file("state.db");
  std::int64_t last = 0;
  {
    StateStore store(path);
    for (int i = 0; i < 5; ++i) {
      const std::int64_t next = store.next_revision(Entity::vendor, "V-0042");
      EXPECT_GT(next, last);
      last = next;
    }
    EXPECT_EQ(store.next_revision(Entity::item, "V-0042"), 1) << "counters are per record";
  }

  StateStore store(path);
  EXPECT_GT(store.next_revision(Entity::vendor, "V-0042"), last);
}

TEST(StateStore, NextRevisionPassesTheLedger) {
  TempDir dir;
  StateStore store(dir.file("state.db"));
  JobRecord job = sample_job();
  job.id = store.create_job(job);
  store.finish_job(job, LedgerEntry{Entity::vendor, "V-1", "h", 41, "", "", false, ""});

  EXPECT_EQ(store.next_revision(Entity::vendor, "V-1"), 42);
}

TEST(StateStore, JobRoundTripKeepsAttemptsAndVerdicts) {
  TempDir dir;
  StateStore store(dir.file("state.db"));
  const std::int64_t id = store.create_job(sample_job());
  store.set_job_state(id, Outcome::sending);
  store.add_attempt(id, Attempt{1, "2026-01-02T03:04:05Z", 503, 120, "service unavailable"});

  JobRecord done = sample_job();
  done.id = id;
  done.state = Outcome::delivered;
  done.revision = 7;
  done.content_hash = "f00d";
  done.app_id = "po-77";
  done.finished_at = "2026-01-02T03:04:09Z";
  done.attempts = {Attempt{1, "2026-01-02T03:04:05Z", 503, 120, "service unavailable"},
                   Attempt{2, "2026-01-02T03:04:08Z", 200, 35, ""}};
  store.finish_job(done, std::nullopt);

  const auto job = store.job(id);
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->entity, Entity::purchase_order);
  EXPECT_EQ(job->key, "PWU2012502-0000517");
  EXPECT_EQ(job->requested_by, "uid 1000 (alice)");
  EXPECT_TRUE(job->force);
  EXPECT_EQ(job->state, Outcome::delivered);
  EXPECT_EQ(job->revision, 7);
  EXPECT_EQ(job->app_id, "po-77");
  EXPECT_EQ(job->verdicts, sample_job().verdicts);
  EXPECT_EQ(job->finished_at, "2026-01-02T03:04:09Z");
  ASSERT_EQ(job->attempts.size(), 2u);
  EXPECT_EQ(job->attempts[0].http_status, 503);
  EXPECT_EQ(job->attempts[0].error, "service unavailable");
  EXPECT_EQ(job->attempts[1].latency_ms, 35);
  EXPECT_FALSE(store.ledger(Entity::purchase_order, job->key).has_value());
}

TEST(StateStore, UnknownJobIsAnError) {
  TempDir dir;
  StateStore store(dir.file("state.db"));
  EXPECT_THROW(store.set_job_state(99, Outcome::failed), std::runtime_error);
  EXPECT_FALSE(store.job(99).has_value());
}

TEST(StateStore, FinishJobAndLedgerAreOneTransaction) {
  TempDir dir;
  const std::string path = dir.file("state.db");
  StateStore store(path);
  JobRecord job = sample_job();
  job.id = store.create_job(job);

  // A trigger makes the ledger write fail after the job update has run.
  raw_exec(path,
           "CREATE TRIGGER refuse BEFORE INSERT ON ledger "
           "BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
  job.state = Outcome::delivered;
  EXPECT_THROW(store.finish_job(
                   job, LedgerEntry{Entity::purchase_order, job.key, "h", 1, "a", "", false, ""}),
               std::runtime_error);
  EXPECT_EQ(store.job(job.id)->state, Outcome::queued) << "the job update was rolled back";
  EXPECT_FALSE(store.ledger(Entity::purchase_order, job.key).has_value());

  raw_exec(path, "DROP TRIGGER refuse");
  store.finish_job(job, LedgerEntry{Entity::purchase_order, job.key, "h", 1, "a", "", true, ""});
  EXPECT_EQ(store.job(job.id)->state, Outcome::delivered);
  EXPECT_TRUE(store.ledger(Entity::purchase_order, job.key)->retired);
}

TEST(StateStore, LastReceiptIsTheNewestJobOfTheRecord) {
  TempDir dir;
  StateStore store(dir.file("state.db"));
  JobRecord job = sample_job();
  job.message = "first";
  store.create_job(job);
  job.message = "second";
  const std::int64_t newest = store.create_job(job);
  JobRecord other = sample_job();
  other.key = "PWU-OTHER";
  store.create_job(other);

  const auto receipt = store.last_receipt(Entity::purchase_order, "PWU2012502-0000517");
  ASSERT_TRUE(receipt.has_value());
  EXPECT_EQ(receipt->id, newest);
  EXPECT_EQ(receipt->message, "second");
  EXPECT_FALSE(store.last_receipt(Entity::vendor, "PWU2012502-0000517").has_value());
  EXPECT_EQ(store.recent_jobs(2).front().key, "PWU-OTHER");
}

TEST(StateStore, RecordRunAndLastRun) {
  TempDir dir;
  StateStore store(dir.file("state.db"));
  EXPECT_FALSE(store.last_run(Entity::item).has_value());

  RunRecord run{0,
                Entity::item,
                "2026-01-01T00:00:00Z",
                "2026-01-01T00:00:02Z",
                2000,
                {{"delivered", 3}, {"unchanged", 497}}};
  store.record_run(run);
  run.duration_ms = 1500;
  const std::int64_t id = store.record_run(run);
  store.record_run(RunRecord{0, Entity::vendor, "x", "y", 1, {}});

  const auto last = store.last_run(Entity::item);
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->id, id);
  EXPECT_EQ(last->duration_ms, 1500);
  EXPECT_EQ(last->counts["unchanged"], 497);
}

TEST(StateStore, UtcNowIsRfc3339WithZ) {
  EXPECT_TRUE(
      std::regex_match(utc_now_rfc3339(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
}

}  // namespace
}  // namespace kokola
