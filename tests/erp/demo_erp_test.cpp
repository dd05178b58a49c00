// Runs the demo ERP generator (scripts/demo_erp.py) once per engine and reads its output
// through that engine's ERP source: the counts, the fixed keys the demo relies on, and a clean
// schema check. PostgreSQL: a SQL_ASCII database of the test cluster, so that the demo's
// Latin-1 bytes are kept as in SQLite.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <string>

#include "erp/erp_fixture.hpp"
#include "erp/pg_source.hpp"
#include "erp/sqlite_source.hpp"
#include "erp/test_erp.hpp"

namespace kokola {
namespace {

using testing_erp::Engine;

// The source tree: $KOKOLA_SOURCE_DIR, else derived from this file's path.
std::string source_dir() {
  if (const char* dir = std::getenv("KOKOLA_SOURCE_DIR"); dir && *dir) return dir;
  const std::string file = __FILE__;
  return file.substr(0, file.rfind("/tests/erp/"));
}

std::string generator() { return "python3 '" + source_dir() + "/scripts/demo_erp.py'"; }

// The demo ERP, built once per engine and test program.
struct Demo {
  std::string problem;  // why it could not be built; empty when it was
  std::function<std::unique_ptr<ErpSource>(int page_size)> open;
};

Demo build_sqlite(testing_erp::TempDir& dir) {
  const std::string path = dir.file("demo-erp.db");
  const std::string command = generator() + " --sqlite '" + path + "' > /dev/null";
  if (std::system(command.c_str()) != 0) return {"the demo ERP generator failed", {}};
  return {"", [path](int page_size) {
            return std::make_unique<SqliteErpSource>(path, ErpViews{}, page_size);
          }};
}

Demo build_postgres() {
  const std::string db = "kokola_demo_" + std::to_string(::getpid());
  std::string conninfo;
  try {
    const std::string admin = testing_erp::pg_admin_conninfo();
    testing_erp::pg_exec(admin, "DROP DATABASE IF EXISTS " + db);
    testing_erp::pg_ensure_database(db, "SQL_ASCII");
    conninfo = admin + " dbname=" + db;
  } catch (const std::exception& e) {
    return {e.what(), {}};
  }
  const std::string command =
      generator() + " --postgres '" + conninfo + "' > /dev/null 2> /dev/null";
  if (std::system(command.c_str()) != 0) return {"the demo ERP generator failed", {}};
  return {"", [conninfo](int page_size) {
            PgSettings settings;
            settings.conninfo = conninfo;
            return std::make_unique<PgErpSource>(settings, "", ErpViews{}, "Asia/Jakarta",
                                                 page_size);
          }};
}

class DemoErpTest : public ::testing::TestWithParam<Engine> {
 protected:
  static void SetUpTestSuite() { dir_ = new testing_erp::TempDir(); }
  static void TearDownTestSuite() {
    if (postgres_ && postgres_->problem.empty()) {
      try {
        testing_erp::pg_exec(
            testing_erp::pg_admin_conninfo(),
            "DROP DATABASE IF EXISTS kokola_demo_" + std::to_string(::getpid()) + " WITH (FORCE)");
      } catch (const std::exception&) {
      }
    }
    delete sqlite_;
    delete postgres_;
    delete dir_;
    sqlite_ = postgres_ = nullptr;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (GetParam() == Engine::sqlite && !sqlite_) sqlite_ = new Demo(build_sqlite(*dir_));
    if (GetParam() == Engine::postgres && !postgres_) postgres_ = new Demo(build_postgres());
    demo_ = GetParam() == Engine::sqlite ? sqlite_ : postgres_;
    ASSERT_EQ(demo_->problem, "");
  }
  std::unique_ptr<ErpSource> open(int page_size = 500) { return demo_->open(page_size); }

  static inline testing_erp::TempDir* dir_ = nullptr;
  static inline Demo* sqlite_ = nullptr;
  static inline Demo* postgres_ = nullptr;
  Demo* demo_ = nullptr;
};

TEST_P(DemoErpTest, HasTheVolumesTheDemoPromises) {
  auto source = open();

  EXPECT_GE(source->keys(Entity::vendor).size(), 50u);
  EXPECT_GE(source->keys(Entity::item).size(), 500u);
  EXPECT_GE(source->keys(Entity::purchase_order).size(), 200u);
  EXPECT_EQ(source->check_schema(), std::vector<std::string>{});
}

TEST_P(DemoErpTest, MainPurchaseOrderIsApprovedFromSuryaIndahPlastik) {
  auto source = open();

  const auto po = source->load_purchase_order("PWU2012502-0000517");
  ASSERT_TRUE(po);
  EXPECT_EQ(po->vendor_name, "SURYA INDAH PLASTIK");
  EXPECT_EQ(po->status, "APPROVED");
  EXPECT_GE(po->lines.size(), 3u);
  EXPECT_LE(po->lines.size(), 8u);
}

TEST_P(DemoErpTest, DirtyCasesArePresentAsDocumented) {
  auto source = open(100);

  const auto padded = source->load_purchase_order("PWU2012502-0000520");
  ASSERT_TRUE(padded);
  EXPECT_EQ(padded->number, "PWU2012502-0000520    ");
  EXPECT_TRUE(source->load_purchase_order("PO/2025/0001"));
  EXPECT_TRUE(source->load_item("PIPA/PVC/05"));
  EXPECT_TRUE(source->load_item("brg-kasus-01"));
  EXPECT_NE(source->load_vendor("V-0905")->address->find('\xe9'), std::string::npos);
  EXPECT_EQ(source->load_vendor("V-0903")->name, std::nullopt);

  const auto thousand = source->load_purchase_order("PWU2012502-0001000");
  ASSERT_TRUE(thousand);
  ASSERT_EQ(thousand->lines.size(), 1000u);
  EXPECT_EQ(thousand->lines.back().line_no, "1000");

  size_t scanned = 0;
  source->scan_purchase_orders([&](PoRow&&) { return ++scanned > 0; });
  EXPECT_EQ(scanned, source->keys(Entity::purchase_order).size());
}

INSTANTIATE_TEST_SUITE_P(Engines, DemoErpTest, ::testing::Values(Engine::sqlite, Engine::postgres),
                         [](const auto& info) { return testing_erp::engine_name(info.param); });

}  // namespace
}  // namespace kokola
