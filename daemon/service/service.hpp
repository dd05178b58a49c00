// The running daemon around the pipeline: answers control requests, runs each entity's
// schedule, and keeps the sending off the event loop. The event loop (one thread, the
// io_context) owns the control socket, the timers and the signals; one sender thread runs
// every push and every run, one at a time, so at most one push per record is in flight;
// two reader threads answer `list` and `show`, so that neither waits behind a push.
// `status` is answered on the event loop itself from ServiceStatus. Every request is
// checked against the caller's role first (roles.hpp); admin requests and refusals are
// written to the audit trail (audited_reply.hpp).
//
// Threads: construct, start() and stop() on the event-loop thread.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "control/server.hpp"
#include "pipeline/pipeline.hpp"
#include "service/audited_reply.hpp"
#include "service/roles.hpp"
#include "service/status.hpp"

namespace kokola {

class Service {
 public:
  Service(boost::asio::io_context& io, const Config& config, ErpSource& source, StateStore& store,
          Pipeline& pipeline);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Binds the control socket (throws on failure: start-up only) and arms the schedules.
  void start();
  // Stops taking work, lets the push or run in progress finish, and closes the socket.
  void stop();
  // Runs `work` on the sender thread, after the push or run in progress.
  void on_sender(std::function<void()> work);

 private:
  using ReplyPtr = std::shared_ptr<control::Reply>;

  using AuditPtr = std::shared_ptr<AuditedReply>;

  void handle(const control::Peer& peer, const Request& request, ReplyPtr reply);
  void dispatch(const Caller& caller, const Request& request, ReplyPtr reply);
  // Answers permission_denied and writes the refusal to the audit trail.
  void refuse(const Caller& caller, const Request& request, ReplyPtr reply);
  AuditPtr audited(const Caller& caller, const Request& request, ReplyPtr reply);
  void do_status(ReplyPtr reply);
  void do_list(const nlohmann::json& args, ReplyPtr reply);
  void do_show(const nlohmann::json& args, ReplyPtr reply);
  void do_audit(const nlohmann::json& args, ReplyPtr reply);
  void do_push(const Caller& caller, const nlohmann::json& args, AuditPtr reply);
  void do_sync(const nlohmann::json& args, AuditPtr reply);

  void arm_schedule(Entity e);
  void on_schedule(Entity e);
  // Runs on the sender thread.
  RunSummary run_entity(Entity e, const RunProgress& progress);

  boost::asio::io_context& io_;
  const Config& config_;
  ErpSource& source_;
  StateStore& store_;
  Pipeline& pipeline_;
  RolePolicy roles_;
  ServiceStatus status_;
  std::unique_ptr<control::ControlServer> server_;
  std::map<Entity, std::unique_ptr<boost::asio::steady_timer>> timers_;
  boost::asio::thread_pool sender_{1};
  boost::asio::thread_pool readers_{2};
  std::atomic<bool> stopping_{false};
  std::string started_at_;
};

}  // namespace kokola
