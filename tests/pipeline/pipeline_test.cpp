// The pipeline's stages and the jobs it queues: readiness, validation, dependencies,
// unchanged content, forced and changed versions. The senders' side (the app's answers) is
// in delivery_outcome_test.cpp, runs in run_test.cpp.
#include "pipeline/pipeline.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipeline/pipeline_fixture.hpp"
#include "support/log_capture.hpp"

namespace kokola::testing {
namespace {

using ::testing::HasSubstr;

TEST_F(PipelineTest, PushQueuesAJobAndSendsNothingItself) {
  auto r = push(Entity::vendor, "V-1");

  EXPECT_EQ(r.outcome, Outcome::queued) << r.message;
  ASSERT_TRUE(r.job.has_value());
  EXPECT_EQ(r.message, "queued as job " + std::to_string(*r.job));
  EXPECT_EQ(r.revision, 1);
  EXPECT_TRUE(app_.puts.empty());
  EXPECT_EQ(job(*r.job).state, Outcome::queued);
  EXPECT_EQ(job(*r.job).priority, JobRecord::kPriorityManual);
  EXPECT_EQ(job(*r.job).requested_by, "uid 1000 (test)");
}

TEST_F(PipelineTest, PushSendsVendorAndItemsBeforeThePo) {
  auto r = push(Entity::purchase_order, "PO-1");
  ASSERT_EQ(r.outcome, Outcome::queued) << r.message;
  ASSERT_EQ(r.dependencies.size(), 2u);
  EXPECT_EQ(r.dependencies[0].outcome, Outcome::queued);
  EXPECT_TRUE(r.dependencies[0].job.has_value());

  JobRecord done = settle(*r.job);
  EXPECT_EQ(done.state, Outcome::delivered) << done.message;
  ASSERT_EQ(app_.puts.size(), 3u);
  EXPECT_EQ(app_.puts[0].entity, Entity::vendor);
  EXPECT_EQ(app_.puts[1].entity, Entity::item);
  EXPECT_EQ(app_.puts[2].entity, Entity::purchase_order);
  EXPECT_EQ(done.revision, 1);
  EXPECT_EQ(app_.puts[2].request_id, "job-" + std::to_string(*r.job));
  EXPECT_EQ(job(*r.dependencies[0].job).state, Outcome::delivered);
  EXPECT_TRUE(store_->ledger(Entity::item, "I-1").has_value());
}

TEST_F(PipelineTest, DeliveredJobWritesTheLedgerAndEmptiesItsBody) {
  JobRecord done = push_and_deliver(Entity::vendor, "V-1");

  EXPECT_EQ(done.state, Outcome::delivered);
  EXPECT_TRUE(done.body.empty());
  EXPECT_FALSE(done.finished_at.empty());
  ASSERT_EQ(done.attempts.size(), 1u);
  EXPECT_EQ(done.tries, 1);
  auto ledger = store_->ledger(Entity::vendor, "V-1");
  ASSERT_TRUE(ledger.has_value());
  EXPECT_EQ(ledger->content_hash, done.content_hash);
  EXPECT_EQ(ledger->revision, 1);
  EXPECT_EQ(ledger->app_id, done.app_id);
  EXPECT_FALSE(ledger->row_hash.empty());
}

TEST_F(PipelineTest, SameContentAgainIsUnchangedAndSendsNothing) {
  push_and_deliver(Entity::purchase_order, "PO-1");
  auto r = push(Entity::purchase_order, "PO-1");
  drain();

  EXPECT_EQ(r.outcome, Outcome::unchanged);
  EXPECT_EQ(app_.puts.size(), 3u);
  ASSERT_TRUE(r.job.has_value());  // a manual request always leaves a receipt
  EXPECT_EQ(job(*r.job).state, Outcome::unchanged);
}

TEST_F(PipelineTest, RowBackToWhatTheAppHoldsWhileAnotherVersionWaitsIsSentAgain) {
  push_and_deliver(Entity::vendor, "V-1");
  const std::string delivered = store_->ledger(Entity::vendor, "V-1")->content_hash;
  erp_.vendors["V-1"] = vendor("V-1", "0");  // retired: this version is queued
  auto retiring = push(Entity::vendor, "V-1");
  ASSERT_EQ(retiring.outcome, Outcome::queued);
  erp_.vendors["V-1"] = vendor("V-1");  // and back, before it went
  auto back = push(Entity::vendor, "V-1");
  drain();

  EXPECT_EQ(back.outcome, Outcome::queued) << back.message;
  EXPECT_EQ(job(*retiring.job).state, Outcome::superseded);
  // The retirement never went: what the app holds is this content, sent once.
  EXPECT_EQ(job(*back.job).state, Outcome::unchanged);
  EXPECT_EQ(app_.puts.size(), 1u);
  const auto held = store_->ledger(Entity::vendor, "V-1");
  EXPECT_EQ(held->content_hash, delivered);
  EXPECT_FALSE(held->retired);
}

TEST_F(PipelineTest, RowBackToWhatTheAppHoldsWhileAnotherVersionIsSentFollowsIt) {
  push_and_deliver(Entity::vendor, "V-1");
  erp_.vendors["V-1"] = vendor("V-1", "0");
  auto retiring = push(Entity::vendor, "V-1");
  ASSERT_TRUE(store_->claim_job(*retiring.job, Outcome::queued));  // on its way to the app
  erp_.vendors["V-1"] = vendor("V-1");
  auto back = push(Entity::vendor, "V-1");

  EXPECT_EQ(back.outcome, Outcome::queued) << back.message;
  EXPECT_GT(*back.revision, *retiring.revision);
  EXPECT_EQ(job(*retiring.job).state, Outcome::sending) << "what is being sent goes on";
}

TEST_F(PipelineTest, SameContentWhileQueuedRidesOnTheWaitingJob) {
  auto first = push(Entity::vendor, "V-1");
  auto again = push(Entity::vendor, "V-1");

  EXPECT_EQ(again.outcome, Outcome::queued);
  EXPECT_EQ(again.job, first.job);
  EXPECT_EQ(again.message, "already queued as job " + std::to_string(*first.job));
  EXPECT_EQ(settle(*first.job).state, Outcome::delivered);
  EXPECT_EQ(app_.puts.size(), 1u);
}

TEST_F(PipelineTest, ForceSendsAgainWithAHigherRevisionAndANewIdempotencyKey) {
  JobRecord first = push_and_deliver(Entity::vendor, "V-1");
  JobRecord again = push_and_deliver(Entity::vendor, "V-1", /*force=*/true);

  EXPECT_EQ(again.state, Outcome::delivered);
  EXPECT_NE(again.id, first.id);
  EXPECT_EQ(again.revision, 2);
  ASSERT_EQ(app_.puts.size(), 2u);
  EXPECT_NE(app_.puts[0].idempotency_key, app_.puts[1].idempotency_key);
  EXPECT_NE(app_.puts[1].body.find("\"revision\":2"), std::string::npos);
  EXPECT_EQ(first.content_hash, again.content_hash);
}

TEST_F(PipelineTest, ChangedContentIsSentAsAnUpdate) {
  push_and_deliver(Entity::vendor, "V-1");
  erp_.vendors["V-1"].city = "Sidoarjo";
  JobRecord done = push_and_deliver(Entity::vendor, "V-1");

  EXPECT_EQ(done.state, Outcome::delivered);
  EXPECT_EQ(done.revision, 2);
  ASSERT_EQ(app_.puts.size(), 2u);
  EXPECT_NE(app_.puts.back().body.find("Sidoarjo"), std::string::npos);
}

TEST_F(PipelineTest, ChangedContentWhileQueuedSupersedesTheOlderJob) {
  auto older = push(Entity::vendor, "V-1");
  std::vector<Outcome> heard;
  dispatcher_->watch(*older.job, [&heard](const JobUpdate& u) {
    heard.push_back(u.state);
    return true;
  });
  erp_.vendors["V-1"].city = "Sidoarjo";
  auto newer = push(Entity::vendor, "V-1");
  JobRecord done = settle(*newer.job);

  EXPECT_EQ(job(*older.job).state, Outcome::superseded);
  EXPECT_EQ(heard, std::vector<Outcome>{Outcome::superseded});
  EXPECT_EQ(done.state, Outcome::delivered);
  EXPECT_EQ(done.revision, 2);
  ASSERT_EQ(app_.puts.size(), 1u);
  EXPECT_NE(app_.puts[0].body.find("Sidoarjo"), std::string::npos);
}

TEST_F(PipelineTest, DryRunQueuesNothing) {
  PushRequest r;
  r.entity = Entity::purchase_order;
  r.key = "PO-1";
  r.dry_run = true;
  r.requested_by = "uid 0 (root)";
  LogCapture log;
  auto result = pipeline_->push(r);

  EXPECT_EQ(result.outcome, Outcome::queued);
  EXPECT_THAT(result.message, HasSubstr("would send"));
  EXPECT_THAT(log.text(), HasSubstr("info dry run of push po 'PO-1' by uid 0 (root): "));
  EXPECT_FALSE(result.job.has_value());
  EXPECT_EQ(store_->last_job_id(), 0);
  EXPECT_EQ(drain(), 0);
}

TEST_F(PipelineTest, DraftIsNotReadyAndSaysWhy) {
  erp_.pos["PO-2"] = po("PO-2", "DRAFT");
  auto r = push(Entity::purchase_order, "PO-2");
  drain();

  EXPECT_EQ(r.outcome, Outcome::not_ready);
  EXPECT_THAT(r.message, HasSubstr("DRAFT"));
  EXPECT_TRUE(app_.puts.empty());
  EXPECT_EQ(store_->last_receipt(Entity::purchase_order, "PO-2")->state, Outcome::not_ready);
}

TEST_F(PipelineTest, UnknownKeyIsNotFound) {
  auto r = push(Entity::purchase_order, "NOPE");

  EXPECT_EQ(r.outcome, Outcome::not_ready);
  EXPECT_EQ(r.reason_code, reason::kNotFound);
}

TEST_F(PipelineTest, InvalidLineIsReportedWithItsPath) {
  erp_.pos["PO-1"].lines[0].qty = "0";
  auto r = push(Entity::purchase_order, "PO-1");
  drain();

  EXPECT_EQ(r.outcome, Outcome::invalid);
  bool found = false;
  for (const auto& p : r.problems) found = found || p.path == "lines[0].qty";
  EXPECT_TRUE(found) << r.message;
  EXPECT_TRUE(app_.puts.empty());
}

TEST_F(PipelineTest, InactiveVendorMakesAReadyPoInvalidAndQueuesNothing) {
  erp_.vendors["V-1"] = vendor("V-1", "0");
  auto r = push(Entity::purchase_order, "PO-1");
  drain();

  EXPECT_EQ(r.outcome, Outcome::invalid);
  EXPECT_THAT(r.message, HasSubstr("vendor 'V-1': not ready (inactive"));
  ASSERT_FALSE(r.dependencies.empty());
  EXPECT_EQ(r.dependencies[0].outcome, Outcome::not_ready);
  EXPECT_FALSE(r.dependencies[0].dry_run) << "a verdict of a real push, not a look ahead";
  EXPECT_TRUE(app_.puts.empty());
  EXPECT_FALSE(store_->has_active_job(Entity::item, "I-1"));
}

TEST_F(PipelineTest, DependencyDeliveredAsReadIsUnchangedWithItsLedgerEntry) {
  push_and_deliver(Entity::purchase_order, "PO-1");
  erp_.pos["PO-1"].notes = "call before delivery";
  auto r = push(Entity::purchase_order, "PO-1");

  ASSERT_EQ(r.outcome, Outcome::queued) << r.message;
  ASSERT_EQ(r.dependencies.size(), 2u);
  const auto held = store_->ledger(Entity::vendor, "V-1");
  EXPECT_EQ(r.dependencies[0].outcome, Outcome::unchanged);
  EXPECT_EQ(r.dependencies[0].revision, held->revision);
  EXPECT_EQ(r.dependencies[0].app_id, held->app_id);
  EXPECT_EQ(r.dependencies[0].content_hash, held->content_hash);
  EXPECT_EQ(r.dependencies[0].message, "already delivered at revision 1");
  EXPECT_FALSE(r.dependencies[0].dry_run);
}

TEST_F(PipelineTest, DependencyDeliveredAsReadThatNowCollidesBlocksItsPo) {
  push_and_deliver(Entity::purchase_order, "PO-1");
  erp_.vendors["v-1  "] = vendor("v-1  ");
  erp_.pos["PO-1"].notes = "call before delivery";
  auto r = push(Entity::purchase_order, "PO-1");

  EXPECT_EQ(r.outcome, Outcome::invalid);
  EXPECT_THAT(r.message, HasSubstr("vendor 'V-1'"));
  EXPECT_THAT(r.message, HasSubstr("v-1  "));
}

TEST_F(PipelineTest, DependencyThatChangedSinceDeliveryIsJudgedAgain) {
  push_and_deliver(Entity::purchase_order, "PO-1");
  erp_.vendors["V-1"] = vendor("V-1", "0");
  erp_.pos["PO-1"].notes = "call before delivery";
  auto r = push(Entity::purchase_order, "PO-1");

  EXPECT_EQ(r.outcome, Outcome::invalid);
  EXPECT_THAT(r.message, HasSubstr("vendor 'V-1': not ready (inactive"));
}

TEST_F(PipelineTest, DependencyRetiredInTheAppBlocksItsPoThoughItsRowIsAsDelivered) {
  push_and_deliver(Entity::purchase_order, "PO-1");
  erp_.vendors["V-1"] = vendor("V-1", "0");
  push_and_deliver(Entity::vendor, "V-1");  // the retirement goes to the app
  ASSERT_TRUE(store_->ledger(Entity::vendor, "V-1")->retired);
  erp_.pos["PO-1"].notes = "call before delivery";
  auto r = push(Entity::purchase_order, "PO-1");

  EXPECT_EQ(r.outcome, Outcome::invalid);
  EXPECT_THAT(r.message, HasSubstr("vendor 'V-1': not ready"));
}

TEST_F(PipelineTest, CancelledAfterDeliveryIsSentWithItsNewStatus) {
  push_and_deliver(Entity::purchase_order, "PO-1");
  erp_.pos["PO-1"].status = "CANCELLED";
  JobRecord done = push_and_deliver(Entity::purchase_order, "PO-1");

  EXPECT_EQ(done.state, Outcome::delivered) << done.message;
  EXPECT_TRUE(done.retired);
  EXPECT_NE(app_.puts.back().body.find("\"status\":\"CANCELLED\""), std::string::npos);
  EXPECT_TRUE(store_->ledger(Entity::purchase_order, "PO-1")->retired);
}

TEST_F(PipelineTest, CancelledNeverDeliveredIsNotReady) {
  erp_.pos["PO-3"] = po("PO-3", "CANCELLED");
  auto r = push(Entity::purchase_order, "PO-3");
  drain();

  EXPECT_EQ(r.outcome, Outcome::not_ready);
  EXPECT_TRUE(app_.puts.empty());
}

TEST_F(PipelineTest, KeysEqualIgnoringCaseCollideAndBothAreInvalid) {
  erp_.items["i-1"] = item("i-1");

  EXPECT_EQ(push(Entity::item, "I-1").outcome, Outcome::invalid);
  EXPECT_EQ(push(Entity::item, "i-1").outcome, Outcome::invalid);
  EXPECT_EQ(push(Entity::purchase_order, "PO-1").outcome, Outcome::invalid);
  drain();
  EXPECT_TRUE(app_.puts.empty()) << "a blocked PO sends none of its dependencies";
}

TEST_F(PipelineTest, PaddedKeyIsTrimmed) {
  erp_.vendors.erase("V-1");
  erp_.vendors["V-1   "] = vendor("V-1   ");
  JobRecord done = push_and_deliver(Entity::vendor, "V-1");

  EXPECT_EQ(done.state, Outcome::delivered) << done.message;
  EXPECT_EQ(done.key, "V-1");
  ASSERT_EQ(app_.puts.size(), 1u);
  EXPECT_EQ(app_.puts[0].key, "V-1");
}

TEST_F(PipelineTest, InspectSendsNothing) {
  auto in = pipeline_->inspect(Entity::purchase_order, "PO-1");

  EXPECT_TRUE(in.found);
  EXPECT_EQ(in.readiness, "ready");
  EXPECT_FALSE(in.payload.is_null());
  EXPECT_EQ(in.verdict.outcome, Outcome::queued);
  EXPECT_EQ(store_->last_job_id(), 0);
  EXPECT_EQ(drain(), 0);
  EXPECT_TRUE(app_.puts.empty());
}

}  // namespace
}  // namespace kokola::testing
