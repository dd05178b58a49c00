#include "service/service.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <thread>

#include "delivery/clock.hpp"
#include "metrics/registry.hpp"
#include "platform/memory.hpp"

namespace kokola {
namespace {

// How often a run that has queued jobs looks at how they are doing (an indexed count of the
// run's jobs by state: cheap, and the run ends within this much of its last job).
constexpr auto kRunPoll = std::chrono::milliseconds(20);
constexpr auto kRunProgressEvery = std::chrono::seconds(1);

bool had_failures(const RunSummary& summary) {
  if (!summary.error.empty()) return true;
  for (auto o : {Outcome::failed, Outcome::rejected, Outcome::in_doubt, Outcome::retry_wait}) {
    auto it = summary.counts.find(std::string(outcome_name(o)));
    if (it != summary.counts.end() && it->second > 0) return true;
  }
  return false;
}

std::string counts_text(const std::map<std::string, std::int64_t>& counts) {
  std::string s;
  for (const auto& [name, n] : counts) {
    if (!s.empty()) s += ", ";
    s += std::to_string(n) + " " + name;
  }
  return s.empty() ? "nothing" : s;
}

}  // namespace

Service::Service(boost::asio::io_context& io, std::shared_ptr<Runtime> runtime, StateStore& store,
                 Dispatcher& dispatcher, metrics::Registry* metrics)
    : io_(io),
      store_(store),
      dispatcher_(dispatcher),
      metrics_(metrics),
      runtime_(std::move(runtime)) {
  attach(*runtime_);
  dispatcher_.set_observer([this](const SendResult& r) {
    status_.app_answered(r);
    if (metrics_) metrics_->app_answered(r);
  });
  if (auto n = store_.mark_interrupted_jobs(); n > 0) {
    spdlog::warn(
        "{} jobs were sending when kokola-syncd stopped: now in_doubt; each is looked up at "
        "the app before it is sent again",
        n);
  }
  for (auto e : kAllEntities) {
    if (auto run = store_.last_run(e)) {
      status_.set_last_run(e, {{"entity", entity_name(e)},
                               {"started_at", run->started_at},
                               {"duration_ms", run->duration_ms},
                               {"counts", run->counts}});
    }
  }
}

Service::~Service() {
  stop();
  intake_.join();
  runner_.join();
  readers_.join();
}

void Service::attach(Runtime& runtime) {
  runtime.pipeline->set_enqueue_observer([this](const Enqueued& q, const PushRequest& request) {
    if (q.superseded > 0) dispatcher_.superseded(q.superseded, q.id);
    dispatcher_.wake(request.origin == "manual");
  });
}

std::shared_ptr<Runtime> Service::runtime() const {
  std::lock_guard lock(runtime_mutex_);
  return runtime_;
}

void Service::start() {
  auto rt = runtime();
  const auto& control = rt->config->control;
  control::ServerOptions options;
  options.socket_path = control.socket_path;
  options.socket_group = control.socket_group;
  options.idle_timeout = control.idle_timeout;
  options.limits.max_clients = static_cast<std::size_t>(control.max_clients);
  options.limits.max_clients_per_user = static_cast<std::size_t>(control.max_clients_per_user);
  options.limits.admin_reserved = static_cast<std::size_t>(control.admin_reserved);
  options.is_admin = [this](const control::Peer& p) {
    return runtime()->roles->identify(p).role == Role::admin;
  };
  server_ = std::make_unique<control::ControlServer>(
      io_, options, [this](const control::Peer& p, const Request& r, ReplyPtr reply) {
        handle(p, r, std::move(reply));
      });
  server_->start();
  started_at_ = utc_now_rfc3339();
  dispatcher_.start();

  for (auto e : kAllEntities) {
    timers_[e] = std::make_unique<boost::asio::steady_timer>(io_);
    arm_schedule(e);
  }
}

void Service::stop() {
  if (stopping_.exchange(true)) return;
  for (auto& [e, timer] : timers_) timer->cancel();
  if (server_) server_->drain();
  runtime()->pipeline->request_stop();
}

void Service::abandon_requests() {
  if (!server_) return;
  server_->abandon(
      "kokola-syncd stopped before this request ended; its jobs are kept in the state store "
      "and go on after the restart (see kokolactl jobs)");
}

std::string Service::status_line() const {
  std::int64_t waiting = 0;
  for (const auto& [e, q] : store_.queue_counts()) waiting += q.total();
  status_.set_jobs_waiting(waiting);
  std::string line = status_.summary_line();
  auto d = dispatcher_.state();
  if (!d.hold_reason.empty()) line += "; held: " + d.hold_reason;
  return line;
}

bool Service::paused(Entity e) const {
  std::lock_guard lock(state_mutex_);
  return paused_.count(e) > 0;
}

// A run is due one interval after the previous one finished (or after start-up), on the
// monotonic clock, so runs of one entity never overlap and clock jumps change nothing. A
// paused entity's timer keeps going; its runs are skipped.
void Service::arm_schedule(Entity e) {
  const auto& sched = runtime()->config->schedule.at(e);
  if (!sched.enabled || stopping_) {
    status_.set_next_run(e, std::nullopt);
    return;
  }
  auto& timer = *timers_.at(e);
  timer.expires_after(sched.interval);
  status_.set_next_run(e, timer.expiry());
  timer.async_wait([this, e](boost::system::error_code ec) {
    if (ec == boost::asio::error::operation_aborted) return;
    on_schedule(e);
  });
}

void Service::on_schedule(Entity e) {
  if (stopping_) return;
  status_.set_next_run(e, std::nullopt);
  if (paused(e)) {
    spdlog::info("run {}: skipped: the schedule is paused", entity_name(e));
    return arm_schedule(e);
  }
  // A run queued or going on (a manual sync) stands in for this one.
  if (run_active(e)) return arm_schedule(e);
  queue_run(
      e, [this, e](const RunSummary&) { boost::asio::post(io_, [this, e] { arm_schedule(e); }); },
      {});
}

bool Service::run_active(Entity e) const {
  std::lock_guard lock(state_mutex_);
  return runs_pending_.count(e) > 0 || runs_going_.count(e) > 0;
}

bool Service::queue_run(Entity e, std::function<void(const RunSummary&)> done,
                        const RunProgress& progress) {
  std::shared_ptr<PendingRun> pending;
  {
    std::lock_guard lock(state_mutex_);
    auto [it, fresh] = runs_pending_.try_emplace(e, std::make_shared<PendingRun>());
    it->second->done.push_back(std::move(done));
    if (progress) it->second->progress.push_back(progress);
    if (!fresh) return false;
    pending = it->second;
  }
  boost::asio::post(runner_, [this, e, pending] {
    {
      std::lock_guard lock(state_mutex_);
      runs_pending_.erase(e);
      runs_going_.insert(e);
    }
    // Nobody joins once the run has left runs_pending_.
    RunProgress progress;
    if (!pending->progress.empty()) {
      progress = [pending](Entity en, std::int64_t processed,
                           const std::map<std::string, std::int64_t>& counts) {
        for (const auto& p : pending->progress) p(en, processed, counts);
      };
    }
    RunSummary summary;
    summary.entity = e;
    if (stopping_) {
      summary.error = kShutdownStopsRun;
    } else {
      try {
        summary = run_entity(e, progress);
      } catch (const std::exception& ex) {
        summary.error = ex.what();
        spdlog::error("run {}: {}", entity_name(e), ex.what());
      }
      if (metrics_) metrics_->run_finished(summary, unix_ms_now());
    }
    {
      std::lock_guard lock(state_mutex_);
      runs_going_.erase(e);
    }
    for (const auto& done : pending->done) done(summary);
  });
  return true;
}

RunSummary Service::run_entity(Entity e, const RunProgress& progress) {
  auto rt = runtime();
  status_.run_started(e);
  const auto now = std::chrono::steady_clock::now();
  bool full = false;
  {
    std::lock_guard lock(state_mutex_);
    auto it = last_full_compare_.find(e);
    full = it == last_full_compare_.end() ||
           now - it->second >= rt->config->delivery.full_compare_every;
    if (full) last_full_compare_[e] = now;
  }
  std::string started = utc_now_rfc3339();
  const std::int64_t run_id = store_.start_run(e, started);
  RunSummary summary = rt->pipeline->run(e, run_id, full, progress);
  wait_for_run_jobs(summary, progress);

  RunRecord record;
  record.id = run_id;
  record.entity = e;
  record.started_at = summary.started_at;
  record.finished_at = utc_now_rfc3339();
  record.duration_ms = summary.duration_ms;
  record.counts = summary.counts;
  if (!summary.error.empty()) record.counts["error"] = summary.error;
  store_.record_run(record);
  spdlog::info("run {} ({}): {} ms: {}", entity_name(e), full ? "full comparison" : "quick",
               summary.duration_ms, counts_text(summary.counts));
  status_.run_finished(e, summary.to_json(), had_failures(summary));
  prune();
  release_free_memory();
  return summary;
}

// A run ends when the jobs it queued have ended, or are waiting for a later try (the app
// unreachable or rate-limited): its counts then say how each went. Counting the run's jobs
// visits every one of them, under the store's lock the senders need too: while waiting,
// only whether one still moves is looked at, and the counts for the progress lines are
// taken less often the longer they take.
void Service::wait_for_run_jobs(RunSummary& summary, const RunProgress& progress) {
  using std::chrono::steady_clock;
  const auto start = steady_clock::now() - std::chrono::milliseconds(summary.duration_ms);
  auto queued = summary.counts.find("queued");
  if (queued == summary.counts.end() || queued->second == 0) return;

  auto last_progress = steady_clock::now();
  steady_clock::duration progress_every = kRunProgressEvery;
  while (store_.run_has_moving_jobs(summary.run_id) && !stopping_ &&
         dispatcher_.hold_reason().empty()) {
    std::this_thread::sleep_for(kRunPoll);
    if (progress && steady_clock::now() - last_progress >= progress_every) {
      const auto counting = steady_clock::now();
      auto counts = summary.counts;
      for (const auto& [state, n] : store_.run_job_counts(summary.run_id)) counts[state] += n;
      counts["queued"] -= queued->second;
      last_progress = steady_clock::now();
      progress_every =
          std::max<steady_clock::duration>(kRunProgressEvery, 20 * (last_progress - counting));
      progress(summary.entity, -1, counts);
    }
  }
  // Cut short by a shutdown: the run did not end, whatever its counts say so far.
  if (stopping_ && summary.error.empty() && store_.run_has_moving_jobs(summary.run_id)) {
    summary.error = std::string(kShutdownStopsRun) +
                    "; its jobs not yet final are kept and go on after the restart";
  }
  summary.counts.erase("queued");
  for (const auto& [state, n] : store_.run_job_counts(summary.run_id)) {
    if (n > 0) summary.counts[state] += n;
  }
  summary.duration_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - start).count();
}

// At most once an hour, after a run.
void Service::prune() {
  const auto now = std::chrono::steady_clock::now();
  if (last_prune_ != std::chrono::steady_clock::time_point{} &&
      now - last_prune_ < std::chrono::hours(1)) {
    return;
  }
  last_prune_ = now;
  const auto& r = runtime()->config->retention;
  auto before = [](std::chrono::milliseconds age) {
    return rfc3339_of_ms(unix_ms_now() - age.count());
  };
  try {
    if (auto n = store_.prune(before(r.jobs), before(r.runs), before(r.audit)); n > 0) {
      spdlog::info("pruned {} receipts, runs and audit entries past their retention", n);
    }
  } catch (const std::exception& e) {
    spdlog::error("pruning the state store: {}", e.what());
  }
}

}  // namespace kokola
