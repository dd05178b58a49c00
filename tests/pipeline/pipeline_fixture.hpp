// A pipeline over a fake ERP, a real state store in a temporary directory, and a dispatcher
// whose drain() delivers the queued jobs to a fake app on the test's own thread: push()
// queues, deliver() sends, and the store says how each job ended. Rows of a small ERP
// (vendor V-1, item I-1, purchase order PO-1) that pass every rule.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "delivery/clock.hpp"
#include "delivery/dispatcher.hpp"
#include "pipeline/fakes.hpp"
#include "pipeline/pipeline.hpp"
#include "support/temp_dir.hpp"

namespace kokola::testing {

inline VendorRow vendor(const std::string& code, const char* active = "1") {
  VendorRow v;
  v.code = code;
  v.name = "PT SURYA INDAH PLASTIK";
  v.tax_id = "01.234.567.8-901.000";
  v.city = "Surabaya";
  v.active = active;
  v.updated_at = "2025-01-02 10:00:00";
  return v;
}

inline ItemRow item(const std::string& code) {
  ItemRow i;
  i.code = code;
  i.name = "Kantong plastik 40x60";
  i.uom = "PCS";
  i.active = "1";
  return i;
}

// One line: 2 x 1000, 11% tax: net 2000, tax 220, total 2220.
inline PoRow po(const std::string& number, const std::string& status = "APPROVED") {
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

// Retries come due almost at once, so a test can wait for a job's next try.
inline DeliveryConfig quick_retries() {
  DeliveryConfig c;
  c.senders = 1;
  c.initial_backoff = std::chrono::milliseconds(1);
  c.max_backoff = std::chrono::milliseconds(4);
  c.shutdown_grace = std::chrono::seconds(5);
  return c;
}

// Retries come due only long after the test has ended: a job put back to wait stays there.
inline DeliveryConfig slow_retries() {
  DeliveryConfig c = quick_retries();
  c.initial_backoff = std::chrono::minutes(10);
  c.max_backoff = std::chrono::minutes(20);
  return c;
}

inline bool is_final(Outcome o) {
  return o != Outcome::queued && o != Outcome::sending && o != Outcome::retry_wait &&
         o != Outcome::in_doubt;
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<StateStore>(dir_.file("state.db"));
    rules_.erp_time_zone = std::make_shared<TimeZone>("Asia/Jakarta");
    erp_.vendors["V-1"] = vendor("V-1");
    erp_.items["I-1"] = item("I-1");
    erp_.pos["PO-1"] = po("PO-1");
    pipeline_ = std::make_unique<Pipeline>(erp_, *store_, rules_);
    use_delivery(quick_retries());
  }
  void TearDown() override {
    dispatcher_.reset();
    pipeline_.reset();
    store_.reset();
  }

  // A dispatcher with these settings, told of every job queued (as the daemon wires it).
  void use_delivery(const DeliveryConfig& config) {
    dispatcher_.reset();
    dispatcher_ =
        std::make_unique<Dispatcher>(*store_, config, [] { return std::make_unique<FakeApp>(); });
    pipeline_->set_enqueue_observer([this](const Enqueued& queued, const PushRequest& request) {
      if (queued.superseded != 0) dispatcher_->superseded(queued.superseded, queued.id);
      dispatcher_->wake(request.origin == "manual");
    });
  }

  PushResult push(Entity e, const std::string& key, bool force = false) {
    PushRequest r;
    r.entity = e;
    r.key = key;
    r.force = force;
    r.requested_by = "uid 1000 (test)";
    return pipeline_->push(r);
  }

  // Sends what is due now, once.
  int drain() { return dispatcher_->drain(app_); }

  JobRecord job(std::int64_t id) {
    auto found = store_->job(id);
    EXPECT_TRUE(found.has_value()) << "job " << id;
    return found.value_or(JobRecord{});
  }

  // Drains until the job has ended (its retries come due within milliseconds under
  // quick_retries()); gives up after a generous time. Returns the job as stored.
  JobRecord settle(std::int64_t id) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!is_final(job(id).state) && std::chrono::steady_clock::now() < give_up) {
      if (drain() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return job(id);
  }

  // Waits until the job's next try is due (it must be waiting), then drains once.
  void drain_when_due(std::int64_t id) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (job(id).next_attempt_at > unix_ms_now() && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    while (drain() == 0 && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  // Pushes and delivers what it queued; the job of the push as stored (for a push that
  // queued nothing, its receipt).
  JobRecord push_and_deliver(Entity e, const std::string& key, bool force = false) {
    PushResult r = push(e, key, force);
    EXPECT_TRUE(r.job.has_value()) << r.message;
    if (!r.job) return JobRecord{};
    return settle(*r.job);
  }

  TempDir dir_;
  FakeErp erp_;
  FakeApp app_;
  RulesConfig rules_;
  std::unique_ptr<StateStore> store_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

}  // namespace kokola::testing
