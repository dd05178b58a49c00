// The outbox half of the state store: queueing versions of a record (reuse, supersede, never
// a job being sent), due jobs in order, claiming, finishing with the ledger, verdicts,
// failures per record and pruning.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "store/state_store.hpp"
#include "support/temp_dir.hpp"

namespace kokola {
namespace {

JobRecord version(const std::string& key, const std::string& content, bool manual = false) {
  JobRecord job;
  job.entity = Entity::vendor;
  job.key = key;
  job.origin = manual ? "manual" : "schedule";
  job.requested_by = manual ? "uid 1000 (alice)" : "schedule";
  job.priority = manual ? JobRecord::kPriorityManual : JobRecord::kPriorityScheduled;
  job.idempotency_key = "idem-" + key + "-" + content;
  job.content_hash = "hash-" + content;
  job.body = nlohmann::json{{"code", key}, {"content", content}}.dump();
  job.row_hash = "row-" + content;
  return job;
}

// A job that ended long ago, as an older release or a finished push leaves it.
JobRecord finished(const std::string& key, Outcome state, const std::string& at) {
  JobRecord job = version(key, "old");
  job.state = state;
  job.body.clear();
  job.created_at = at;
  job.finished_at = at;
  return job;
}

std::vector<std::int64_t> ids_of(const std::vector<JobRecord>& jobs) {
  std::vector<std::int64_t> ids;
  for (const auto& j : jobs) ids.push_back(j.id);
  return ids;
}

class StoreOutbox : public ::testing::Test {
 protected:
  TempDir dir_;
  StateStore store_{dir_.file("state.db")};
};

TEST_F(StoreOutbox, EnqueueWritesAQueuedJobWithTheNextRevision) {
  Enqueued first = store_.enqueue_job(version("V-1", "a"));
  EXPECT_TRUE(first.created);
  EXPECT_EQ(first.revision, 1);
  EXPECT_EQ(first.superseded, 0);

  auto job = store_.job(first.id);
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->state, Outcome::queued);
  EXPECT_EQ(job->revision, 1);
  EXPECT_EQ(job->tries, 0);
  EXPECT_EQ(job->next_attempt_at, 0);
  EXPECT_EQ(job->body, version("V-1", "a").body);
  EXPECT_EQ(job->row_hash, "row-a");
  EXPECT_FALSE(job->created_at.empty());
  EXPECT_TRUE(store_.has_active_job(Entity::vendor, "V-1"));
}

TEST_F(StoreOutbox, IdenticalWaitingJobIsReusedAndAManualRequestRaisesItsPriority) {
  Enqueued scheduled = store_.enqueue_job(version("V-1", "a"));
  Enqueued manual = store_.enqueue_job(version("V-1", "a", /*manual=*/true));

  EXPECT_EQ(manual.id, scheduled.id);
  EXPECT_FALSE(manual.created);
  EXPECT_EQ(manual.superseded, 0);
  EXPECT_EQ(manual.revision, scheduled.revision) << "the answer names the revision the job carries";
  EXPECT_EQ(store_.job(scheduled.id)->priority, JobRecord::kPriorityManual);
  EXPECT_EQ(store_.last_job_id(), scheduled.id);

  // A scheduled request never lowers it again, and no revision was spent.
  store_.enqueue_job(version("V-1", "a"));
  EXPECT_EQ(store_.job(scheduled.id)->priority, JobRecord::kPriorityManual);
  EXPECT_EQ(store_.enqueue_job(version("V-1", "b")).revision, 2);
}

TEST_F(StoreOutbox, NewContentSupersedesTheWaitingOlderJob) {
  Enqueued older = store_.enqueue_job(version("V-1", "a"));
  Enqueued newer = store_.enqueue_job(version("V-1", "b"));

  EXPECT_TRUE(newer.created);
  EXPECT_EQ(newer.superseded, older.id);
  EXPECT_EQ(newer.revision, 2);
  auto old = store_.job(older.id);
  EXPECT_EQ(old->state, Outcome::superseded);
  EXPECT_TRUE(old->body.empty());
  EXPECT_FALSE(old->finished_at.empty());
  EXPECT_NE(old->message.find(std::to_string(newer.id)), std::string::npos) << old->message;
  EXPECT_EQ(store_.jobs(JobQuery{"active", "", "", 10}).size(), 1u);
}

TEST_F(StoreOutbox, ForcedSameContentIsANewJob) {
  Enqueued older = store_.enqueue_job(version("V-1", "a"));
  JobRecord forced = version("V-1", "a", /*manual=*/true);
  forced.force = true;
  Enqueued again = store_.enqueue_job(forced);

  EXPECT_TRUE(again.created);
  EXPECT_NE(again.id, older.id);
  EXPECT_EQ(again.superseded, older.id);
  EXPECT_EQ(store_.job(older.id)->state, Outcome::superseded);
  EXPECT_THAT(store_.job(older.id)->message, ::testing::HasSubstr("pushed with --force"))
      << "not a newer version: the same content again";
}

TEST_F(StoreOutbox, JobBeingSentIsNeverSuperseded) {
  Enqueued sending = store_.enqueue_job(version("V-1", "a"));
  ASSERT_TRUE(store_.claim_job(sending.id, Outcome::queued));

  Enqueued same = store_.enqueue_job(version("V-1", "a"));
  EXPECT_TRUE(same.created) << "the job being sent may not carry it: a new one waits";
  EXPECT_EQ(same.superseded, 0);
  Enqueued newer = store_.enqueue_job(version("V-1", "b"));
  EXPECT_EQ(newer.superseded, same.id);

  EXPECT_EQ(store_.job(sending.id)->state, Outcome::sending);
  EXPECT_EQ(store_.job(same.id)->state, Outcome::superseded);
  EXPECT_EQ(store_.job(newer.id)->state, Outcome::queued);
  EXPECT_EQ(newer.revision, 3);
}

// A run's chunk: each job as enqueue_job() would have it, all in one transaction.
TEST_F(StoreOutbox, EnqueueJobsQueuesEachAsEnqueueJobWould) {
  Enqueued waiting = store_.enqueue_job(version("V-1", "a"));
  Enqueued older = store_.enqueue_job(version("V-2", "a"));

  auto done = store_.enqueue_jobs({version("V-1", "a"), version("V-2", "b"), version("V-3", "a")});

  ASSERT_EQ(done.size(), 3u);
  EXPECT_FALSE(done[0].created) << "the same content rides on the waiting job";
  EXPECT_EQ(done[0].id, waiting.id);
  EXPECT_TRUE(done[1].created);
  EXPECT_EQ(done[1].superseded, older.id);
  EXPECT_EQ(done[1].revision, 2);
  EXPECT_TRUE(done[2].created);
  EXPECT_EQ(done[2].revision, 1);
  EXPECT_EQ(store_.job(older.id)->state, Outcome::superseded);
  EXPECT_EQ(store_.job(done[2].id)->state, Outcome::queued);
  EXPECT_EQ(store_.jobs(JobQuery{"active", "", "", 10}).size(), 3u);
}

TEST_F(StoreOutbox, DueJobsAreManualFirstThenOldestAndOnlyWhenDue) {
  const auto a = store_.enqueue_job(version("A", "1")).id;
  const auto b = store_.enqueue_job(version("B", "1")).id;
  const auto c = store_.enqueue_job(version("C", "1", /*manual=*/true)).id;
  const auto d = store_.enqueue_job(version("D", "1")).id;
  const std::int64_t now = 1'000'000;
  store_.reschedule_job(a, Outcome::retry_wait, now + 5000, "app_transient", "busy");
  store_.reschedule_job(d, Outcome::in_doubt, now - 1, "app_transient", "no answer");

  EXPECT_EQ(ids_of(store_.due_jobs(now, 10)), (std::vector<std::int64_t>{c, b, d}));
  EXPECT_EQ(ids_of(store_.due_jobs(now + 5000, 10)), (std::vector<std::int64_t>{c, a, b, d}));
  EXPECT_EQ(ids_of(store_.due_jobs(now + 5000, 2)), (std::vector<std::int64_t>{c, a}));
  EXPECT_EQ(store_.next_due(), 0);

  auto waiting = store_.job(a);
  EXPECT_EQ(waiting->state, Outcome::retry_wait);
  EXPECT_EQ(waiting->next_attempt_at, now + 5000);
  EXPECT_EQ(waiting->reason_code, "app_transient");
  EXPECT_EQ(waiting->message, "busy");
}

TEST_F(StoreOutbox, NextDueIsTheEarliestWaitingJob) {
  EXPECT_FALSE(store_.next_due().has_value());
  const auto a = store_.enqueue_job(version("A", "1")).id;
  const auto b = store_.enqueue_job(version("B", "1")).id;
  store_.reschedule_job(a, Outcome::retry_wait, 7000, "app_transient", "");
  store_.reschedule_job(b, Outcome::retry_wait, 9000, "app_transient", "");

  EXPECT_EQ(store_.next_due(), 7000);
}

TEST_F(StoreOutbox, DueJobCarriesWhatTheSenderNeeds) {
  JobRecord po = version("PO-1", "1");
  po.entity = Entity::purchase_order;
  po.retired = true;
  po.run_id = 42;
  po.force = true;
  po.depends_on = nlohmann::json::array({{{"entity", "vendor"}, {"key", "V-1"}}});
  store_.enqueue_job(po);

  auto due = store_.due_jobs(0, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].entity, Entity::purchase_order);
  EXPECT_EQ(due[0].idempotency_key, po.idempotency_key);
  EXPECT_EQ(due[0].body, po.body);
  EXPECT_TRUE(due[0].retired);
  EXPECT_EQ(due[0].run_id, 42);
  EXPECT_EQ(due[0].depends_on, po.depends_on);
  EXPECT_EQ(due[0].revision, 1);
  EXPECT_TRUE(due[0].force);
}

