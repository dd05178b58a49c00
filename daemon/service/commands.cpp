// The control commands (docs/control-protocol.md). Each handler runs on the event loop and
// only decides where the work goes: reads (`status`, `list`, `show`, `jobs`, `job`, `audit`)
// to a reader thread, pushes and retries to an intake thread, runs to the runner thread.
// Before any of that, the caller's role is checked (roles.hpp): a refusal is answered at once
// and audited, and an admin request is audited from the moment its work begins. No exception
// leaves a handler: a failure becomes an error result for that request alone.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/post.hpp>

#include "delivery/clock.hpp"
#include "domain/words.hpp"
#include "kokola/version.hpp"
#include "service/commands_util.hpp"
#include "service/service.hpp"

namespace kokola {

void Service::handle(const control::Peer& peer, const Request& request, ReplyPtr reply) {
  if (stopping_) {
    reply->error(error_code::kShuttingDown, "kokola-syncd is shutting down");
    return;
  }
  try {
    Caller caller = runtime()->roles->identify(peer);
    if (!role_allows(caller.role, required_role(request.cmd))) {
      return refuse(caller, request, reply);
    }
    dispatch(caller, request, reply);
  } catch (const std::exception& e) {
    reply->error(error_code::kBadRequest, e.what());
  }
}

void Service::dispatch(const Caller& caller, const Request& request, ReplyPtr reply) {
  const auto& cmd = request.cmd;
  if (cmd == command::kStatus) return do_status(reply);
  if (cmd == command::kList) return do_list(request.args, reply);
  if (cmd == command::kShow) return do_show(request.args, reply);
  if (cmd == command::kAudit) return do_audit(request.args, reply);
  if (cmd == command::kJobs) return do_jobs(request.args, reply);
  if (cmd == command::kJob) return do_job(request.args, reply);
  if (cmd == command::kPush) return do_push(caller, request.args, audited(caller, request, reply));
  if (cmd == command::kRetry) {
    return do_retry(caller, request.args, audited(caller, request, reply));
  }
  if (cmd == command::kSync) return do_sync(request.args, audited(caller, request, reply));
  if (cmd == command::kPause) return do_pause(request.args, true, audited(caller, request, reply));
  if (cmd == command::kResume) {
    return do_pause(request.args, false, audited(caller, request, reply));
  }
  if (cmd == command::kReload) return do_reload(audited(caller, request, reply));
  reply->error(error_code::kUnknownCommand, "unknown command '" + cmd + "'");
}

void Service::do_status(ReplyPtr reply) {
  post_guarded(readers_, reply, "reading the status", [this, reply] {
    auto rt = runtime();
    const Config& config = *rt->config;
    std::map<Entity, std::pair<bool, std::chrono::milliseconds>> schedule;
    for (const auto& [e, s] : config.schedule) schedule[e] = {s.enabled, s.interval};
    auto queues = store_.queue_counts();
    auto delivery = dispatcher_.state();
    std::map<Entity, std::int64_t> flying;
    auto in_flight = nlohmann::json::array();
    for (const auto& [e, key] : delivery.records) {
      ++flying[e];
      in_flight.push_back({{"entity", entity_name(e)}, {"key", key}});
    }
    std::int64_t depth = 0;
    std::vector<std::string> paused_names;
    for (auto e : kAllEntities) {
      const auto& q = queues[e];
      depth += q.total();
    }
    status_.set_jobs_waiting(depth);
    nlohmann::json data = status_.to_json(schedule);
    for (auto e : kAllEntities) {
      auto& entry = data["entities"][std::string(entity_name(e))];
      const auto& q = queues[e];
      entry["paused"] = paused(e);
      if (paused(e)) paused_names.emplace_back(entity_name(e));
      entry["queue"] = {
          {"queued", q.queued}, {"retry_wait", q.retry_wait}, {"in_doubt", q.in_doubt}};
      entry["in_flight"] = flying[e];
    }
    data["in_flight"] = in_flight;
    auto at = [](const auto& t) -> nlohmann::json {
      if (!t) return nullptr;
      return rfc3339_of_ms(
          std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count());
    };
    data["delivery"] = {{"senders", delivery.senders},
                        {"queue_depth", depth},
                        {"in_flight", delivery.in_flight},
                        {"rate_limited_until", at(delivery.rate_limited_until)},
                        {"backoff_until", at(delivery.backoff_until)},
                        {"hold_reason", delivery.hold_reason},
                        {"retries", delivery.retries}};
    auto& reasons = data["degraded_reasons"];
    for (const auto& name : paused_names) reasons.push_back("the " + name + " schedule is paused");
    if (delivery.rate_limited_until) {
      reasons.push_back("the app asked to wait until " +
                        at(delivery.rate_limited_until).get<std::string>());
    }
    if (auto failed = store_.records_ended(Outcome::failed); failed > 0) {
      reasons.push_back(count_of(failed, "record") +
                        " failed and not retried (kokolactl jobs --state failed)");
    }
    if (auto rejected = store_.records_ended(Outcome::rejected); rejected > 0) {
      reasons.push_back(count_of(rejected, "record") +
                        " rejected by the app (kokolactl jobs --state rejected)");
    }
    data["degraded"] = !reasons.empty();
    data["version"] = kVersion;
    data["pid"] = getpid();
    data["started_at"] = started_at_;
    data["config"] = config.source_path;
    data["config_generation"] = rt->generation;
    {
      std::lock_guard lock(state_mutex_);
      data["last_reload"] = last_reload_;
    }
    data["state_path"] = store_.path();
    data["erp"] = {{"engine", config.erp.engine}, {"path", config.erp.sqlite_path}};
    data["app"]["base_url"] = config.kokola.base_url;
    reply->result(std::move(data));
  });
}

void Service::do_list(const nlohmann::json& args, ReplyPtr reply) {
  auto parsed = parse_list_args(args);
  if (auto err = error_of(parsed)) return reply->error(err->code, err->message);
  auto a = std::get<ListArgs>(parsed);
  post_guarded(readers_, reply, "listing " + a.entity, [this, a, reply] {
    auto rt = runtime();
    Entity e = entity_arg(a.entity);
    ListQuery q;
    q.only_ready = a.ready;
    q.ready_statuses = rt->config->rules.ready_statuses;
    q.search = a.search;
    q.limit = static_cast<int>(a.limit);
    auto records = nlohmann::json::array();
    for (const auto& r : rt->source->list(e, q)) {
      records.push_back({{"key", r.key}, {"label", r.label}, {"state", r.state}});
    }
    reply->result({{"entity", a.entity}, {"records", records}});
  });
}

void Service::do_show(const nlohmann::json& args, ReplyPtr reply) {
  auto parsed = parse_show_args(args);
  if (auto err = error_of(parsed)) return reply->error(err->code, err->message);
  auto a = std::get<ShowArgs>(parsed);
  post_guarded(readers_, reply, "showing " + a.entity + " '" + a.key + "'", [this, a, reply] {
    reply->result(runtime()->pipeline->inspect(entity_arg(a.entity), a.key).to_json());
  });
}

namespace {

// A waiting job is sent no earlier than the end of a hold on all sending (Retry-After, or the
// backoff after the app failed), which may have grown since the job was put back to wait.
JobRecord with_hold(JobRecord job, std::int64_t held_until) {
  const bool waiting = job.state == Outcome::queued || job.state == Outcome::retry_wait ||
                       job.state == Outcome::in_doubt;
  if (waiting && job.next_attempt_at < held_until) job.next_attempt_at = held_until;
  return job;
}

}  // namespace

void Service::do_jobs(const nlohmann::json& args, ReplyPtr reply) {
  auto parsed = parse_jobs_args(args);
  if (auto err = error_of(parsed)) return reply->error(err->code, err->message);
  auto a = std::get<JobsArgs>(parsed);
  post_guarded(readers_, reply, "listing jobs", [this, a, reply] {
    JobQuery q;
    q.state = a.state;
    if (!a.entity.empty()) q.entity = entity_name(entity_arg(a.entity));
    q.limit = a.limit;
    auto jobs = nlohmann::json::array();
    const std::int64_t held = dispatcher_.held_until_ms();
    for (auto& j : store_.jobs(q)) jobs.push_back(job_summary_json(with_hold(std::move(j), held)));
    reply->result({{"jobs", std::move(jobs)}});
  });
}

void Service::do_job(const nlohmann::json& args, ReplyPtr reply) {
  auto parsed = parse_job_args(args);
  if (auto err = error_of(parsed)) return reply->error(err->code, err->message);
  auto a = std::get<JobArgs>(parsed);
  post_guarded(readers_, reply, "showing job " + std::to_string(a.id), [this, a, reply] {
    auto job = store_.job(a.id);
    if (!job) return reply->error(error_code::kNotFound, "no job " + std::to_string(a.id));
    reply->result(job_receipt_json(with_hold(std::move(*job), dispatcher_.held_until_ms())));
  });
}

void Service::do_pause(const nlohmann::json& args, bool pause, AuditPtr reply) {
  auto parsed = pause ? parse_pause_args(args) : parse_resume_args(args);
  if (auto err = error_of(parsed)) return reply->error(err->code, err->message);
  auto a = std::get<PauseArgs>(parsed);
  post_guarded(readers_, reply, pause ? "pausing" : "resuming", [this, a, pause, reply] {
    reply->begin();
    auto paused_now = nlohmann::json::array();
    {
      std::lock_guard lock(state_mutex_);
      for (auto e : entities_arg(a.entity)) {
        if (pause) {
          paused_.insert(e);
        } else {
          paused_.erase(e);
        }
      }
      for (auto e : paused_) paused_now.push_back(entity_name(e));
    }
    spdlog::info("schedule {} {}; paused now: {}", a.entity, pause ? "paused" : "resumed",
                 paused_now.dump());
    reply->result({{"paused", paused_now}});
  });
}

void Service::do_reload(AuditPtr reply) {
  boost::asio::post(io_, [this, reply] {
    try {
      reply->begin();
    } catch (const std::exception& e) {
      return reply->error(error_code::kInternal, e.what());
    }
    std::string why = reload();
    if (!why.empty()) return reply->error(error_code::kConfigInvalid, why);
    auto rt = runtime();
    reply->result({{"config", rt->config->source_path}, {"config_generation", rt->generation}});
  });
}

}  // namespace kokola
