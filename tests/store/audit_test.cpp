// The audit trail in the state store (daemon/store/audit.cpp) and the upgrade of a version 1
// store, written by the schema as it was released, to version 2.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "kokola/timestamp.hpp"
#include "store/migrations.hpp"
#include "store/state_store.hpp"
#include "support/temp_dir.hpp"

namespace kokola {
namespace {

AuditEntry entry(std::string user, std::string at, std::string command) {
  AuditEntry e;
  e.at = std::move(at);
  e.uid = user == "alice" ? 1000 : 1001;
  e.user = std::move(user);
  e.pid = 4242;
  e.role = "admin";
  e.command = std::move(command);
  e.args = {{"entity", "po"}, {"keys", {"PO-1"}}, {"reason", "vendor waiting"}};
  e.reason = "vendor waiting";
  return e;
}

// Writes a database exactly as a version 1 daemon left it, with one job in it.
void write_version_1(const std::string& path) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  std::string sql = std::string("PRAGMA journal_mode = WAL;") + schema_migrations()[0].sql +
                    "INSERT INTO jobs (entity, key, origin, requested_by, state, created_at) "
                    "VALUES ('po', 'PO-1', 'manual', 'uid 0 (root)', 'delivered', "
                    "'2025-06-01T00:00:00Z'); PRAGMA user_version = 1;";
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

TEST(AuditStore, StartsRunningAndIsCompletedWithTheAnswer) {
  TempDir dir;
  StateStore store(dir.file("state.db"));
  AuditEntry e = entry("alice", "2025-06-02T03:15:00Z", "push");
  e.id = store.add_audit(e);

  auto listed = store.audit({});
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].result, "running");
  EXPECT_EQ(listed[0].finished_at, "");

  e.result = "ok";
  e.outcomes = nlohmann::json::array({{{"entity", "po"}, {"outcome", "delivered"}}});
  e.jobs = {7, 9};
  store.finish_audit(e);

  listed = store.audit({});
  ASSERT_EQ(listed.size(), 1u);
  const AuditEntry& got = listed[0];
  EXPECT_EQ(got.id, e.id);
  EXPECT_EQ(got.at, "2025-06-02T03:15:00Z");
  EXPECT_EQ(got.uid, 1000);
  EXPECT_EQ(got.user, "alice");
  EXPECT_EQ(got.pid, 4242);
  EXPECT_EQ(got.role, "admin");
  EXPECT_EQ(got.command, "push");
  EXPECT_EQ(got.args, e.args);
  EXPECT_EQ(got.reason, "vendor waiting");
  EXPECT_EQ(got.result, "ok");
  EXPECT_EQ(got.outcomes, e.outcomes);
  EXPECT_EQ(got.jobs, (std::vector<std::int64_t>{7, 9}));
  EXPECT_FALSE(got.finished_at.empty());
}

TEST(AuditStore, FiltersBySinceAndUserAndKeepsTheNewestUpToTheLimit) {
  TempDir dir;
  StateStore store(dir.file("state.db"));
  store.add_audit(entry("alice", "2025-06-01T23:59:59Z", "push"));
  store.add_audit(entry("bob", "2025-06-02T00:00:00Z", "push"));
  store.add_audit(entry("alice", "2025-06-02T08:00:00Z", "sync"));
  store.add_audit(entry("alice", "2025-06-03T08:00:00Z", "push"));

  auto since = store.audit({"2025-06-02T00:00:00Z", "", 100});
  ASSERT_EQ(since.size(), 3u);
  EXPECT_EQ(since.front().user, "bob");  // oldest first

  auto alice = store.audit({"", "alice", 100});
  ASSERT_EQ(alice.size(), 3u);
  for (const auto& e : alice) EXPECT_EQ(e.user, "alice");

  auto newest = store.audit({"", "", 2});
  ASSERT_EQ(newest.size(), 2u);
  EXPECT_EQ(newest[0].at, "2025-06-02T08:00:00Z");
  EXPECT_EQ(newest[1].at, "2025-06-03T08:00:00Z");

  // The protocol hands the store the UTC form of what a person wrote.
  auto local = store.audit({*normalize_instant("2025-06-02T10:00:00+07:00"), "", 100});
  ASSERT_EQ(local.size(), 2u);
  EXPECT_EQ(local[0].command, "sync");
}

TEST(AuditStore, JobIdsAfterAMarkAreTheJobsCreatedSince) {
  TempDir dir;
  StateStore store(dir.file("state.db"));
  EXPECT_EQ(store.last_job_id(), 0);
  JobRecord job;
  job.key = "V-1";
  job.requested_by = "schedule";
  const std::int64_t first = store.create_job(job);
  const std::int64_t mark = store.last_job_id();
  EXPECT_EQ(mark, first);
  const std::int64_t second = store.create_job(job);
  const std::int64_t third = store.create_job(job);
  EXPECT_EQ(store.job_ids_after(mark), (std::vector<std::int64_t>{second, third}));
}

TEST(AuditStore, UpgradesAVersion1StoreAndKeepsItsJobs) {
  TempDir dir;
  const std::string path = dir.file("state.db");
  write_version_1(path);

  StateStore store(path);
  EXPECT_EQ(store.schema_version(), latest_schema_version());
  EXPECT_EQ(store.recent_jobs(10).size(), 1u);
  EXPECT_EQ(store.recent_jobs(10)[0].key, "PO-1");
  EXPECT_TRUE(store.audit({}).empty());
  store.add_audit(entry("alice", "2025-06-02T03:15:00Z", "push"));
  EXPECT_EQ(store.audit({}).size(), 1u);
}

TEST(Timestamp, NormalisesDatesAndZonedTimesToUtc) {
  EXPECT_EQ(normalize_instant("2025-06-02"), "2025-06-02T00:00:00Z");
  EXPECT_EQ(normalize_instant("2025-06-02T10:15:00+07:00"), "2025-06-02T03:15:00Z");
  EXPECT_EQ(normalize_instant("2025-06-02 01:00Z"), "2025-06-02T01:00:00Z");
  EXPECT_EQ(normalize_instant("2025-03-01T00:30:00.250+01:00"), "2025-02-28T23:30:00Z");
  EXPECT_EQ(normalize_instant("2024-02-29T23:00:00-02:00"), "2024-03-01T01:00:00Z");
}

TEST(Timestamp, RefusesWhatIsNotAnInstant) {
  for (auto bad : {"", "yesterday", "2025-13-01", "2025-02-29", "2025-06-02T10:00",
                   "2025-06-02T24:00Z", "2025-06-02T10:00:00+7", "2025-06-02T10:00:00.Z",
                   "0000-01-01T00:00:00+01:00", "2025-06-02x"}) {
    EXPECT_EQ(normalize_instant(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace kokola
