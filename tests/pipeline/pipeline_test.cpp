#include "pipeline/pipeline.hpp"

#include <gtest/gtest.h>

#include "kokola/exit_codes.hpp"
#include "pipeline/fakes.hpp"
#include "support/temp_dir.hpp"

namespace kokola {
namespace {

using testing::FakeApp;
using testing::FakeErp;

VendorRow vendor(const std::string& code, const char* active = "1") {
  VendorRow v;
  v.code = code;
  v.name = "PT SURYA INDAH PLASTIK";
  v.tax_id = "01.234.567.8-901.000";
  v.city = "Surabaya";
  v.active = active;
  v.updated_at = "2025-01-02 10:00:00";
  return v;
}

ItemRow item(const std::string& code) {
  ItemRow i;
  i.code = code;
  i.name = "Kantong plastik 40x60";
  i.uom = "PCS";
  i.active = "1";
  return i;
}

// One line: 2 x 1000, 11% tax: net 2000, tax 220, total 2220.
PoRow po(const std::string& number, const std::string& status = "APPROVED") {
  PoRow p;
  p.number = number;
  p.vendor_code = "V-1";
  p.order_date = "2025-02-03";
  p.currency = "IDR";
  p.status = status;
  p.total = "2220";
  PoLineRow l;
  l.po_number = number;
  l.line_no = "1";
  l.item_code = "I-1";
  l.qty = "2";
  l.uom = "PCS";
  l.unit_price = "1000";
  l.discount = "0";
  l.tax_rate = "11";
  l.line_total = "2220";
  p.lines.push_back(l);
  return p;
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<StateStore>(dir_.file("state.db"));
    rules_.erp_time_zone = std::make_shared<TimeZone>("Asia/Jakarta");
    erp_.vendors["V-1"] = vendor("V-1");
    erp_.items["I-1"] = item("I-1");
    erp_.pos["PO-1"] = po("PO-1");
    pipeline_ = std::make_unique<Pipeline>(erp_, *store_, app_, rules_);
  }
  void TearDown() override {
    pipeline_.reset();
    store_.reset();
  }

  PushResult push(Entity e, const std::string& key, bool force = false) {
    PushRequest r;
    r.entity = e;
    r.key = key;
    r.force = force;
    r.requested_by = "uid 1000 (test)";
    return pipeline_->push(r);
  }

