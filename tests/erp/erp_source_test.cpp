// The ERP source contract, tested once against both engines: every test here runs on SQLite
// and on PostgreSQL (value-parameterised; ctest starts the PostgreSQL cluster for the
// ".../Postgres" instances). Engine-specific behaviour lives in sqlite_source_test.cpp and
// pg_source_test.cpp.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "erp/test_erp.hpp"
#include "rules/mapper.hpp"

namespace kokola {
namespace {

using testing_erp::Engine;

// A small ERP: native tables with their own names, and the contract views on top. Keys carry
// trailing spaces and '/', and line numbers are TEXT so that only a numeric sort gives
// 1, 2, 10. The types read the same in both engines: VARCHAR keeps padding as written, and
// an unconstrained DECIMAL prints 10, 2.5 and 1500.5 as written. @CAFE@ is the Latin-1 text
// "Jl. Caf\xe9", invalid as UTF-8.
constexpr const char* kSchema = R"sql(
CREATE TABLE sup (kd VARCHAR(8), nm VARCHAR(60), npwp VARCHAR(25), alamat VARCHAR(80),
                  kota VARCHAR(30), telp VARCHAR(20), email VARCHAR(60), aktif VARCHAR(5),
                  upd TIMESTAMP);
CREATE TABLE brg (kd VARCHAR(12), nm VARCHAR(60), sat VARCHAR(6), kat VARCHAR(20),
                  ean VARCHAR(14), aktif VARCHAR(5), upd TIMESTAMP);
CREATE TABLE po (no VARCHAR(16), sup VARCHAR(8), tgl DATE, kirim DATE, val VARCHAR(3),
                 st VARCHAR(12), total DECIMAL, ket VARCHAR(80), upd TIMESTAMP);
CREATE TABLE dtl (no VARCHAR(16), urut TEXT, brg VARCHAR(12), uraian VARCHAR(60), qty DECIMAL,
                  sat VARCHAR(6), harga DECIMAL, disc DECIMAL, ppn DECIMAL, jml DECIMAL);
CREATE VIEW kokola_vendors AS SELECT kd AS code, nm AS name, npwp AS tax_id, alamat AS address,
  kota AS city, telp AS phone, email, aktif AS active, upd AS updated_at FROM sup;
CREATE VIEW kokola_items AS SELECT kd AS code, nm AS name, sat AS uom, kat AS category,
  ean AS barcode, aktif AS active, upd AS updated_at FROM brg;
CREATE VIEW kokola_purchase_orders AS SELECT no AS number, sup AS vendor_code,
  tgl AS order_date, kirim AS delivery_date, val AS currency, st AS status, total,
  ket AS notes, upd AS updated_at FROM po;
CREATE VIEW kokola_po_lines AS SELECT no AS po_number, urut AS line_no, brg AS item_code,
  uraian AS description, qty, sat AS uom, harga AS unit_price, disc AS discount,
  ppn AS tax_rate, jml AS line_total FROM dtl;

INSERT INTO sup VALUES
  ('V-01   ', 'PT SATU', '01.234.567.8-901.000', 'Jl. Satu', 'Jakarta', '021-555', NULL, '1',
   '2025-01-02 08:00:00'),
  ('V-02', 'CV DUA', '0123456789012345', @CAFE@, 'Bandung', NULL, 'dua@example.co.id', 'Y',
   '2025-01-02 08:00:00'),
  ('V-03', 'UD TIGA', '012345678901234', 'Jl. Tiga', 'Medan', NULL, NULL, '0', NULL),
  ('V/04', 'PT EMPAT', '012345678901234', 'Jl. Empat', 'Solo', NULL, NULL, ' yes ', NULL),
  ('V-05', 'PT LIMA', '012345678901234', NULL, NULL, NULL, NULL, '1', NULL),
  ('V-06', 'PT ENAM', '012345678901234', NULL, NULL, NULL, NULL, '1', NULL),
  ('V-07', 'PT TUJUH', '012345678901234', NULL, NULL, NULL, NULL, '1', NULL);
INSERT INTO brg VALUES
  ('BRG-01  ', 'Pipa PVC ½ inch', 'PCS', 'BANGUNAN', '8991234567895', '1', NULL),
  ('PIPA/PVC/05', 'Kabel NYM 2×1,5 mm²', 'PCS', 'LISTRIK', NULL, '1', NULL),
  ('BRG-03', 'Gula Pasir', 'KG', 'PANGAN', NULL, '0', NULL);
INSERT INTO po VALUES
  ('PO-1  ', 'V-01', '2025-03-01', NULL, 'IDR', 'APPROVED', 16655.55, NULL, NULL),
  ('PO/2025/0001', 'V/04', '2025-03-02', '2025-03-09', 'IDR', ' approved ', 11100, 'x', NULL),
  ('PO-3', 'V-02', '2025-03-03', NULL, 'IDR', 'DRAFT', 0, NULL, NULL),
  ('PO-4', 'V-03', '2025-03-04', NULL, 'IDR', 'CANCELLED', 0, NULL, NULL),
  ('PO-5', 'V-05', '2025-03-05', NULL, 'IDR', 'APPROVED', 0, NULL, NULL),
  ('PO-6', 'V-99', '2025-03-06', NULL, 'IDR', 'APPROVED', 0, NULL, NULL),
  ('PO-7', NULL, '2025-03-07', NULL, 'IDR', 'CLOSED', 0, NULL, NULL);
INSERT INTO dtl VALUES
  ('PO-1  ', '10', NULL, 'Ongkos kirim', 1, 'PCS', 100, 0, 0, 100),
  ('PO-1', '2', 'PIPA/PVC/05', NULL, 2.5, 'PCS', 200, 0, 11, 555),
  ('PO-1  ', '1', 'BRG-01', NULL, 10, 'PCS', 1500.5, 5, 0, 15000),
  ('PO/2025/0001', '1', 'PIPA/PVC/05', NULL, 10, 'PCS', 1000, 0, 11, 11100),
  ('PO-3', '1', 'BRG-03', NULL, NULL, 'KG', 0, 0, 0, 0),
  ('PO-5', '1', 'BRG-01', NULL, 1, 'PCS', 0, 0, 0, 0),
  ('PO-5', '2', 'BRG-01', NULL, 1, 'PCS', 0, 0, 0, 0);
)sql";

class ErpSourceTest : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    erp_ = testing_erp::make_test_erp(GetParam());
    std::string schema = kSchema;
    schema.replace(schema.find("@CAFE@"), 6, erp_->bytes_literal("Jl. Caf\xe9"));
    erp_->run_sql(schema);
  }
  std::unique_ptr<ErpSource> open(int page_size = 500) { return erp_->open({}, page_size); }

  std::unique_ptr<testing_erp::TestErp> erp_;
};