TEST_F(StoreOutbox, ClaimRefusesAJobNoLongerInTheState) {
  const auto older = store_.enqueue_job(version("V-1", "a")).id;
  const auto newer = store_.enqueue_job(version("V-1", "b")).id;

  EXPECT_FALSE(store_.claim_job(older, Outcome::queued)) << "superseded meanwhile";
  EXPECT_FALSE(store_.claim_job(newer, Outcome::retry_wait));
  EXPECT_TRUE(store_.claim_job(newer, Outcome::queued));
  EXPECT_FALSE(store_.claim_job(newer, Outcome::queued)) << "claimed once only";

  auto job = store_.job(newer);
  EXPECT_EQ(job->state, Outcome::sending);
  EXPECT_EQ(job->tries, 1);
  EXPECT_EQ(store_.job(older)->tries, 0);
}

TEST_F(StoreOutbox, CompleteJobWritesTheLedgerWithItsFingerprintAndForgetsTheVerdict) {
  EXPECT_TRUE(
      store_.remember_verdict(Entity::vendor, "V-1", "row-0", Outcome::not_ready, "inactive"));
  const auto id = store_.enqueue_job(version("V-1", "a")).id;
  ASSERT_TRUE(store_.claim_job(id, Outcome::queued));
  LedgerEntry entry{Entity::vendor, "V-1", "hash-a", 1, "vnd_1", "", false, "row-a"};
  store_.complete_job(id, Outcome::delivered, "", "created in the app", "vnd_1", entry);

  auto job = store_.job(id);
  EXPECT_EQ(job->state, Outcome::delivered);
  EXPECT_EQ(job->app_id, "vnd_1");
  EXPECT_EQ(job->message, "created in the app");
  EXPECT_TRUE(job->body.empty());
  EXPECT_FALSE(job->finished_at.empty());
  EXPECT_EQ(job->requested_by, "schedule") << "the receipt's other fields stay";
  auto ledger = store_.ledger(Entity::vendor, "V-1");
  ASSERT_TRUE(ledger.has_value());
  EXPECT_EQ(ledger->row_hash, "row-a");
  EXPECT_EQ(ledger->app_id, "vnd_1");
  EXPECT_EQ(store_.peek(Entity::vendor, "V-1").not_ready_hash, "");
  EXPECT_EQ(store_.peek(Entity::vendor, "V-1").row_hash, "row-a");
  EXPECT_FALSE(store_.peek(Entity::vendor, "V-1").active);
}