  TempDir dir_;
  FakeErp erp_;
  FakeApp app_;
  RulesConfig rules_;
  std::unique_ptr<StateStore> store_;
  std::unique_ptr<Pipeline> pipeline_;
};

TEST_F(PipelineTest, PushSendsVendorAndItemsBeforeThePo) {
  auto r = push(Entity::purchase_order, "PO-1");

  EXPECT_EQ(r.outcome, Outcome::delivered) << r.message;
  ASSERT_EQ(app_.puts.size(), 3u);
  EXPECT_EQ(app_.puts[0].entity, Entity::vendor);
  EXPECT_EQ(app_.puts[1].entity, Entity::item);
  EXPECT_EQ(app_.puts[2].entity, Entity::purchase_order);
  ASSERT_EQ(r.dependencies.size(), 2u);
  EXPECT_EQ(r.dependencies[0].outcome, Outcome::delivered);
  EXPECT_EQ(r.revision, 1);
  EXPECT_EQ(app_.puts[2].request_id, "job-" + std::to_string(*r.job));
}

TEST_F(PipelineTest, SameContentAgainIsUnchangedAndSendsNothing) {
  push(Entity::purchase_order, "PO-1");
  auto r = push(Entity::purchase_order, "PO-1");

  EXPECT_EQ(r.outcome, Outcome::unchanged);
  EXPECT_EQ(app_.puts.size(), 3u);
  ASSERT_TRUE(r.job.has_value());  // a manual request always leaves a receipt
  EXPECT_EQ(store_->job(*r.job)->state, Outcome::unchanged);
}

TEST_F(PipelineTest, ForceSendsAgainWithAHigherRevisionAndANewIdempotencyKey) {
  auto first = push(Entity::vendor, "V-1");
  auto again = push(Entity::vendor, "V-1", /*force=*/true);

  EXPECT_EQ(again.outcome, Outcome::delivered);
  EXPECT_EQ(again.revision, 2);
  ASSERT_EQ(app_.puts.size(), 2u);
  EXPECT_NE(app_.puts[0].idempotency_key, app_.puts[1].idempotency_key);
  EXPECT_NE(app_.puts[1].body.find("\"revision\":2"), std::string::npos);
  EXPECT_EQ(first.content_hash, again.content_hash);
}

TEST_F(PipelineTest, ChangedContentIsSentAsAnUpdate) {
  push(Entity::vendor, "V-1");
  erp_.vendors["V-1"].city = "Sidoarjo";
  auto r = push(Entity::vendor, "V-1");

  EXPECT_EQ(r.outcome, Outcome::delivered);
  EXPECT_EQ(r.revision, 2);
  EXPECT_NE(app_.puts.back().body.find("Sidoarjo"), std::string::npos);
}

TEST_F(PipelineTest, DraftIsNotReadyAndSaysWhy) {
  erp_.pos["PO-2"] = po("PO-2", "DRAFT");
  auto r = push(Entity::purchase_order, "PO-2");

  EXPECT_EQ(r.outcome, Outcome::not_ready);
  EXPECT_NE(r.message.find("DRAFT"), std::string::npos) << r.message;
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

  EXPECT_EQ(r.outcome, Outcome::invalid);
  bool found = false;
  for (const auto& p : r.problems) found = found || p.path == "lines[0].qty";
  EXPECT_TRUE(found) << r.message;
  EXPECT_TRUE(app_.puts.empty());
}

TEST_F(PipelineTest, InactiveVendorMakesAReadyPoInvalid) {
  erp_.vendors["V-1"] = vendor("V-1", "0");
  auto r = push(Entity::purchase_order, "PO-1");

  EXPECT_EQ(r.outcome, Outcome::invalid);
  EXPECT_NE(r.message.find("vendor 'V-1': not ready (inactive"), std::string::npos) << r.message;
  EXPECT_TRUE(app_.puts.empty());
}

TEST_F(PipelineTest, CancelledAfterDeliveryIsSentWithItsNewStatus) {
  push(Entity::purchase_order, "PO-1");
  erp_.pos["PO-1"].status = "CANCELLED";
  auto r = push(Entity::purchase_order, "PO-1");

  EXPECT_EQ(r.outcome, Outcome::delivered) << r.message;
  EXPECT_NE(app_.puts.back().body.find("\"status\":\"CANCELLED\""), std::string::npos);
  EXPECT_TRUE(store_->ledger(Entity::purchase_order, "PO-1")->retired);
}

TEST_F(PipelineTest, CancelledNeverDeliveredIsNotReady) {
  erp_.pos["PO-3"] = po("PO-3", "CANCELLED");
  auto r = push(Entity::purchase_order, "PO-3");

  EXPECT_EQ(r.outcome, Outcome::not_ready);
  EXPECT_TRUE(app_.puts.empty());
}

TEST_F(PipelineTest, KeysEqualIgnoringCaseCollideAndBothAreInvalid) {
  erp_.items["i-1"] = item("i-1");

  EXPECT_EQ(push(Entity::item, "I-1").outcome, Outcome::invalid);
  EXPECT_EQ(push(Entity::item, "i-1").outcome, Outcome::invalid);
  EXPECT_EQ(push(Entity::purchase_order, "PO-1").outcome, Outcome::invalid);
  EXPECT_TRUE(app_.puts.size() <= 1u);  // at most the vendor went
}

TEST_F(PipelineTest, PaddedKeyIsTrimmed) {
  erp_.vendors.erase("V-1");
  erp_.vendors["V-1   "] = vendor("V-1   ");
  auto r = push(Entity::vendor, "V-1");

  EXPECT_EQ(r.outcome, Outcome::delivered) << r.message;
  EXPECT_EQ(app_.puts[0].key, "V-1");
}

TEST_F(PipelineTest, ConnectFailureIsReportedAndNothingIsRecordedAsDelivered) {
  SendResult down;
  down.status = SendStatus::transient;
  down.error_code = "connect_error";
  down.message = "connection refused";
  app_.scripted.push_back(down);

  auto r = push(Entity::vendor, "V-1");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.reason_code, reason::kAppUnreachable);
  EXPECT_FALSE(store_->ledger(Entity::vendor, "V-1").has_value());

