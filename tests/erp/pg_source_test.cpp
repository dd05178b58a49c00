// What only the PostgreSQL source does: native types read exactly (CHAR padding, NUMERIC,
// DATE, TIMESTAMP, TIMESTAMPTZ in the ERP's zone, BOOLEAN), encodings, passwords and grants,
// read-only transactions, and a connection that goes away. Needs the test cluster
// ($KOKOLA_PG_CONNINFO, started by ctest); the contract itself is tested on both engines in
// erp_source_test.cpp.
#include "erp/pg_source.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <sstream>

#include "erp/pg_conn.hpp"
#include "erp/test_erp.hpp"
#include "rules/mapper.hpp"
#include "support/log_capture.hpp"

namespace kokola {
namespace {

using testing_erp::pg_admin_conninfo;
using testing_erp::pg_ensure_database;
using testing_erp::pg_exec;

// A schema of its own in a database of the given encoding, dropped at the end.
class Scratch {
 public:
  Scratch(const std::string& database, const std::string& encoding) {
    static int counter = 0;
    pg_ensure_database(database, encoding);
    db_ = pg_admin_conninfo() + " dbname=" + database;
    schema_ = "p_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    pg_exec(db_, "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE; CREATE SCHEMA " + schema_);
  }
  ~Scratch() {
    try {
      pg_exec(db_, "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
    } catch (const std::exception&) {
    }
  }

  void run_sql(const std::string& sql) const {
    pg_exec(db_, "SET search_path = " + schema_ + "; " + sql);
  }
  PgSettings settings(const std::string& extra = "") const {
    PgSettings s;
    s.conninfo = db_ + " options='-csearch_path=" + schema_ + "' " + extra;
    return s;
  }
  PgErpSource open(const std::string& zone = "Asia/Jakarta") const {
    return PgErpSource(settings(), "", ErpViews{}, zone);
  }
  const std::string& db() const { return db_; }
  const std::string& schema() const { return schema_; }

 private:
  std::string db_;
  std::string schema_;
};

// Vendors in native PostgreSQL types, with the contract view on top.
constexpr const char* kVendors = R"sql(
CREATE TABLE sup (kd CHAR(8), nm TEXT, npwp NUMERIC(16,0), aktif BOOLEAN, upd TIMESTAMPTZ,
                  lokal TIMESTAMP, saldo NUMERIC(20,2), sejak DATE);
CREATE VIEW kokola_vendors AS SELECT kd AS code, nm AS name, npwp::text AS tax_id,
  saldo::text AS address, sejak::text AS city, lokal::text AS phone, NULL::text AS email,
  aktif AS active, upd AS updated_at FROM sup;
INSERT INTO sup VALUES ('V-01', 'PT SATU', 123456789012345, true,
  '2025-02-03 07:05:00+00', '2025-02-03 14:05:00', 12345678901234567.80, '2025-02-03');
)sql";

TEST(PostgresErpSource, ReadsNativeTypesExactly) {
  Scratch erp("kokola_test_utf8", "UTF8");
  erp.run_sql(kVendors);
  auto source = erp.open();

  const auto v = source.load_vendor("V-01");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->code, "V-01    ");  // CHAR(8) arrives padded; the daemon trims it
  EXPECT_EQ(v->tax_id, "123456789012345");
  EXPECT_EQ(v->address, "12345678901234567.80");  // beyond any double: read as text
  EXPECT_EQ(v->city, "2025-02-03");
  EXPECT_EQ(v->phone, "2025-02-03 14:05:00");
  EXPECT_EQ(v->active, "t");
  EXPECT_EQ(v->updated_at, "2025-02-03 14:05:00+07");  // TIMESTAMPTZ in erp.time_zone

