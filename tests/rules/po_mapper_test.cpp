#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rules/mapper.hpp"
#include "rules/row_fixtures.hpp"

namespace kokola {
namespace {

using ::testing::ElementsAre;

Problems po_problems(const PoRow& row, const RulesConfig& rules = jakarta_rules()) {
  return map_purchase_order(row, rules).problems;
}

// The valid PO with one field of line `i` replaced.
PoRow with_line(size_t i, Text PoLineRow::*field, Text value) {
  PoRow row = valid_po_row();
  row.lines[i].*field = std::move(value);
  return row;
}

TEST(MapPurchaseOrder, ValidRowBecomesARecord) {
  Mapped<PurchaseOrder> m = map_purchase_order(valid_po_row(), jakarta_rules());
  ASSERT_TRUE(m.valid()) << m.problems.front().path << ": " << m.problems.front().message;
  const PurchaseOrder& po = *m.record;
  EXPECT_EQ(po.number, "PWU2012502-0000517");
  EXPECT_EQ(po.currency, "IDR");
  EXPECT_EQ(po.order_date.to_string(), "2025-02-03");
  ASSERT_EQ(po.lines.size(), 2u);
  EXPECT_EQ(po.lines[0].item_code, "ITM-001");
  EXPECT_EQ(po.lines[0].uom, "PCS");
  EXPECT_EQ(po.lines[0].net.to_string(), "150000");
  EXPECT_EQ(po.lines[0].tax.to_string(), "16500");
  EXPECT_EQ(po.lines[1].item_code, std::nullopt);
  EXPECT_EQ(po.lines[1].tax_rate.to_string(), "0");  // NULL tax rate is 0
  EXPECT_EQ(po.lines[1].discount.to_string(), "0");  // NULL discount is 0
  EXPECT_EQ(po.total.to_string(), "216500");
}

TEST(MapPurchaseOrder, RequiredHeaderFields) {
  PoRow row = valid_po_row();
  row.number = std::nullopt;
  row.vendor_code = " ";
  row.order_date = std::nullopt;
  row.currency = std::nullopt;
  row.status = "";
  row.total = std::nullopt;
  EXPECT_THAT(po_problems(row),
              ElementsAre(Problem{"number", "is required"}, Problem{"vendor_code", "is required"},
                          Problem{"order_date", "is required"}, Problem{"currency", "is required"},
                          Problem{"status", "is required"}, Problem{"total", "is required"}));
}

TEST(MapPurchaseOrder, InvalidCalendarDate) {
  PoRow row = valid_po_row();
  row.order_date = "2025-02-30";
  EXPECT_THAT(po_problems(row),
              ElementsAre(Problem{"order_date", "'2025-02-30' is not a valid date (YYYY-MM-DD)"}));
}

TEST(MapPurchaseOrder, DeliveryBeforeOrderDate) {
  PoRow row = valid_po_row();
  row.delivery_date = "2025-02-01";
  EXPECT_THAT(po_problems(row),
              ElementsAre(Problem{"delivery_date",
                                  "delivery date 2025-02-01 is before the order date 2025-02-03"}));
  row.delivery_date = std::nullopt;
  EXPECT_TRUE(po_problems(row).empty());
}

TEST(MapPurchaseOrder, UnsupportedCurrency) {
  PoRow row = valid_po_row();
  row.currency = "xyz";
  EXPECT_THAT(po_problems(row), ElementsAre(Problem{"currency", "unsupported currency 'XYZ'"}));
  row.currency = "RP";
  EXPECT_THAT(po_problems(row),
              ElementsAre(Problem{"currency", "'RP' is not a 3-letter currency code"}));
}

TEST(MapPurchaseOrder, NeedsAtLeastOneLine) {
  PoRow row = valid_po_row();
  row.lines.clear();
  EXPECT_THAT(po_problems(row),
              ElementsAre(Problem{"lines", "a purchase order needs at least one line"}));
}

TEST(MapPurchaseOrder, LineNumbersMustBeUnique) {
  EXPECT_THAT(po_problems(with_line(1, &PoLineRow::line_no, "1")),
              ElementsAre(Problem{"lines[1].line_no", "line number 1 is also used by lines[0]"}));
}

TEST(MapPurchaseOrder, LineNumbersStartAtOne) {
  EXPECT_THAT(po_problems(with_line(0, &PoLineRow::line_no, "0")),
              ElementsAre(Problem{"lines[0].line_no", "must be at least 1 (found 0)"}));
  EXPECT_THAT(po_problems(with_line(0, &PoLineRow::line_no, "1.5")),
              ElementsAre(Problem{"lines[0].line_no", "'1.5' is not a line number"}));
  EXPECT_TRUE(po_problems(with_line(0, &PoLineRow::line_no, "1.0")).empty());  // REAL
}

TEST(MapPurchaseOrder, QuantityMustBePositive) {
  EXPECT_THAT(po_problems(with_line(1, &PoLineRow::qty, "0")),
              ElementsAre(Problem{"lines[1].qty", "must be greater than 0 (found 0)"}));
  EXPECT_THAT(po_problems(with_line(1, &PoLineRow::qty, "-2")),
              ElementsAre(Problem{"lines[1].qty", "must be greater than 0 (found -2)"}));
}

TEST(MapPurchaseOrder, QuantityHasAtMostQuantityScaleDecimals) {
  EXPECT_THAT(po_problems(with_line(0, &PoLineRow::qty, "10.00001")),
              ElementsAre(Problem{"lines[0].qty", "has 5 decimals; at most 4 are allowed"}));
}

TEST(MapPurchaseOrder, QuantityMustBeANumber) {
  EXPECT_THAT(po_problems(with_line(0, &PoLineRow::qty, "sepuluh")),
              ElementsAre(Problem{"lines[0].qty", "'sepuluh' is not a decimal number"}));
}

TEST(MapPurchaseOrder, UnitPriceMustNotBeNegative) {
  EXPECT_THAT(po_problems(with_line(1, &PoLineRow::unit_price, "-1")),
              ElementsAre(Problem{"lines[1].unit_price", "must not be negative (found -1)"}));
  EXPECT_THAT(po_problems(with_line(1, &PoLineRow::unit_price, std::nullopt)),
              ElementsAre(Problem{"lines[1].unit_price", "is required"}));
}

TEST(MapPurchaseOrder, DiscountMustNotBeNegative) {
  EXPECT_THAT(po_problems(with_line(0, &PoLineRow::discount, "-5")),
              ElementsAre(Problem{"lines[0].discount", "must not be negative (found -5)"}));
}

TEST(MapPurchaseOrder, DiscountAtMostTheLineGross) {
  EXPECT_THAT(po_problems(with_line(0, &PoLineRow::discount, "150000.01")),
              ElementsAre(Problem{"lines[0].discount",
                                  "discount 150000.01 is more than the line gross 150000 "
                                  "(qty x unit_price)"}));
}

TEST(MapPurchaseOrder, DiscountReducesNetAndTax) {
  PoRow row = with_line(0, &PoLineRow::discount, "50000");  // net 100,000, tax 11,000
  row.lines[0].line_total = "111000";
  row.total = "161000";
  Mapped<PurchaseOrder> m = map_purchase_order(row, jakarta_rules());
  ASSERT_TRUE(m.valid()) << m.problems.front().message;
  EXPECT_EQ(m.record->lines[0].net.to_string(), "100000");
  EXPECT_EQ(m.record->lines[0].tax.to_string(), "11000");
}

TEST(MapPurchaseOrder, TaxRateBetweenZeroAndHundred) {
  EXPECT_THAT(po_problems(with_line(0, &PoLineRow::tax_rate, "111")),
              ElementsAre(Problem{"lines[0].tax_rate", "must be between 0 and 100 (found 111)"}));
  EXPECT_THAT(po_problems(with_line(0, &PoLineRow::tax_rate, "-1")),
              ElementsAre(Problem{"lines[0].tax_rate", "must be between 0 and 100 (found -1)"}));
}

TEST(MapPurchaseOrder, LineUomIsRequired) {
  EXPECT_THAT(po_problems(with_line(1, &PoLineRow::uom, "  ")),
              ElementsAre(Problem{"lines[1].uom", "is required"}));
}

TEST(MapPurchaseOrder, LineNeedsItemOrDescription) {
  EXPECT_THAT(po_problems(with_line(1, &PoLineRow::description, std::nullopt)),
              ElementsAre(Problem{"lines[1].item_code",
                                  "a line needs an item_code or, for a non-stock line, a "
                                  "description"}));
}

TEST(MapPurchaseOrder, LineTotalMustMatchComputedAmounts) {
  EXPECT_THAT(po_problems(with_line(0, &PoLineRow::line_total, "166501")),
              ElementsAre(Problem{"lines[0].line_total",
                                  "line_total 166501 does not match qty x unit_price - discount "
                                  "+ tax: 166500 (difference 1)"}));
  EXPECT_TRUE(po_problems(with_line(0, &PoLineRow::line_total, std::nullopt)).empty());
}

TEST(MapPurchaseOrder, TotalOneUnitOffIsInvalid) {
  PoRow row = valid_po_row();
  row.total = "216501";
  EXPECT_THAT(po_problems(row), ElementsAre(Problem{"total",
                                                    "total 216501 does not match the lines: 216500 "
                                                    "(difference 1)"}));
}

TEST(MapPurchaseOrder, TotalOffByOneCentPassesOnlyWithinTolerance) {
  PoRow row = valid_po_row();
  row.total = "216500.01";
  EXPECT_THAT(po_problems(row),
              ElementsAre(Problem{"total",
                                  "total 216500.01 does not match the lines: 216500 "
                                  "(difference 0.01)"}));
  RulesConfig tolerant = jakarta_rules();
  tolerant.total_tolerance = Decimal::parse("0.01").value();
  EXPECT_TRUE(po_problems(row, tolerant).empty());
}

TEST(MapPurchaseOrder, TotalWithMoreDecimalsThanTheCurrency) {
  PoRow row = valid_po_row();
  row.total = "216500.001";
  Problems problems = po_problems(row);
  ASSERT_FALSE(problems.empty());
  EXPECT_EQ(problems[0], (Problem{"total", "'216500.001' has more decimals than IDR allows (2)"}));
}

TEST(MapPurchaseOrder, RealPrintedBySqliteReadsExactly) {
  PoRow row = valid_po_row();
  row.total = "216500.0";
  row.lines[0].unit_price = "1.5e+04";
  EXPECT_TRUE(po_problems(row).empty());
}

TEST(MapPurchaseOrder, InvalidUtf8InLineDescription) {
  EXPECT_THAT(
      po_problems(with_line(1, &PoLineRow::description, "Ongkos \xFF")),
      ElementsAre(Problem{"lines[1].description", "invalid UTF-8 at byte 7: 'Ongkos \\xFF'"}));
}

TEST(MapPurchaseOrder, ControlCharactersInKeysAndTextAreProblems) {
  PoRow row = valid_po_row();
  row.number = std::string("PO") + '\0' + "01";
  row.status = "APPROVED\x1b[0m";
  row.lines[0].item_code = "ITM\b001";
  row.lines[1].description = std::string("Ongkos\0kirim", 12);
  EXPECT_THAT(
      po_problems(row),
      ElementsAre(Problem{"number", "contains control character U+0000 at byte 2"},
                  Problem{"status", "contains control character U+001B at byte 8"},
                  Problem{"lines[0].item_code", "contains control character U+0008 at byte 3"},
                  Problem{"lines[1].description", "contains control character U+0000 at byte 6"}));
}

TEST(MapPurchaseOrder, NotesAndDescriptionsMayHoldLineBreaks) {
  PoRow row = valid_po_row();
  row.notes = "Kirim pagi\r\nGudang 2";
  row.lines[1].description = "Ongkos kirim\n\tJakarta";
  Mapped<PurchaseOrder> m = map_purchase_order(row, jakarta_rules());
  ASSERT_TRUE(m.valid()) << m.problems.front().path << ": " << m.problems.front().message;
  EXPECT_EQ(m.record->notes, "Kirim pagi\r\nGudang 2");
  EXPECT_EQ(m.record->lines[1].description, "Ongkos kirim\n\tJakarta");
}

TEST(MapPurchaseOrder, PathIndexIsTheRowIndex) {
  PoRow row = valid_po_row();
  row.lines[0].line_no = "7";  // the path still says lines[0]
  row.lines[0].qty = "0";
  EXPECT_THAT(po_problems(row),
              ElementsAre(Problem{"lines[0].qty", "must be greater than 0 (found 0)"}));
}

TEST(MapPurchaseOrder, UnparsableUpdatedAt) {
  PoRow row = valid_po_row();
  row.updated_at = "kemarin";
  EXPECT_THAT(po_problems(row),
              ElementsAre(Problem{"updated_at",
                                  "'kemarin' is not a valid timestamp (YYYY-MM-DD HH:MM:SS)"}));
}

}  // namespace
}  // namespace kokola
