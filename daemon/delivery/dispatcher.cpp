// Taking jobs from the outbox and handing them to the senders: ordering, one job per record,
// dependencies, holding while the app cannot take requests, watchers, start and stop.
#include "delivery/dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "delivery/clock.hpp"
#include "domain/words.hpp"

namespace kokola {
namespace {

constexpr int kBatch = 256;
// Jobs claimed in one transaction, then handed to the senders one by one: a claim is a
// commit, and one per job made every sender wait for the others' commits.
constexpr size_t kClaimAtOnce = 8;
// The longest a sender sleeps before it looks at the store again on its own.
constexpr auto kIdlePoll = std::chrono::seconds(1);

}  // namespace

Dispatcher::Dispatcher(StateStore& store, const DeliveryConfig& config,
                       TransportFactory make_transport)
    : store_(store),
      config_(config),
      make_transport_(std::move(make_transport)),
      rate_(config.max_requests_per_second) {}

Dispatcher::~Dispatcher() { stop(config_.shutdown_grace); }

void Dispatcher::start() {
  std::lock_guard lock(mutex_);
  if (started_) return;
  started_ = true;
  for (int i = 0; i < config_.senders; ++i) threads_.emplace_back([this] { sender_loop(); });
}

bool Dispatcher::stop(std::chrono::milliseconds grace) {
  std::unique_lock lock(mutex_);
  if (stopping_ && threads_.empty()) return in_flight_.empty();
  stopping_ = true;
  cv_.notify_all();
  bool drained = idle_cv_.wait_for(lock, grace, [this] { return in_flight_.empty(); });
  unclaim_locked();
  auto threads = std::move(threads_);
  threads_.clear();
  lock.unlock();
  for (auto& t : threads) {
    // A sender still waiting for an answer cannot be interrupted: leave it; its job stays
    // `sending` and is looked up at the next start.
    if (drained) {
      t.join();
    } else {
      t.detach();
    }
  }
  return drained;
}

void Dispatcher::wake(bool urgent) {
  std::lock_guard lock(mutex_);
  if (urgent) unclaim_locked();  // the manual job goes before the ones claimed already
  if (urgent) refill_ = true;
  if (batch_.empty()) refill_ = true;
  cv_.notify_all();
}

void Dispatcher::watch(std::int64_t job_id, JobWatcher watcher) {
  std::lock_guard lock(mutex_);
  watchers_[job_id].push_back(std::move(watcher));
}

void Dispatcher::forget_watchers() {
  std::map<std::int64_t, std::vector<JobWatcher>> dropped;
  {
    std::lock_guard lock(mutex_);
    dropped.swap(watchers_);
  }
}

void Dispatcher::superseded(std::int64_t job_id, std::int64_t by) {
  JobUpdate u;
  u.id = job_id;
  u.state = Outcome::superseded;
  u.final = true;
  u.message = "superseded by job " + std::to_string(by) + " (a newer version)";
  publish(u);
}

void Dispatcher::publish(const JobUpdate& update) {
  std::vector<JobWatcher> watchers;
  {
    std::lock_guard lock(mutex_);
    auto it = watchers_.find(update.id);
    if (it == watchers_.end()) return;
    watchers = std::move(it->second);
    watchers_.erase(it);
  }
  std::vector<JobWatcher> keep;
  for (auto& w : watchers) {
    if (w(update) && !update.final) keep.push_back(std::move(w));
  }
  if (keep.empty()) return;
  std::lock_guard lock(mutex_);
  auto& list = watchers_[update.id];
  for (auto& w : keep) list.push_back(std::move(w));
}

DeliveryState Dispatcher::state() const {
  std::lock_guard lock(view_mutex_);
  DeliveryState s;
  s.senders = config_.senders;
  s.in_flight = static_cast<int>(in_flight_.size());
  s.records.assign(in_flight_.begin(), in_flight_.end());
  s.retries = retries_;
  if (auto until = hold_until_ms(); until > 0) {
    auto at = std::chrono::system_clock::time_point(std::chrono::milliseconds(until));
    (held_by_app_ ? s.rate_limited_until : s.backoff_until) = at;
    s.hold_reason = hold_reason_;
  }
  return s;
}

std::string Dispatcher::hold_reason() const {
  std::lock_guard lock(view_mutex_);
  return hold_until_ms() > 0 ? hold_reason_ : std::string();
}

std::int64_t Dispatcher::held_until_ms() const {
  std::lock_guard lock(view_mutex_);
  return hold_until_ms();
}

std::int64_t Dispatcher::hold_until_ms() const {
  auto now = Clock::now();
  if (held_until_ <= now) return 0;
  return unix_ms_now() +
         std::chrono::duration_cast<std::chrono::milliseconds>(held_until_ - now).count();
}

void Dispatcher::reconfigure(const DeliveryConfig& config, TransportFactory make_transport) {
  std::lock_guard lock(mutex_);
  const int more = config.senders - config_.senders;
  {
    std::lock_guard view(view_mutex_);
    config_ = config;
    // A new configuration (a new token, a fixed certificate) deserves a try at once: forget
    // the backoff (not a Retry-After, which is the app's, but cut to a lower
    // max_retry_after) and make waiting jobs due.
    if (!held_by_app_) held_until_ = {};
    const auto most = Clock::now() + config.max_retry_after;
    if (held_by_app_ && held_until_ > most) {
      held_until_ = most;
      hold_reason_ = "the app is rate-limited until " + rfc3339_of_ms(hold_until_ms()) +
                     " (its Retry-After cut to delivery.max_retry_after by a reload)";
    }
  }
  make_transport_ = std::move(make_transport);
  ++generation_;
  rate_.set_rate(config.max_requests_per_second);
  app_failures_ = 0;
  store_.retry_waiting_now();
  // Fewer senders take effect at the next start; more start now.
  if (started_ && !stopping_) {
    for (int i = 0; i < more; ++i) threads_.emplace_back([this] { sender_loop(); });
  }
  refill_ = true;
  cv_.notify_all();
}

void Dispatcher::sender_loop() {
  std::unique_ptr<KokolaTransport> transport;
  std::uint64_t built_for = 0;
  while (auto job = next_job(true)) {
    try {
      {
        std::lock_guard lock(mutex_);
        if (!transport || built_for != generation_) {
          transport = make_transport_();
          built_for = generation_;
        }
      }
      send(*job, *transport);
    } catch (const std::exception& e) {
      // The store failed (disk full, I/O error): the job stays `sending` and is looked up
      // after the next start; this sender goes on with others.
      spdlog::error("sending job {}: {}", job->id, e.what());
    }
    release(*job);
  }
}

int Dispatcher::drain(KokolaTransport& transport) {
  int handled = 0;
  while (auto job = next_job(false)) {
    send(*job, transport);
    release(*job);
    ++handled;
  }
  return handled;
}

std::optional<JobRecord> Dispatcher::next_job(bool blocking) {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (held_until_ > Clock::now()) {
      auto told = held_updates_locked();
      unclaim_locked();
      if (!told.empty()) {
        lock.unlock();
        for (const auto& u : told) publish(u);
        lock.lock();
        continue;
      }
      if (!blocking) return std::nullopt;
      cv_.wait_until(lock, held_until_);
      refill_ = true;
      continue;
    }
    if (auto job = pick_locked()) return job;
    if (!blocking) return std::nullopt;
    auto wait = Clock::now() + kIdlePoll;
    if (auto due = store_.next_due()) {
      auto in = std::chrono::milliseconds(std::max<std::int64_t>(0, *due - unix_ms_now()));
      if (Clock::now() + in < wait) wait = Clock::now() + in;
    }
    cv_.wait_until(lock, wait);
    refill_ = true;
  }
  return std::nullopt;
}

