#include "erp/sqlite_read.hpp"

#include <sqlite3.h>

#include "erp/source.hpp"

namespace kokola::sqlite_read {

void ValueFree::operator()(sqlite3_value* v) const { sqlite3_value_free(v); }

Db::Db(const std::string& path, int busy_timeout_ms) : path_(path) {
  const int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    const std::string cause = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    throw ErpError("opening ERP database '" + path + "': " + cause);
  }
  sqlite3_busy_timeout(db_, busy_timeout_ms);

  // Any failure below leaves the constructor by exception: close the handle first.
  try {
    const std::string context = "opening ERP database '" + path + "'";
    exec("PRAGMA query_only = ON", context);
    exec("SELECT count(*) FROM sqlite_master", context);
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

Db::~Db() {
  cache_.clear();  // a connection with statements left does not close
  sqlite3_close(db_);
}

StatementLoan Db::cached(const std::string& sql, const std::string& context) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    it = cache_.emplace(sql, std::make_unique<Statement>(*this, sql, context)).first;
  }
  return StatementLoan(*it->second);
}

void Db::exec(const std::string& sql, const std::string& context) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) == SQLITE_OK) return;
  const std::string cause = error ? error : sqlite3_errmsg(db_);
  sqlite3_free(error);
  throw ErpError(context + ": " + cause);
}

Statement::Statement(Db& db, const std::string& sql, std::string context)
    : db_(db), context_(std::move(context)) {
  const int rc =
      sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  if (rc != SQLITE_OK) fail();
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::fail() const { throw ErpError(context_ + ": " + sqlite3_errmsg(db_.handle())); }

int Statement::parameter(std::string_view name) const {
  return sqlite3_bind_parameter_index(stmt_, std::string(name).c_str());
}

void Statement::bind_text(std::string_view name, std::string_view value) {
  const int i = parameter(name);
  if (i == 0) return;
  if (sqlite3_bind_text(stmt_, i, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT) !=
      SQLITE_OK) {
    fail();
  }
}

void Statement::bind_int(std::string_view name, long long value) {
  const int i = parameter(name);
  if (i != 0 && sqlite3_bind_int64(stmt_, i, value) != SQLITE_OK) fail();
}

void Statement::bind_value(std::string_view name, const sqlite3_value* value) {
  const int i = parameter(name);
  if (i != 0 && sqlite3_bind_value(stmt_, i, value) != SQLITE_OK) fail();
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail();
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int Statement::column_count() const { return sqlite3_column_count(stmt_); }

std::string Statement::column_name(int i) const {
  const char* name = sqlite3_column_name(stmt_, i);
  return name ? name : "";
}

Text Statement::column(int i) const {
  // The storage class decides how to read, and must be asked before any conversion.
  switch (sqlite3_column_type(stmt_, i)) {
    case SQLITE_NULL:
      return std::nullopt;
    case SQLITE_INTEGER:
    case SQLITE_FLOAT: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
      return std::string(text ? text : "", static_cast<size_t>(sqlite3_column_bytes(stmt_, i)));
    }
    default: {
      // TEXT and BLOB alike: the stored bytes, never converted or checked here.
      const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt_, i));
      const auto size = static_cast<size_t>(sqlite3_column_bytes(stmt_, i));
      return bytes ? std::string(bytes, size) : std::string();
    }
  }
}

OwnedValue Statement::column_value(int i) const {
  return OwnedValue(sqlite3_value_dup(sqlite3_column_value(stmt_, i)));
}

ReadTransaction::ReadTransaction(Db& db, std::string context)
    : db_(db), context_(std::move(context)) {
  db_.exec("BEGIN", context_);
}

ReadTransaction::~ReadTransaction() {
  if (open_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void ReadTransaction::commit() {
  db_.exec("COMMIT", context_);
  open_ = false;
}

std::string quote_identifier(std::string_view name) {
  std::string quoted = "\"";
  for (const char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + '"';
}

}  // namespace kokola::sqlite_read
