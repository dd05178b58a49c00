#include "rules/mapper.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rules/row_fixtures.hpp"

namespace kokola {
namespace {

using ::testing::ElementsAre;

Problems vendor_problems(const VendorRow& row) { return map_vendor(row, jakarta_rules()).problems; }

Problems item_problems(const ItemRow& row) { return map_item(row, jakarta_rules()).problems; }

TEST(MapVendor, ValidRowBecomesARecord) {
  Mapped<Vendor> m = map_vendor(valid_vendor_row(), jakarta_rules());
  ASSERT_TRUE(m.valid()) << m.problems.front().message;
  const Vendor& v = *m.record;
  EXPECT_EQ(v.code, "V-0042");
  EXPECT_EQ(v.tax_id, "012345678901234");
  EXPECT_EQ(v.email, "sales@suryaindah.co.id");
  EXPECT_TRUE(v.active);
  EXPECT_EQ(v.updated_at->to_rfc3339(), "2025-02-03T14:05:00+07:00");
}

TEST(MapVendor, RequiredFieldsMissingOrBlank) {
  VendorRow row = valid_vendor_row();
  row.code = "   ";
  row.name = std::nullopt;
  row.tax_id = "";
  EXPECT_THAT(vendor_problems(row),
              ElementsAre(Problem{"code", "is required"}, Problem{"name", "is required"},
                          Problem{"tax_id", "is required"}));
}

TEST(MapVendor, InvalidUtf8IsReportedWithByteOffset) {
  VendorRow row = valid_vendor_row();
  row.name = "PT CAF\xC9 JAYA";
  Mapped<Vendor> m = map_vendor(row, jakarta_rules());
  EXPECT_FALSE(m.record);
  EXPECT_THAT(m.problems,
              ElementsAre(Problem{"name", "invalid UTF-8 at byte 6: 'PT CAF\\xC9 JAYA'"}));
}

TEST(MapVendor, OptionalBlankTextIsNull) {
  VendorRow row = valid_vendor_row();
  row.city = "    ";
  row.email = std::nullopt;
  Mapped<Vendor> m = map_vendor(row, jakarta_rules());
  ASSERT_TRUE(m.valid());
  EXPECT_EQ(m.record->city, std::nullopt);
  EXPECT_EQ(m.record->email, std::nullopt);
}

TEST(MapVendor, SixteenDigitTaxIdIsAccepted) {
  VendorRow row = valid_vendor_row();
  row.tax_id = "0123 4567 8901 2345";
  Mapped<Vendor> m = map_vendor(row, jakarta_rules());
  ASSERT_TRUE(m.valid());
  EXPECT_EQ(m.record->tax_id, "0123456789012345");
}

TEST(MapVendor, TaxIdWithWrongDigitCount) {
  VendorRow row = valid_vendor_row();
  row.tax_id = "01.234.567.8-901";
  EXPECT_THAT(
      vendor_problems(row),
      ElementsAre(Problem{"tax_id", "'01.234.567.8-901' must have 15 or 16 digits, not 12"}));
}

TEST(MapVendor, TaxIdStoredAsRealIsRefused) {
  VendorRow row = valid_vendor_row();
  for (const char* real : {"771007312249242.0", "7.71007312249242e+14", "1.2E15", "7710073.00"}) {
    row.tax_id = real;
    EXPECT_THAT(vendor_problems(row),
                ElementsAre(Problem{"tax_id", "'" + std::string(real) +
                                                  "' looks like a number stored as REAL; store "
                                                  "tax ids as text"}))
        << real;
  }
}

TEST(MapVendor, PunctuatedTaxIdIsNotMistakenForReal) {
  VendorRow row = valid_vendor_row();
  for (const char* text : {"77.100.731.2-249.242", "771007312249242", "77.100.731.2-249.000"}) {
    row.tax_id = text;
    Mapped<Vendor> m = map_vendor(row, jakarta_rules());
    ASSERT_TRUE(m.valid()) << text << ": " << m.problems.front().message;
    EXPECT_EQ(m.record->tax_id.size(), 15u) << text;
  }
}

TEST(MapVendor, ControlCharactersAreProblemsWithByteOffset) {
  VendorRow row = valid_vendor_row();
  row.code = "V-00\x1B-42  ";
  row.name = std::string("PT SURYA\0INDAH", 14);
  row.city = "Jakarta\tTimur";
  row.phone = "021\x7f";
  EXPECT_THAT(vendor_problems(row),
              ElementsAre(Problem{"code", "contains control character U+001B at byte 4"},
                          Problem{"name", "contains control character U+0000 at byte 8"},
                          Problem{"city", "contains control character U+0009 at byte 7"},
                          Problem{"phone", "contains control character U+007F at byte 3"}));
}

TEST(MapVendor, AddressMayHoldLineBreaksButNoOtherControlCharacter) {
  VendorRow row = valid_vendor_row();
  row.address = "Jl. Raya Bekasi Km 21\r\nRT 01\tRW 02\n";
  row.name = "\tPT SURYA INDAH PLASTIK\r\n";  // surrounding white space is only trimmed
  Mapped<Vendor> m = map_vendor(row, jakarta_rules());
  ASSERT_TRUE(m.valid()) << m.problems.front().message;
  EXPECT_EQ(m.record->address, "Jl. Raya Bekasi Km 21\r\nRT 01\tRW 02");
  EXPECT_EQ(m.record->name, "PT SURYA INDAH PLASTIK");

  row.address = std::string("Jl. Raya\nBekasi\0", 16);
  EXPECT_THAT(vendor_problems(row),
              ElementsAre(Problem{"address", "contains control character U+0000 at byte 15"}));
}

TEST(MapVendor, TaxIdWithForeignCharacters) {
  VendorRow row = valid_vendor_row();
  row.tax_id = "01.234.567.8/901.234";
  EXPECT_THAT(vendor_problems(row),
              ElementsAre(Problem{"tax_id",
                                  "'01.234.567.8/901.234' may contain only digits, '.', '-' and "
                                  "spaces"}));
}

TEST(MapVendor, EmailShape) {
  for (std::string_view bad : {"sales", "sales@localhost", "a@b@c.id", "sa les@x.id", "@x.id",
                               "a@.id", "a@x.", "a@x..id"}) {
    VendorRow row = valid_vendor_row();
    row.email = std::string(bad);
    EXPECT_THAT(vendor_problems(row),
                ElementsAre(Problem{"email", "'" + std::string(bad) +
                                                 "' is not an e-mail address (local@domain.tld)"}))
        << bad;
  }
}

TEST(MapVendor, UnrecognisedActiveFlag) {
  VendorRow row = valid_vendor_row();
  row.active = "maybe";
  EXPECT_THAT(
      vendor_problems(row),
      ElementsAre(Problem{
          "active", "'maybe' is not a recognised flag (1/0, true/false, t/f, y/n or yes/no)"}));
}

TEST(MapVendor, UnparsableUpdatedAt) {
  VendorRow row = valid_vendor_row();
  row.updated_at = "03/02/2025 14:05";
  EXPECT_THAT(vendor_problems(row),
              ElementsAre(Problem{"updated_at",
                                  "'03/02/2025 14:05' is not a valid timestamp "
                                  "(YYYY-MM-DD HH:MM:SS)"}));
}

TEST(MapVendor, ReportsEveryProblemNotJustTheFirst) {
  VendorRow row = valid_vendor_row();
  row.tax_id = "123";
  row.email = "nope";
  row.active = std::nullopt;
  Problems problems = vendor_problems(row);
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0].path, "tax_id");
  EXPECT_EQ(problems[1].path, "email");
  EXPECT_EQ(problems[2], (Problem{"active", "is required"}));
}

