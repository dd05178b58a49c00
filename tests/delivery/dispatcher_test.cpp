// The senders: which job goes next (manual first, one per record, a PO after its vendor),
// newer versions replacing queued ones, watchers, and real sender threads.
#include "delivery/dispatcher.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "delivery/outbox_fixture.hpp"
#include "support/log_capture.hpp"

namespace kokola::testing {
namespace {

using ::testing::HasSubstr;

// Runs `on_put` before answering the first PUT (from inside drain(), as a push arriving
// while the senders are busy would).
class HookedApp : public FakeApp {
 public:
  std::function<void()> on_put;
  SendResult put(const PutRequest& req) override {
    if (on_put) std::exchange(on_put, nullptr)();
    return FakeApp::put(req);
  }
};

TEST_F(OutboxTest, ManualJobsGoBeforeScheduledOnes) {
  enqueue(job_for(Entity::item, "I-1", "a"));
  enqueue(job_for(Entity::item, "I-2", "a"));
  enqueue(job_for(Entity::item, "I-3", "a", /*manual=*/true));

  EXPECT_EQ(dispatcher_->drain(app_), 3);
  ASSERT_EQ(app_.puts.size(), 3u);
  EXPECT_EQ(app_.puts[0].key, "I-3");
  EXPECT_EQ(app_.puts[1].key, "I-1");
  EXPECT_EQ(app_.puts[2].key, "I-2");
}

TEST_F(OutboxTest, ManualJobQueuedDuringABatchGoesNext) {
  for (const char* key : {"I-1", "I-2", "I-3"}) enqueue(job_for(Entity::item, key, "a"));
  HookedApp app;
  app.on_put = [this] {
    enqueue(job_for(Entity::vendor, "V-9", "a", /*manual=*/true));
    dispatcher_->wake(/*urgent=*/true);
  };

  EXPECT_EQ(dispatcher_->drain(app), 4);
  ASSERT_EQ(app.puts.size(), 4u);
  EXPECT_EQ(app.puts[0].key, "I-1");
  EXPECT_EQ(app.puts[1].key, "V-9");
}

TEST_F(OutboxTest, NewerVersionQueuedWhileTheOlderWasClaimedSupersedesIt) {
  enqueue(job_for(Entity::item, "I-1", "a"));
  const std::int64_t older = enqueue(job_for(Entity::item, "I-2", "old"));
  HookedApp app;
  std::int64_t newer = 0;
  app.on_put = [&] {  // I-2's job is claimed with I-1's, not yet sent
    Enqueued e = store_->enqueue_job(job_for(Entity::item, "I-2", "new", /*manual=*/true));
    EXPECT_EQ(e.superseded, 0) << "a claimed job is sending";
    newer = e.id;
    dispatcher_->wake(/*urgent=*/true);
  };

  dispatcher_->drain(app);

  EXPECT_EQ(job(older).state, Outcome::superseded);
  EXPECT_THAT(job(older).message, HasSubstr("superseded by job " + std::to_string(newer)));
  EXPECT_EQ(job(newer).state, Outcome::delivered);
  ASSERT_EQ(app.puts.size(), 2u);
  EXPECT_EQ(app.puts[1].key, "I-2");
  EXPECT_NE(app.puts[1].body.find("\"new\""), std::string::npos);
}

TEST_F(OutboxTest, AManualJobsDeliveryIsLoggedAtInfoARunsIsNot) {
  const std::int64_t manual = enqueue(job_for(Entity::vendor, "V-1", "a", /*manual=*/true));
  const std::int64_t scheduled = enqueue(job_for(Entity::vendor, "V-2", "a"));
  LogCapture log;
  dispatcher_->drain(app_);

  EXPECT_EQ(job(scheduled).state, Outcome::delivered);
  EXPECT_THAT(log.text(), HasSubstr("info job " + std::to_string(manual) +
                                    " (vendor 'V-1'): delivered at revision 1"));
  EXPECT_THAT(log.text(), ::testing::Not(HasSubstr("V-2")));
}

TEST_F(OutboxTest, EachRequestCarriesTheJobsKeyRevisionAndId) {
  const std::int64_t id = enqueue(job_for(Entity::vendor, "V-1", "a"));
  dispatcher_->drain(app_);

  ASSERT_EQ(app_.puts.size(), 1u);
  EXPECT_EQ(app_.puts[0].idempotency_key, "idem-V-1-a");
  EXPECT_EQ(app_.puts[0].request_id, "job-" + std::to_string(id));
  auto body = nlohmann::json::parse(app_.puts[0].body);
  EXPECT_EQ(body["revision"], 1);
  EXPECT_EQ(body["content"], "a");
  EXPECT_EQ(job(id).state, Outcome::delivered);
  EXPECT_EQ(store_->ledger(Entity::vendor, "V-1")->row_hash, "row-a");
}

TEST_F(OutboxTest, NewerVersionSupersedesAQueuedOlderOne) {
  const std::int64_t older = enqueue(job_for(Entity::vendor, "V-1", "old"));
  std::vector<JobUpdate> heard;
  dispatcher_->watch(older, [&heard](const JobUpdate& u) {
    heard.push_back(u);
    return true;
  });
  Enqueued newer = store_->enqueue_job(job_for(Entity::vendor, "V-1", "new"));
  ASSERT_EQ(newer.superseded, older);
  dispatcher_->superseded(newer.superseded, newer.id);
  dispatcher_->drain(app_);

  EXPECT_EQ(job(older).state, Outcome::superseded);
  ASSERT_EQ(heard.size(), 1u);
  EXPECT_EQ(heard[0].state, Outcome::superseded);
  EXPECT_TRUE(heard[0].final);
  EXPECT_THAT(heard[0].message, HasSubstr(std::to_string(newer.id)));
  ASSERT_EQ(app_.puts.size(), 1u);
  EXPECT_NE(app_.puts[0].body.find("\"new\""), std::string::npos);
  EXPECT_EQ(store_->ledger(Entity::vendor, "V-1")->revision, 2);
}

TEST_F(OutboxTest, OneJobPerRecordIsInFlight) {
  DeliveryConfig four = tiny_backoff();
  four.senders = 4;
  use_delivery(four);
  const std::int64_t first = enqueue(job_for(Entity::vendor, "V-1", "one"));
  dispatcher_->start();
  ASSERT_TRUE(gate_.wait_for_puts(1));

  // A newer version while the older is being sent waits; another record goes meanwhile.
  Enqueued second = store_->enqueue_job(job_for(Entity::vendor, "V-1", "two"));
  EXPECT_TRUE(second.created);
  EXPECT_EQ(second.superseded, 0);
  enqueue(job_for(Entity::vendor, "V-2", "one"));
  dispatcher_->wake(true);
  ASSERT_TRUE(gate_.wait_for_puts(2));
  EXPECT_EQ(gate_.puts()[1].key, "V-2");
  EXPECT_EQ(job(first).state, Outcome::sending);
  EXPECT_EQ(job(second.id).state, Outcome::queued);
  EXPECT_EQ(dispatcher_->state().in_flight, 2);

  gate_.open();
  ASSERT_TRUE(wait_for_state(second.id, Outcome::delivered));
  EXPECT_EQ(job(first).state, Outcome::delivered);
  EXPECT_EQ(gate_.most_at_once(Entity::vendor, "V-1"), 1);
  EXPECT_EQ(store_->ledger(Entity::vendor, "V-1")->revision, 2);
  EXPECT_TRUE(dispatcher_->stop(std::chrono::seconds(10)));
}

TEST_F(OutboxTest, SameContentQueuedWhileItIsBeingSentIsNotSentTwice) {
  const std::int64_t first = enqueue(job_for(Entity::vendor, "V-1", "one"));
  HookedApp app;
  std::int64_t second = 0;
  std::vector<JobUpdate> heard;
  app.on_put = [this, &second, &heard] {
    JobRecord again = job_for(Entity::vendor, "V-1", "one", /*manual=*/true);
    again.idempotency_key = "idem-second";
    Enqueued queued = store_->enqueue_job(again);
    EXPECT_TRUE(queued.created) << "the job being sent cannot take it over";
    second = queued.id;
    dispatcher_->watch(second, [&heard](const JobUpdate& u) {
      heard.push_back(u);
      return true;
    });
  };
  dispatcher_->drain(app);

  ASSERT_EQ(app.puts.size(), 1u) << "the same content went to the app twice";
  EXPECT_EQ(job(first).state, Outcome::delivered);
  EXPECT_EQ(job(second).state, Outcome::unchanged);
  EXPECT_THAT(job(second).message, HasSubstr("already delivered at revision 1"));
  ASSERT_FALSE(heard.empty());
  EXPECT_EQ(heard.back().state, Outcome::unchanged);
  EXPECT_EQ(heard.back().revision, 1);
  EXPECT_FALSE(heard.back().app_id.empty());
}

TEST_F(OutboxTest, ForcedSameContentQueuedWhileItIsBeingSentIsSent) {
  enqueue(job_for(Entity::vendor, "V-1", "one"));
  HookedApp app;
  app.on_put = [this] {
    JobRecord forced = job_for(Entity::vendor, "V-1", "one", /*manual=*/true);
    forced.idempotency_key = "idem-forced";
    forced.force = true;
    store_->enqueue_job(forced);
  };
  dispatcher_->drain(app);

  EXPECT_EQ(app.puts.size(), 2u);
  EXPECT_EQ(store_->ledger(Entity::vendor, "V-1")->revision, 2);
}

TEST_F(OutboxTest, StartedSendersDeliverWhatIsQueued) {
  gate_.open();
  dispatcher_->start();
  const std::int64_t id = enqueue(job_for(Entity::item, "I-1", "a", /*manual=*/true));
  dispatcher_->wake(true);

  ASSERT_TRUE(wait_for_state(id, Outcome::delivered));
  EXPECT_TRUE(dispatcher_->stop(std::chrono::seconds(10)));
  EXPECT_EQ(dispatcher_->state().in_flight, 0);
}

TEST_F(OutboxTest, PoWaitsWhileItsVendorsJobIsActive) {
  enqueue(job_for(Entity::vendor, "V-1", "a"));
  const std::int64_t po = enqueue(po_job_for("PO-1", "V-1", /*manual=*/true));

  dispatcher_->drain(app_);
  ASSERT_EQ(app_.puts.size(), 2u);
  EXPECT_EQ(app_.puts[0].entity, Entity::vendor) << "the manual PO waited for its vendor";
  EXPECT_EQ(app_.puts[1].entity, Entity::purchase_order);
  EXPECT_EQ(job(po).state, Outcome::delivered);
}

TEST_F(OutboxTest, PoWaitsWhileItsVendorWaitsForAnotherTry) {
  use_delivery(long_backoff());
  app_.scripted.push_back(transient_answer(503, "service unavailable"));
  enqueue(job_for(Entity::vendor, "V-1", "a"));
  const std::int64_t po = enqueue(po_job_for("PO-1", "V-1"));

  dispatcher_->drain(app_);
  EXPECT_EQ(app_.puts.size(), 1u);
  EXPECT_EQ(job(po).state, Outcome::queued);
}

TEST_F(OutboxTest, PoFailsWithTheReasonOfItsRejectedVendor) {
  SendResult refused;
  refused.status = SendStatus::rejected;
  refused.http_status = 422;
  refused.message = "tax_id: 14 digits";
  app_.scripted.push_back(refused);
  enqueue(job_for(Entity::vendor, "V-1", "a"));
  const std::int64_t po = enqueue(po_job_for("PO-1", "V-1"));
  std::vector<JobUpdate> heard;
  dispatcher_->watch(po, [&heard](const JobUpdate& u) {
    heard.push_back(u);
    return true;
  });

  dispatcher_->drain(app_);
  EXPECT_EQ(app_.puts.size(), 1u);
  JobRecord failed = job(po);
  EXPECT_EQ(failed.state, Outcome::failed);
  EXPECT_EQ(failed.reason_code, reason::kAppRejected);
  EXPECT_THAT(failed.message, HasSubstr("vendor 'V-1': rejected"));
  EXPECT_THAT(failed.message, HasSubstr("tax_id: 14 digits"));
  ASSERT_EQ(heard.size(), 1u);
  EXPECT_EQ(heard[0].state, Outcome::failed);
}

TEST_F(OutboxTest, PoFailsWhenItsVendorsJobFailed) {
  DeliveryConfig no_horizon = tiny_backoff();
  no_horizon.retry_horizon = std::chrono::milliseconds(0);
  use_delivery(no_horizon);
  app_.scripted.push_back(transient_answer(503, "service unavailable"));
  const std::int64_t vendor = enqueue(job_for(Entity::vendor, "V-1", "a"));
  const std::int64_t po = enqueue(po_job_for("PO-1", "V-1"));

  drain_all();
  EXPECT_EQ(job(vendor).state, Outcome::failed);
  JobRecord failed = job(po);
  EXPECT_EQ(failed.state, Outcome::failed);
  EXPECT_EQ(failed.reason_code, reason::kAppTransient);
  EXPECT_THAT(failed.message, HasSubstr("vendor 'V-1': failed"));
  EXPECT_EQ(app_.puts.size(), 1u);
}

TEST_F(OutboxTest, WatchersSeeRetryWaitThenDelivered) {
  app_.scripted.push_back(transient_answer(503, "service unavailable"));
  const std::int64_t id = enqueue(job_for(Entity::vendor, "V-1", "a"));
  std::vector<JobUpdate> heard;
  dispatcher_->watch(id, [&heard](const JobUpdate& u) {
    heard.push_back(u);
    return true;
  });

  drain_all();
  ASSERT_EQ(heard.size(), 2u);
  EXPECT_EQ(heard[0].state, Outcome::retry_wait);
  EXPECT_FALSE(heard[0].final);
  EXPECT_EQ(heard[0].http_status, 503);
  EXPECT_GT(heard[0].next_attempt_at, 0);
  EXPECT_EQ(heard[1].state, Outcome::delivered);
  EXPECT_TRUE(heard[1].final);
  EXPECT_EQ(heard[1].revision, 1);
}

TEST_F(OutboxTest, WatcherThatSaysEnoughHearsNoMore) {
  app_.scripted.push_back(transient_answer(503, "service unavailable"));
  const std::int64_t id = enqueue(job_for(Entity::vendor, "V-1", "a"));
  int calls = 0;
  dispatcher_->watch(id, [&calls](const JobUpdate&) {
    ++calls;
    return false;
  });

  drain_all();
  EXPECT_EQ(job(id).state, Outcome::delivered);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace kokola::testing
