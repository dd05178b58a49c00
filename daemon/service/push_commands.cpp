// `push`, `retry` and `sync`: the admin commands that queue work. A push is checked and
// queued on an intake thread, then answered when its job is final; or at once, with
// `queued`, when the app cannot take it now (rate-limited, unreachable, a first try that
// failed) and the caller did not ask to wait. A sync queues runs on the runner thread and
// answers at once, or, with wait, when they are over, with progress meanwhile.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>

#include "service/commands_util.hpp"
#include "service/service.hpp"

namespace kokola {
namespace {

bool is_final(Outcome o) {
  return o != Outcome::queued && o != Outcome::sending && o != Outcome::retry_wait &&
         o != Outcome::in_doubt;
}

std::string queued_message(std::int64_t job, const std::string& why, std::int64_t next_ms);

// The answers to one push request, one per key, sent when the last is known.
class PushAnswers {
 public:
  PushAnswers(size_t n, std::shared_ptr<AuditedReply> reply, StateStore& store)
      : results_(nlohmann::json::array()),
        done_(n, false),
        remaining_(n),
        reply_(std::move(reply)),
        store_(store) {
    for (size_t i = 0; i < n; ++i) results_.push_back(nullptr);
  }

  void settle(size_t i, nlohmann::json result) {
    std::lock_guard lock(mutex_);
    if (done_[i]) return;
    done_[i] = true;
    results_[i] = std::move(result);
    if (--remaining_ == 0) reply_->result({{"results", results_}});
  }
  bool settled(size_t i) {
    std::lock_guard lock(mutex_);
    return done_[i];
  }

  // A queued result brought up to date with its job (and its dependencies' jobs).
  nlohmann::json with_job(nlohmann::json result, const JobUpdate& u) {
    result["outcome"] = outcome_name(u.state);
    result["reason_code"] = u.reason_code;
    result["message"] = u.message;
    if (!u.app_id.empty()) result["app_id"] = u.app_id;
    if (u.revision > 0) result["revision"] = u.revision;
    result["http_status"] = u.http_status;
    return with_dependencies(std::move(result));
  }

  // A result's dependencies brought up to date with their jobs; `held`, when sending is
  // held, says why of those still waiting without a message of their own.
  nlohmann::json with_dependencies(nlohmann::json result, const std::string& held = {}) {
    if (!result.contains("dependencies")) return result;
    for (auto& d : result["dependencies"]) {
      if (!d.contains("job") || !d["job"].is_number_integer()) continue;
      const std::int64_t id = d["job"].get<std::int64_t>();
      if (auto job = store_.job(id)) {
        d["outcome"] = outcome_name(job->state);
        d["message"] = job->message;
        d["reason_code"] = job->reason_code;
        if (!job->app_id.empty()) d["app_id"] = job->app_id;
        if (job->message.empty() && !held.empty() && !is_final(job->state)) {
          d["message"] = queued_message(id, held, 0);
        }
      }
    }
    return result;
  }

  // The jobs of a result's dependencies, all final: the result can go.
  bool dependencies_final(const std::vector<std::int64_t>& jobs) {
    return std::all_of(jobs.begin(), jobs.end(), [this](std::int64_t id) {
      auto job = store_.job(id);
      return job && is_final(job->state);
    });
  }

  std::shared_ptr<AuditedReply> reply() const { return reply_; }

