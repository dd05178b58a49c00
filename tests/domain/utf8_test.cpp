#include "domain/utf8.hpp"

#include <gtest/gtest.h>

namespace kokola {
namespace {

TEST(Utf8, AcceptsValidText) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("PT SURYA INDAH PLASTIK"));
  EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9"));                // é
  EXPECT_TRUE(is_valid_utf8("\xE2\x82\xAC"));               // €
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80"));           // U+1F600
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));           // U+10FFFF
  EXPECT_TRUE(is_valid_utf8("\xED\x9F\xBF"));               // U+D7FF, just below surrogates
  EXPECT_TRUE(is_valid_utf8(std::string_view("a\0b", 3)));  // NUL is valid UTF-8
}

TEST(Utf8, RejectsLatin1Bytes) {
  EXPECT_EQ(find_invalid_utf8("caf\xE9"), 3u);
  EXPECT_EQ(find_invalid_utf8("\xE9t\xE9"), 0u);
}

TEST(Utf8, RejectsOverlongForms) {
  EXPECT_EQ(find_invalid_utf8("a\xC0\xAF"), 1u);  // '/' in two bytes
  EXPECT_EQ(find_invalid_utf8("\xC1\xBF"), 0u);
  EXPECT_EQ(find_invalid_utf8("\xE0\x80\xAF"), 0u);      // three bytes
  EXPECT_EQ(find_invalid_utf8("\xF0\x80\x80\xAF"), 0u);  // four bytes
}

TEST(Utf8, RejectsSurrogatesAndBeyondUnicode) {
  EXPECT_EQ(find_invalid_utf8("x\xED\xA0\x80"), 1u);     // U+D800
  EXPECT_EQ(find_invalid_utf8("\xED\xBF\xBF"), 0u);      // U+DFFF
  EXPECT_EQ(find_invalid_utf8("\xF4\x90\x80\x80"), 0u);  // U+110000
  EXPECT_EQ(find_invalid_utf8("\xF5\x80\x80\x80"), 0u);
  EXPECT_EQ(find_invalid_utf8("\xFF"), 0u);
}

TEST(Utf8, RejectsTruncatedAndStrayContinuationBytes) {
  EXPECT_EQ(find_invalid_utf8("ab\xE2\x82"), 2u);
  EXPECT_EQ(find_invalid_utf8("\xC3"), 0u);
  EXPECT_EQ(find_invalid_utf8("ok\x80"), 2u);
  EXPECT_EQ(find_invalid_utf8("\xE2\x82x"), 0u);
}

TEST(Utf8, EscapesOnlyInvalidBytes) {
  EXPECT_EQ(escape_invalid_utf8("caf\xE9 \xC3\xA9"), "caf\\xE9 \xC3\xA9");
  EXPECT_EQ(escape_invalid_utf8("\xE2\x82"), "\\xE2\\x82");
  EXPECT_EQ(escape_invalid_utf8("plain"), "plain");
}

}  // namespace
}  // namespace kokola