  const auto vendor = map_vendor(*v, RulesConfig{});
  EXPECT_TRUE(vendor.problems.empty());
  ASSERT_TRUE(vendor.record && vendor.record->updated_at);
  EXPECT_EQ(vendor.record->updated_at->to_rfc3339(), "2025-02-03T14:05:00+07:00");
  EXPECT_EQ(vendor.record->code, "V-01");
}

TEST(PostgresErpSource, ShowsTimestampsInTheConfiguredZone) {
  Scratch erp("kokola_test_utf8", "UTF8");
  erp.run_sql(kVendors);

  EXPECT_EQ(erp.open("Asia/Makassar").load_vendor("V-01")->updated_at, "2025-02-03 15:05:00+08");
  EXPECT_EQ(erp.open("UTC").load_vendor("V-01")->updated_at, "2025-02-03 07:05:00+00");
}

TEST(PostgresErpSource, ConvertsALegacyEncodingToUtf8) {
  Scratch erp("kokola_test_latin1", "LATIN1");
  // Sent in the database's own encoding: the byte 0xE9 is "é" in Latin-1.
  erp.run_sql(std::string(kVendors) + "UPDATE sup SET nm = 'PT CAF\xc9';");

  EXPECT_EQ(erp.open().load_vendor("V-01")->name, "PT CAF\xc3\x89");
}

TEST(PostgresErpSource, WarnsOnceAboutASqlAsciiDatabase) {
  Scratch legacy("kokola_test_ascii", "SQL_ASCII");
  legacy.run_sql(kVendors);
  Scratch utf8("kokola_test_utf8", "UTF8");
  utf8.run_sql(kVendors);

  LogCapture log;
  auto clean = utf8.open();
  clean.load_vendor("V-01");
  EXPECT_EQ(log.text(), "");

  auto source = legacy.open();
  source.load_vendor("V-01");
  source.keys(Entity::vendor);
  const std::string expected = "warning ERP " + source.describe() +
                               ": the server encoding is SQL_ASCII, so text is passed on byte "
                               "for byte without conversion; values that are not UTF-8 make "
                               "their records invalid\n";
  EXPECT_EQ(log.text(), expected);
}

TEST(PostgresErpSource, ReadsInReadOnlyTransactions) {
  Scratch erp("kokola_test_utf8", "UTF8");
  erp.run_sql(std::string(kVendors) +
              "CREATE TABLE log (n int);"
              "CREATE FUNCTION note() RETURNS boolean LANGUAGE sql AS "
              "'INSERT INTO log VALUES (1) RETURNING true';"
              "CREATE VIEW kokola_items AS SELECT kd AS code FROM sup WHERE note();");
  auto source = erp.open();

  try {
    source.keys(Entity::item);
    FAIL() << "the view wrote";
  } catch (const ErpError& e) {
    EXPECT_NE(std::string(e.what()).find("read-only transaction"), std::string::npos) << e.what();
  }
  EXPECT_EQ(pg_exec(erp.db(), "SELECT count(*) FROM " + erp.schema() + ".log"), "0");
}

// A view that ends its own connection while the switch is on: a server that goes away in
// the middle of a read, at a moment the test chooses.
constexpr const char* kKillSwitch = R"sql(
CREATE TABLE kill_switch (armed boolean);
INSERT INTO kill_switch VALUES (false);
CREATE VIEW kokola_items AS SELECT kd AS code, nm AS name, 'PCS'::text AS uom,
  NULL::text AS category, NULL::text AS barcode, aktif AS active, upd AS updated_at FROM sup
  WHERE (SELECT armed FROM kill_switch) IS NOT TRUE OR pg_terminate_backend(pg_backend_pid());
)sql";

TEST(PostgresErpSource, LostConnectionFailsTheReadAndTheNextReadReconnects) {
  Scratch erp("kokola_test_utf8", "UTF8");
  erp.run_sql(std::string(kVendors) + kKillSwitch);
  auto source = erp.open();
  ASSERT_TRUE(source.load_item("V-01"));

  erp.run_sql("UPDATE kill_switch SET armed = true");
  try {
    source.scan_items([](ItemRow&&) { return true; });
    FAIL() << "no error";
  } catch (const ErpError& e) {
    const std::string message = e.what();
    EXPECT_EQ(message, "reading view 'kokola_items' from " + source.describe() +
                           ": connection lost: terminating connection due to administrator "
                           "command");
  }

  erp.run_sql("UPDATE kill_switch SET armed = false");
  EXPECT_TRUE(source.load_item("V-01"));
  EXPECT_EQ(source.check_schema().size(), 2u);  // only the two views this ERP lacks
}

