// A small RAII wrapper over the SQLite C API for the daemon's own database (the state store):
// a connection, prepared statements and an immediate transaction. Failures throw SqliteError
// with "<doing what> '<database path>': <sqlite's message>". Not thread-safe: the owner
// serialises access (StateStore holds a mutex).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

struct sqlite3;
struct sqlite3_stmt;

namespace kokola {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(const std::string& message, std::string cause, int code)
      : std::runtime_error(message), cause_(std::move(cause)), code_(code) {}
  const std::string& cause() const { return cause_; }  // SQLite's own message
  int code() const { return code_; }                   // SQLite's (extended) result code

 private:
  std::string cause_;
  int code_;
};

class Statement;
class CachedStatement;

class SqliteDb {
 public:
  // Opens read-write, creating the file if missing.
  explicit SqliteDb(const std::string& path);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }
  // Runs one or more statements that return no rows the caller needs (PRAGMAs, DDL).
  void exec(const std::string& sql);
  Statement prepare(std::string_view sql);
  // A statement prepared once and kept for the life of the connection, lent out reset and
  // with its parameters cleared: for the statements run once per record or per job.
  CachedStatement cached(std::string_view sql);
  std::int64_t last_insert_rowid() const;
  int changes() const;
  // Throws SqliteError for `code` with "<doing> '<path>': <message>".
  [[noreturn]] void fail(std::string_view doing, int code) const;

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
  std::map<std::string, std::unique_ptr<Statement>, std::less<>> cache_;
};

// One prepared statement. Parameters are 1-based, columns 0-based, as in SQLite.
class Statement {
 public:
  Statement(SqliteDb& db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const std::string& value) {
    return bind(index, std::string_view(value));
  }

  // Advances to the next row: true when there is one, false when done.
  bool step();
  // Runs a statement that returns no rows.
  void run();
  // Makes the statement ready to run again, with no parameters bound.
  void reset();

  std::int64_t column_int(int index) const;
  std::string column_text(int index) const;  // "" for NULL

 private:
  SqliteDb& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// A cached statement on loan (SqliteDb::cached), reset when the loan ends. A statement left
// in the middle of its rows keeps its read transaction open, and with it every page of the
// WAL written since: the log could then never be checkpointed and would grow until a restart.
class CachedStatement {
 public:
  explicit CachedStatement(Statement& statement) : statement_(statement) {}
  ~CachedStatement() { statement_.reset(); }
  CachedStatement(const CachedStatement&) = delete;
  CachedStatement& operator=(const CachedStatement&) = delete;

  template <typename T>
  CachedStatement& bind(int index, const T& value) {
    statement_.bind(index, value);
    return *this;
  }
  bool step() { return statement_.step(); }
  void run() { statement_.run(); }
  // Ready to run again with other parameters, still on loan.
  void reset() { statement_.reset(); }
  std::int64_t column_int(int index) const { return statement_.column_int(index); }
  std::string column_text(int index) const { return statement_.column_text(index); }

 private:
  Statement& statement_;
};

// BEGIN IMMEDIATE on construction (the write lock is taken at once, so a concurrent writer
// waits for the busy timeout instead of failing half way), or a deferred BEGIN for reads;
// ROLLBACK on destruction unless commit() ran.
class Transaction {
 public:
  // `write` begins with BEGIN IMMEDIATE (every writing transaction); `read` with a deferred
  // BEGIN, for several reads that must see one state of the database.
  enum class Kind { write, read };
  explicit Transaction(SqliteDb& db, Kind kind = Kind::write);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();

 private:
  SqliteDb& db_;
  bool done_ = false;
};

}  // namespace kokola
