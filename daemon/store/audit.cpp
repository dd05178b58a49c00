// The audit half of StateStore: the audit trail of admin and refused requests, and the job
// ids a request created. See state_store.hpp and docs/state-store.md.
#include "store/row_codec.hpp"
#include "store/sqlite.hpp"
#include "store/state_store.hpp"

namespace kokola {
namespace {

constexpr const char* kAuditColumns =
    "SELECT id, at, uid, user, pid, role, command, args, reason, result, message, outcomes, "
    "jobs, finished_at FROM audit ";

std::vector<std::int64_t> read_ids(const std::string& text) {
  std::vector<std::int64_t> ids;
  auto doc = store::read_json(text);
  if (!doc.is_array()) return ids;
  for (const auto& id : doc) {
    if (id.is_number_integer()) ids.push_back(id.get<std::int64_t>());
  }
  return ids;
}

AuditEntry read_audit_row(const Statement& row) {
  AuditEntry e;
  e.id = row.column_int(0);
  e.at = row.column_text(1);
  e.uid = row.column_int(2);
  e.user = row.column_text(3);
  e.pid = row.column_int(4);
  e.role = row.column_text(5);
  e.command = row.column_text(6);
  e.args = store::read_json(row.column_text(7));
  e.reason = row.column_text(8);
  e.result = row.column_text(9);
  e.message = row.column_text(10);
  e.outcomes = store::read_json(row.column_text(11));
  e.jobs = read_ids(row.column_text(12));
  e.finished_at = row.column_text(13);
  return e;
}

}  // namespace

std::int64_t StateStore::last_job_id() {
  std::lock_guard guard(mutex_);
  Statement query = db_->prepare("SELECT coalesce(max(id), 0) FROM jobs");
  query.step();
  return query.column_int(0);
}

std::vector<std::int64_t> StateStore::job_ids_after(std::int64_t id) {
  std::lock_guard guard(mutex_);
  Statement query = db_->prepare("SELECT id FROM jobs WHERE id > ? ORDER BY id");
  query.bind(1, id);
  std::vector<std::int64_t> ids;
  while (query.step()) ids.push_back(query.column_int(0));
  return ids;
}

std::int64_t StateStore::add_audit(const AuditEntry& e) {
  std::lock_guard guard(mutex_);
  Transaction transaction(*db_);
  db_->prepare(
         "INSERT INTO audit (at, uid, user, pid, role, command, args, reason, result, message, "
         "outcomes, jobs, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, e.at.empty() ? utc_now_rfc3339() : e.at)
      .bind(2, e.uid)
      .bind(3, e.user)
      .bind(4, e.pid)
      .bind(5, e.role)
      .bind(6, e.command)
      .bind(7, store::write_json(e.args))
      .bind(8, e.reason)
      .bind(9, e.result)
      .bind(10, e.message)
      .bind(11, store::write_json(e.outcomes))
      .bind(12, store::write_json(e.jobs))
      .bind(13, e.finished_at)
      .run();
  const std::int64_t id = db_->last_insert_rowid();
  transaction.commit();
  return id;
}

void StateStore::finish_audit(const AuditEntry& e) {
  std::lock_guard guard(mutex_);
  Transaction transaction(*db_);
  db_->prepare(
         "UPDATE audit SET result = ?, message = ?, outcomes = ?, jobs = ?, finished_at = ? "
         "WHERE id = ?")
      .bind(1, e.result)
      .bind(2, e.message)
      .bind(3, store::write_json(e.outcomes))
      .bind(4, store::write_json(e.jobs))
      .bind(5, e.finished_at.empty() ? utc_now_rfc3339() : e.finished_at)
      .bind(6, e.id)
      .run();
  transaction.commit();
}

std::vector<AuditEntry> StateStore::audit(const AuditQuery& q) {
  std::lock_guard guard(mutex_);
  // Instants are stored as UTC text of one width, so text order is time order.
  Statement query = db_->prepare(std::string(kAuditColumns) +
                                 "WHERE (?1 = '' OR at >= ?1) AND (?2 = '' OR user = ?2) "
                                 "ORDER BY id DESC LIMIT ?3");
  query.bind(1, q.since).bind(2, q.user).bind(3, q.limit);

  std::vector<AuditEntry> entries;
  while (query.step()) entries.push_back(read_audit_row(query));
  return {entries.rbegin(), entries.rend()};
}

}  // namespace kokola
