// The audit side of the control commands: refusing a caller whose role is short, holding
// an admin request in the audit trail, and the `audit` command that reads it back
// (docs/security.md). Called on the event loop from Service::handle; store writes and reads
// run on a reader thread or, for admin work, on the sender thread with the work itself.
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "service/service.hpp"

namespace kokola {

namespace {

AuditEntry audit_entry(const Caller& caller, const Request& request) {
  AuditEntry entry;
  entry.at = utc_now_rfc3339();
  entry.uid = caller.uid;
  entry.user = caller.user;
  entry.pid = caller.pid;
  entry.role = role_name(caller.role);
  entry.command = request.cmd;
  entry.args = request.args;
  auto reason = request.args.find("reason");
  if (reason != request.args.end() && reason->is_string())
    entry.reason = reason->get<std::string>();
  return entry;
}

}  // namespace

// The refusal goes out at once; its audit line is written on a reader thread, so that a
// caller repeating refused requests cannot hold up the event loop with store writes.
void Service::refuse(const Caller& caller, const Request& request, ReplyPtr reply) {
  std::string message = runtime()->roles->refusal(request.cmd, caller);
  spdlog::warn("refused {} from {} (pid {}): {}", request.cmd, caller.describe(), caller.pid,
               message);
  AuditEntry entry = audit_entry(caller, request);
  entry.result = error_code::kPermissionDenied;
  entry.message = message;
  entry.finished_at = entry.at;
  reply->error(error_code::kPermissionDenied, std::move(message));
  boost::asio::post(readers_, [this, entry = std::move(entry)] {
    try {
      store_.add_audit(entry);
    } catch (const std::exception& e) {
      spdlog::error("writing the audit entry of a refused {}: {}", entry.command, e.what());
    }
  });
}

Service::AuditPtr Service::audited(const Caller& caller, const Request& request, ReplyPtr reply) {
  return std::make_shared<AuditedReply>(store_, audit_entry(caller, request), std::move(reply));
}

namespace {

nlohmann::json audit_json(const AuditEntry& e) {
  return {{"id", e.id},           {"at", e.at},
          {"uid", e.uid},         {"user", e.user},
          {"pid", e.pid},         {"role", e.role},
          {"command", e.command}, {"args", e.args},
          {"reason", e.reason},   {"result", e.result},
          {"message", e.message}, {"outcomes", e.outcomes},
          {"jobs", e.jobs},       {"finished_at", e.finished_at}};
}

}  // namespace

void Service::do_audit(const nlohmann::json& args, ReplyPtr reply) {
  auto parsed = parse_audit_args(args);
  if (auto err = error_of(parsed)) return reply->error(err->code, err->message);
  auto a = std::get<AuditArgs>(parsed);
  boost::asio::post(readers_, [this, a, reply] {
    try {
      auto entries = nlohmann::json::array();
      for (const auto& e : store_.audit({a.since, a.user, a.limit})) {
        entries.push_back(audit_json(e));
      }
      reply->result({{"entries", std::move(entries)}});
    } catch (const std::exception& e) {
      spdlog::error("reading the audit trail: {}", e.what());
      reply->error(error_code::kInternal, std::string("reading the audit trail: ") + e.what());
    }
  });
}

}  // namespace kokola