std::optional<JobRecord> Dispatcher::pick_locked() {
  for (int pass = 0; pass < 2 && claimed_.empty(); ++pass) {
    if (refill_ || batch_.empty()) {
      batch_.clear();
      for (auto& j : store_.due_jobs(unix_ms_now(), kBatch)) batch_.push_back(std::move(j));
      refill_ = false;
      pass = 1;  // a fresh batch is looked at once
    }
    claim_some_locked();
    if (claimed_.empty()) refill_ = true;
  }
  if (claimed_.empty()) return std::nullopt;

  JobRecord job = std::move(claimed_.front());
  claimed_.pop_front();
  std::lock_guard view(view_mutex_);
  in_flight_.insert({job.entity, job.key});
  return job;
}

// Claims up to kClaimAtOnce sendable jobs of the batch, of different records, in one
// transaction. A job superseded since the batch was read is dropped: the batch is read again.
void Dispatcher::claim_some_locked() {
  std::vector<JobRecord> chosen;
  for (auto it = batch_.begin(); it != batch_.end() && chosen.size() < kClaimAtOnce;) {
    const bool taken = std::any_of(chosen.begin(), chosen.end(), [&](const JobRecord& c) {
      return c.entity == it->entity && c.key == it->key;
    });
    if (taken || in_flight_.count({it->entity, it->key}) || waits_for_dependency(*it)) {
      ++it;
      continue;
    }
    chosen.push_back(std::move(*it));
    it = batch_.erase(it);
  }
  if (chosen.empty()) return;

  std::vector<std::pair<std::int64_t, Outcome>> ids;
  for (const auto& job : chosen) ids.emplace_back(job.id, job.state);
  const auto claimed = store_.claim_jobs(ids);
  for (size_t i = 0; i < chosen.size(); ++i) {
    if (!claimed[i]) {
      refill_ = true;
      continue;
    }
    ++chosen[i].tries;  // as the claim counted it in the store
    claimed_.push_back(std::move(chosen[i]));
  }
}

