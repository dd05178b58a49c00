// The ERP source: read-only access to the four views of the ERP source contract
// (docs/erp-source.md). Every read is a short read-only transaction; a PO's header and lines
// are read in one. Rows come back uninterpreted (domain/model.hpp); bad data is the mapper's
// business, not the source's. Implementations are safe to call from several threads (each
// serialises or uses a connection per call); failures throw ErpError naming the view.
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "domain/entity.hpp"
#include "domain/model.hpp"

namespace kokola {

class ErpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The view names a deployment maps the contract onto (config section erp.views).
struct ErpViews {
  std::string vendors = "kokola_vendors";
  std::string items = "kokola_items";
  std::string purchase_orders = "kokola_purchase_orders";
  std::string po_lines = "kokola_po_lines";
};

// What `kokolactl list` asks for. Filters are applied in the query, so a limit counts
// matching records.
struct ListQuery {
  // Only records whose readiness says "ready": POs whose status (trimmed, upper case) is
  // one of these; vendors and items that are active. Empty: no readiness filter.
  std::vector<std::string> ready_statuses;
  bool only_ready = false;
  std::string search;  // case-insensitive substring of the key or the name; empty: all
  int limit = 50;
};

struct ListEntry {
  std::string key;    // trimmed
  std::string label;  // vendor or item name; for a PO the vendor name
  std::string state;  // PO status, or "active" / "inactive"
};

class ErpSource {
 public:
  virtual ~ErpSource() = default;

  // One record by key, compared after trimming; nullopt when absent.
  virtual std::optional<VendorRow> load_vendor(std::string_view key) = 0;
  virtual std::optional<ItemRow> load_item(std::string_view key) = 0;
  virtual std::optional<PoRow> load_purchase_order(std::string_view key) = 0;

  // Every key of an entity as stored (untrimmed, so collisions can be reported as read).
  virtual std::vector<std::string> keys(Entity e) = 0;

  // Every record of an entity in key order, in pages of `page_size`, each page its own
  // short transaction (PO lines read with their page). The callback runs outside any
  // transaction; returning false stops the scan.
  virtual void scan_vendors(const std::function<bool(VendorRow&&)>& visit) = 0;
  virtual void scan_items(const std::function<bool(ItemRow&&)>& visit) = 0;
  virtual void scan_purchase_orders(const std::function<bool(PoRow&&)>& visit) = 0;

  virtual std::vector<ListEntry> list(Entity e, const ListQuery& q) = 0;

  // Checks that each view exists and has the contract's columns; returns one line per
  // problem ("view 'kokola_items': missing column 'barcode'"), empty when all is well.
  virtual std::vector<std::string> check_schema() = 0;
};

}  // namespace kokola
