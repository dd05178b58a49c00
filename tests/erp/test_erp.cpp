#include "erp/test_erp.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

#include "erp/erp_fixture.hpp"
#include "erp/pg_conn.hpp"
#include "erp/pg_source.hpp"
#include "erp/sqlite_source.hpp"

namespace kokola::testing_erp {
namespace {

constexpr const char* kLegacyDatabase = "kokola_test_ascii";

class SqliteTestErp : public TestErp {
 public:
  void run_sql(const std::string& sql) override { testing_erp::run_sql(path_, sql); }
  std::unique_ptr<ErpSource> open(const ErpViews& views, int page_size) override {
    return std::make_unique<SqliteErpSource>(path_, views, page_size);
  }
  std::string where() const override { return "'" + path_ + "'"; }
  std::string bytes_literal(const std::string& bytes) const override {
    static const char* const kHex = "0123456789ABCDEF";
    std::string hex;
    for (const unsigned char c : bytes) {
      hex += kHex[c >> 4];
      hex += kHex[c & 15];
    }
    return "CAST(X'" + hex + "' AS TEXT)";
  }

 private:
  TempDir dir_;
  std::string path_ = dir_.file("erp.db");
};

// One schema per test, in a SQL_ASCII database: like a legacy ERP, it stores any bytes, so
// the same fixture (invalid UTF-8 included) loads in both engines.
class PostgresTestErp : public TestErp {
 public:
  PostgresTestErp() {
    static int counter = 0;
    pg_ensure_database(kLegacyDatabase, "SQL_ASCII");
    schema_ = "t_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    db_ = pg_admin_conninfo() + " dbname=" + kLegacyDatabase;
    pg_exec(db_, "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE; CREATE SCHEMA " + schema_);
  }
  ~PostgresTestErp() override {
    try {
      pg_exec(db_, "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
    } catch (const std::exception&) {
      // The cluster is gone: nothing left to clean.
    }
  }

  void run_sql(const std::string& sql) override {
    pg_exec(db_, "SET search_path = " + schema_ + "; BEGIN; " + sql + "; COMMIT;");
  }
  std::unique_ptr<ErpSource> open(const ErpViews& views, int page_size) override {
    PgSettings settings;
    settings.conninfo = db_ + " options='-csearch_path=" + schema_ + "'";
    return std::make_unique<PgErpSource>(settings, "", views, "Asia/Jakarta", page_size);
  }
  std::string where() const override { return pg::describe_conninfo(db_); }
  std::string bytes_literal(const std::string& bytes) const override {
    static const char* const kHex = "0123456789abcdef";
    std::string out = "E'";
    for (const unsigned char c : bytes) {
      if (c >= 32 && c < 127 && c != '\'' && c != '\\') {
        out += static_cast<char>(c);
      } else {
        out += std::string("\\x") + kHex[c >> 4] + kHex[c & 15];
      }
    }
    return out + "'";
  }

 private:
  std::string schema_;
  std::string db_;
};

}  // namespace

std::string engine_name(Engine e) { return e == Engine::sqlite ? "Sqlite" : "Postgres"; }

std::unique_ptr<TestErp> make_test_erp(Engine e) {
  if (e == Engine::sqlite) return std::make_unique<SqliteTestErp>();
  return std::make_unique<PostgresTestErp>();
}

std::string pg_admin_conninfo() {
  const char* conninfo = std::getenv("KOKOLA_PG_CONNINFO");
  if (conninfo == nullptr || *conninfo == '\0') {
    throw std::runtime_error(
        "KOKOLA_PG_CONNINFO is not set: run PostgreSQL tests through ctest, which starts the "
        "test cluster, or start one with 'python3 tests/support/pg_cluster.py start DIR' and "
        "export the conninfo it prints");
  }
  return conninfo;
}

std::string pg_exec(const std::string& conninfo, const std::string& sql) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string cause = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("connecting to the test cluster: " + cause);
  }
  PQclear(PQexec(conn, "SET client_min_messages = warning"));
  PGresult* result = PQexec(conn, sql.c_str());
  const auto status = PQresultStatus(result);
  std::string value;
  if (status == PGRES_TUPLES_OK && PQntuples(result) > 0) value = PQgetvalue(result, 0, 0);
  const std::string error = PQerrorMessage(conn);
  PQclear(result);
  PQfinish(conn);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    throw std::runtime_error("test SQL failed: " + error);
  }
  return value;
}

void pg_ensure_database(const std::string& name, const std::string& encoding) {
  const std::string admin = pg_admin_conninfo();
  const std::string exists = "SELECT count(*) FROM pg_database WHERE datname = '" + name + "'";
  if (pg_exec(admin, exists) == "1") return;
  try {
    pg_exec(admin, "CREATE DATABASE " + name + " ENCODING '" + encoding +
                       "' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
  } catch (const std::runtime_error&) {
    if (pg_exec(admin, exists) != "1") throw;  // else another test process made it first
  }
}

}  // namespace kokola::testing_erp