TEST_P(ErpSourceTest, LoadsByTrimmedKeyAndKeepsKeyAsStored) {
  auto source = open();

  for (const char* key : {"V-01", "V-01   ", " V-01\t"}) {
    const auto vendor = source->load_vendor(key);
    ASSERT_TRUE(vendor) << key;
    EXPECT_EQ(vendor->code, "V-01   ");
    EXPECT_EQ(vendor->name, "PT SATU");
  }
  EXPECT_FALSE(source->load_vendor("V-1"));
  EXPECT_FALSE(source->load_vendor("v-01"));
}

TEST_P(ErpSourceTest, LoadsKeysContainingSlash) {
  auto source = open();

  const auto item = source->load_item("PIPA/PVC/05");
  ASSERT_TRUE(item);
  EXPECT_EQ(item->name, "Kabel NYM 2×1,5 mm²");
  const auto po = source->load_purchase_order("PO/2025/0001");
  ASSERT_TRUE(po);
  EXPECT_EQ(po->vendor_name, "PT EMPAT");
  ASSERT_EQ(po->lines.size(), 1u);
  EXPECT_EQ(po->lines[0].item_code, "PIPA/PVC/05");
}

TEST_P(ErpSourceTest, KeepsInvalidUtf8BytesAndNulls) {
  auto source = open();

  const auto vendor = source->load_vendor("V-02");
  ASSERT_TRUE(vendor);
  EXPECT_EQ(vendor->address, std::string("Jl. Caf\xe9"));
  EXPECT_EQ(vendor->phone, std::nullopt);
  EXPECT_EQ(vendor->active, "Y");
  EXPECT_EQ(source->load_vendor("V-01")->email, std::nullopt);
}

TEST_P(ErpSourceTest, ReadsNumbersDatesAndTimestampsAsPrinted) {
  auto source = open();

  const auto po = source->load_purchase_order("PO-1");
  ASSERT_TRUE(po);
  EXPECT_EQ(po->total, "16655.55");
  EXPECT_EQ(po->order_date, "2025-03-01");
  ASSERT_EQ(po->lines.size(), 3u);
  EXPECT_EQ(po->lines[0].unit_price, "1500.5");
  EXPECT_EQ(po->lines[0].qty, "10");
  EXPECT_EQ(po->lines[1].qty, "2.5");
  EXPECT_EQ(source->load_vendor("V-01")->active, "1");
  EXPECT_EQ(source->load_vendor("V-01")->updated_at, "2025-01-02 08:00:00");
}

