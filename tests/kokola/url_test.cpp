#include "kokola/url.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "kokola/client.hpp"

namespace kokola {
namespace {

TEST(PercentEncode, KeepsUnreservedCharacters) {
  EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percent_encode("V-0042"), "V-0042");
}

TEST(PercentEncode, EncodesSlashAndReservedCharacters) {
  EXPECT_EQ(percent_encode("PO/2025/1"), "PO%2F2025%2F1");
  EXPECT_EQ(percent_encode("a b+c%d"), "a%20b%2Bc%25d");
  EXPECT_EQ(percent_encode("?#[]@!$&'()*,;=:"), "%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2C%3B%3D%3A");
}

TEST(PercentEncode, EncodesEachUtf8ByteInUpperCaseHex) {
  EXPECT_EQ(percent_encode("\xC3\xA9"), "%C3%A9");                       // é
  EXPECT_EQ(percent_encode("BARANG-\xE2\x82\xAC"), "BARANG-%E2%82%AC");  // €
  EXPECT_EQ(percent_encode(std::string_view("\x00\x7F\xFF", 3)), "%00%7F%FF");
}

TEST(PercentEncode, EmptyKeyStaysEmpty) { EXPECT_EQ(percent_encode(""), ""); }

TEST(ParseBaseUrl, ReadsSchemeHostAndPort) {
  BaseUrl b = parse_base_url("http://127.0.0.1:8080");
  EXPECT_FALSE(b.https);
  EXPECT_EQ(b.host, "127.0.0.1");
  EXPECT_EQ(b.port, 8080);

  BaseUrl s = parse_base_url("HTTPS://kokola.example.com/");
  EXPECT_TRUE(s.https);
  EXPECT_EQ(s.host, "kokola.example.com");
  EXPECT_EQ(s.port, 443);
  EXPECT_EQ(s.origin(), "https://kokola.example.com:443");
}

TEST(ParseBaseUrl, DefaultsPortEightyForHttp) {
  EXPECT_EQ(parse_base_url("http://localhost").port, 80);
}

TEST(ParseBaseUrl, AcceptsBracketedIpv6) {
  BaseUrl b = parse_base_url("http://[::1]:9000/");
  EXPECT_EQ(b.host, "::1");
  EXPECT_EQ(b.port, 9000);
  EXPECT_EQ(b.origin(), "http://[::1]:9000");
}

TEST(ParseBaseUrl, RejectsWhatItCannotUse) {
  for (const char* bad :
       {"ftp://host", "host:8080", "http://", "http://host:0", "http://host:65536",
        "http://host:80x", "http://host/api", "http://user@host", "http://host?x=1", "http://[::1",
        "http://ho st", "http://host:"}) {
    EXPECT_THROW(parse_base_url(bad), std::invalid_argument) << bad;
  }
}

TEST(ParseBaseUrl, NamesTheUrlInTheError) {
  try {
    parse_base_url("http://host/api");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).rfind("parsing base_url 'http://host/api': ", 0), 0u)
        << e.what();
  }
}

TEST(RecordTarget, AppendsTheEncodedKeyToTheEntityPrefix) {
  KokolaConfig config;
  EXPECT_EQ(record_target(config, Entity::purchase_order, "PO/1"), "/v1/purchase-orders/PO%2F1");
  EXPECT_EQ(record_target(config, Entity::vendor, "V 1"), "/v1/vendors/V%201");
  config.item_path = "/api/kokola/items/";
  EXPECT_EQ(record_target(config, Entity::item, "A~1"), "/api/kokola/items/A~1");
}

TEST(CheckEntityPaths, RejectsPrefixesThatAreNotPlainPaths) {
  KokolaConfig config;
  EXPECT_NO_THROW(check_entity_paths(config));
  config.po_path = "v1/pos/";
  EXPECT_THROW(check_entity_paths(config), std::invalid_argument);
  config.po_path = "/v1/pos?x=";
  EXPECT_THROW(check_entity_paths(config), std::invalid_argument);
  config.po_path = "/v1/p os/";
  EXPECT_THROW(check_entity_paths(config), std::invalid_argument);
}

}  // namespace
}  // namespace kokola
