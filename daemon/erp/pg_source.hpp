// The ERP source for a PostgreSQL database (or a read replica), over libpq. Every read is
// one short `BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY` transaction on a pooled
// connection: one record (a PO with its vendor name and lines in one snapshot), one listing,
// or one key-ordered page of a scan. Values arrive as the server prints them in text format,
// so NUMERIC stays exact, DATE stays a date and timestamps carry the session's time zone
// (erp.time_zone). Losing the server fails the read in progress with ErpError naming the
// view; the next read connects again by itself. Any thread (docs/erp-source.md).
#pragma once

#include <memory>
#include <string>

#include "erp/pg_settings.hpp"
#include "erp/source.hpp"

namespace kokola {

class PgErpSource : public ErpSource {
 public:
  // Connects lazily: the first read (or check_schema) opens the first connection.
  // `password` is empty when the server needs none.
  PgErpSource(const PgSettings& settings, std::string password, ErpViews views,
              std::string time_zone, int page_size = 500);
  ~PgErpSource() override;
  PgErpSource(const PgErpSource&) = delete;
  PgErpSource& operator=(const PgErpSource&) = delete;

  std::optional<VendorRow> load_vendor(std::string_view key) override;
  std::optional<ItemRow> load_item(std::string_view key) override;
  std::optional<PoRow> load_purchase_order(std::string_view key) override;
  std::vector<std::string> keys(Entity e) override;
  void scan_vendors(const std::function<bool(VendorRow&&)>& visit) override;
  void scan_items(const std::function<bool(ItemRow&&)>& visit) override;
  void scan_purchase_orders(const std::function<bool(PoRow&&)>& visit) override;
  std::vector<ListEntry> list(Entity e, const ListQuery& q) override;
  // Throws ErpError when the database cannot be reached at all.
  std::vector<std::string> check_schema() override;

  // "PostgreSQL database 'erp' on 'db1:5432'": what messages call this source.
  const std::string& describe() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kokola
