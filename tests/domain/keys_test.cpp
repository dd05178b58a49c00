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
  KeyIndex index({"ITM-001", "itm-001", "ITM-002"});
  EXPECT_THAT(index.collisions("ITM-001"), ElementsAre("itm-001"));
  EXPECT_THAT(index.collisions("itm-001"), ElementsAre("ITM-001"));
  EXPECT_TRUE(index.collisions("ITM-002").empty());
}

TEST(KeyIndex, TwoRowsEqualAfterTrimmingCollide) {
  KeyIndex index({"V-0042", "V-0042   "});
  EXPECT_THAT(index.collisions("V-0042"), ElementsAre("V-0042   "));
  EXPECT_THAT(index.collisions("V-0042   "), ElementsAre("V-0042"));
}

TEST(KeyIndex, OneRowIsNotACollisionWithItself) {
  KeyIndex index({"V-0042   ", "V-0042   "});
  EXPECT_TRUE(index.collisions("V-0042   ").empty());
}

TEST(KeyIndex, ReportsPaddedSpellingAsRead) {
  KeyIndex index({"v-0042   ", "V-0042"});
  EXPECT_THAT(index.collisions("V-0042"), ElementsAre("v-0042   "));
}

TEST(KeyIndex, FindsEveryGroupAmongManyKeys) {
  std::vector<std::string> keys;
  for (int i = 0; i < 20000; ++i) keys.push_back("ITM-" + std::to_string(i));
  keys.push_back(" itm-17");
  keys.push_back("Itm-19999");
  keys.push_back("ITM-17");  // the same row twice: still one spelling
  KeyIndex index(keys);
  EXPECT_THAT(index.collisions("ITM-17"), ElementsAre(" itm-17"));
  EXPECT_THAT(index.collisions(" itm-17"), ElementsAre("ITM-17"));
  EXPECT_THAT(index.collisions("ITM-19999"), ElementsAre("Itm-19999"));
  EXPECT_TRUE(index.collisions("ITM-18").empty());
}

TEST(KeyIndex, UnknownKeyHasNoCollisions) {
  KeyIndex index({"A"});
  EXPECT_TRUE(index.collisions("B").empty());
}

}  // namespace
}  // namespace kokola