  EXPECT_EQ(push(Entity::vendor, "V-1").outcome, Outcome::delivered);
}

TEST_F(PipelineTest, AuthFailureHasItsOwnReason) {
  SendResult denied;
  denied.status = SendStatus::auth_failed;
  denied.http_status = 401;
  app_.scripted.push_back(denied);

  auto r = push(Entity::vendor, "V-1");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.reason_code, reason::kAppAuth);
}

TEST_F(PipelineTest, UntrustedCertificateFailsWithTheTlsReasonNotAsTransient) {
  SendResult tls;
  tls.status = SendStatus::rejected;
  tls.error_code = "tls_error";
  tls.message = "the certificate of 'https://app:443' is not trusted: self-signed certificate";
  app_.scripted.push_back(tls);

  auto r = push(Entity::vendor, "V-1");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_EQ(r.reason_code, reason::kAppTls);
  EXPECT_EQ(r.message, tls.message);
  EXPECT_EQ(exit_code_for(r.outcome, r.reason_code), kExitAppUnavailable);
  EXPECT_EQ(app_.puts.size(), 1u);
}

TEST_F(PipelineTest, StaleRevisionIsRejectedAndTheNextPushGoesAbove) {
  SendResult stale;
  stale.status = SendStatus::stale;
  stale.http_status = 409;
  stale.app_revision = 7;
  app_.scripted.push_back(stale);

  auto r = push(Entity::vendor, "V-1");
  EXPECT_EQ(r.outcome, Outcome::rejected);
  EXPECT_EQ(r.reason_code, reason::kStaleRevision);

  auto again = push(Entity::vendor, "V-1");
  EXPECT_EQ(again.outcome, Outcome::delivered);
  EXPECT_EQ(again.revision, 8);
}

TEST_F(PipelineTest, InDoubtIsResolvedByLookingTheRecordUp) {
  SendResult silent;
  silent.status = SendStatus::in_doubt;
  silent.message = "no answer";
  app_.scripted.push_back(silent);
  app_.fetch_answer.found = true;
  app_.fetch_answer.revision = 1;
  app_.fetch_answer.app_id = "vnd_1";
  app_.fetch_answer.status.status = SendStatus::delivered;
  app_.fetch_answer.status.http_status = 200;

  auto r = push(Entity::vendor, "V-1");
  EXPECT_EQ(r.outcome, Outcome::delivered) << r.message;
  EXPECT_EQ(store_->ledger(Entity::vendor, "V-1")->app_id, "vnd_1");
  EXPECT_EQ(store_->job(*r.job)->attempts.size(), 2u);
}

TEST_F(PipelineTest, InDoubtStaysInDoubtWhenTheAppDoesNotHoldTheRevision) {
  SendResult silent;
  silent.status = SendStatus::in_doubt;
  app_.scripted.push_back(silent);
  app_.fetch_answer.found = false;
  app_.fetch_answer.status.http_status = 404;

  auto r = push(Entity::vendor, "V-1");
  EXPECT_EQ(r.outcome, Outcome::in_doubt);
  EXPECT_FALSE(store_->ledger(Entity::vendor, "V-1").has_value());
}

// Leaves V-1 with one job in doubt: sent as revision 1, no answer, not found by the lookup.
void leave_in_doubt(FakeApp& app) {
  SendResult silent;
  silent.status = SendStatus::in_doubt;
  app.scripted.push_back(silent);
  app.fetch_answer = FetchResult{};
  app.fetch_answer.status.http_status = 404;
}