TEST_F(StoreOutbox, ClaimJobsClaimsEachJobStillInItsStateAndUnclaimPutsThemBack) {
  const auto a = store_.enqueue_job(version("V-1", "a")).id;
  const auto b = store_.enqueue_job(version("V-2", "a")).id;
  const auto superseded = store_.enqueue_job(version("V-3", "a")).id;
  store_.enqueue_job(version("V-3", "b"));

  auto claimed = store_.claim_jobs(
      {{a, Outcome::queued}, {superseded, Outcome::queued}, {b, Outcome::queued}});
  EXPECT_EQ(claimed, (std::vector<bool>{true, false, true}));
  EXPECT_EQ(store_.job(a)->state, Outcome::sending);
  EXPECT_EQ(store_.job(b)->tries, 1);

  store_.unclaim_jobs({{b, Outcome::queued}});
  EXPECT_EQ(store_.job(b)->state, Outcome::queued);
  EXPECT_EQ(store_.job(b)->tries, 0);
  EXPECT_EQ(store_.job(a)->state, Outcome::sending) << "only the ones named";
  store_.unclaim_jobs({{superseded, Outcome::queued}});
  EXPECT_EQ(store_.job(superseded)->state, Outcome::superseded) << "only a sending job";
}

TEST_F(StoreOutbox, CompleteJobStoresTheAttemptThatEndedIt) {
  const auto id = store_.enqueue_job(version("V-1", "a")).id;
  ASSERT_TRUE(store_.claim_job(id, Outcome::queued));
  store_.add_attempt(id, Attempt{0, "2026-01-02T03:04:05Z", 503, 12, "HTTP 503"});
  LedgerEntry entry{Entity::vendor, "V-1", "hash-a", 1, "vnd_1", "", false, "row-a"};
  store_.complete_job(id, Outcome::delivered, "", "created in the app", "vnd_1", entry,
                      Attempt{0, "2026-01-02T03:04:09Z", 201, 7, ""});

  auto job = store_.job(id);
  ASSERT_EQ(job->attempts.size(), 2u);
  EXPECT_EQ(job->attempts[1].number, 2);
  EXPECT_EQ(job->attempts[1].http_status, 201);
  EXPECT_EQ(job->attempts[1].latency_ms, 7);
  EXPECT_EQ(job->attempts[1].started_at, "2026-01-02T03:04:09Z");
  EXPECT_THROW(store_.complete_job(999, Outcome::failed, "", "", "", std::nullopt,
                                   Attempt{0, "", 500, 1, ""}),
               std::runtime_error)
      << "no such job: nothing stored";
}