TEST_P(ErpSourceTest, ReadsPoLinesInNumericOrderWithVendorName) {
  auto source = open();

  const auto po = source->load_purchase_order("PO-1");
  ASSERT_TRUE(po);
  EXPECT_EQ(po->number, "PO-1  ");
  EXPECT_EQ(po->vendor_name, "PT SATU");  // "V-01" on the PO, "V-01   " in the vendors
  ASSERT_EQ(po->lines.size(), 3u);
  EXPECT_EQ(po->lines[0].line_no, "1");
  EXPECT_EQ(po->lines[1].line_no, "2");
  EXPECT_EQ(po->lines[2].line_no, "10");
  EXPECT_EQ(po->lines[2].item_code, std::nullopt);
  EXPECT_EQ(po->lines[2].description, "Ongkos kirim");
  EXPECT_EQ(source->load_purchase_order("PO-6")->vendor_name, std::nullopt);
  EXPECT_TRUE(source->load_purchase_order("PO-4")->lines.empty());
}

TEST_P(ErpSourceTest, ScansEveryRecordInKeyOrderAcrossPages) {
  auto source = open(3);

  std::vector<std::string> vendors;
  source->scan_vendors([&](VendorRow&& row) {
    vendors.push_back(*row.code);
    return true;
  });
  EXPECT_EQ(vendors, source->keys(Entity::vendor));
  EXPECT_EQ(vendors.size(), 7u);

  std::map<std::string, size_t> lines;
  source->scan_purchase_orders([&](PoRow&& row) {
    lines[*row.number] = row.lines.size();
    return true;
  });
  const std::map<std::string, size_t> expected{{"PO-1  ", 3},      {"PO-3", 1}, {"PO-4", 0},
                                               {"PO-5", 2},        {"PO-6", 0}, {"PO-7", 0},
                                               {"PO/2025/0001", 1}};
  EXPECT_EQ(lines, expected);
}

TEST_P(ErpSourceTest, ScanStopsWhenVisitorSaysSo) {
  auto source = open(3);

  int seen = 0;
  source->scan_items([&](ItemRow&&) { return ++seen < 2; });
  EXPECT_EQ(seen, 2);
}

TEST_P(ErpSourceTest, ScanVisitorMayReadTheErpItself) {
  auto source = open(2);

  std::vector<std::string> names;
  source->scan_purchase_orders([&](PoRow&& row) {
    if (row.vendor_code) {
      const auto vendor = source->load_vendor(*row.vendor_code);
      names.push_back(vendor && vendor->name ? *vendor->name : "-");
    }
    return true;
  });
  EXPECT_EQ(names,
            (std::vector<std::string>{"PT SATU", "CV DUA", "UD TIGA", "PT LIMA", "-", "PT EMPAT"}));
}

TEST_P(ErpSourceTest, ListsWithFiltersInTheQuery) {
  auto source = open();

  ListQuery ready{{"APPROVED"}, true, "", 50};
  std::set<std::string> keys;
  for (const auto& e : source->list(Entity::purchase_order, ready)) keys.insert(e.key);
  EXPECT_EQ(keys, (std::set<std::string>{"PO-1", "PO-5", "PO-6", "PO/2025/0001"}));

  const auto empat = source->list(Entity::purchase_order, {{"APPROVED"}, true, "empat", 50});
  ASSERT_EQ(empat.size(), 1u);
  EXPECT_EQ(empat[0].key, "PO/2025/0001");
  EXPECT_EQ(empat[0].label, "PT EMPAT");
  EXPECT_EQ(empat[0].state, "approved");

  const auto active = source->list(Entity::vendor, {{}, true, "", 50});
  EXPECT_EQ(active.size(), 6u);  // V-03 is inactive
  const auto dua = source->list(Entity::vendor, {{}, false, "dUa", 50});
  ASSERT_EQ(dua.size(), 1u);
  EXPECT_EQ(dua[0].key, "V-02");
  EXPECT_EQ(dua[0].state, "active");
  EXPECT_EQ(source->list(Entity::item, {{}, false, "", 2}).size(), 2u);
  EXPECT_EQ(source->list(Entity::item, {{}, false, "", 0}).size(), 3u);  // no limit
  EXPECT_EQ(source->list(Entity::item, {{}, true, "", 50}).size(), 2u);
}

TEST_P(ErpSourceTest, SchemaCheckIsCleanForTheContractViews) {
  EXPECT_EQ(open()->check_schema(), std::vector<std::string>{});
}

