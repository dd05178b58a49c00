// The senders: a bounded pool of threads that takes due jobs from the outbox (the state
// store), one job per record at a time, manual jobs first, and delivers each with its own
// keep-alive connection to the app. Transient failures put the job back to wait with
// exponential backoff and jitter; a Retry-After or an unreachable app holds all sending until
// then; an answer that never came is looked up (GET) before the job is sent again
// (docs/delivery.md). Whoever queued a job may watch it to learn each change of its state.
//
// Threads: construct, start(), stop() and reconfigure() from one thread (the event loop or
// main); wake(), watch(), state() from any thread. Watchers run on a sender thread and must
// not block.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "delivery/pacing.hpp"
#include "kokola/client.hpp"
#include "store/state_store.hpp"

namespace kokola {

// One change of a job's state, as its watchers see it.
struct JobUpdate {
  std::int64_t id = 0;
  Entity entity = Entity::vendor;
  std::string key;
  Outcome state = Outcome::queued;  // the outcome when final; else retry_wait or in_doubt
  bool final = false;
  std::string reason_code;
  std::string message;
  std::string app_id;
  std::int64_t revision = 0;
  int http_status = 0;
  std::int64_t next_attempt_at = 0;  // unix milliseconds, while waiting

  // The update for `job` now in `state`, with the job's id, record and revision.
  static JobUpdate of(const JobRecord& job, Outcome state, bool final);
};
// Returns true to go on watching; a final update ends the watch anyway.
using JobWatcher = std::function<bool(const JobUpdate&)>;

// What `status` shows of the senders.
struct DeliveryState {
  int senders = 0;
  int in_flight = 0;
  std::int64_t retries = 0;  // tries after a job's first, since start
  std::optional<std::chrono::system_clock::time_point> rate_limited_until;
  std::optional<std::chrono::system_clock::time_point> backoff_until;
  std::string hold_reason;                              // why sending is held; empty when it is not
  std::vector<std::pair<Entity, std::string>> records;  // in flight now
};

// Told after every request to the app (status, metrics).
using SendObserver = std::function<void(const SendResult& result)>;

class Dispatcher {
 public:
  using TransportFactory = std::function<std::unique_ptr<KokolaTransport>()>;

  Dispatcher(StateStore& store, const DeliveryConfig& config, TransportFactory make_transport);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  void set_observer(SendObserver observer) { observer_ = std::move(observer); }
  void start();
  // Stops taking jobs and waits up to `grace` for the requests in flight. True when none is
  // left; false when some are still in flight (their jobs stay `sending` in the store and
  // are looked up at the next start).
  bool stop(std::chrono::milliseconds grace);
  // A job was queued: `urgent` (a manual one) makes the senders look again at once.
  void wake(bool urgent);
  void watch(std::int64_t job_id, JobWatcher watcher);
  // After stop(): lets go of every watcher (and what it holds, such as a reply to a client)
  // while the event loop still runs; nothing would call them any more.
  void forget_watchers();
  // Tells the watchers of a job that a newer version replaced it.
  void superseded(std::int64_t job_id, std::int64_t by);
  DeliveryState state() const;
  // Why sending is held now ("the app is rate-limited until ..."); empty when it is not.
  std::string hold_reason() const;
  // Until when (Unix ms) all sending is held; 0 when it is not.
  std::int64_t held_until_ms() const;
  // True while a sender has a request for this record on its way (or is looking it up).
  bool sending_now(Entity entity, const std::string& key) const;
  // New settings and a new way to connect (a reloaded configuration); the senders pick them
  // up before their next job.
  void reconfigure(const DeliveryConfig& config, TransportFactory make_transport);
  // Sends every due job on the calling thread with `transport`, until none is due or
  // sending is held. For tests. Returns the number of jobs handled.
  int drain(KokolaTransport& transport);

 private:
  using Clock = std::chrono::steady_clock;

  void sender_loop();
  // Blocks until a job may be sent (claimed, its record marked in flight); nullopt when
  // stopping. `blocking` false: returns nullopt at once when nothing is due.
  std::optional<JobRecord> next_job(bool blocking);
  // Picks a sendable job from the batch, refilling it from the store when needed. Called
  // with mutex_ held.
  std::optional<JobRecord> pick_locked();
  void claim_some_locked();
  void unclaim_locked();
  std::vector<JobUpdate> held_updates_locked() const;
  bool waits_for_dependency(const JobRecord& job);
  void release(const JobRecord& job);
  // dispatcher_send.cpp
  void send(JobRecord job, KokolaTransport& app);
  // `attempt` is the PUT's: stored with the job's outcome when the answer ends the job.
  void settle_answer(const JobRecord& job, const SendResult& res, const Attempt& attempt,
                     KokolaTransport& app);
  // After an answer that does not end the job: hold sending, look it up, or wait again.
  void try_again_later(const JobRecord& job, const SendResult& res, KokolaTransport& app);
  bool resolve_in_doubt(const JobRecord& job, KokolaTransport& app);
  // True (and the job finished `unchanged`) when the ledger says another job delivered this
  // very content while this one waited.
  bool already_delivered(const JobRecord& job);
  // True when a newer version of the record was queued after this job was claimed (and
  // perhaps put back to wait): this one then ends superseded, unsent.
  bool superseded_meanwhile(const JobRecord& job);
  // Both store `attempt`, when given, in the transaction that ends the job.
  void finish_delivered(const JobRecord& job, const std::string& app_id, const std::string& message,
                        int http_status, const std::optional<Attempt>& attempt = std::nullopt);
  void finish(const JobRecord& job, Outcome outcome, std::string_view code,
              const std::string& message, int http_status,
              const std::optional<Attempt>& attempt = std::nullopt);
  void wait_again(const JobRecord& job, Outcome state, std::string_view code,
                  const std::string& message, int http_status);
  void publish(const JobUpdate& update);
  // Holds all sending after a transient failure of the app, or until Retry-After.
  void hold_after_failure(const SendResult& result);
  void app_answered();
  std::int64_t hold_until_ms() const;  // 0 when not held; mutex_ held

  StateStore& store_;
  DeliveryConfig config_;
  TransportFactory make_transport_;
  std::uint64_t generation_ = 0;  // of config_ and make_transport_
  SendObserver observer_;
  RateLimiter rate_;

  mutable std::mutex mutex_;
  // What status and a push ask about (in_flight_, the hold, retries_, config_.senders) is
  // written with mutex_ and then view_mutex_ held, and read with either: state(),
  // hold_reason() and sending_now() take view_mutex_ alone, so they never wait while a
  // sender holds mutex_ across a look at the store.
  mutable std::mutex view_mutex_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  bool started_ = false;
  bool stopping_ = false;
  bool refill_ = true;  // the batch may be missing due jobs: read the store again
  std::deque<JobRecord> batch_;
  std::deque<JobRecord> claimed_;  // `sending` in the store, not yet handed to a sender
  std::set<std::pair<Entity, std::string>> in_flight_;
  Clock::time_point held_until_{};
  bool held_by_app_ = false;  // Retry-After (true) or backoff after failures (false)
  std::string hold_reason_;
  int app_failures_ = 0;  // transient failures of the app in a row
  std::int64_t retries_ = 0;
  std::map<std::int64_t, std::vector<JobWatcher>> watchers_;
  std::vector<std::thread> threads_;
};

}  // namespace kokola
