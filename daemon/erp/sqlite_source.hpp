// The ERP source for an SQLite database (the demo ERP, small deployments). Opens the file
// read-only (SQLITE_OPEN_READONLY, query_only) and reads in short transactions. One
// connection guarded by a mutex; any thread.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "erp/source.hpp"

struct sqlite3;

namespace kokola {

class SqliteErpSource : public ErpSource {
 public:
  // Throws ErpError naming the path when the database cannot be opened.
  SqliteErpSource(const std::string& path, ErpViews views, int page_size = 500);
  ~SqliteErpSource() override;
  SqliteErpSource(const SqliteErpSource&) = delete;
  SqliteErpSource& operator=(const SqliteErpSource&) = delete;

  std::optional<VendorRow> load_vendor(std::string_view key) override;
  std::optional<ItemRow> load_item(std::string_view key) override;
  std::optional<PoRow> load_purchase_order(std::string_view key) override;
  std::vector<std::string> keys(Entity e) override;
  void scan_vendors(const std::function<bool(VendorRow&&)>& visit) override;
  void scan_items(const std::function<bool(ItemRow&&)>& visit) override;
  void scan_purchase_orders(const std::function<bool(PoRow&&)>& visit) override;
  std::vector<ListEntry> list(Entity e, const ListQuery& q) override;
  std::vector<std::string> check_schema() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kokola
