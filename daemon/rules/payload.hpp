// The payload (stage 5): the canonical JSON sent for a record, and its content hash.
// Canonical JSON: UTF-8, object keys sorted, no insignificant white space, decimals as
// strings in plain notation without trailing zeros, dates "YYYY-MM-DD", timestamps RFC 3339
// with offset, a "schema_version". The content hash is the SHA-256 (lower-case hex) of the
// canonical JSON without "updated_at" and "revision", so that a new revision or a touched
// timestamp alone is not a new version. Pure functions; any thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "domain/model.hpp"

namespace kokola {

inline constexpr int kPayloadSchemaVersion = 1;

struct Payload {
  nlohmann::json document;   // the record as sent, without "revision"
  std::string content_hash;  // 64 lower-case hex digits
};

Payload vendor_payload(const Vendor& v);
Payload item_payload(const Item& i);
Payload purchase_order_payload(const PurchaseOrder& po);

// Compact, sorted, UTF-8 (never \u-escaped beyond what JSON requires).
std::string canonical_json(const nlohmann::json& doc);
std::string sha256_hex(std::string_view bytes);
// The request body for one attempt: the document plus "revision", canonical.
std::string request_body(const Payload& p, std::int64_t revision);

}  // namespace kokola
