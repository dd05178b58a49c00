// Runs the demo ERP generator (scripts/demo_erp.py) once and reads its output through the
// SQLite ERP source: the counts, the fixed keys the demo relies on, and a clean schema check.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "erp/erp_fixture.hpp"
#include "erp/sqlite_source.hpp"

namespace kokola {
namespace {

// The source tree: $KOKOLA_SOURCE_DIR, else derived from this file's path.
std::string source_dir() {
  if (const char* dir = std::getenv("KOKOLA_SOURCE_DIR"); dir && *dir) return dir;
  const std::string file = __FILE__;
  return file.substr(0, file.rfind("/tests/erp/"));
}

class DemoErpTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing_erp::TempDir();
    path_ = dir_->file("demo-erp.db");
    const std::string command =
        "python3 '" + source_dir() + "/scripts/demo_erp.py' --sqlite '" + path_ + "'";
    status_ = std::system(command.c_str());
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override { ASSERT_EQ(status_, 0) << "the demo ERP generator failed"; }

  static inline testing_erp::TempDir* dir_ = nullptr;
  static inline std::string path_;
  static inline int status_ = -1;
};

TEST_F(DemoErpTest, HasTheVolumesTheDemoPromises) {
  SqliteErpSource source(path_, ErpViews{});

  EXPECT_GE(source.keys(Entity::vendor).size(), 50u);
  EXPECT_GE(source.keys(Entity::item).size(), 500u);
  EXPECT_GE(source.keys(Entity::purchase_order).size(), 200u);
  EXPECT_EQ(source.check_schema(), std::vector<std::string>{});
}

TEST_F(DemoErpTest, MainPurchaseOrderIsApprovedFromSuryaIndahPlastik) {
  SqliteErpSource source(path_, ErpViews{});

  const auto po = source.load_purchase_order("PWU2012502-0000517");
  ASSERT_TRUE(po);
  EXPECT_EQ(po->vendor_name, "SURYA INDAH PLASTIK");
  EXPECT_EQ(po->status, "APPROVED");
  EXPECT_GE(po->lines.size(), 3u);
  EXPECT_LE(po->lines.size(), 8u);
}

TEST_F(DemoErpTest, DirtyCasesArePresentAsDocumented) {
  SqliteErpSource source(path_, ErpViews{}, 100);

  const auto padded = source.load_purchase_order("PWU2012502-0000520");
  ASSERT_TRUE(padded);
  EXPECT_EQ(padded->number, "PWU2012502-0000520    ");
  EXPECT_TRUE(source.load_purchase_order("PO/2025/0001"));
  EXPECT_TRUE(source.load_item("PIPA/PVC/05"));
  EXPECT_TRUE(source.load_item("brg-kasus-01"));
  EXPECT_NE(source.load_vendor("V-0905")->address->find('\xe9'), std::string::npos);
  EXPECT_EQ(source.load_vendor("V-0903")->name, std::nullopt);

  const auto thousand = source.load_purchase_order("PWU2012502-0001000");
  ASSERT_TRUE(thousand);
  ASSERT_EQ(thousand->lines.size(), 1000u);
  EXPECT_EQ(thousand->lines.back().line_no, "1000");

  size_t scanned = 0;
  source.scan_purchase_orders([&](PoRow&&) { return ++scanned > 0; });
  EXPECT_EQ(scanned, source.keys(Entity::purchase_order).size());
}

}  // namespace
}  // namespace kokola
