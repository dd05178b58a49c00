#include "service/service.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/post.hpp>

#include "kokola/paths.hpp"

namespace kokola {

Service::Service(boost::asio::io_context& io, const Config& config, ErpSource& source,
                 StateStore& store, Pipeline& pipeline)
    : io_(io),
      config_(config),
      source_(source),
      store_(store),
      pipeline_(pipeline),
      roles_(config.control, ::geteuid()) {
  pipeline_.set_send_observer([this](const SendResult& r) { status_.app_answered(r); });
  if (auto n = store_.mark_interrupted_jobs(); n > 0) {
    spdlog::warn(
        "{} jobs were sending when kokola-syncd stopped: now in_doubt; each record "
        "is looked up at the app before it is sent again",
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
  sender_.join();
  readers_.join();
}

void Service::start() {
  control::ServerOptions options;
  options.socket_path = config_.control.socket_path;
  options.socket_group = config_.control.socket_group;
  options.idle_timeout = config_.control.idle_timeout;
  options.limits.max_clients = static_cast<std::size_t>(config_.control.max_clients);
  options.limits.max_clients_per_user =
      static_cast<std::size_t>(config_.control.max_clients_per_user);
  options.limits.admin_reserved = static_cast<std::size_t>(config_.control.admin_reserved);
  options.is_admin = [this](const control::Peer& p) {
    return roles_.identify(p).role == Role::admin;
  };
  server_ = std::make_unique<control::ControlServer>(
      io_, options, [this](const control::Peer& p, const Request& r, ReplyPtr reply) {
        handle(p, r, std::move(reply));
      });
  server_->start();
  started_at_ = utc_now_rfc3339();

  for (auto e : kAllEntities) {
    timers_[e] = std::make_unique<boost::asio::steady_timer>(io_);
    arm_schedule(e);
  }
}

void Service::on_sender(std::function<void()> work) { boost::asio::post(sender_, std::move(work)); }

void Service::stop() {
  if (stopping_.exchange(true)) return;
  for (auto& [e, timer] : timers_) timer->cancel();
  if (server_) server_->stop();
}

// A run is due one interval after the previous one finished (or after start-up), on the
// monotonic clock, so runs of one entity never overlap and clock jumps change nothing.
void Service::arm_schedule(Entity e) {
  const auto& sched = config_.schedule.at(e);
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
  boost::asio::post(sender_, [this, e] {
    if (!stopping_) run_entity(e, {});
    boost::asio::post(io_, [this, e] { arm_schedule(e); });
  });
}

RunSummary Service::run_entity(Entity e, const RunProgress& progress) {
  status_.run_started(e);
  RunSummary summary = pipeline_.run(e, progress);
  // Invalid and not-ready records are the ERP's business and show in the counts; the
  // service is degraded when records could not be delivered for reasons of its own or the
  // app's.
  bool failed = !summary.error.empty();
  for (auto o : {Outcome::failed, Outcome::rejected, Outcome::in_doubt}) {
    auto it = summary.counts.find(std::string(outcome_name(o)));
    failed = failed || (it != summary.counts.end() && it->second > 0);
  }
  status_.run_finished(e, summary.to_json(), failed);
  return summary;
}

}  // namespace kokola
