// A run over a whole entity: what it queues, what it counts, and the quick comparison by
// fingerprint that recognises an unchanged row without building its payload.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

#include "pipeline/pipeline_fixture.hpp"

namespace kokola::testing {
namespace {

using ::testing::HasSubstr;

class RunTest : public PipelineTest {
 protected:
  RunSummary run(Entity e, bool full_compare = false) {
    const std::int64_t id = store_->start_run(e, utc_now_rfc3339());
    return pipeline_->run(e, id, full_compare);
  }

  // Runs and delivers everything the run queued.
  RunSummary run_and_deliver(Entity e, bool full_compare = false) {
    RunSummary s = run(e, full_compare);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (store_->jobs(JobQuery{"active", "", "", 10}).size() > 0 &&
           std::chrono::steady_clock::now() < give_up) {
      if (drain() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return s;
  }
};

TEST_F(RunTest, RunQueuesWhatChangedAndCountsEveryVerdict) {
  erp_.pos["PO-2"] = po("PO-2", "DRAFT");
  erp_.pos["PO-4"] = po("PO-4");
  erp_.pos["PO-4"].total = "9999";

  auto s = run_and_deliver(Entity::purchase_order);
  EXPECT_EQ(s.counts["queued"], 1);
  EXPECT_EQ(s.counts["not_ready"], 1);
  EXPECT_EQ(s.counts["invalid"], 1);
  EXPECT_EQ(s.counts.count("delivered"), 0u) << "the run only queues";
  ASSERT_EQ(s.failures.size(), 1u);
  EXPECT_EQ(s.failures[0].key, "PO-4");

  auto receipt = store_->last_receipt(Entity::purchase_order, "PO-1");
  ASSERT_TRUE(receipt.has_value());
  EXPECT_EQ(receipt->state, Outcome::delivered);
  EXPECT_EQ(receipt->run_id, s.run_id);
  EXPECT_EQ(receipt->origin, "schedule");
  EXPECT_EQ(receipt->priority, JobRecord::kPriorityScheduled);
  EXPECT_GE(store_->run_job_counts(s.run_id)["delivered"], 1);
  EXPECT_EQ(app_.puts.size(), 3u);
}

TEST_F(RunTest, UnchangedRowsAreRecognisedByTheirFingerprint) {
  erp_.pos["PO-2"] = po("PO-2", "DRAFT");
  erp_.pos["PO-4"] = po("PO-4");
  erp_.pos["PO-4"].total = "9999";
  run_and_deliver(Entity::purchase_order);
  const std::int64_t jobs_before = store_->last_job_id();

  auto again = run_and_deliver(Entity::purchase_order);
  EXPECT_EQ(again.counts["unchanged"], 1);
  EXPECT_EQ(again.counts["not_ready"], 1);
  EXPECT_EQ(again.counts["invalid"], 1);
  EXPECT_EQ(again.counts.count("queued"), 0u);
  EXPECT_EQ(store_->last_job_id(), jobs_before) << "no job and no receipt for unchanged rows";
  EXPECT_EQ(app_.puts.size(), 3u);
}

TEST_F(RunTest, ChangedRowIsQueuedAsTheNextRevision) {
  run_and_deliver(Entity::vendor);
  erp_.vendors["V-1"].city = "Sidoarjo";

  auto s = run_and_deliver(Entity::vendor);
  EXPECT_EQ(s.counts["queued"], 1);
  EXPECT_EQ(store_->ledger(Entity::vendor, "V-1")->revision, 2);
  ASSERT_EQ(app_.puts.size(), 2u);
  EXPECT_NE(app_.puts[1].body.find("Sidoarjo"), std::string::npos);
}

TEST_F(RunTest, TouchedRowWithTheSameContentIsUnchangedAndItsFingerprintRemembered) {
  run_and_deliver(Entity::vendor);
  const std::string delivered_fingerprint = store_->ledger(Entity::vendor, "V-1")->row_hash;
  erp_.vendors["V-1"].updated_at = "2025-03-04 11:00:00";

  auto s = run_and_deliver(Entity::vendor);
  EXPECT_EQ(s.counts["unchanged"], 1);
  EXPECT_EQ(app_.puts.size(), 1u);
  const std::string now_fingerprint = store_->ledger(Entity::vendor, "V-1")->row_hash;
  EXPECT_NE(now_fingerprint, delivered_fingerprint);
  EXPECT_EQ(store_->ledger(Entity::vendor, "V-1")->revision, 1);
}

TEST_F(RunTest, FullComparisonFindsTheSameAnswers) {
  run_and_deliver(Entity::purchase_order);

  auto s = run_and_deliver(Entity::purchase_order, /*full_compare=*/true);
  EXPECT_TRUE(s.full_compare);
  EXPECT_EQ(s.counts["unchanged"], 1);
  EXPECT_EQ(app_.puts.size(), 3u);
}

TEST_F(RunTest, RecordStillWaitingGetsNoSecondJob) {
  use_delivery(slow_retries());
  SendResult busy;
  busy.status = SendStatus::transient;
  busy.http_status = 503;
  busy.message = "service unavailable";
  app_.scripted.push_back(busy);
  run(Entity::vendor);
  drain();
  auto waiting = store_->last_receipt(Entity::vendor, "V-1");
  ASSERT_EQ(waiting->state, Outcome::retry_wait);

  auto s = run(Entity::vendor);
  EXPECT_EQ(s.counts["queued"], 1);
  EXPECT_EQ(store_->last_job_id(), waiting->id) << "the waiting job carries this version";
  EXPECT_EQ(store_->job(waiting->id)->state, Outcome::retry_wait);
  EXPECT_EQ(store_->run_job_counts(s.run_id)["retry_wait"], 1)
      << "the run counts and waits for the job it rides on";
}

TEST_F(RunTest, VersionTheAppRejectedIsNotSentAgainByTheNextRun) {
  SendResult refused;
  refused.status = SendStatus::rejected;
  refused.http_status = 422;
  refused.error_code = "validation_failed";
  refused.message = "name: too long";
  app_.scripted.push_back(refused);
  run_and_deliver(Entity::vendor);
  ASSERT_EQ(store_->last_receipt(Entity::vendor, "V-1")->state, Outcome::rejected);

  run_and_deliver(Entity::vendor);
  EXPECT_EQ(app_.puts.size(), 1u) << "a rejection is permanent until the record changes";
}

TEST_F(RunTest, RetiredRecordIsPushedOnce) {
  run_and_deliver(Entity::purchase_order);
  erp_.pos["PO-1"].status = "CANCELLED";

  auto retire = run_and_deliver(Entity::purchase_order);
  EXPECT_EQ(retire.counts["queued"], 1);
  EXPECT_TRUE(store_->ledger(Entity::purchase_order, "PO-1")->retired);
  const size_t sent = app_.puts.size();
  EXPECT_NE(app_.puts.back().body.find("CANCELLED"), std::string::npos);

  auto after = run_and_deliver(Entity::purchase_order);
  EXPECT_EQ(after.counts["unchanged"], 1);
  EXPECT_EQ(app_.puts.size(), sent);
}

TEST_F(RunTest, ManualPushGoesBeforeTheJobsOfARun) {
  erp_.vendors["V-2"] = vendor("V-2");
  erp_.vendors["V-3"] = vendor("V-3");
  run(Entity::vendor);
  push(Entity::item, "I-1");
  while (drain() > 0) {
  }

  ASSERT_EQ(app_.puts.size(), 4u);
  EXPECT_EQ(app_.puts[0].entity, Entity::item);
  EXPECT_EQ(app_.puts[1].key, "V-1");
}

TEST_F(RunTest, StopRequestEndsTheRunAfterTheCurrentRecord) {
  erp_.vendors["V-2"] = vendor("V-2");
  erp_.vendors["V-3"] = vendor("V-3");
  pipeline_->request_stop();

  auto s = run(Entity::vendor);
  EXPECT_EQ(s.counts["queued"], 1);
  EXPECT_THAT(s.error, HasSubstr("shutting down"));
}

// A commit per record kept the state store from the senders; a run queues a chunk of 256
// records in one transaction: when the senders hear of the first job, the whole chunk is in.
TEST_F(RunTest, JobsAreQueuedAChunkAtATime) {
  for (int i = 0; i < 299; ++i) {
    char key[16];
    std::snprintf(key, sizeof key, "V-%03d", i);
    erp_.vendors[key] = vendor(key);
  }
  const std::int64_t before = store_->last_job_id();
  std::vector<std::int64_t> in_store_when_told;
  pipeline_->set_enqueue_observer([&](const Enqueued&, const PushRequest&) {
    in_store_when_told.push_back(store_->last_job_id() - before);
  });

  auto s = run(Entity::vendor);
  EXPECT_EQ(s.counts["queued"], 300);
  ASSERT_EQ(in_store_when_told.size(), 300u);
  EXPECT_EQ(in_store_when_told.front(), 256) << "the first chunk went in at once";
  EXPECT_EQ(in_store_when_told.back(), 300) << "then the last, partial one";
  EXPECT_EQ(store_->run_job_counts(s.run_id)["queued"], 300);
}

TEST_F(RunTest, RowsReadBeforeTheErpFailedStillGoThrough) {
  erp_.vendors["V-2"] = vendor("V-2");
  erp_.vendors["V-3"] = vendor("V-3");
  erp_.scan_fails_after = 2;

  auto s = run(Entity::vendor);
  EXPECT_EQ(s.counts["queued"], 2) << "the two rows read before the error";
  EXPECT_THAT(s.error, HasSubstr("connection lost"));
  EXPECT_TRUE(store_->peek(Entity::vendor, "V-2").active);
  EXPECT_FALSE(store_->peek(Entity::vendor, "V-3").active);
}

}  // namespace
}  // namespace kokola::testing