TEST(PostgresErpSource, ConnectionDroppedWhileIdleIsReplacedQuietly) {
  Scratch erp("kokola_test_utf8", "UTF8");
  erp.run_sql(kVendors);
  PgErpSource source(erp.settings("application_name=" + erp.schema()), "", ErpViews{},
                     "Asia/Jakarta");
  ASSERT_TRUE(source.load_vendor("V-01"));

  // What a server restart or an idle timeout does to the pooled connection.
  EXPECT_EQ(pg_exec(pg_admin_conninfo(),
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                    "application_name = '" +
                        erp.schema() + "'"),
            "1");
  EXPECT_EQ(source.load_vendor("V-01")->name, "PT SATU");
}

TEST(PostgresErpSource, UnreachableServerFailsEachReadWithTheCause) {
  PgSettings settings;
  settings.conninfo = "host=/nonexistent-kokola dbname=erp user=kokola";
  settings.connect_timeout = std::chrono::seconds(2);
  PgErpSource source(settings, "", ErpViews{}, "Asia/Jakarta");

  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      source.load_vendor("V-01");
      FAIL() << "no error";
    } catch (const ErpError& e) {
      const std::string message = e.what();
      EXPECT_EQ(message.rfind("reading view 'kokola_vendors' from PostgreSQL database 'erp' on "
                              "'/nonexistent-kokola': cannot connect: connection to server on "
                              "socket \"/nonexistent-kokola/.s.PGSQL.5432\" failed: ",
                              0),
                0u)
          << message;
      EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
  }
  EXPECT_THROW(source.check_schema(), ErpError);
}

TEST(PostgresErpSource, ReadOnlyRoleWithAPasswordAndGrantsOnTheViewsOnly) {
  Scratch erp("kokola_test_utf8", "UTF8");
  erp.run_sql(std::string(kVendors) +
              "CREATE VIEW kokola_items AS SELECT kd AS code, nm AS name, 'PCS'::text AS uom, "
              "NULL::text AS category, NULL::text AS barcode, aktif AS active, upd AS "
              "updated_at FROM sup;");
  const std::string password = "pw-" + std::to_string(::getpid()) + "-x'y\\z";
  pg_exec(pg_admin_conninfo(),
          "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kokola_password') "
          "THEN CREATE ROLE kokola_password LOGIN; END IF; END $$;"
          "ALTER ROLE kokola_password SET default_transaction_read_only = on;"
          "ALTER ROLE kokola_password PASSWORD " +
              pg_exec(pg_admin_conninfo(), "SELECT quote_literal($q$" + password + "$q$)"));
  erp.run_sql("GRANT USAGE ON SCHEMA " + erp.schema() + " TO kokola_password;" +
              "GRANT SELECT ON kokola_vendors TO kokola_password;");
  const PgSettings settings = erp.settings("user=kokola_password");

  PgErpSource reader(settings, password, ErpViews{}, "Asia/Jakarta");
  EXPECT_EQ(reader.load_vendor("V-01")->name, "PT SATU");  // the table itself is not granted
  const auto problems = reader.check_schema();
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0], "reading view 'kokola_items' from " + reader.describe() +
                             ": permission denied for view kokola_items");
  EXPECT_EQ(problems[1], "view 'kokola_purchase_orders': not found in " + reader.describe());

  PgErpSource wrong(settings, "not-" + password, ErpViews{}, "Asia/Jakarta");
  try {
    wrong.load_vendor("V-01");
    FAIL() << "no error";
  } catch (const ErpError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("password authentication failed"), std::string::npos) << message;
    EXPECT_EQ(message.find(password), std::string::npos);
  }
}

TEST(PostgresErpSource, NamesTheDatabaseWithoutUserOrPassword) {
  EXPECT_EQ(pg::describe_conninfo("host=db1 port=5433 dbname=erp user=kokola"),
            "PostgreSQL database 'erp' on 'db1:5433'");
  EXPECT_EQ(pg::describe_conninfo("postgresql://kokola@db1.example.com/erp?sslmode=require"),
            "PostgreSQL database 'erp' on 'db1.example.com'");
  EXPECT_EQ(pg::describe_conninfo("user=kokola"), "PostgreSQL database 'kokola' on 'local socket'");
}

}  // namespace
}  // namespace kokola
