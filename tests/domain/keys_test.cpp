#include "domain/keys.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kokola {
namespace {

using ::testing::ElementsAre;

TEST(Keys, TrimRemovesCharPadding) {
  EXPECT_EQ(trim_key("V-0042    "), "V-0042");
  EXPECT_EQ(trim_key("\t PO/2025/1 \r\n"), "PO/2025/1");
  EXPECT_EQ(trim_key("A B"), "A B");
  EXPECT_EQ(trim_key("   "), "");
}

TEST(Keys, FoldTrimsAndLowersAsciiOnly) {
  EXPECT_EQ(fold_key(" Abc-Z "), "abc-z");
  EXPECT_EQ(fold_key("ÉCLAIR"), "Éclair");  // non-ASCII letters are left alone
}

TEST(KeyIndex, KeysDifferingOnlyInCaseCollide) {
  KeyIndex index;
  index.add("ITM-001");
  index.add("itm-001");
  index.add("ITM-002");
  EXPECT_THAT(index.collisions("ITM-001"), ElementsAre("itm-001"));
  EXPECT_THAT(index.collisions("itm-001"), ElementsAre("ITM-001"));
  EXPECT_TRUE(index.collisions("ITM-002").empty());
}

TEST(KeyIndex, TwoRowsEqualAfterTrimmingCollide) {
  KeyIndex index;
  index.add("V-0042");
  index.add("V-0042   ");
  EXPECT_THAT(index.collisions("V-0042"), ElementsAre("V-0042   "));
  EXPECT_THAT(index.collisions("V-0042   "), ElementsAre("V-0042"));
}

TEST(KeyIndex, OneRowIsNotACollisionWithItself) {
  KeyIndex index;
  index.add("V-0042   ");
  index.add("V-0042   ");
  EXPECT_TRUE(index.collisions("V-0042   ").empty());
}

TEST(KeyIndex, ReportsPaddedSpellingAsRead) {
  KeyIndex index;
  index.add("v-0042   ");
  index.add("V-0042");
  EXPECT_THAT(index.collisions("V-0042"), ElementsAre("v-0042   "));
}

TEST(KeyIndex, UnknownKeyHasNoCollisions) {
  KeyIndex index;
  index.add("A");
  EXPECT_TRUE(index.collisions("B").empty());
}

}  // namespace
}  // namespace kokola
