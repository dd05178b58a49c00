// Transient failures and what the senders do about them: back off and count the tries,
// hold all sending while the app says Retry-After, give up past the retry horizon, and look
// up a request that got no answer before sending it again.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "delivery/dispatcher.hpp"
#include "delivery/outbox_fixture.hpp"
#include "kokola/exit_codes.hpp"

namespace kokola::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;

SendResult rate_limited(std::chrono::seconds retry_after) {
  SendResult r = transient_answer(429, "too many requests");
  r.retry_after = retry_after;
  return r;
}

TEST_F(OutboxTest, TransientAnswerPutsTheJobBackToWaitAndCountsTheTry) {
  use_delivery(long_backoff());
  app_.scripted.push_back(transient_answer(503, "service unavailable"));
  const std::int64_t id = enqueue(job_for(Entity::vendor, "V-1", "a"));
  const std::int64_t other = enqueue(job_for(Entity::vendor, "V-2", "a"));

  EXPECT_EQ(dispatcher_->drain(app_), 1);
  JobRecord waiting = job(id);
  EXPECT_EQ(waiting.state, Outcome::retry_wait);
  EXPECT_EQ(waiting.reason_code, reason::kAppTransient);
  EXPECT_EQ(waiting.message, "service unavailable");
  EXPECT_EQ(waiting.tries, 1);
  EXPECT_GT(waiting.next_attempt_at, unix_ms_now());
  ASSERT_EQ(waiting.attempts.size(), 1u);
  EXPECT_EQ(waiting.attempts[0].http_status, 503);
  EXPECT_EQ(waiting.attempts[0].error, "service unavailable");
  EXPECT_FALSE(waiting.body.empty()) << "kept for the next try";

  DeliveryState s = dispatcher_->state();
  EXPECT_TRUE(s.backoff_until.has_value());
  EXPECT_FALSE(s.rate_limited_until.has_value());
  // The app's failure, not the record's: another push hears it too.
  EXPECT_THAT(s.hold_reason, HasSubstr("the app failed 1 request in a row; sending again at "));
  EXPECT_THAT(s.hold_reason, HasSubstr("(the last: service unavailable)"));
  EXPECT_EQ(job(other).state, Outcome::queued) << "held: nothing else is sent meanwhile";
  EXPECT_EQ(job(other).tries, 0) << "claimed with the first, given back untried";
  EXPECT_EQ(store_->next_due(), 0) << "the other job is due at once, once the hold ends";
}

TEST_F(OutboxTest, WatchersOfJobsGivenBackByAHoldHearWhy) {
  use_delivery(long_backoff());
  app_.scripted.push_back(transient_answer(503, "service unavailable"));
  enqueue(job_for(Entity::vendor, "V-1", "a"));
  const std::int64_t other = enqueue(job_for(Entity::vendor, "V-2", "a"));
  std::vector<JobUpdate> heard;
  dispatcher_->watch(other, [&](const JobUpdate& u) {
    heard.push_back(u);
    return true;
  });

  EXPECT_EQ(dispatcher_->drain(app_), 1);
  ASSERT_EQ(heard.size(), 1u) << "claimed with the first job, then given back";
  EXPECT_FALSE(heard[0].final);
  EXPECT_EQ(heard[0].state, Outcome::queued);
  EXPECT_EQ(heard[0].key, "V-2");
  EXPECT_THAT(heard[0].message, HasSubstr("service unavailable"));
  EXPECT_EQ(heard[0].message, dispatcher_->hold_reason());
}

TEST_F(OutboxTest, TransientFailuresAreRetriedUntilDelivered) {
  app_.scripted.push_back(transient_answer(503, "service unavailable"));
  app_.scripted.push_back(transient_answer(502, "bad gateway"));
  const std::int64_t id = enqueue(job_for(Entity::vendor, "V-1", "a"));

  drain_all();
  JobRecord done = job(id);
  EXPECT_EQ(done.state, Outcome::delivered);
  EXPECT_EQ(done.tries, 3);
  ASSERT_EQ(done.attempts.size(), 3u);
  EXPECT_EQ(done.attempts[1].http_status, 502);
  EXPECT_TRUE(done.attempts[2].error.empty());
  EXPECT_EQ(dispatcher_->state().retries, 2);
  ASSERT_EQ(app_.puts.size(), 3u);
  EXPECT_EQ(app_.puts[0].idempotency_key, app_.puts[2].idempotency_key);
  EXPECT_EQ(app_.puts[0].body, app_.puts[2].body);
}