TEST(MapItem, ValidRowBecomesARecord) {
  Mapped<Item> m = map_item(valid_item_row(), jakarta_rules());
  ASSERT_TRUE(m.valid());
  EXPECT_EQ(m.record->code, "ITM-001");
  EXPECT_EQ(m.record->uom, "PCS");
  EXPECT_EQ(m.record->barcode, "8991234567890");
  EXPECT_TRUE(m.record->active);
}

TEST(MapItem, RequiredCodeNameUom) {
  ItemRow row = valid_item_row();
  row.code = std::nullopt;
  row.name = " ";
  row.uom = std::nullopt;
  EXPECT_THAT(item_problems(row),
              ElementsAre(Problem{"code", "is required"}, Problem{"name", "is required"},
                          Problem{"uom", "is required"}));
}

TEST(MapItem, BarcodeMustBeEightToFourteenDigits) {
  for (std::string_view bad : {"1234567", "123456789012345", "89912345A7890"}) {
    ItemRow row = valid_item_row();
    row.barcode = std::string(bad);
    EXPECT_THAT(item_problems(row), ElementsAre(Problem{"barcode", "'" + std::string(bad) +
                                                                       "' must be 8 to 14 digits"}))
        << bad;
  }
  ItemRow row = valid_item_row();
  row.barcode = "12345678";
  EXPECT_TRUE(item_problems(row).empty());
  row.barcode = std::nullopt;
  EXPECT_TRUE(item_problems(row).empty());
}

TEST(MapItem, UnrecognisedActiveFlag) {
  ItemRow row = valid_item_row();
  row.active = "aktif";
  Problems problems = item_problems(row);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].path, "active");
}

}  // namespace
}  // namespace kokola