TEST_F(StoreOutbox, CompleteJobWithoutDeliveryLeavesTheLedgerAlone) {
  const auto id = store_.enqueue_job(version("V-1", "a")).id;
  store_.complete_job(id, Outcome::rejected, "app_rejected", "name: required", "", std::nullopt);

  EXPECT_EQ(store_.job(id)->state, Outcome::rejected);
  EXPECT_EQ(store_.job(id)->reason_code, "app_rejected");
  EXPECT_FALSE(store_.ledger(Entity::vendor, "V-1").has_value());
  EXPECT_THROW(store_.complete_job(999, Outcome::failed, "", "", "", std::nullopt),
               std::runtime_error);
}

TEST_F(StoreOutbox, PeekSaysWhetherAJobIsActive) {
  EXPECT_EQ(store_.peek(Entity::vendor, "V-1").row_hash, "");
  EXPECT_FALSE(store_.peek(Entity::vendor, "V-1").active);
  store_.enqueue_job(version("V-1", "a"));
  EXPECT_TRUE(store_.peek(Entity::vendor, "V-1").active);
  EXPECT_FALSE(store_.peek(Entity::item, "V-1").active);
}

TEST_F(StoreOutbox, PeekManyAnswersForEveryKeyInItsOrder) {
  store_.enqueue_job(version("V-2", "b"));
  store_.remember_verdict(Entity::vendor, "V-3", "r3", Outcome::not_ready, "inactive");
  const auto id = store_.enqueue_job(version("V-1", "a")).id;
  ASSERT_TRUE(store_.claim_job(id, Outcome::queued));
  LedgerEntry entry{Entity::vendor, "V-1", "hash-a", 1, "vnd_1", "", false, "row-a"};
  store_.complete_job(id, Outcome::delivered, "", "created in the app", "vnd_1", entry);

  auto peeks = store_.peek_many(Entity::vendor, {"V-3", "V-9", "V-1", "V-2"});
  ASSERT_EQ(peeks.size(), 4u);
  EXPECT_EQ(peeks[0].not_ready_hash, "r3");
  EXPECT_EQ(peeks[0].row_hash, "");
  EXPECT_FALSE(peeks[0].active);
  EXPECT_EQ(peeks[1].row_hash, "") << "never seen";
  EXPECT_EQ(peeks[1].not_ready_hash, "");
  EXPECT_FALSE(peeks[1].active);
  EXPECT_EQ(peeks[2].row_hash, "row-a");
  EXPECT_FALSE(peeks[2].active);
  EXPECT_TRUE(peeks[3].active);
  EXPECT_TRUE(store_.peek_many(Entity::vendor, {}).empty());
}

