#include "erp/sqlite_source.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "erp/erp_fixture.hpp"
#include "rules/mapper.hpp"
#include "support/log_capture.hpp"

namespace kokola {
namespace {

using testing_erp::run_sql;
using testing_erp::TempDir;

// What only the SQLite source does: reopening a file replaced by rename, and naming the file
// it cannot open. The contract itself is tested on both engines in erp_source_test.cpp.
constexpr const char* kSchema = R"sql(
CREATE TABLE sup (kd CHAR(8), nm VARCHAR(60), npwp VARCHAR(25), alamat VARCHAR(80),
                  kota VARCHAR(30), telp VARCHAR(20), email VARCHAR(60), aktif,
                  upd TIMESTAMP);
CREATE VIEW kokola_vendors AS SELECT kd AS code, nm AS name, npwp AS tax_id, alamat AS address,
  kota AS city, telp AS phone, email, aktif AS active, upd AS updated_at FROM sup;
INSERT INTO sup VALUES
  ('V-01   ', 'PT SATU', '01.234.567.8-901.000', 'Jl. Satu', 'Jakarta', '021-555', NULL, 1,
   '2025-01-02 08:00:00');
)sql";

class SqliteErpSourceTest : public ::testing::Test {
 protected:
  void SetUp() override { run_sql(path_, kSchema); }
  SqliteErpSource open(int page_size = 500) {
    return SqliteErpSource(path_, ErpViews{}, page_size);
  }

  TempDir dir_;
  std::string path_ = dir_.file("erp.db");
};

TEST_F(SqliteErpSourceTest, ReopensADatabaseReplacedByRename) {
  SqliteErpSource source(path_, ErpViews{});
  ASSERT_EQ(source.load_vendor("V-01")->name, "PT SATU");

  // What `cp erp.db new; edit new; mv new erp.db` does: the open file is unlinked.
  const std::string replacement = dir_.file("new.db");
  std::filesystem::copy_file(path_, replacement);
  run_sql(replacement, "UPDATE sup SET nm = 'PT SATU BARU' WHERE kd = 'V-01   ';");
  std::filesystem::rename(replacement, path_);

  LogCapture log;
  EXPECT_EQ(source.load_vendor("V-01")->name, "PT SATU BARU");
  EXPECT_EQ(log.text(), "info ERP database '" + path_ + "' was replaced: reopened\n");
  EXPECT_EQ(source.list(Entity::vendor, {{}, false, "baru", 50}).size(), 1u);
  EXPECT_EQ(log.text(), "info ERP database '" + path_ + "' was replaced: reopened\n");
}

TEST_F(SqliteErpSourceTest, MissingDatabaseFailsTheReadAndTheNextReadRetries) {
  SqliteErpSource source(path_, ErpViews{});
  const std::string aside = dir_.file("aside.db");
  std::filesystem::rename(path_, aside);

  try {
    source.keys(Entity::vendor);
    FAIL() << "no error";
  } catch (const ErpError& e) {
    EXPECT_EQ(std::string(e.what()), "reading ERP database '" + path_ + "': no such file");
  }

  run_sql(aside, "UPDATE sup SET nm = 'PT SATU LAGI' WHERE kd = 'V-01   ';");
  std::filesystem::rename(aside, path_);
  EXPECT_EQ(source.load_vendor("V-01")->name, "PT SATU LAGI");
}

TEST(SqliteErpSource, UnreadablePathNamesTheFile) {
  TempDir dir;
  const std::string missing = dir.file("missing/erp.db");
  EXPECT_THROW(
      {
        try {
          SqliteErpSource source(missing, ErpViews{});
        } catch (const ErpError& e) {
          EXPECT_EQ(std::string(e.what()),
                    "opening ERP database '" + missing + "': unable to open database file");
          throw;
        }
      },
      ErpError);

  const std::string garbage = dir.file("garbage.db");
  std::ofstream(garbage) << std::string(4096, 'x');
  try {
    SqliteErpSource source(garbage, ErpViews{});
    FAIL() << "no error";
  } catch (const ErpError& e) {
    EXPECT_EQ(std::string(e.what()),
              "opening ERP database '" + garbage + "': file is not a database");
  }
}

}  // namespace
}  // namespace kokola