JobUpdate JobUpdate::of(const JobRecord& job, Outcome state, bool final) {
  JobUpdate u;
  u.id = job.id;
  u.entity = job.entity;
  u.key = job.key;
  u.state = state;
  u.final = final;
  u.revision = job.revision;
  return u;
}

// What the watchers of the jobs claimed but not handed out hear when sending is held: their
// jobs go back to wait (a push that does not wait answers "queued" now, not after the hold).
std::vector<JobUpdate> Dispatcher::held_updates_locked() const {
  std::vector<JobUpdate> told;
  for (const auto& job : claimed_) {
    if (!watchers_.count(job.id)) continue;
    JobUpdate u = JobUpdate::of(job, job.state, false);
    u.message = hold_reason_;
    told.push_back(std::move(u));
  }
  return told;
}

bool Dispatcher::sending_now(Entity entity, const std::string& key) const {
  std::lock_guard lock(view_mutex_);
  return in_flight_.count({entity, key}) > 0;
}

// Jobs claimed but not handed out go back to wait: sending is held, a manual job must go
// first, or the senders stop.
void Dispatcher::unclaim_locked() {
  if (claimed_.empty()) return;
  std::vector<std::pair<std::int64_t, Outcome>> ids;
  for (const auto& job : claimed_) ids.emplace_back(job.id, job.state);
  claimed_.clear();
  refill_ = true;
  try {
    store_.unclaim_jobs(ids);
  } catch (const std::exception& e) {
    // They stay `sending` in the store and are looked up after the next start.
    spdlog::error("putting {} back to wait: {}", count_of(ids.size(), "claimed job"), e.what());
  }
}

// A PO goes after the jobs of its vendor and items have ended; whether they delivered is
// checked when it is sent.
bool Dispatcher::waits_for_dependency(const JobRecord& job) {
  if (!job.depends_on.is_array()) return false;
  for (const auto& d : job.depends_on) {
    auto e = parse_entity(d.value("entity", ""));
    if (e && store_.has_active_job(*e, d.value("key", ""))) return true;
  }
  return false;
}

void Dispatcher::release(const JobRecord& job) {
  std::lock_guard lock(mutex_);
  std::lock_guard view(view_mutex_);
  in_flight_.erase({job.entity, job.key});
  if (in_flight_.empty()) idle_cv_.notify_all();
  cv_.notify_all();
}

void Dispatcher::app_answered() {
  std::lock_guard lock(mutex_);
  std::lock_guard view(view_mutex_);
  app_failures_ = 0;
  if (!held_by_app_) held_until_ = {};
}

void Dispatcher::hold_after_failure(const SendResult& result) {
  std::lock_guard lock(mutex_);
  std::lock_guard view(view_mutex_);
  auto now = Clock::now();
  if (result.retry_after) {
    auto wait = std::min<std::chrono::milliseconds>(*result.retry_after, config_.max_retry_after);
    if (now + wait > held_until_) {
      held_until_ = now + wait;
      held_by_app_ = true;
      hold_reason_ = "the app is rate-limited until " +
                     rfc3339_of_ms(unix_ms_now() + wait.count()) + " (HTTP " +
                     std::to_string(result.http_status) + ", Retry-After " +
                     std::to_string(result.retry_after->count()) + " s" +
                     (wait < *result.retry_after ? ", cut to delivery.max_retry_after" : "") + ")";
    }
    return;
  }
  ++app_failures_;
  auto wait = backoff_delay(app_failures_, config_, jitter_unit());
  if (now + wait > held_until_) {
    held_until_ = now + wait;
    held_by_app_ = false;
    // The request that failed last may be another record's: it is named as the app's, not
    // as this job's.
    hold_reason_ = "the app failed " + count_of(app_failures_, "request") +
                   " in a row; sending again at " + rfc3339_of_ms(unix_ms_now() + wait.count()) +
                   " (the last: " + result.message + ")";
  }
}

}  // namespace kokola