TEST_F(StoreOutbox, PeekManyAnswersKeysFarApart) {
  // Many entries between the two keys: more than a range scan of the chunk may read.
  for (int i = 0; i < 200; ++i) {
    store_.remember_verdict(Entity::vendor, "V-5" + std::to_string(1000 + i), "r",
                            Outcome::not_ready, "inactive");
  }
  store_.remember_verdict(Entity::vendor, "V-9", "r9", Outcome::not_ready, "inactive");
  store_.enqueue_job(version("V-0", "a"));

  auto peeks = store_.peek_many(Entity::vendor, {"V-9", "V-0"});
  ASSERT_EQ(peeks.size(), 2u);
  EXPECT_EQ(peeks[0].not_ready_hash, "r9");
  EXPECT_FALSE(peeks[0].active);
  EXPECT_EQ(peeks[1].not_ready_hash, "");
  EXPECT_TRUE(peeks[1].active);
}

TEST_F(StoreOutbox, InterruptedSendingJobsBecomeInDoubtAndDue) {
  const auto id = store_.enqueue_job(version("V-1", "a")).id;
  ASSERT_TRUE(store_.claim_job(id, Outcome::queued));
  EXPECT_EQ(store_.mark_interrupted_jobs(), 1);

  EXPECT_EQ(store_.job(id)->state, Outcome::in_doubt);
  EXPECT_EQ(ids_of(store_.due_jobs(0, 10)), (std::vector<std::int64_t>{id}));
  EXPECT_EQ(store_.mark_interrupted_jobs(), 0);
  auto attempts = store_.job(id)->attempts;
  ASSERT_EQ(attempts.size(), 1u) << "the try the stop cut short is listed, once";
  EXPECT_EQ(attempts[0].http_status, 0);
  EXPECT_THAT(attempts[0].error, ::testing::HasSubstr("kokola-syncd stopped"));
}

TEST_F(StoreOutbox, QueueCountsPerEntityAndState) {
  store_.enqueue_job(version("V-1", "a"));
  const auto b = store_.enqueue_job(version("V-2", "a")).id;
  const auto c = store_.enqueue_job(version("V-3", "a")).id;
  store_.claim_job(b, Outcome::queued);
  store_.reschedule_job(c, Outcome::retry_wait, 5, "app_transient", "");

  auto counts = store_.queue_counts();
  EXPECT_EQ(counts[Entity::vendor].queued, 1);
  EXPECT_EQ(counts[Entity::vendor].sending, 1);
  EXPECT_EQ(counts[Entity::vendor].retry_wait, 1);
  EXPECT_EQ(counts[Entity::vendor].total(), 3);
  EXPECT_EQ(counts[Entity::item].total(), 0);
}

