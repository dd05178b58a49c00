// The control commands (docs/control-protocol.md). Each handler runs on the event loop and
// only decides where the work goes: `status` is answered at once; `list`, `show` and `audit`
// go to a reader thread; `push` and `sync` to the sender thread. Before any of that, the
// caller's role is checked (roles.hpp): a refusal is answered at once and audited, and an
// admin request is audited from the moment its work begins. No exception leaves a handler:
// a failure becomes an error result for that request alone.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/post.hpp>

#include "kokola/version.hpp"
#include "service/service.hpp"

namespace kokola {

namespace {

// Runs `work` on `pool` and turns any exception into an error reply.
template <typename Pool, typename Work>
void post_guarded(Pool& pool, std::shared_ptr<control::Reply> reply, std::string what, Work work) {
  boost::asio::post(pool, [reply, what = std::move(what), work = std::move(work)]() mutable {
    try {
      work();
    } catch (const ErpError& e) {
      reply->error(error_code::kErpError, what + ": " + e.what());
    } catch (const std::exception& e) {
      spdlog::error("{}: {}", what, e.what());
      reply->error(error_code::kInternal, what + ": " + e.what());
    }
  });
}

Entity entity_arg(const std::string& name) {
  auto e = parse_entity(name);
  if (!e) throw std::invalid_argument("unknown entity '" + name + "'");
  return *e;
}

}  // namespace

void Service::handle(const control::Peer& peer, const Request& request, ReplyPtr reply) {
  if (stopping_) {
    reply->error(error_code::kShuttingDown, "kokola-syncd is shutting down");
    return;
  }
  try {
    Caller caller = roles_.identify(peer);
    if (!role_allows(caller.role, required_role(request.cmd))) {
      return refuse(caller, request, reply);
    }
    dispatch(caller, request, reply);
  } catch (const std::exception& e) {
    reply->error(error_code::kBadRequest, e.what());
  }
}

void Service::dispatch(const Caller& caller, const Request& request, ReplyPtr reply) {
  if (request.cmd == command::kStatus) return do_status(reply);
  if (request.cmd == command::kList) return do_list(request.args, reply);
  if (request.cmd == command::kShow) return do_show(request.args, reply);
  if (request.cmd == command::kAudit) return do_audit(request.args, reply);
  if (request.cmd == command::kPush) {
    return do_push(caller, request.args, audited(caller, request, reply));
  }
  if (request.cmd == command::kSync) return do_sync(request.args, audited(caller, request, reply));
  reply->error(error_code::kUnknownCommand, "unknown command '" + request.cmd + "'");
}

void Service::do_status(ReplyPtr reply) {
  std::map<Entity, std::pair<bool, std::chrono::milliseconds>> schedule;
  for (const auto& [e, s] : config_.schedule) schedule[e] = {s.enabled, s.interval};
  nlohmann::json data = status_.to_json(schedule);
  data["version"] = kVersion;
  data["pid"] = getpid();
  data["started_at"] = started_at_;
  data["config"] = config_.source_path;
  data["state_path"] = store_.path();
  data["erp"] = {{"engine", config_.erp.engine}, {"path", config_.erp.sqlite_path}};
  data["app"]["base_url"] = config_.kokola.base_url;
  reply->result(std::move(data));
}

void Service::do_list(const nlohmann::json& args, ReplyPtr reply) {
  auto parsed = parse_list_args(args);
  if (auto err = error_of(parsed)) return reply->error(err->code, err->message);
  auto a = std::get<ListArgs>(parsed);
  post_guarded(readers_, reply, "listing " + a.entity, [this, a, reply] {
    Entity e = entity_arg(a.entity);
    ListQuery q;
    q.only_ready = a.ready;
    q.ready_statuses = config_.rules.ready_statuses;
    q.search = a.search;
    q.limit = static_cast<int>(a.limit);
    auto records = nlohmann::json::array();
    for (const auto& r : source_.list(e, q)) {
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
    reply->result(pipeline_.inspect(entity_arg(a.entity), a.key).to_json());
  });
}

void Service::do_push(const Caller& caller, const nlohmann::json& args, AuditPtr reply) {
  auto parsed = parse_push_args(args);
  if (auto err = error_of(parsed)) return reply->error(err->code, err->message);
  auto a = std::get<PushArgs>(parsed);
  std::string who = caller.describe();
  post_guarded(sender_, reply, "pushing " + a.entity, [this, a, who, reply] {
    reply->begin();
    Entity e = entity_arg(a.entity);
    auto results = nlohmann::json::array();
    for (const auto& key : a.keys) {
      PushRequest request{e, key, a.force, a.dry_run, a.reason, who, "manual"};
      auto progress = [reply](Entity pe, std::string_view k, std::string_view stage) {
        reply->progress({{"entity", entity_name(pe)}, {"key", k}, {"stage", stage}});
      };
      status_.push_started(e, key);
      results.push_back(pipeline_.push(request, progress).to_json());
      status_.push_finished(e, key);
    }
    reply->result({{"results", results}});
  });
}

void Service::do_sync(const nlohmann::json& args, AuditPtr reply) {
  auto parsed = parse_sync_args(args);
  if (auto err = error_of(parsed)) return reply->error(err->code, err->message);
  auto a = std::get<SyncArgs>(parsed);
  std::vector<Entity> order;
  if (a.entity == "all") {
    order = {Entity::vendor, Entity::item, Entity::purchase_order};
  } else {
    order = {entity_arg(a.entity)};
  }
  post_guarded(sender_, reply, "syncing " + a.entity, [this, order, reply] {
    reply->begin();
    // Jobs are created only on this thread, so the ids above the last one are this sync's.
    const std::int64_t last_job = store_.last_job_id();
    auto runs = nlohmann::json::array();
    auto progress = [reply](Entity e, std::int64_t n) {
      reply->progress({{"entity", entity_name(e)}, {"processed", n}});
    };
    for (auto e : order) runs.push_back(run_entity(e, progress).to_json());
    reply->add_jobs(store_.job_ids_after(last_job));
    reply->result({{"runs", runs}});
  });
}

}  // namespace kokola
