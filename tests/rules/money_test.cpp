#include "rules/money.hpp"

#include <gtest/gtest.h>

#include "domain/printers.hpp"

namespace kokola {
namespace {

Decimal D(std::string_view text) { return Decimal::parse(text).value(); }

PoLine line_with_total(std::string_view total) {
  PoLine line;
  line.total = D(total);
  return line;
}

TEST(Money, LineNetAndTaxAtCurrencyScale) {
  // 3 x 1,000.50 - 100 = 2,901.50; 11% tax = 319.165 -> 319.17; total 3,220.67.
  LineAmounts a = line_amounts(D("3"), D("1000.50"), D("100"), D("11"), 2);
  EXPECT_EQ(a.net.to_fixed(2), "2901.50");
  EXPECT_EQ(a.tax.to_fixed(2), "319.17");
  EXPECT_EQ(a.total.to_fixed(2), "3220.67");
}

TEST(Money, NetIsRoundedHalfUpBeforeTax) {
  // 0.125 x 1 = 0.125 -> 0.13; tax 10% of 0.13 = 0.013 -> 0.01.
  LineAmounts a = line_amounts(D("0.125"), D("1"), D("0"), D("10"), 2);
  EXPECT_EQ(a.net, D("0.13"));
  EXPECT_EQ(a.tax, D("0.01"));
  EXPECT_EQ(a.total, D("0.14"));
}

TEST(Money, ZeroScaleCurrencyRoundsToWholeUnits) {
  LineAmounts a = line_amounts(D("2.5"), D("999"), D("0"), D("11"), 0);
  EXPECT_EQ(a.net, D("2498"));  // 2,497.5 -> 2,498
  EXPECT_EQ(a.tax, D("275"));   // 274.78 -> 275
}

TEST(Money, RoundsOnceNotTwice) {
  // qty x price = 0.0049999999999995 exactly: rounding first at 12 digits would give
  // 0.005 and then 0.01; rounding once gives 0.00.
  LineAmounts a = line_amounts(D("0.0005"), D("9.999999999999"), D("0"), D("0"), 2);
  EXPECT_EQ(a.net, D("0"));
}

TEST(Money, PoTotalSumsLineTotals) {
  std::vector<PoLine> lines = {line_with_total("1000000.50"), line_with_total("499999.50")};
  EXPECT_EQ(po_total(lines), D("1500000"));
  EXPECT_EQ(po_total({}), D("0"));
}

TEST(Money, TotalOneUnitOffAtScaleTwoFailsWithoutTolerance) {
  Decimal computed = D("1500000.00");
  EXPECT_FALSE(within_tolerance(D("1500000.01"), computed, D("0")));
  EXPECT_TRUE(within_tolerance(D("1500000.01"), computed, D("0.01")));
  EXPECT_TRUE(within_tolerance(D("1499999.99"), computed, D("0.01")));
  EXPECT_FALSE(within_tolerance(D("1499999.98"), computed, D("0.01")));
  EXPECT_TRUE(within_tolerance(D("1500000"), computed, D("0")));
}

}  // namespace
}  // namespace kokola
