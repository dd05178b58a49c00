// A real state store in a temporary directory with jobs queued straight into its outbox, a
// dispatcher over it, and an app behind a gate for tests that need real sender threads:
// every PUT waits at the gate until the test opens it, so that a test can look at what is
// in flight. Any thread may use the gate.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "delivery/clock.hpp"
#include "delivery/dispatcher.hpp"
#include "pipeline/fakes.hpp"
#include "support/temp_dir.hpp"

namespace kokola::testing {

// A version of a record ready to queue: `content` stands for its payload.
inline JobRecord job_for(Entity e, const std::string& key, const std::string& content,
                         bool manual = false) {
  JobRecord job;
  job.entity = e;
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

// A PO version that must go after its vendor.
inline JobRecord po_job_for(const std::string& number, const std::string& vendor,
                            bool manual = false) {
  JobRecord job = job_for(Entity::purchase_order, number, "po", manual);
  job.depends_on = nlohmann::json::array({{{"entity", "vendor"}, {"key", vendor}}});
  return job;
}

inline SendResult transient_answer(int http_status, const std::string& message) {
  SendResult r;
  r.status = SendStatus::transient;
  r.http_status = http_status;
  r.error_code = "http_" + std::to_string(http_status);
  r.message = message;
  return r;
}

inline DeliveryConfig tiny_backoff() {
  DeliveryConfig c;
  c.senders = 1;
  c.initial_backoff = std::chrono::milliseconds(1);
  c.max_backoff = std::chrono::milliseconds(4);
  c.shutdown_grace = std::chrono::seconds(10);
  return c;
}

inline DeliveryConfig long_backoff() {
  DeliveryConfig c = tiny_backoff();
  c.initial_backoff = std::chrono::minutes(10);
  c.max_backoff = std::chrono::minutes(20);
  return c;
}

// The app behind a gate, shared by every sender's connection.
class Gate {
 public:
  SendResult put(const PutRequest& req) {
    std::unique_lock lock(mutex_);
    const std::string record = std::string(entity_name(req.entity)) + "/" + req.key;
    const int now = ++in_flight_[record];
    if (now > most_at_once_[record]) most_at_once_[record] = now;
    puts_.push_back(req);
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
    --in_flight_[record];
    SendResult r;
    r.status = SendStatus::delivered;
    r.http_status = 201;
    r.app_id = "app-" + req.key;
    return r;
  }

  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    cv_.notify_all();
  }

  // Waits (generously) until `n` PUTs have arrived; false if they never did.
  bool wait_for_puts(size_t n) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, std::chrono::seconds(30), [&] { return puts_.size() >= n; });
  }

  std::vector<PutRequest> puts() {
    std::lock_guard lock(mutex_);
    return puts_;
  }

  // The most PUTs for one record that were ever in flight at the same time.
  int most_at_once(Entity e, const std::string& key) {
    std::lock_guard lock(mutex_);
    return most_at_once_[std::string(entity_name(e)) + "/" + key];
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool open_ = false;
  std::vector<PutRequest> puts_;
  std::map<std::string, int> in_flight_;
  std::map<std::string, int> most_at_once_;
};

// One sender's connection to the gated app.
class GateClient : public KokolaTransport {
 public:
  explicit GateClient(Gate& gate) : gate_(gate) {}
  SendResult put(const PutRequest& req) override { return gate_.put(req); }
  FetchResult get(Entity, const std::string&, const std::string&) override {
    FetchResult none;
    none.status.status = SendStatus::delivered;
    none.status.http_status = 404;
    return none;
  }

 private:
  Gate& gate_;
};

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<StateStore>(dir_.file("state.db"));
    use_delivery(tiny_backoff());
  }
  void TearDown() override {
    gate_.open();  // a sender still at the gate (a failed test) finishes before the end
    dispatcher_.reset();
    store_.reset();
  }

  void use_delivery(const DeliveryConfig& config) {
    dispatcher_.reset();
    dispatcher_ = std::make_unique<Dispatcher>(
        *store_, config, [this] { return std::make_unique<GateClient>(gate_); });
  }

  std::int64_t enqueue(const JobRecord& job) { return store_->enqueue_job(job).id; }

  JobRecord job(std::int64_t id) {
    auto found = store_->job(id);
    EXPECT_TRUE(found.has_value()) << "job " << id;
    return found.value_or(JobRecord{});
  }

  // Polls the store (generously) until the job is in `state`; false if it never got there.
  bool wait_for_state(std::int64_t id, Outcome state) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (job(id).state != state) {
      if (std::chrono::steady_clock::now() > give_up) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
  }

  // Drains (sending to `app_`) until nothing is waiting in the outbox any more.
  void drain_all() {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (store_->jobs(JobQuery{"active", "", "", 1}).size() > 0 &&
           std::chrono::steady_clock::now() < give_up) {
      if (dispatcher_->drain(app_) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  TempDir dir_;
  Gate gate_;
  FakeApp app_;
  std::unique_ptr<StateStore> store_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

}  // namespace kokola::testing
