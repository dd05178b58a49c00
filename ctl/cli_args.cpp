#include "cli_args.hpp"

#include "since.hpp"

namespace kokola::ctl {
namespace {

using nlohmann::json;

json push_args(const Values& v) {
  json args = {{"entity", entity_name(v.entity)},
               {"keys", v.keys},
               {"force", v.force},
               {"dry_run", v.dry_run}};
  if (!v.reason.empty()) args["reason"] = v.reason;
  if (v.wait) args["wait"] = true;
  return args;
}

json list_args(const Values& v) {
  json args = {{"entity", entity_name(v.entity)}, {"ready", v.ready}};
  if (!v.search.empty()) args["search"] = v.search;
  if (v.limit) args["limit"] = *v.limit;
  return args;
}

json audit_args(const Values& v) {
  json args = json::object();
  if (!v.since.empty()) args["since"] = since_instant(v.since);
  if (!v.user.empty()) args["user"] = v.user;
  if (v.limit) args["limit"] = *v.limit;
  return args;
}

json jobs_args(const Values& v) {
  json args = json::object();
  if (!v.state.empty()) args["state"] = v.state;
  if (!v.entity.empty()) args["entity"] = entity_name(v.entity);
  if (v.limit) args["limit"] = *v.limit;
  return args;
}

json retry_args(const Values& v) {
  json args = json::object();
  if (v.failed) {
    args["failed"] = true;
  } else {
    args["ids"] = v.ids;
  }
  if (!v.reason.empty()) args["reason"] = v.reason;
  if (v.wait) args["wait"] = true;
  return args;
}

}  // namespace

std::string entity_name(const std::string& word) {
  return word == "purchase-order" || word == "purchase_order" ? "po" : word;
}

json command_args(const std::string& cmd, const Values& v) {
  const std::string entity_or_all = v.entity.empty() ? "all" : entity_name(v.entity);
  if (cmd == "push") return push_args(v);
  if (cmd == "list") return list_args(v);
  if (cmd == "show") return {{"entity", entity_name(v.entity)}, {"key", v.key}};
  if (cmd == "audit") return audit_args(v);
  if (cmd == "jobs") return jobs_args(v);
  if (cmd == "job") return {{"id", v.job_id}};
  if (cmd == "retry") return retry_args(v);
  if (cmd == "sync") {
    json args = {{"entity", entity_or_all}};
    if (v.wait) args["wait"] = true;
    return args;
  }
  if (cmd == "pause" || cmd == "resume") return {{"entity", entity_or_all}};
  return json::object();  // status, reload
}

}  // namespace kokola::ctl
