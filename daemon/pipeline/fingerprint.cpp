#include "pipeline/fingerprint.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace kokola {
namespace {

// SHA-256, fetched once: EVP_sha256() would make OpenSSL look the algorithm up again for
// every row, which costs more than hashing a row.
const EVP_MD* sha256() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

// Feeds values into a digest so that no two different sequences of optional strings feed
// the same bytes: NULL, and each value preceded by its length.
class Feed {
 public:
  Feed() : ctx_(EVP_MD_CTX_new()) {
    if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, sha256(), nullptr) != 1) {
      throw std::runtime_error("computing a row fingerprint: no SHA-256 digest");
    }
  }
  ~Feed() { EVP_MD_CTX_free(ctx_); }
  Feed(const Feed&) = delete;
  Feed& operator=(const Feed&) = delete;

  void add(const Text& t) {
    if (!t) {
      bytes("\xff", 1);
      return;
    }
    const std::uint32_t n = static_cast<std::uint32_t>(t->size());
    bytes(&n, sizeof n);
    bytes(t->data(), t->size());
  }
  void add(const std::string& s) { add(Text(s)); }
  void add(const char* s) { add(Text(std::string(s))); }

  std::string hex() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_, md, &len);
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < 16 && i < len; ++i) {
      out += kDigits[md[i] >> 4];
      out += kDigits[md[i] & 0x0f];
    }
    return out;
  }

 private:
  void bytes(const void* p, size_t n) { EVP_DigestUpdate(ctx_, p, n); }
  EVP_MD_CTX* ctx_;
};

void feed_row(Feed& f, const VendorRow& r) {
  for (const Text* t : {&r.code, &r.name, &r.tax_id, &r.address, &r.city, &r.phone, &r.email,
                        &r.active, &r.updated_at}) {
    f.add(*t);
  }
}

void feed_row(Feed& f, const ItemRow& r) {
  for (const Text* t :
       {&r.code, &r.name, &r.uom, &r.category, &r.barcode, &r.active, &r.updated_at}) {
    f.add(*t);
  }
}

void feed_row(Feed& f, const PoRow& r) {
  for (const Text* t : {&r.number, &r.vendor_code, &r.order_date, &r.delivery_date, &r.currency,
                        &r.status, &r.total, &r.notes, &r.updated_at, &r.vendor_name}) {
    f.add(*t);
  }
  f.add(std::to_string(r.lines.size()));
  for (const auto& l : r.lines) {
    for (const Text* t : {&l.po_number, &l.line_no, &l.item_code, &l.description, &l.qty, &l.uom,
                          &l.unit_price, &l.discount, &l.tax_rate, &l.line_total}) {
      f.add(*t);
    }
  }
}

}  // namespace

std::string rules_fingerprint(const RulesConfig& rules) {
  Feed f;
  f.add("ready");
  for (const auto& s : rules.ready_statuses) f.add(s);
  f.add("retire");
  for (const auto& s : rules.retire_statuses) f.add(s);
  f.add("scales");
  for (const auto& [currency, scale] : rules.currency_scales) {
    f.add(currency);
    f.add(std::to_string(scale));
  }
  f.add(rules.total_tolerance.to_string());
  f.add(std::to_string(rules.quantity_scale));
  f.add(rules.erp_time_zone ? rules.erp_time_zone->name() : std::string());
  f.add(std::to_string(kPayloadSchemaVersion));
  return f.hex();
}

std::string row_fingerprint(const AnyRow& row, const std::string& rules_id) {
  Feed f;
  f.add(rules_id);
  std::visit([&f](const auto& r) { feed_row(f, r); }, row);
  return f.hex();
}

}  // namespace kokola
