// Small pieces the control command handlers share: running work on a pool with every
// exception turned into an error reply, reading entity arguments, and a job as the protocol
// shows it (`jobs`, `job`). Any thread.
#pragma once

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "control/server.hpp"
#include "delivery/clock.hpp"
#include "erp/source.hpp"
#include "pipeline/pipeline.hpp"
#include "store/state_store.hpp"

namespace kokola {

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

inline Entity entity_arg(const std::string& name) {
  auto e = parse_entity(name);
  if (!e) throw std::invalid_argument("unknown entity '" + name + "'");
  return *e;
}

// "all" is every entity in the order a sync goes: vendors, items, POs.
inline std::vector<Entity> entities_arg(const std::string& name) {
  if (name == "all") return {Entity::vendor, Entity::item, Entity::purchase_order};
  return {entity_arg(name)};
}

inline nlohmann::json job_summary_json(const JobRecord& j) {
  return {{"id", j.id},
          {"entity", entity_name(j.entity)},
          {"key", j.key},
          {"state", outcome_name(j.state)},
          {"origin", j.origin},
          {"requested_by", j.requested_by},
          {"created_at", j.created_at},
          {"finished_at", j.finished_at},
          {"tries", j.tries},
          {"next_attempt_at", j.next_attempt_at > 0 ? rfc3339_of_ms(j.next_attempt_at) : ""},
          {"revision", j.revision},
          {"reason_code", j.reason_code},
          {"message", j.message}};
}

inline nlohmann::json job_receipt_json(const JobRecord& j) {
  nlohmann::json out = job_json(j);
  out.update(job_summary_json(j));
  out["priority"] = j.priority == JobRecord::kPriorityManual ? "manual" : "schedule";
  out["depends_on"] = j.depends_on;
  return out;
}

}  // namespace kokola