TEST_F(StoreOutbox, JobsAreFilteredByStateEntityAndKey) {
  const auto a = store_.enqueue_job(version("V-1", "a")).id;
  const auto b = store_.enqueue_job(version("V-2", "a")).id;
  store_.complete_job(b, Outcome::failed, "app_transient", "gave up", "", std::nullopt);

  EXPECT_EQ(ids_of(store_.jobs(JobQuery{"active", "", "", 10})), (std::vector<std::int64_t>{a}));
  EXPECT_EQ(ids_of(store_.jobs(JobQuery{"finished", "", "", 10})), (std::vector<std::int64_t>{b}));
  EXPECT_EQ(ids_of(store_.jobs(JobQuery{"failed", "vendor", "", 10})),
            (std::vector<std::int64_t>{b}));
  EXPECT_TRUE(store_.jobs(JobQuery{"", "item", "", 10}).empty());
  EXPECT_EQ(ids_of(store_.jobs(JobQuery{"", "", "V-1", 10})), (std::vector<std::int64_t>{a}));
  EXPECT_EQ(ids_of(store_.jobs(JobQuery{"", "", "", 1})), (std::vector<std::int64_t>{b}));
}

TEST_F(StoreOutbox, FailedRecordsCountOnlyWhereTheNewestJobFailed) {
  const std::string at = "2026-01-01T00:00:00Z";
  store_.create_job(finished("A", Outcome::failed, at));
  store_.create_job(finished("A", Outcome::delivered, at));  // recovered
  const auto b = store_.create_job(finished("B", Outcome::failed, at));
  store_.create_job(finished("C", Outcome::delivered, at));
  const auto c = store_.create_job(finished("C", Outcome::failed, at));

  EXPECT_EQ(store_.records_ended(Outcome::failed), 2);
  EXPECT_EQ(ids_of(store_.failed_records(10)), (std::vector<std::int64_t>{b, c}));
  EXPECT_EQ(store_.failed_records(1).size(), 1u);
}

TEST_F(StoreOutbox, RememberVerdictIsTrueOnlyWhenItChanged) {
  auto remember = [this](const std::string& row, Outcome o, const std::string& message) {
    return store_.remember_verdict(Entity::item, "I-1", row, o, message);
  };
  EXPECT_TRUE(remember("r1", Outcome::not_ready, "inactive"));
  EXPECT_FALSE(remember("r1", Outcome::not_ready, "inactive"));
  EXPECT_TRUE(remember("r2", Outcome::not_ready, "inactive"));
  EXPECT_TRUE(remember("r2", Outcome::invalid, "inactive"));
  EXPECT_TRUE(remember("r2", Outcome::invalid, "name: required"));
  EXPECT_FALSE(remember("r2", Outcome::invalid, "name: required"));

  EXPECT_EQ(store_.peek(Entity::item, "I-1").not_ready_hash, "") << "invalid";
  remember("r3", Outcome::not_ready, "inactive");
  EXPECT_EQ(store_.peek(Entity::item, "I-1").not_ready_hash, "r3");
  EXPECT_EQ(store_.peek(Entity::vendor, "I-1").not_ready_hash, "") << "another entity";
}

TEST_F(StoreOutbox, PruneKeepsEachRecordsNewestJobAndActiveOnes) {
  const auto a_old = store_.create_job(finished("A", Outcome::failed, "2020-01-01T00:00:00Z"));
  const auto a_new = store_.create_job(finished("A", Outcome::delivered, "2020-02-01T00:00:00Z"));
  const auto b_only = store_.create_job(finished("B", Outcome::delivered, "2020-01-01T00:00:00Z"));
  const auto c_recent = store_.create_job(finished("C", Outcome::failed, "2026-01-01T00:00:00Z"));
  store_.create_job(finished("C", Outcome::delivered, "2026-01-02T00:00:00Z"));
  store_.add_attempt(a_old, Attempt{1, "2020-01-01T00:00:00Z", 503, 10, "busy"});
  const auto active = store_.enqueue_job(version("D", "1")).id;
  const auto active_b = store_.enqueue_job(version("D", "2")).id;  // supersedes, finished now

  EXPECT_EQ(store_.prune("2021-01-01T00:00:00Z", "", ""), 1);
  EXPECT_FALSE(store_.job(a_old).has_value());
  EXPECT_TRUE(store_.job(a_new).has_value());
  EXPECT_TRUE(store_.job(b_only).has_value()) << "the record's last receipt";
  EXPECT_TRUE(store_.job(c_recent).has_value()) << "younger than the cut-off";
  EXPECT_TRUE(store_.job(active).has_value());
  EXPECT_TRUE(store_.job(active_b).has_value());
}

