// The running daemon around the pipeline: answers control requests, runs each entity's
// schedule, and keeps slow work off the event loop. The event loop (one thread, the
// io_context) owns the control socket, the timers and the signals. Manual pushes and retries
// are checked and queued on the intake threads, so they never wait behind a run; runs go one
// at a time on the runner thread (a run never overlaps another); `status`, `list`, `show`,
// `jobs` and `audit` are answered by the reader threads; the senders (delivery/dispatcher)
// deliver the jobs. Every request is checked against the caller's role first (roles.hpp);
// admin requests and refusals are written to the audit trail (audited_reply.hpp).
//
// Threads: construct, start(), stop() and reload() on the event-loop thread.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "control/server.hpp"
#include "delivery/dispatcher.hpp"
#include "service/audited_reply.hpp"
#include "service/roles.hpp"
#include "service/runtime.hpp"
#include "service/status.hpp"

namespace kokola {

namespace metrics {
class Registry;
}

class Service {
 public:
  // `metrics`, when given, is told of every run and every request to the app; it must
  // outlive the Service.
  Service(boost::asio::io_context& io, std::shared_ptr<Runtime> runtime, StateStore& store,
          Dispatcher& dispatcher, metrics::Registry* metrics = nullptr);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Binds the control socket (throws on failure: start-up only), starts the senders and arms
  // the schedules.
  void start();
  // Stops taking work: removes the socket (a request already in flight still gets its
  // result), cancels the schedules, asks a run in progress to stop after its current
  // record. The senders are stopped by their owner; then abandon_requests().
  void stop();
  // After the senders stopped: answers each request still without a result with
  // `shutting_down`, saying that its jobs are kept, and closes the connections.
  void abandon_requests();
  // Reads the configuration file again and applies it whole, or keeps the current one. Returns
  // "" when applied, else every reason it was not, joined by "; ".
  std::string reload();
  // Called around a reload (begin true, then false), for systemd's RELOADING=1 / READY=1.
  void on_reload(std::function<void(bool begin)> hook) { reload_hook_ = std::move(hook); }
  // One line summing up the service for systemd's STATUS= (any thread).
  std::string status_line() const;

 private:
  using ReplyPtr = std::shared_ptr<control::Reply>;
  using AuditPtr = std::shared_ptr<AuditedReply>;

  std::shared_ptr<Runtime> runtime() const;
  // Tells the senders about every job the runtime's pipeline queues.
  void attach(Runtime& runtime);

  void handle(const control::Peer& peer, const Request& request, ReplyPtr reply);
  void dispatch(const Caller& caller, const Request& request, ReplyPtr reply);
  // Answers permission_denied and writes the refusal to the audit trail.
  void refuse(const Caller& caller, const Request& request, ReplyPtr reply);
  AuditPtr audited(const Caller& caller, const Request& request, ReplyPtr reply);
  void do_status(ReplyPtr reply);
  void do_list(const nlohmann::json& args, ReplyPtr reply);
  void do_show(const nlohmann::json& args, ReplyPtr reply);
  void do_audit(const nlohmann::json& args, ReplyPtr reply);
  void do_jobs(const nlohmann::json& args, ReplyPtr reply);
  void do_job(const nlohmann::json& args, ReplyPtr reply);
  void do_push(const Caller& caller, const nlohmann::json& args, AuditPtr reply);
  void do_retry(const Caller& caller, const nlohmann::json& args, AuditPtr reply);
  void do_sync(const nlohmann::json& args, AuditPtr reply);
  void do_pause(const nlohmann::json& args, bool pause, AuditPtr reply);
  void do_reload(AuditPtr reply);

  // Queues each request (intake thread) and answers when the jobs are final, or at once
  // with `queued` when the app cannot take them now and `wait` is false.
  void push_and_answer(std::vector<PushRequest> requests, std::vector<std::int64_t> retry_of,
                       bool wait, AuditPtr reply);

  void arm_schedule(Entity e);
  void on_schedule(Entity e);
  bool paused(Entity e) const;
  // Queues a run of `e` on the runner thread, or joins the one already queued and not yet
  // begun. A request made while a run is going on queues the next one, which sees the
  // changes the first may have passed. `done` gets the summary (runner thread). True when
  // a new run was queued.
  bool queue_run(Entity e, std::function<void(const RunSummary&)> done,
                 const RunProgress& progress);
  bool run_active(Entity e) const;  // queued or going on
  // Runs on the runner thread: the pass, then waiting for its jobs, then the record.
  RunSummary run_entity(Entity e, const RunProgress& progress);
  void wait_for_run_jobs(RunSummary& summary, const RunProgress& progress);
  void prune();

  boost::asio::io_context& io_;
  StateStore& store_;
  Dispatcher& dispatcher_;
  metrics::Registry* metrics_;
  mutable std::mutex runtime_mutex_;
  std::shared_ptr<Runtime> runtime_;
  std::function<void(bool)> reload_hook_;
  mutable ServiceStatus status_;  // mutable: status_line() tells it how many jobs wait
  std::unique_ptr<control::ControlServer> server_;
  std::map<Entity, std::unique_ptr<boost::asio::steady_timer>> timers_;
  boost::asio::thread_pool intake_{2};
  boost::asio::thread_pool runner_{1};
  boost::asio::thread_pool readers_{2};
  std::atomic<bool> stopping_{false};
  std::string started_at_;

  mutable std::mutex state_mutex_;
  std::set<Entity> paused_;
  // Who waits for each queued run that has not begun; a run leaves this map as it begins.
  struct PendingRun {
    std::vector<std::function<void(const RunSummary&)>> done;
    std::vector<RunProgress> progress;
  };
  std::map<Entity, std::shared_ptr<PendingRun>> runs_pending_;
  std::set<Entity> runs_going_;
  std::map<Entity, std::chrono::steady_clock::time_point> last_full_compare_;
  nlohmann::json last_reload_ = nullptr;
  std::chrono::steady_clock::time_point last_prune_{};  // runner thread only
};

}  // namespace kokola