 private:
  std::mutex mutex_;
  nlohmann::json results_;
  std::vector<bool> done_;
  size_t remaining_;
  std::shared_ptr<AuditedReply> reply_;
  StateStore& store_;
};

JobUpdate update_of(const JobRecord& job) {
  JobUpdate u = JobUpdate::of(job, job.state, is_final(job.state));
  u.reason_code = job.reason_code;
  u.message = job.message;
  u.app_id = job.app_id;
  u.next_attempt_at = job.next_attempt_at;
  if (!job.attempts.empty()) u.http_status = job.attempts.back().http_status;
  return u;
}

std::string queued_message(std::int64_t job, const std::string& why, std::int64_t next_ms) {
  std::string m = "queued as job " + std::to_string(job) + ": " + why;
  if (next_ms > 0) m += "; next try at " + rfc3339_of_ms(next_ms);
  return m + "; `kokolactl job " + std::to_string(job) + "` follows it";
}

}  // namespace

void Service::do_push(const Caller& caller, const nlohmann::json& args, AuditPtr reply) {
  auto parsed = parse_push_args(args);
  if (auto err = error_of(parsed)) return reply->error(err->code, err->message);
  auto a = std::get<PushArgs>(parsed);
  Entity e = entity_arg(a.entity);
  std::vector<PushRequest> requests;
  for (const auto& key : a.keys) {
    requests.push_back({e, key, a.force, a.dry_run, a.reason, caller.describe(), "manual"});
  }
  push_and_answer(std::move(requests), {}, a.wait, std::move(reply));
}

void Service::do_retry(const Caller& caller, const nlohmann::json& args, AuditPtr reply) {
  auto parsed = parse_retry_args(args);
  if (auto err = error_of(parsed)) return reply->error(err->code, err->message);
  auto a = std::get<RetryArgs>(parsed);
  std::string who = caller.describe();
  post_guarded(intake_, reply, "retrying", [this, a, who, reply] {
    std::vector<JobRecord> jobs;
    std::vector<std::int64_t> missing;
    if (a.failed) {
      jobs = store_.failed_records(static_cast<int>(kMaxRetryIds));
    } else {
      for (auto id : a.ids) {
        if (auto job = store_.job(id)) {
          jobs.push_back(std::move(*job));
        } else {
          missing.push_back(id);
        }
      }
    }
    std::vector<PushRequest> requests;
    std::vector<std::int64_t> retry_of;
    for (const auto& job : jobs) {
      std::string why = "retry of job " + std::to_string(job.id);
      if (!a.reason.empty()) why += ": " + a.reason;
      requests.push_back({job.entity, job.key, false, false, why, who, "manual"});
      retry_of.push_back(job.id);
    }
    for (auto id : missing) {
      requests.push_back({Entity::vendor, "", false, true, "", who, "missing"});
      retry_of.push_back(id);
    }
    push_and_answer(std::move(requests), std::move(retry_of), a.wait, reply);
  });
}

void Service::push_and_answer(std::vector<PushRequest> requests, std::vector<std::int64_t> retry_of,
                              bool wait, AuditPtr reply) {
  post_guarded(intake_, reply, "pushing", [this, requests, retry_of, wait, reply] {
    reply->begin();
    if (requests.empty()) return reply->result({{"results", nlohmann::json::array()}});
    auto answers = std::make_shared<PushAnswers>(requests.size(), reply, store_);
    auto rt = runtime();
    // Answer i once the dependencies' jobs `deps` are final; without `wait`, at once when
    // one of them has to wait for a later try or sending is held.
    auto answer_after_dependencies = [this, answers, reply](size_t i, nlohmann::json result,
                                                            std::vector<std::int64_t> deps,
                                                            bool wait) {
      auto on_update = [this, answers, reply, i, result, deps, wait](const JobUpdate& u) {
        if (answers->settled(i)) return false;
        if (u.final) {
          if (answers->dependencies_final(deps)) {
            answers->settle(i, answers->with_dependencies(result));
          }
          return false;
        }
        if (!wait) {
          answers->settle(i, answers->with_dependencies(result));
          return false;
        }
        reply->progress({{"entity", entity_name(u.entity)},
                         {"key", u.key},
                         {"stage", outcome_name(u.state)},
                         {"job", u.id},
                         {"next_attempt_at",
                          u.next_attempt_at > 0 ? rfc3339_of_ms(u.next_attempt_at) : std::string()},
                         {"message", u.message}});
        return true;
      };
      bool sending = false;
      for (auto id : deps) {
        dispatcher_.watch(id, on_update);
        // The job may have moved on before the watch began.
        auto job = store_.job(id);
        if (!job) continue;
        if (dispatcher_.sending_now(job->entity, job->key)) {
          sending = true;
        } else if (job->state != Outcome::queued && job->state != Outcome::sending) {
          on_update(update_of(*job));
        }
      }
      if (std::string held = dispatcher_.hold_reason(); !wait && !held.empty() && !sending) {
        answers->settle(i, answers->with_dependencies(result, held));
      }
    };
    for (size_t i = 0; i < requests.size(); ++i) {
      const PushRequest& request = requests[i];
      if (request.origin == "missing") {
        answers->settle(i, {{"retry_of", retry_of[i]},
                            {"outcome", "failed"},
                            {"reason_code", "not_found"},
                            {"message", "no such job"}});
        continue;
      }
      auto progress = [reply](Entity pe, std::string_view k, std::string_view stage) {
        reply->progress({{"entity", entity_name(pe)}, {"key", k}, {"stage", stage}});
      };
      PushResult r = rt->pipeline->push(request, progress);
      nlohmann::json result = r.to_json();
      if (i < retry_of.size()) result["retry_of"] = retry_of[i];
      if (!request.dry_run && r.outcome != Outcome::queued) {
        // Nothing to send for the record itself (a PO unchanged), but its vendor or items
        // may have been queued: the push answers when their jobs are final.
        std::vector<std::int64_t> deps;
        for (const auto& dep : r.dependencies) {
          if (dep.job && dep.outcome == Outcome::queued) deps.push_back(*dep.job);
        }
        if (!deps.empty()) {
          answer_after_dependencies(i, std::move(result), std::move(deps), wait);
          continue;
        }
      }
      if (r.outcome != Outcome::queued || !r.job || request.dry_run) {
        answers->settle(i, std::move(result));
        continue;
      }
      const std::int64_t id = *r.job;
      auto on_update = [answers, i, result, id, wait, reply](const JobUpdate& u) {
        if (u.final) {
          answers->settle(i, answers->with_job(result, u));
          return false;
        }
        if (!wait) {
          auto now = answers->with_job(result, u);
          now["message"] = queued_message(id, u.message, u.next_attempt_at);
          answers->settle(i, std::move(now));
          return false;
        }
        reply->progress({{"entity", entity_name(u.entity)},
                         {"key", u.key},
                         {"stage", outcome_name(u.state)},
                         {"job", id},
                         {"next_attempt_at",
                          u.next_attempt_at > 0 ? rfc3339_of_ms(u.next_attempt_at) : std::string()},
                         {"message", u.message}});
        return true;
      };
      dispatcher_.watch(id, on_update);
      if (!wait) {
        // A PO waits for its vendor's and items' jobs: when one of those has to wait for a
        // later try, so does the PO, and the caller hears so now.
        for (const auto& dep : r.dependencies) {
          if (!dep.job || dep.outcome != Outcome::queued) continue;
          std::string who = std::string(entity_name(dep.entity)) + " '" + dep.key + "'";
          dispatcher_.watch(*dep.job, [answers, i, result, id, who](const JobUpdate& u) {
            if (u.final) return false;
            nlohmann::json now = result;
            now["reason_code"] = u.reason_code;
            now["message"] =
                queued_message(id, "waits for " + who + ": " + u.message, u.next_attempt_at);
            answers->settle(i, std::move(now));
            return false;
          });
        }
      }
      // The job may have moved on before the watch began.
      if (auto job = store_.job(id);
          job && job->state != Outcome::queued && job->state != Outcome::sending) {
        on_update(update_of(*job));
      } else if (std::string held = dispatcher_.hold_reason();
                 !wait && !held.empty() && !dispatcher_.sending_now(r.entity, r.key)) {
        // A job a sender has on its way settles soon whatever the hold; one that is not
        // waits until the hold ends.
        nlohmann::json now = result;
        now["message"] = queued_message(id, held, 0);
        answers->settle(i, std::move(now));
      } else if (!wait) {
        for (const auto& dep : r.dependencies) {
          auto dj = dep.job ? store_.job(*dep.job) : std::nullopt;
          if (!dj || (dj->state != Outcome::retry_wait && dj->state != Outcome::in_doubt)) continue;
          nlohmann::json now = result;
          now["reason_code"] = dj->reason_code;
          now["message"] = queued_message(id,
                                          "waits for " + std::string(entity_name(dep.entity)) +
                                              " '" + dep.key + "': " + dj->message,
                                          dj->next_attempt_at);
          answers->settle(i, std::move(now));
          break;
        }
      }
    }
  });
}

void Service::do_sync(const nlohmann::json& args, AuditPtr reply) {
  auto parsed = parse_sync_args(args);
  if (auto err = error_of(parsed)) return reply->error(err->code, err->message);
  auto a = std::get<SyncArgs>(parsed);
  auto order = entities_arg(a.entity);
  post_guarded(intake_, reply, "syncing " + a.entity, [this, a, order, reply] {
    reply->begin();
    struct Runs {
      std::mutex mutex;
      nlohmann::json list = nlohmann::json::array();
      size_t remaining = 0;
    };
    auto runs = std::make_shared<Runs>();
    runs->remaining = order.size();
    auto finish_one = [runs, reply](nlohmann::json entry) {
      std::lock_guard lock(runs->mutex);
      runs->list.push_back(std::move(entry));
      if (--runs->remaining == 0) reply->result({{"runs", runs->list}});
    };
    RunProgress progress;
    if (a.wait) {
      progress = [reply](Entity e, std::int64_t processed,
                         const std::map<std::string, std::int64_t>& counts) {
        nlohmann::json data = {{"entity", entity_name(e)}};
        if (processed >= 0) data["processed"] = processed;
        for (const auto& [name, n] : counts) data[name] = n;
        reply->progress(std::move(data));
      };
    }
    for (Entity e : order) {
      auto done = [finish_one, wait = a.wait](const RunSummary& s) {
        if (wait) finish_one(s.to_json());
      };
      bool started = queue_run(e, done, progress);
      if (a.wait) continue;  // `done` answers, for a run joined as for a new one
      if (started) {
        finish_one({{"entity", entity_name(e)}, {"started", true}});
      } else {
        finish_one({{"entity", entity_name(e)},
                    {"started", false},
                    {"message", std::string(e == Entity::item ? "an " : "a ") +
                                    std::string(entity_name(e)) +
                                    " run is already queued and has not begun"}});
      }
    }
  });
}

}  // namespace kokola