TEST_F(StoreOutbox, PruneRemovesOldRunsAndAuditEntries) {
  store_.record_run(
      RunRecord{0, Entity::item, "2020-01-01T00:00:00Z", "2020-01-01T00:00:01Z", 1000, {}});
  store_.record_run(RunRecord{
      0, Entity::item, "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", 1000, {{"unchanged", 3}}});
  store_.start_run(Entity::vendor, "2020-01-01T00:00:00Z");  // still going
  AuditEntry old;
  old.at = "2020-01-01T00:00:00Z";
  old.command = "push";
  old.role = "admin";
  old.result = "ok";
  old.finished_at = "2020-01-01T00:00:01Z";
  old.id = store_.add_audit(old);
  store_.finish_audit(old);

  EXPECT_EQ(store_.prune("", "2021-01-01T00:00:00Z", "2021-01-01T00:00:00Z"), 2);
  EXPECT_EQ(store_.last_run(Entity::item)->counts["unchanged"], 3);
  EXPECT_TRUE(store_.audit(AuditQuery{}).empty());
  EXPECT_EQ(store_.prune("", "", ""), 0);
}

TEST_F(StoreOutbox, StartedRunIsCompletedByRecordRunAndCountsItsJobs) {
  const std::int64_t run = store_.start_run(Entity::vendor, "2026-01-01T00:00:00Z");
  EXPECT_FALSE(store_.last_run(Entity::vendor).has_value()) << "not finished yet";
  JobRecord a = version("V-1", "a");
  a.run_id = run;
  JobRecord b = version("V-2", "a");
  b.run_id = run;
  const auto a_id = store_.enqueue_job(a).id;
  store_.enqueue_job(b);
  store_.enqueue_job(version("V-3", "a"));  // not this run's
  store_.complete_job(a_id, Outcome::delivered, "", "", "x", std::nullopt);

  auto counts = store_.run_job_counts(run);
  EXPECT_EQ(counts["delivered"], 1);
  EXPECT_EQ(counts["queued"], 1);
  EXPECT_EQ(counts.size(), 2u);

  RunRecord done{run, Entity::vendor, "2026-01-01T00:00:00Z", "", 1500, {{"delivered", 1}}};
  EXPECT_EQ(store_.record_run(done), run);
  auto last = store_.last_run(Entity::vendor);
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->id, run);
  EXPECT_EQ(last->duration_ms, 1500);
  EXPECT_FALSE(last->finished_at.empty());
}

TEST_F(StoreOutbox, RunHasMovingJobsUntilEachOfItsJobsEndedOrWaits) {
  const std::int64_t run = store_.start_run(Entity::vendor, "2026-01-01T00:00:00Z");
  JobRecord a = version("V-1", "a");
  a.run_id = run;
  JobRecord b = version("V-2", "a");
  b.run_id = run;
  const auto a_id = store_.enqueue_job(a).id;
  const auto b_id = store_.enqueue_job(b).id;
  store_.enqueue_job(version("V-3", "a"));  // not this run's: never counts
  EXPECT_TRUE(store_.run_has_moving_jobs(run));

  ASSERT_TRUE(store_.claim_job(a_id, Outcome::queued));
  store_.complete_job(a_id, Outcome::delivered, "", "", "x", std::nullopt);
  EXPECT_TRUE(store_.run_has_moving_jobs(run)) << "V-2 is still queued";
  ASSERT_TRUE(store_.claim_job(b_id, Outcome::queued));
  EXPECT_TRUE(store_.run_has_moving_jobs(run)) << "V-2 is sending";
  store_.reschedule_job(b_id, Outcome::retry_wait, 5, "app_transient", "");
  EXPECT_FALSE(store_.run_has_moving_jobs(run)) << "waiting for a later try does not move";
  EXPECT_FALSE(store_.run_has_moving_jobs(0));
}