TEST_F(OutboxTest, RetryAfterHoldsEveryJobUntilThen) {
  app_.scripted.push_back(rate_limited(std::chrono::seconds(120)));
  const std::int64_t id = enqueue(job_for(Entity::vendor, "V-1", "a"));
  const std::int64_t other = enqueue(job_for(Entity::item, "I-1", "a"));

  EXPECT_EQ(dispatcher_->drain(app_), 1);
  EXPECT_EQ(dispatcher_->drain(app_), 0);
  EXPECT_EQ(app_.puts.size(), 1u);
  DeliveryState s = dispatcher_->state();
  ASSERT_TRUE(s.rate_limited_until.has_value());
  EXPECT_GT(*s.rate_limited_until, std::chrono::system_clock::now() + std::chrono::seconds(60));
  EXPECT_FALSE(s.hold_reason.empty());
  EXPECT_EQ(dispatcher_->hold_reason(), s.hold_reason);
  EXPECT_THAT(s.hold_reason, HasSubstr("the app is rate-limited until "));
  EXPECT_THAT(s.hold_reason, HasSubstr("(HTTP 429, Retry-After 120 s)"));

  JobRecord waiting = job(id);
  EXPECT_EQ(waiting.state, Outcome::retry_wait);
  EXPECT_GT(waiting.next_attempt_at, unix_ms_now() + 60'000) << "not before the app allows";
  EXPECT_EQ(job(other).state, Outcome::queued);
}

TEST_F(OutboxTest, RetryAfterIsClampedToTheConfiguredMost) {
  DeliveryConfig clamp = tiny_backoff();
  clamp.max_retry_after = std::chrono::seconds(30);
  use_delivery(clamp);
  app_.scripted.push_back(rate_limited(std::chrono::hours(48)));
  enqueue(job_for(Entity::vendor, "V-1", "a"));
  const auto before = std::chrono::system_clock::now();

  dispatcher_->drain(app_);
  DeliveryState s = dispatcher_->state();
  ASSERT_TRUE(s.rate_limited_until.has_value());
  EXPECT_LT(*s.rate_limited_until, before + std::chrono::hours(1));
  EXPECT_THAT(store_->job(1)->message, HasSubstr("waiting 30 s (delivery.max_retry_after)"))
      << "the job says how long it really waits";
}

// A reload that lowers delivery.max_retry_after cuts a hold already in force: otherwise a
// Retry-After of a day held urgent pushes until a restart.
TEST_F(OutboxTest, ReloadCutsARetryAfterHoldToTheNewMost) {
  use_delivery(long_backoff());
  app_.scripted.push_back(rate_limited(std::chrono::hours(1)));
  enqueue(job_for(Entity::vendor, "V-1", "a"));
  dispatcher_->drain(app_);
  ASSERT_TRUE(dispatcher_->state().rate_limited_until.has_value());

  DeliveryConfig shorter = long_backoff();
  shorter.max_retry_after = std::chrono::seconds(2);
  dispatcher_->reconfigure(shorter, [] { return std::make_unique<FakeApp>(); });
  DeliveryState s = dispatcher_->state();
  ASSERT_TRUE(s.rate_limited_until.has_value());
  EXPECT_LE(*s.rate_limited_until, std::chrono::system_clock::now() + std::chrono::seconds(3));
  EXPECT_THAT(s.hold_reason, HasSubstr("cut to delivery.max_retry_after"));
}

TEST_F(OutboxTest, PastTheRetryHorizonTheJobFails) {
  DeliveryConfig no_horizon = tiny_backoff();
  no_horizon.retry_horizon = std::chrono::milliseconds(0);
  use_delivery(no_horizon);
  app_.scripted.push_back(transient_answer(503, "service unavailable"));
  const std::int64_t id = enqueue(job_for(Entity::vendor, "V-1", "a"));

  dispatcher_->drain(app_);
  JobRecord failed = job(id);
  EXPECT_EQ(failed.state, Outcome::failed);
  EXPECT_EQ(failed.reason_code, reason::kAppTransient);
  EXPECT_THAT(failed.message, HasSubstr("service unavailable"));
  EXPECT_THAT(failed.message, ContainsRegex("gave up after 1 tr")) << "one PUT was made";
  EXPECT_TRUE(failed.body.empty());
  EXPECT_FALSE(store_->ledger(Entity::vendor, "V-1").has_value());
  EXPECT_EQ(store_->records_ended(Outcome::failed), 1);
}

TEST_F(OutboxTest, InDoubtAnswerIsLookedUpAtOnce) {
  app_.scripted.push_back(no_answer());
  app_.fetch_answer.found = true;
  app_.fetch_answer.revision = 1;
  app_.fetch_answer.app_id = "vnd_1";
  app_.fetch_answer.status.status = SendStatus::delivered;
  app_.fetch_answer.status.http_status = 200;
  const std::int64_t id = enqueue(job_for(Entity::vendor, "V-1", "a"));

  dispatcher_->drain(app_);
  JobRecord done = job(id);
  EXPECT_EQ(done.state, Outcome::delivered);
  EXPECT_EQ(done.app_id, "vnd_1");
  EXPECT_EQ(app_.gets, 1);
  EXPECT_EQ(app_.puts.size(), 1u);
}

TEST_F(OutboxTest, InDoubtAnswerDoesNotHoldSendingWhileItIsLookedUp) {
  // A push that does not wait answers "queued" when sending is held: a hold set before the
  // look-up would make it say so while the look-up is about to deliver the job.
  use_delivery(long_backoff());
  app_.scripted.push_back(no_answer("connection closed without an answer"));
  app_.fetch_answer.status.status = SendStatus::delivered;
  app_.fetch_answer.status.http_status = 404;
  std::string held_during_get = "(no GET)";
  app_.on_get = [&] { held_during_get = dispatcher_->hold_reason(); };
  const std::int64_t id = enqueue(job_for(Entity::vendor, "V-1", "a"));

  dispatcher_->drain(app_);
  EXPECT_EQ(held_during_get, "");
  EXPECT_EQ(dispatcher_->hold_reason(), "") << "the app answered the look-up: it is up";
  JobRecord waiting = job(id);
  EXPECT_EQ(waiting.state, Outcome::retry_wait) << "sent again after its own backoff";
  EXPECT_THAT(waiting.message, HasSubstr("the app does not hold it"));
  ASSERT_EQ(waiting.attempts.size(), 2u);
  EXPECT_EQ(waiting.attempts[1].http_status, 404);
  EXPECT_THAT(waiting.attempts[1].error, HasSubstr("look-up (GET)")) << "not taken for a PUT";
}

TEST_F(OutboxTest, InDoubtJobThatCannotBeLookedUpEndsFailedAsUnknown) {
  DeliveryConfig no_horizon = tiny_backoff();
  no_horizon.retry_horizon = std::chrono::milliseconds(0);
  use_delivery(no_horizon);
  const std::int64_t id = enqueue(job_for(Entity::vendor, "V-1", "a"));
  ASSERT_TRUE(store_->claim_job(id, Outcome::queued));
  ASSERT_EQ(store_->mark_interrupted_jobs(), 1);
  app_.fetch_answer.found = false;
  app_.fetch_answer.status.status = SendStatus::transient;
  app_.fetch_answer.status.http_status = 500;
  app_.fetch_answer.status.message = "GET /v1/vendors/V-1: 500 internal";

  dispatcher_->drain(app_);
  JobRecord gave_up = job(id);
  EXPECT_EQ(gave_up.state, Outcome::failed);
  EXPECT_EQ(gave_up.reason_code, reason::kNoAnswer);
  EXPECT_THAT(gave_up.message, HasSubstr("whether the app holds it is unknown"));
  EXPECT_EQ(exit_code_for(gave_up.state, gave_up.reason_code), kExitInDoubt)
      << "not 'the app is unavailable': the request may have arrived";
  EXPECT_TRUE(app_.puts.empty()) << "never sent again without a look-up";
}

TEST_F(OutboxTest, InDoubtJobWhoseRecordTheAppHoldsNewerIsSuperseded) {
  const std::int64_t id = enqueue(job_for(Entity::vendor, "V-1", "a"));
  ASSERT_TRUE(store_->claim_job(id, Outcome::queued));
  ASSERT_EQ(store_->mark_interrupted_jobs(), 1);
  app_.fetch_answer.found = true;
  app_.fetch_answer.revision = 5;
  app_.fetch_answer.status.status = SendStatus::delivered;
  app_.fetch_answer.status.http_status = 200;

  dispatcher_->drain(app_);
  EXPECT_EQ(job(id).state, Outcome::superseded);
  EXPECT_TRUE(app_.puts.empty()) << "an older revision is never sent over a newer one";
  EXPECT_FALSE(store_->ledger(Entity::vendor, "V-1").has_value());
}

}  // namespace
}  // namespace kokola::testing