TEST_F(PipelineTest, InDoubtJobThatLandedLaterIsSettledBeforeAnyResend) {
  leave_in_doubt(app_);
  ASSERT_EQ(push(Entity::vendor, "V-1").outcome, Outcome::in_doubt);
  app_.fetch_answer.found = true;
  app_.fetch_answer.revision = 1;
  app_.fetch_answer.app_id = "vnd_1";
  app_.fetch_answer.status.http_status = 200;

  auto r = push(Entity::vendor, "V-1");
  EXPECT_EQ(r.outcome, Outcome::unchanged) << r.message;
  EXPECT_EQ(app_.puts.size(), 1u);
  EXPECT_EQ(store_->ledger(Entity::vendor, "V-1")->revision, 1);
  EXPECT_EQ(store_->last_receipt(Entity::vendor, "V-1")->state, Outcome::unchanged);
}

TEST_F(PipelineTest, InDoubtJobThatNeverLandedIsFailedAndTheRecordSent) {
  leave_in_doubt(app_);
  auto first = push(Entity::vendor, "V-1");

  auto r = push(Entity::vendor, "V-1");
  EXPECT_EQ(r.outcome, Outcome::delivered) << r.message;
  EXPECT_EQ(r.revision, 2);
  EXPECT_EQ(store_->job(*first.job)->state, Outcome::failed);
}

TEST_F(PipelineTest, NothingIsSentWhileAnInDoubtJobCannotBeLookedUp) {
  leave_in_doubt(app_);
  push(Entity::vendor, "V-1");
  app_.fetch_answer.status.http_status = 0;
  app_.fetch_answer.status.message = "connection refused";

  auto r = push(Entity::vendor, "V-1");
  EXPECT_EQ(r.outcome, Outcome::in_doubt);
  EXPECT_EQ(app_.puts.size(), 1u);
}

TEST_F(PipelineTest, JobsLeftSendingByACrashAreLookedUpFirst) {
  JobRecord job;
  job.entity = Entity::vendor;
  job.key = "V-1";
  job.state = Outcome::sending;
  job.revision = store_->next_revision(Entity::vendor, "V-1");
  job.content_hash = pipeline_->inspect(Entity::vendor, "V-1").content_hash;
  job.verdicts = {{"readiness", "ready"}};
  job.created_at = utc_now_rfc3339();
  auto id = store_->create_job(job);
  EXPECT_EQ(store_->mark_interrupted_jobs(), 1);
  app_.fetch_answer.found = true;
  app_.fetch_answer.revision = job.revision;
  app_.fetch_answer.app_id = "vnd_9";
  app_.fetch_answer.status.http_status = 200;

  auto r = push(Entity::vendor, "V-1");
  EXPECT_EQ(r.outcome, Outcome::unchanged) << r.message;
  EXPECT_TRUE(app_.puts.empty());
  EXPECT_EQ(store_->job(id)->state, Outcome::delivered);
}

TEST_F(PipelineTest, RunCountsEveryOutcome) {
  erp_.pos["PO-2"] = po("PO-2", "DRAFT");
  erp_.pos["PO-4"] = po("PO-4");
  erp_.pos["PO-4"].total = "9999";

  auto s = pipeline_->run(Entity::purchase_order);
  EXPECT_EQ(s.counts["delivered"], 1);
  EXPECT_EQ(s.counts["not_ready"], 1);
  EXPECT_EQ(s.counts["invalid"], 1);
  ASSERT_EQ(s.failures.size(), 1u);
  EXPECT_EQ(s.failures[0].key, "PO-4");

  auto again = pipeline_->run(Entity::purchase_order);
  EXPECT_EQ(again.counts["unchanged"], 1);
  EXPECT_EQ(store_->last_run(Entity::purchase_order)->counts["unchanged"], 1);
}

TEST_F(PipelineTest, InspectSendsNothing) {
  auto in = pipeline_->inspect(Entity::purchase_order, "PO-1");

  EXPECT_TRUE(in.found);
  EXPECT_EQ(in.readiness, "ready");
  EXPECT_FALSE(in.payload.is_null());
  EXPECT_EQ(in.verdict.outcome, Outcome::queued);
  EXPECT_TRUE(app_.puts.empty());
}

}  // namespace
}  // namespace kokola
