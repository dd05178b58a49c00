// A writable test ERP in either engine, so that one set of ERP source tests runs against
// both: SQLite (a file in a temporary directory) and PostgreSQL (a schema of its own in a
// SQL_ASCII database of the test cluster, which tests/support/pg_cluster.py starts and whose
// superuser conninfo ctest passes in $KOKOLA_PG_CONNINFO). Without that variable a PostgreSQL
// test fails: it is never skipped. Test code; one thread.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "erp/source.hpp"

namespace kokola::testing_erp {

enum class Engine { sqlite, postgres };

// "Sqlite" / "Postgres", as test names carry them (ctest gives the Postgres ones the cluster).
std::string engine_name(Engine e);
inline void PrintTo(Engine e, std::ostream* os) { *os << engine_name(e); }

class TestErp {
 public:
  virtual ~TestErp() = default;

  // Runs SQL (several statements) in one transaction, with write access.
  virtual void run_sql(const std::string& sql) = 0;
  // The ERP source under test, reading this database.
  virtual std::unique_ptr<ErpSource> open(const ErpViews& views = {}, int page_size = 500) = 0;
  // How the source's messages name the database: "'/tmp/.../erp.db'" or
  // "PostgreSQL database 'kokola_test_ascii' on '/tmp/.../sock:5432'".
  virtual std::string where() const = 0;
  // A SQL literal for text holding these bytes exactly (not necessarily valid UTF-8).
  virtual std::string bytes_literal(const std::string& bytes) const = 0;
};

std::unique_ptr<TestErp> make_test_erp(Engine e);

// The test cluster's superuser conninfo; throws when $KOKOLA_PG_CONNINFO is not set.
std::string pg_admin_conninfo();
// Runs SQL on the test cluster (conninfo as given) and returns the first value of the last
// result, if any; throws std::runtime_error with the server's message.
std::string pg_exec(const std::string& conninfo, const std::string& sql);
// Creates database `name` with `encoding` (and the C locale) unless it exists.
void pg_ensure_database(const std::string& name, const std::string& encoding);

}  // namespace kokola::testing_erp
