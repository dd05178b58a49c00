#include "rules/payload.hpp"

#include <gtest/gtest.h>

#include "rules/mapper.hpp"
#include "rules/row_fixtures.hpp"

namespace kokola {
namespace {

using nlohmann::json;

Vendor valid_vendor() { return *map_vendor(valid_vendor_row(), jakarta_rules()).record; }

PurchaseOrder valid_po() { return *map_purchase_order(valid_po_row(), jakarta_rules()).record; }

TEST(CanonicalJson, SortsKeysWithoutSpacesAndKeepsUtf8Raw) {
  json doc = json::parse(R"({ "b": 1, "a": "é", "c": { "z": null, "y": [1, "x"] } })");
  EXPECT_EQ(canonical_json(doc), "{\"a\":\"\xC3\xA9\",\"b\":1,\"c\":{\"y\":[1,\"x\"],\"z\":null}}");
}

TEST(CanonicalJson, Sha256OfAFixedDocument) {
  // printf '{"a":"\xc3\xa9","b":1,"c":{"y":[1,"x"],"z":null}}' | sha256sum
  json doc = json::parse(R"({"c":{"z":null,"y":[1,"x"]},"b":1,"a":"é"})");
  EXPECT_EQ(sha256_hex(canonical_json(doc)),
            "ff143e4f86cd189f9837100e73a84a964ebfe4675e513632820e409d7624d78a");
}

TEST(CanonicalJson, Sha256OfEmptyInput) {
  // printf '' | sha256sum
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Payload, VendorDocumentHasTheContractFields) {
  Payload p = vendor_payload(valid_vendor());
  EXPECT_EQ(canonical_json(p.document),
            R"({"active":true,"address":"Jl. Raya Bekasi Km 21","city":"Jakarta Timur",)"
            R"("code":"V-0042","email":"sales@suryaindah.co.id","name":"PT SURYA INDAH PLASTIK",)"
            R"("phone":"021-4600123","schema_version":1,"tax_id":"012345678901234",)"
            R"("updated_at":"2025-02-03T14:05:00+07:00"})");
}

TEST(Payload, VendorHashIsSha256OfDocumentWithoutUpdatedAt) {
  // The document above without "updated_at", piped through sha256sum.
  EXPECT_EQ(vendor_payload(valid_vendor()).content_hash,
            "baed4bc39ed94ddbda8defe965496ed4c5dcfba600dd3050dd6ad51a6e1108d0");
}

TEST(Payload, HashIgnoresUpdatedAt) {
  Vendor v = valid_vendor();
  Payload before = vendor_payload(v);
  v.updated_at = TimeZone("Asia/Jakarta").parse("2026-01-01 00:00:00");
  Payload touched = vendor_payload(v);
  EXPECT_NE(canonical_json(before.document), canonical_json(touched.document));
  EXPECT_EQ(before.content_hash, touched.content_hash);
  v.updated_at.reset();
  EXPECT_EQ(vendor_payload(v).content_hash, before.content_hash);
}

TEST(Payload, HashChangesWithContent) {
  Vendor v = valid_vendor();
  std::string before = vendor_payload(v).content_hash;
  v.phone = "021-4600124";
  EXPECT_NE(vendor_payload(v).content_hash, before);
}

TEST(Payload, NullOptionalFieldsAreJsonNull) {
  Vendor v = valid_vendor();
  v.email.reset();
  v.updated_at.reset();
  json doc = vendor_payload(v).document;
  EXPECT_TRUE(doc.at("email").is_null());
  EXPECT_TRUE(doc.at("updated_at").is_null());
}

TEST(Payload, ItemDocumentHasTheContractFields) {
  Item i = *map_item(valid_item_row(), jakarta_rules()).record;
  EXPECT_EQ(canonical_json(item_payload(i).document),
            R"({"active":true,"barcode":"8991234567890","category":"PACKAGING","code":"ITM-001",)"
            R"("name":"Kantong plastik 30x40","schema_version":1,"uom":"PCS",)"
            R"("updated_at":"2025-02-03T08:00:00+07:00"})");
}

TEST(Payload, PurchaseOrderDocumentHasTheContractFields) {
  json doc = purchase_order_payload(valid_po()).document;
  EXPECT_EQ(canonical_json(doc),
            R"({"currency":"IDR","delivery_date":"2025-02-10","lines":[)"
            R"({"description":null,"discount":"0","item_code":"ITM-001","line_no":1,)"
            R"("net":"150000","qty":"10","tax":"16500","tax_rate":"11","total":"166500",)"
            R"("unit_price":"15000","uom":"PCS"},)"
            R"({"description":"Ongkos kirim","discount":"0","item_code":null,"line_no":2,)"
            R"("net":"50000","qty":"1","tax":"0","tax_rate":"0","total":"50000",)"
            R"("unit_price":"50000","uom":"LS"}],)"
            R"("notes":"Kirim pagi","number":"PWU2012502-0000517","order_date":"2025-02-03",)"
            R"("schema_version":1,"status":"APPROVED","total":"216500",)"
            R"("updated_at":"2025-02-03T14:05:00+07:00","vendor_code":"V-0042"})");
}

TEST(Payload, PurchaseOrderLinesAreOrderedByLineNumber) {
  PurchaseOrder po = valid_po();
  std::swap(po.lines[0], po.lines[1]);
  json doc = purchase_order_payload(po).document;
  EXPECT_EQ(doc["lines"][0]["line_no"], 1);
  EXPECT_EQ(doc["lines"][1]["line_no"], 2);
  EXPECT_EQ(purchase_order_payload(po).content_hash,
            purchase_order_payload(valid_po()).content_hash);
}

TEST(Payload, DecimalsAreStringsWithoutTrailingZeros) {
  PurchaseOrder po = valid_po();
  po.lines[0].qty = Decimal::parse("2.5000").value();
  po.lines[0].tax_rate = Decimal::parse("11.00").value();
  json line = purchase_order_payload(po).document["lines"][0];
  EXPECT_EQ(line["qty"], "2.5");
  EXPECT_EQ(line["tax_rate"], "11");
}

TEST(Payload, RequestBodyAddsRevisionOutsideTheHash) {
  Payload p = vendor_payload(valid_vendor());
  std::string body = request_body(p, 42);
  json parsed = json::parse(body);
  EXPECT_EQ(parsed["revision"], 42);
  EXPECT_FALSE(p.document.contains("revision"));
  EXPECT_EQ(canonical_json(parsed), body);
  EXPECT_NE(body.find(R"("phone":"021-4600123","revision":42,"schema_version":1)"),
            std::string::npos);
}

}  // namespace
}  // namespace kokola
