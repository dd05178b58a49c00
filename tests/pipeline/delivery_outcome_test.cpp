// What a pushed job becomes after the app's answer: kept waiting while our credentials or
// the app's certificate are refused or the app is down, rejected when its revision is stale,
// and, when no answer came, looked up before anything is sent again (also after a crash).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipeline/pipeline_fixture.hpp"

namespace kokola::testing {
namespace {

using ::testing::HasSubstr;

FetchResult holds(std::int64_t revision, const std::string& app_id) {
  FetchResult found;
  found.found = true;
  found.revision = revision;
  found.app_id = app_id;
  found.status.status = SendStatus::delivered;
  found.status.http_status = 200;
  return found;
}

FetchResult holds_nothing() {
  FetchResult none;
  none.status.status = SendStatus::delivered;
  none.status.http_status = 404;
  return none;
}

// What a watcher heard, with whether the ledger held the record at that moment.
struct Heard {
  Outcome state = Outcome::queued;
  std::string reason_code;
  bool in_ledger = false;
};

// Collects every update of the job (watchers run on the thread that drains: this one).
void listen(Dispatcher& dispatcher, StateStore& store, std::int64_t id, std::vector<Heard>& heard) {
  dispatcher.watch(id, [&store, &heard](const JobUpdate& u) {
    heard.push_back({u.state, u.reason_code, store.ledger(u.entity, u.key).has_value()});
    return true;
  });
}

FetchResult cannot_ask() {
  FetchResult down;
  down.status.status = SendStatus::transient;
  down.status.error_code = "connect_error";
  down.status.message = "connection refused";
  return down;
}

TEST_F(PipelineTest, AuthFailureKeepsTheJobWaitingAndHoldsSending) {
  use_delivery(slow_retries());
  SendResult denied;
  denied.status = SendStatus::auth_failed;
  denied.http_status = 401;
  denied.message = "the app refused the token";
  app_.scripted.push_back(denied);
  auto vendor_push = push(Entity::vendor, "V-1");
  auto item_push = push(Entity::item, "I-1");
  drain();

  JobRecord waiting = job(*vendor_push.job);
  EXPECT_EQ(waiting.state, Outcome::retry_wait);
  EXPECT_EQ(waiting.reason_code, reason::kAppAuth);
  EXPECT_GT(waiting.next_attempt_at, unix_ms_now());
  EXPECT_FALSE(dispatcher_->hold_reason().empty());
  EXPECT_EQ(app_.puts.size(), 1u) << "nothing else is sent while the token is refused";
  EXPECT_EQ(job(*item_push.job).state, Outcome::queued);
  EXPECT_FALSE(store_->ledger(Entity::vendor, "V-1").has_value());
}

TEST_F(PipelineTest, UntrustedCertificateKeepsTheJobWaitingWithTheTlsReason) {
  use_delivery(slow_retries());
  SendResult tls;
  tls.status = SendStatus::rejected;
  tls.error_code = "tls_error";
  tls.message = "the certificate of 'https://app:443' is not trusted: self-signed certificate";
  app_.scripted.push_back(tls);
  auto vendor_push = push(Entity::vendor, "V-1");
  auto item_push = push(Entity::item, "I-1");
  drain();

  JobRecord waiting = job(*vendor_push.job);
  EXPECT_EQ(waiting.state, Outcome::retry_wait);
  EXPECT_EQ(waiting.reason_code, reason::kAppTls);
  EXPECT_EQ(waiting.message, tls.message);
  EXPECT_FALSE(dispatcher_->hold_reason().empty());
  EXPECT_EQ(app_.puts.size(), 1u);
  EXPECT_EQ(job(*item_push.job).state, Outcome::queued);
}

TEST_F(PipelineTest, ConnectFailureWaitsAndIsDeliveredWhenTheAppIsBack) {
  SendResult down;
  down.status = SendStatus::transient;
  down.error_code = "connect_error";
  down.message = "connection refused";
  app_.scripted.push_back(down);
  auto r = push(Entity::vendor, "V-1");
  std::vector<Heard> heard;
  listen(*dispatcher_, *store_, *r.job, heard);

  JobRecord done = settle(*r.job);
  ASSERT_EQ(heard.size(), 2u);
  EXPECT_EQ(heard[0].state, Outcome::retry_wait);
  EXPECT_EQ(heard[0].reason_code, reason::kAppUnreachable);
  EXPECT_FALSE(heard[0].in_ledger) << "nothing recorded as delivered while waiting";
  EXPECT_EQ(heard[1].state, Outcome::delivered);
  EXPECT_EQ(done.state, Outcome::delivered) << done.message;
  EXPECT_EQ(done.tries, 2);
  ASSERT_EQ(done.attempts.size(), 2u);
  EXPECT_EQ(done.attempts[0].error, "connection refused");
  ASSERT_EQ(app_.puts.size(), 2u);
  EXPECT_EQ(app_.puts[0].idempotency_key, app_.puts[1].idempotency_key)
      << "every attempt of one job carries the job's key";
  EXPECT_TRUE(store_->ledger(Entity::vendor, "V-1").has_value());
}

TEST_F(PipelineTest, StaleRevisionIsRejectedAndTheNextPushGoesAbove) {
  SendResult stale;
  stale.status = SendStatus::stale;
  stale.http_status = 409;
  stale.app_revision = 7;
  app_.scripted.push_back(stale);

  JobRecord rejected = push_and_deliver(Entity::vendor, "V-1");
  EXPECT_EQ(rejected.state, Outcome::rejected);
  EXPECT_EQ(rejected.reason_code, reason::kStaleRevision);
  EXPECT_THAT(rejected.message, HasSubstr("revision 7"));

  JobRecord again = push_and_deliver(Entity::vendor, "V-1");
  EXPECT_EQ(again.state, Outcome::delivered);
  EXPECT_EQ(again.revision, 8);
}

TEST_F(PipelineTest, PoFailsWithTheReasonOfItsRejectedVendor) {
  SendResult refused;
  refused.status = SendStatus::rejected;
  refused.http_status = 422;
  refused.error_code = "validation_failed";
  refused.message = "name: too long";
  app_.scripted.push_back(refused);
  auto r = push(Entity::purchase_order, "PO-1");

  JobRecord done = settle(*r.job);
  EXPECT_EQ(done.state, Outcome::failed);
  EXPECT_EQ(done.reason_code, reason::kAppRejected);
  EXPECT_THAT(done.message, HasSubstr("vendor 'V-1': rejected"));
  for (const auto& put : app_.puts) EXPECT_NE(put.entity, Entity::purchase_order);
}

TEST_F(PipelineTest, InDoubtIsResolvedByLookingTheRecordUp) {
  app_.scripted.push_back(no_answer());
  app_.fetch_answer = holds(1, "vnd_1");

  JobRecord done = push_and_deliver(Entity::vendor, "V-1");
  EXPECT_EQ(done.state, Outcome::delivered) << done.message;
  EXPECT_EQ(store_->ledger(Entity::vendor, "V-1")->app_id, "vnd_1");
  EXPECT_EQ(done.attempts.size(), 2u) << "the PUT and the GET";
  EXPECT_EQ(app_.puts.size(), 1u);
}

TEST_F(PipelineTest, InDoubtThatNeverLandedIsSentAgainAsTheSameJob) {
  app_.scripted.push_back(no_answer());
  app_.fetch_answer = holds_nothing();
  auto r = push(Entity::vendor, "V-1");
  std::vector<Heard> heard;
  listen(*dispatcher_, *store_, *r.job, heard);

  JobRecord done = settle(*r.job);
  ASSERT_EQ(heard.size(), 2u);
  EXPECT_EQ(heard[0].state, Outcome::retry_wait);
  EXPECT_EQ(done.state, Outcome::delivered) << done.message;
  EXPECT_EQ(app_.gets, 1);
  ASSERT_EQ(app_.puts.size(), 2u);
  EXPECT_EQ(app_.puts[0].idempotency_key, app_.puts[1].idempotency_key);
  EXPECT_EQ(app_.puts[0].body, app_.puts[1].body) << "the same revision";
  EXPECT_EQ(store_->ledger(Entity::vendor, "V-1")->revision, 1);
}

TEST_F(PipelineTest, NothingIsSentWhileAnInDoubtJobCannotBeLookedUp) {
  app_.scripted.push_back(no_answer());
  app_.fetch_answer = cannot_ask();
  auto r = push(Entity::vendor, "V-1");
  drain();
  EXPECT_EQ(job(*r.job).state, Outcome::in_doubt);

  for (int round = 0; round < 3; ++round) drain_when_due(*r.job);
  EXPECT_EQ(job(*r.job).state, Outcome::in_doubt);
  EXPECT_GE(app_.gets, 4);
  EXPECT_EQ(app_.puts.size(), 1u);

  app_.fetch_answer = holds(1, "vnd_1");
  JobRecord done = settle(*r.job);
  EXPECT_EQ(done.state, Outcome::delivered) << done.message;
  EXPECT_EQ(app_.puts.size(), 1u);
}

// The daemon was killed while a sender had the job: it is left `sending` in the store.
std::int64_t leave_sending(StateStore& store, Pipeline& pipeline) {
  PushRequest r;
  r.entity = Entity::vendor;
  r.key = "V-1";
  auto queued = pipeline.push(r);
  EXPECT_TRUE(queued.job.has_value());
  EXPECT_TRUE(store.claim_job(*queued.job, Outcome::queued));
  EXPECT_EQ(store.job(*queued.job)->state, Outcome::sending);
  return queued.job.value_or(0);
}

TEST_F(PipelineTest, JobLeftSendingByACrashIsLookedUpBeforeAnyResend) {
  const std::int64_t id = leave_sending(*store_, *pipeline_);
  EXPECT_EQ(store_->mark_interrupted_jobs(), 1);
  EXPECT_EQ(job(id).state, Outcome::in_doubt);
  app_.fetch_answer = holds(1, "vnd_9");

  JobRecord done = settle(id);
  EXPECT_EQ(done.state, Outcome::delivered) << done.message;
  EXPECT_TRUE(app_.puts.empty());
  EXPECT_EQ(app_.gets, 1);
  EXPECT_EQ(store_->ledger(Entity::vendor, "V-1")->app_id, "vnd_9");
}

TEST_F(PipelineTest, JobLeftSendingThatNeverLandedIsSentAgainWithItsKey) {
  const std::int64_t id = leave_sending(*store_, *pipeline_);
  const std::string key = job(id).idempotency_key;
  store_->mark_interrupted_jobs();
  app_.fetch_answer = holds_nothing();

  JobRecord done = settle(id);
  EXPECT_EQ(done.state, Outcome::delivered) << done.message;
  EXPECT_GE(app_.gets, 1);
  ASSERT_EQ(app_.puts.size(), 1u);
  EXPECT_EQ(app_.puts[0].idempotency_key, key);
}

}  // namespace
}  // namespace kokola::testing