TEST_P(ErpSourceTest, SchemaCheckNamesMissingColumnsAndViews) {
  erp_->run_sql(
      "DROP VIEW kokola_items; DROP VIEW kokola_po_lines;"
      "CREATE VIEW kokola_items AS SELECT kd AS code, nm AS name, sat AS uom, kat AS category,"
      " aktif AS active, upd AS updated_at FROM brg;");

  const std::vector<std::string> expected{"view 'kokola_items': missing column 'barcode'",
                                          "view 'kokola_po_lines': not found in " + erp_->where()};
  EXPECT_EQ(open()->check_schema(), expected);
}

TEST_P(ErpSourceTest, QuotesConfiguredViewNames) {
  erp_->run_sql(R"(CREATE VIEW "erp ""odd"" items" AS SELECT * FROM kokola_items;)");
  ErpViews views;
  views.items = R"(erp "odd" items)";
  auto source = erp_->open(views);

  EXPECT_TRUE(source->check_schema().empty());
  EXPECT_TRUE(source->load_item("BRG-01"));
}

TEST_P(ErpSourceTest, ReadErrorNamesViewAndDatabase) {
  ErpViews views;
  views.items = "no_such_view";
  auto source = erp_->open(views);

  try {
    source->load_item("BRG-01");
    FAIL() << "no error";
  } catch (const ErpError& e) {
    const std::string message = e.what();
    const std::string prefix = "reading view 'no_such_view' from " + erp_->where() + ": ";
    EXPECT_EQ(message.substr(0, prefix.size()), prefix);
    EXPECT_NE(message.find("no_such_view", prefix.size()), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  EXPECT_TRUE(source->load_vendor("V-01"));  // the failed read spoiled nothing
}

TEST_P(ErpSourceTest, SeesChangesCommittedAfterOpening) {
  auto source = open();
  ASSERT_EQ(source->load_vendor("V-01")->name, "PT SATU");
  erp_->run_sql("UPDATE sup SET nm = 'PT SATU BARU' WHERE kd = 'V-01   ';");

  EXPECT_EQ(source->load_vendor("V-01")->name, "PT SATU BARU");
}

TEST_P(ErpSourceTest, BlankKeysAreLeftOutOfListingsButScannedAsProblems) {
  erp_->run_sql(
      "INSERT INTO sup VALUES ('   ', 'PT UJI', '012345678901234', NULL, NULL, NULL, NULL,"
      " '1', NULL), (NULL, 'PT NULL', '012345678901234', NULL, NULL, NULL, NULL, '1', NULL);"
      "INSERT INTO po VALUES (' \t ', 'V-01', '2025-03-08', NULL, 'IDR', 'APPROVED', 0, NULL,"
      " NULL);");
  auto source = open(3);

  for (const auto& entry : source->list(Entity::vendor, {{}, false, "", 50})) {
    EXPECT_NE(entry.key, "") << entry.label;
  }
  EXPECT_EQ(source->list(Entity::vendor, {{}, false, "uji", 50}).size(), 0u);
  EXPECT_EQ(source->list(Entity::vendor, {{}, false, "", 50}).size(), 7u);
  EXPECT_EQ(source->list(Entity::purchase_order, {{}, false, "", 50}).size(), 7u);
  EXPECT_EQ(source->keys(Entity::vendor).size(), 7u);
  EXPECT_EQ(source->keys(Entity::purchase_order).size(), 7u);

  std::vector<Problems> blank;
  source->scan_vendors([&](VendorRow&& row) {
    if (row.code && row.code->find_first_not_of(' ') == std::string::npos) {
      blank.push_back(map_vendor(row, RulesConfig{}).problems);
    }
    return true;
  });
  ASSERT_EQ(blank.size(), 1u);
  EXPECT_EQ(blank[0], (Problems{Problem{"code", "is required"}}));

  std::vector<Problems> blank_pos;
  source->scan_purchase_orders([&](PoRow&& row) {
    if (row.number == " \t ") blank_pos.push_back(map_purchase_order(row, RulesConfig{}).problems);
    return true;
  });
  ASSERT_EQ(blank_pos.size(), 1u);
  ASSERT_FALSE(blank_pos[0].empty());
  EXPECT_EQ(blank_pos[0].front(), (Problem{"number", "is required"}));
}

INSTANTIATE_TEST_SUITE_P(Engines, ErpSourceTest,
                         ::testing::Values(Engine::sqlite, Engine::postgres),
                         [](const auto& info) { return testing_erp::engine_name(info.param); });

}  // namespace
}  // namespace kokola
