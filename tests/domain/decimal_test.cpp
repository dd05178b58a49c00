#include "domain/decimal.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "domain/printers.hpp"

namespace kokola {
namespace {

Decimal D(std::string_view text) {
  std::optional<Decimal> d = Decimal::parse(text);
  EXPECT_TRUE(d.has_value()) << text;
  return d.value_or(Decimal());
}

TEST(Decimal, ParsesPlainNotation) {
  EXPECT_EQ(D("-12.50").to_string(), "-12.5");
  EXPECT_EQ(D("3").to_string(), "3");
  EXPECT_EQ(D("0.0001").to_string(), "0.0001");
  EXPECT_EQ(D("+7.25").to_string(), "7.25");
  EXPECT_EQ(D("-12.50").scale(), 2);
}

TEST(Decimal, ParsesRealAsSqlitePrintsIt) {
  EXPECT_EQ(D("1500.5").to_string(), "1500.5");
  EXPECT_EQ(D("1.5e+06").to_string(), "1500000");
  EXPECT_EQ(D("15000.0").to_string(), "15000");
  EXPECT_EQ(D("1.0e-05").to_string(), "0.00001");
  EXPECT_EQ(D("-2.5E3").to_string(), "-2500");
}

TEST(Decimal, RejectsMalformedText) {
  for (std::string_view bad : {"", "-", ".5", "5.", "1,5", " 1", "1 ", "1e", "1e+", "0x10", "1.2.3",
                               "abc", "1e99", "NaN", "--1"}) {
    EXPECT_FALSE(Decimal::parse(bad).has_value()) << bad;
  }
}

TEST(Decimal, RejectsOverflow) {
  EXPECT_FALSE(Decimal::parse("1" + std::string(40, '0')).has_value());
  EXPECT_FALSE(Decimal::parse("9.9e+38").has_value());
  EXPECT_TRUE(Decimal::parse("1" + std::string(30, '0')).has_value());
}

TEST(Decimal, RejectsMoreThanMaxScaleUnlessTrailingZeros) {
  EXPECT_FALSE(Decimal::parse("0.0000000000001").has_value());  // 13 digits
  EXPECT_EQ(D("0.1000000000000000").to_string(), "0.1");
  EXPECT_FALSE(Decimal::parse("1.5e-12").has_value());
}

TEST(Decimal, ToStringDropsTrailingZerosAndNegativeZero) {
  EXPECT_EQ(D("0.10").to_string(), "0.1");
  EXPECT_EQ(D("-0").to_string(), "0");
  EXPECT_EQ(D("-0.000").to_string(), "0");
  EXPECT_EQ(D("100").to_string(), "100");
  EXPECT_EQ(D("100.000").to_string(), "100");
  EXPECT_EQ(Decimal().to_string(), "0");
}

TEST(Decimal, ToFixedPadsAndRounds) {
  EXPECT_EQ(D("12.5").to_fixed(2), "12.50");
  EXPECT_EQ(D("12.345").to_fixed(2), "12.35");
  EXPECT_EQ(D("-12.345").to_fixed(2), "-12.35");
  EXPECT_EQ(D("7").to_fixed(0), "7");
  EXPECT_EQ(D("-0.001").to_fixed(2), "0.00");
}

TEST(Decimal, RoundsHalfAwayFromZero) {
  EXPECT_EQ(D("2.5").round_half_up(0), D("3"));
  EXPECT_EQ(D("-2.5").round_half_up(0), D("-3"));
  EXPECT_EQ(D("2.49").round_half_up(0), D("2"));
  EXPECT_EQ(D("-2.49").round_half_up(0), D("-2"));
  EXPECT_EQ(D("0.005").round_half_up(2), D("0.01"));
  EXPECT_EQ(D("-0.005").round_half_up(2), D("-0.01"));
  EXPECT_EQ(D("0.0049").round_half_up(2), D("0"));
  EXPECT_EQ(D("1.25").round_half_up(4).scale(), 4);
}

TEST(Decimal, ComparesNumerically) {
  EXPECT_EQ(D("1.50"), D("1.5"));
  EXPECT_LT(D("-1.5"), D("-1.2"));
  EXPECT_LT(D("-2"), D("-1.5"));
  EXPECT_LT(D("-0.5"), D("0.2"));
  EXPECT_GT(D("1.0001"), D("1"));
  EXPECT_LT(D("0.000000000001"), D("0.00000000001"));
  EXPECT_NE(D("1.5"), D("1.51"));
}

TEST(Decimal, AddsSubtractsAndMultipliesExactly) {
  EXPECT_EQ((D("0.1") + D("0.2")).to_string(), "0.3");
  EXPECT_EQ((D("1") - D("1.0001")).to_string(), "-0.0001");
  EXPECT_EQ((D("1.5") * D("2.25")).to_string(), "3.375");
  EXPECT_EQ((D("1.5") * D("2.25")).scale(), 3);
  EXPECT_EQ(D("11").shift_right(2).to_string(), "0.11");
}

TEST(Decimal, MultiplicationCapsScaleByRounding) {
  Decimal p = D("0.0000005") * D("0.000001");  // 5e-13, exactly half at scale 12
  EXPECT_EQ(p.scale(), Decimal::kMaxScale);
  EXPECT_EQ(p.to_string(), "0.000000000001");
}

TEST(Decimal, ExactProductKeepsEveryDigit) {
  Decimal p = D("0.0001").exact_product(D("0.000000000005"), 2);
  EXPECT_EQ(p.scale(), 4 + 12 + 2);
  EXPECT_EQ(p.round_half_up(17).to_string(), "0.00000000000000001");
  EXPECT_LT(Decimal(), p);
}

TEST(Decimal, ArithmeticOverflowThrows) {
  Decimal big = D("1" + std::string(30, '0'));
  EXPECT_THROW(big * big, std::overflow_error);
  EXPECT_THROW(big * D("1000000000"), std::overflow_error);
  EXPECT_THROW(big.exact_product(big), std::overflow_error);
}

TEST(Decimal, ReportsSignificantScaleAndIntegrality) {
  EXPECT_EQ(D("1.2300").significant_scale(), 2);
  EXPECT_EQ(D("5.000").significant_scale(), 0);
  EXPECT_TRUE(D("3.00").is_integer());
  EXPECT_FALSE(D("3.01").is_integer());
  EXPECT_EQ(D("3.00").to_int(), 3);
  EXPECT_EQ(D("3.5").to_int(), std::nullopt);
  EXPECT_TRUE(D("-1").is_negative());
  EXPECT_TRUE(D("0.000").is_zero());
}

}  // namespace
}  // namespace kokola
