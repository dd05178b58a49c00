// Small RAII wrappers over the SQLite C API for reading an ERP database: a read-only
// connection, a prepared statement, a short read transaction, and an owned copy of a value
// (for keyset paging). A column is read by its storage class so that no byte is lost: NULL
// is nullopt, TEXT and BLOB are their exact bytes (invalid UTF-8 included), INTEGER and REAL
// are SQLite's own text rendering. Failures throw ErpError("<context>: <sqlite message>").
// Not thread-safe by themselves: the owner serialises every use of one connection.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "domain/model.hpp"

struct sqlite3;
struct sqlite3_stmt;
struct sqlite3_value;

namespace kokola::sqlite_read {

// A copy of one SQL value that outlives its statement (sqlite3_value_dup).
struct ValueFree {
  void operator()(sqlite3_value* v) const;
};
using OwnedValue = std::unique_ptr<sqlite3_value, ValueFree>;

class Statement;
class StatementLoan;

class Db {
 public:
  // Opens `path` read-only with PRAGMA query_only and a busy timeout, and reads the schema
  // once so that a file that is not a database fails here. Throws ErpError
  // "opening ERP database '<path>': <cause>".
  Db(const std::string& path, int busy_timeout_ms);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }
  void exec(const std::string& sql, const std::string& context);
  // A statement prepared once for this connection and lent out (the loads of a run use the
  // same few again and again); see StatementLoan.
  StatementLoan cached(const std::string& sql, const std::string& context);

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
  std::map<std::string, std::unique_ptr<Statement>, std::less<>> cache_;  // finalised first
};

class Statement {
 public:
  Statement(Db& db, const std::string& sql, std::string context);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binding to a named parameter (":after") that the SQL does not contain does nothing.
  void bind_text(std::string_view name, std::string_view value);
  void bind_int(std::string_view name, long long value);
  void bind_value(std::string_view name, const sqlite3_value* value);

  bool step();  // true while a row is ready
  // Ready to run again, with no parameters bound.
  void reset();
  int column_count() const;
  std::string column_name(int i) const;
  Text column(int i) const;
  OwnedValue column_value(int i) const;

 private:
  int parameter(std::string_view name) const;
  [[noreturn]] void fail() const;

  Db& db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string context_;
};

// A cached statement on loan, reset when the loan ends: a statement left in the middle of its
// rows would keep its read transaction open.
class StatementLoan {
 public:
  explicit StatementLoan(Statement& statement) : statement_(statement) {}
  ~StatementLoan() { statement_.reset(); }
  StatementLoan(const StatementLoan&) = delete;
  StatementLoan& operator=(const StatementLoan&) = delete;

  Statement& operator*() const { return statement_; }
  Statement* operator->() const { return &statement_; }

 private:
  Statement& statement_;
};

// BEGIN on construction; commit() ends it; destruction without commit rolls back.
class ReadTransaction {
 public:
  ReadTransaction(Db& db, std::string context);
  ~ReadTransaction();
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;
  void commit();

 private:
  Db& db_;
  std::string context_;
  bool open_ = true;
};

// "name" with embedded double quotes doubled: safe for any view or column name.
std::string quote_identifier(std::string_view name);

}  // namespace kokola::sqlite_read