TEST_F(StoreOutbox, SetLedgerRowHashChangesOnlyTheFingerprint) {
  const auto id = store_.enqueue_job(version("V-1", "a")).id;
  store_.complete_job(id, Outcome::delivered, "", "", "vnd_1",
                      LedgerEntry{Entity::vendor, "V-1", "hash-a", 1, "vnd_1", "", false, "r1"});
  store_.set_ledger_row_hash(Entity::vendor, "V-1", "r2");

  auto ledger = store_.ledger(Entity::vendor, "V-1");
  EXPECT_EQ(ledger->row_hash, "r2");
  EXPECT_EQ(ledger->content_hash, "hash-a");
  EXPECT_EQ(ledger->revision, 1);
}

// A statement left in the middle of its rows would keep a read transaction open, and the WAL
// could never be copied back into the database: it would grow for as long as the daemon runs.
TEST_F(StoreOutbox, NoReadTransactionStaysOpenBetweenCalls) {
  const auto id = store_.enqueue_job(version("V-1", "a")).id;
  store_.enqueue_job(version("V-2", "a"));
  EXPECT_TRUE(store_.has_active_job(Entity::vendor, "V-1"));
  ASSERT_TRUE(store_.claim_job(id, Outcome::queued));
  LedgerEntry entry{Entity::vendor, "V-1", "hash-a", 1, "vnd_1", "", false, "row-a"};
  store_.complete_job(id, Outcome::delivered, "", "created in the app", "vnd_1", entry);
  store_.remember_verdict(Entity::vendor, "V-3", "row-0", Outcome::invalid, "name: required");
  store_.remember_verdict(Entity::vendor, "V-3", "row-0", Outcome::invalid, "name: required");
  store_.peek(Entity::vendor, "V-1");
  store_.due_jobs(0, 10);
  store_.next_due();
  store_.queue_counts();

  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.file("state.db").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "SELECT count(*) FROM jobs", nullptr, nullptr, nullptr), SQLITE_OK);
  int log_frames = -1;
  int copied = -1;
  const int rc =
      sqlite3_wal_checkpoint_v2(other, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_frames, &copied);
  sqlite3_close(other);
  ASSERT_EQ(rc, SQLITE_OK);
  EXPECT_GT(log_frames, 0);
  EXPECT_EQ(copied, log_frames) << "a read transaction of the store keeps the WAL from being "
                                   "copied back";
}

TEST_F(StoreOutbox, IntegrityCheckSaysOk) { EXPECT_EQ(store_.integrity_check(), "ok"); }

// queue_counts() (status, metrics) must not read every waiting job's row, bodies and all:
// the index of active jobs by record holds the state too (schema version 5).
TEST_F(StoreOutbox, QueueIsCountedFromAnIndexAlone) {
  store_.enqueue_job(version("V-1", "a"));
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.file("state.db").c_str(), &other), SQLITE_OK);
  std::string plan;
  auto collect = [](void* out, int columns, char** values, char**) {
    for (int i = 0; i < columns; ++i) {
      *static_cast<std::string*>(out) += std::string(values[i] ? values[i] : "") + " ";
    }
    return 0;
  };
  const int rc = sqlite3_exec(other,
                              "EXPLAIN QUERY PLAN SELECT entity, state, count(*) FROM jobs WHERE "
                              "state IN ('queued', 'sending', 'retry_wait', 'in_doubt') "
                              "GROUP BY entity, state",
                              collect, &plan, nullptr);
  sqlite3_close(other);
  ASSERT_EQ(rc, SQLITE_OK);
  EXPECT_NE(plan.find("COVERING INDEX jobs_active_record"), std::string::npos) << plan;
}

}  // namespace
}  // namespace kokola
