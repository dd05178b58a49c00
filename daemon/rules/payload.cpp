#include "rules/payload.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>

namespace kokola {
namespace {

using nlohmann::json;

json text_or_null(const Text& t) { return t ? json(*t) : json(nullptr); }

json timestamp_or_null(const std::optional<Timestamp>& t) {
  return t ? json(t->to_rfc3339()) : json(nullptr);
}

json line_json(const PoLine& line) {
  return json{{"line_no", line.line_no},
              {"item_code", text_or_null(line.item_code)},
              {"description", text_or_null(line.description)},
              {"qty", line.qty.to_string()},
              {"uom", line.uom},
              {"unit_price", line.unit_price.to_string()},
              {"discount", line.discount.to_string()},
              {"tax_rate", line.tax_rate.to_string()},
              {"net", line.net.to_string()},
              {"tax", line.tax.to_string()},
              {"total", line.total.to_string()}};
}

// The hash covers the document without "updated_at": touching a row in the ERP without
// changing it is not a new version. "revision" is never in the document.
Payload finish(json document) {
  json hashed = document;
  hashed.erase("updated_at");
  return Payload{std::move(document), sha256_hex(canonical_json(hashed))};
}

}  // namespace

Payload vendor_payload(const Vendor& v) {
  return finish(json{{"schema_version", kPayloadSchemaVersion},
                     {"code", v.code},
                     {"name", v.name},
                     {"tax_id", v.tax_id},
                     {"address", text_or_null(v.address)},
                     {"city", text_or_null(v.city)},
                     {"phone", text_or_null(v.phone)},
                     {"email", text_or_null(v.email)},
                     {"active", v.active},
                     {"updated_at", timestamp_or_null(v.updated_at)}});
}

Payload item_payload(const Item& i) {
  return finish(json{{"schema_version", kPayloadSchemaVersion},
                     {"code", i.code},
                     {"name", i.name},
                     {"uom", i.uom},
                     {"category", text_or_null(i.category)},
                     {"barcode", text_or_null(i.barcode)},
                     {"active", i.active},
                     {"updated_at", timestamp_or_null(i.updated_at)}});
}

Payload purchase_order_payload(const PurchaseOrder& po) {
  std::vector<const PoLine*> ordered;
  for (const PoLine& line : po.lines) ordered.push_back(&line);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const PoLine* a, const PoLine* b) { return a->line_no < b->line_no; });
  json lines = json::array();
  for (const PoLine* line : ordered) lines.push_back(line_json(*line));

  return finish(json{
      {"schema_version", kPayloadSchemaVersion},
      {"number", po.number},
      {"vendor_code", po.vendor_code},
      {"order_date", po.order_date.to_string()},
      {"delivery_date", po.delivery_date ? json(po.delivery_date->to_string()) : json(nullptr)},
      {"currency", po.currency},
      {"status", po.status},
      {"total", po.total.to_string()},
      {"notes", text_or_null(po.notes)},
      {"updated_at", timestamp_or_null(po.updated_at)},
      {"lines", std::move(lines)}});
}

// nlohmann::json keeps object keys in a std::map, so dump() writes them sorted. Text reaching
// here was checked as strict UTF-8 by the mapper; `replace` only keeps a caller that skipped
// the check from throwing out of a handler.
std::string canonical_json(const nlohmann::json& doc) {
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  bool ok = ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1 &&
            EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) == 1 &&
            EVP_DigestFinal_ex(ctx.get(), digest, &length) == 1;
  if (!ok) return "";  // only when libcrypto cannot allocate: an empty hash never matches

  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0x0F];
  }
  return hex;
}

std::string request_body(const Payload& p, std::int64_t revision) {
  json body = p.document;
  body["revision"] = revision;
  return canonical_json(body);
}

}  // namespace kokola
