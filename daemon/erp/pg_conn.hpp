// Connections to a PostgreSQL ERP database over libpq, for the PostgreSQL ERP source: one
// session set up the way the source reads (UTF-8, the ERP's time zone, ISO dates, read-only,
// a statement timeout), a query in text format whose values come back exactly as the server
// prints them, and a small pool that hands each connection to one thread at a time. A
// connection that broke is closed, never pooled again; the next use opens a new one.
// Connection: one thread at a time. Pool: any thread.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "domain/model.hpp"
#include "erp/pg_settings.hpp"

struct pg_conn;
struct pg_result;

namespace kokola::pg {

using Params = std::vector<std::optional<std::string>>;  // nullopt binds NULL

// The rows of one query, every value as text (nullopt for NULL).
class Rows {
 public:
  explicit Rows(pg_result* result);
  ~Rows();
  Rows(Rows&& other) noexcept;
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;
  Rows& operator=(Rows&&) = delete;

  int count() const;
  int columns() const;
  std::string column_name(int column) const;
  Text value(int row, int column) const;

 private:
  pg_result* result_;
};

// Everything a connection needs besides the settings.
struct Session {
  PgSettings settings;
  std::string password;   // empty: none
  std::string time_zone;  // IANA name, set as the session's TimeZone
  std::string describe;   // "PostgreSQL database 'erp' on 'db1:5432'", for messages
};

class Connection {
 public:
  // Connects and sets the session up; throws ErpError "cannot connect: <cause>" (the caller
  // adds what it was doing).
  explicit Connection(const Session& session);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs `sql` with text parameters ($1, $2, ...). Throws ErpError "<context>: <cause>";
  // a cause that took the connection with it reads "connection lost: <cause>".
  Rows query(const std::string& sql, const Params& params, const std::string& context);
  // The same for SQL without parameters, which may hold several statements.
  void exec(const std::string& sql, const std::string& context);

  bool connected() const;   // the server has not gone away (as far as libpq knows)
  bool usable() const;      // connected, and no transaction left open
  void rollback_quietly();  // ends an open or failed transaction, ignoring errors
  std::string server_encoding() const;

 private:
  Rows checked(pg_result* result, const std::string& context);

  pg_conn* conn_ = nullptr;
};

// Idle connections kept for reuse; a thread takes one (or a new one) for one read and gives
// it back. At most kMaxIdle stay open between reads.
class Pool {
 public:
  static constexpr size_t kMaxIdle = 4;

  explicit Pool(Session session) : session_(std::move(session)) {}

  // A connection checked out to the caller; returned to the pool when the lease ends, closed
  // instead when it broke or a transaction is still open.
  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<Connection> conn, bool reused)
        : pool_(&pool), conn_(std::move(conn)), reused_(reused) {}
    ~Lease();
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    Connection& operator*() { return *conn_; }
    Connection* operator->() { return conn_.get(); }
    bool reused() const { return reused_; }  // it was idle in the pool, perhaps for long
    void discard() { conn_.reset(); }

   private:
    void give_back();

    Pool* pool_;
    std::unique_ptr<Connection> conn_;
    bool reused_;
  };

  // An idle connection, or a new one. Throws ErpError "<context>: cannot connect: <cause>".
  Lease acquire(const std::string& context);
  // Always a new connection (after a reused one turned out to be dead).
  Lease open(const std::string& context);
  const Session& session() const { return session_; }

 private:
  void check_in(std::unique_ptr<Connection> conn);

  Session session_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Connection>> idle_;
  bool warned_encoding_ = false;
};

// "PostgreSQL database 'erp' on 'db1.example.com:5432'" from a connection string, without
// user or password; the string itself is never quoted in messages.
std::string describe_conninfo(const std::string& conninfo);

// "name" with embedded double quotes doubled: safe for any view or column name.
std::string quote_identifier(std::string_view name);

}  // namespace kokola::pg
