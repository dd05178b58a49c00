#include "erp/pg_source.hpp"

#include <algorithm>
#include <cctype>

#include "domain/keys.hpp"
#include "erp/pg_read.hpp"

namespace kokola {
namespace pg_sql {

Selection Selection::by_key(std::string_view key_column, std::string_view key) {
  return {trimmed(q(key_column)) + " = $1", {trim_key(key)}};
}

Selection Selection::range(std::string_view key_column, const Text& after, const Text& upto) {
  Selection s{q(key_column) + " IS NOT NULL", {}};
  if (after) {
    s.params.push_back(after);
    s.where += " AND " + q(key_column) + " > $" + std::to_string(s.params.size());
  }
  if (upto) {
    s.params.push_back(upto);
    s.where += " AND " + q(key_column) + " <= $" + std::to_string(s.params.size());
  }
  return s;
}

std::string ascii_lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string ascii_upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

}  // namespace pg_sql

namespace {

using namespace pg_sql;

// The order SQLite's "ORDER BY CAST(line_no AS NUMERIC), line_no" gives, whatever the
// column's type here (an INTEGER, or TEXT holding "1", "2", "10"): NULL first, then by the
// number the text starts with (0 when none), then by the text. Both engines thus read a PO's
// lines in the same order, and field paths like lines[3] point at the same line.
struct LineOrder {
  bool null = true;
  long double number = 0;
  std::string text;

  explicit LineOrder(const Text& t) : null(!t), text(t.value_or("")) {
    size_t i = text.find_first_not_of(" \t\n\r");
    if (i == std::string::npos) return;
    const bool negative = text[i] == '-';
    if (text[i] == '-' || text[i] == '+') ++i;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
      number = number * 10 + (text[i] - '0');
    }
    if (i < text.size() && text[i] == '.') {
      long double scale = 1;
      for (++i; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
        scale /= 10;
        number += (text[i] - '0') * scale;
      }
    }
    if (negative) number = -number;
  }

  bool operator<(const LineOrder& o) const {
    if (null != o.null) return null;
    if (number != o.number) return number < o.number;
    return text < o.text;
  }
};

void sort_lines(std::vector<PoLineRow>& lines) {
  std::stable_sort(lines.begin(), lines.end(), [](const PoLineRow& a, const PoLineRow& b) {
    return LineOrder(a.line_no) < LineOrder(b.line_no);
  });
}

}  // namespace

PgErpSource::Impl::Impl(pg::Session session, ErpViews v, int size)
    : pool(std::move(session)), views(std::move(v)), page_size(std::max(size, 1)) {}

pg::Pool::Lease PgErpSource::Impl::lease(const std::string& ctx, const std::string& first) {
  pg::Pool::Lease conn = pool.acquire(ctx);
  try {
    conn->exec(first, ctx);
    return conn;
  } catch (const ErpError&) {
    if (!conn.reused() || conn->connected()) throw;
  }
  conn.discard();
  conn = pool.open(ctx);
  conn->exec(first, ctx);
  return conn;
}

// Vendor names by trimmed code for the POs of `sel` (the first vendor in key order wins).
std::map<std::string, Text> PgErpSource::Impl::vendor_names(pg::Connection& c,
                                                            const Selection& sel) {
  const std::string codes = "SELECT " + trimmed(q("vendor_code")) + " FROM " +
                            q(views.purchase_orders) + " WHERE " + sel.where;
  const auto rows =
      c.query("SELECT " + trimmed(q("code")) + ", " + q("name") + " FROM " + q(views.vendors) +
                  " WHERE " + trimmed(q("code")) + " IN (" + codes + ") ORDER BY " + q("code"),
              sel.params, context(views.vendors));
  std::map<std::string, Text> names;
  for (int r = 0; r < rows.count(); ++r)
    names.emplace(rows.value(r, 0).value_or(""), rows.value(r, 1));
  return names;
}

// The lines of the POs of `sel`, by trimmed PO number, in line order.
std::map<std::string, std::vector<PoLineRow>> PgErpSource::Impl::po_lines(pg::Connection& c,
                                                                          const Selection& sel) {
  const std::string numbers = "SELECT " + trimmed(q("number")) + " FROM " +
                              q(views.purchase_orders) + " WHERE " + sel.where;
  const std::string key = trimmed(q("po_number"));
  const auto rows = c.query("SELECT " + key + ", " + select_list(kPoLineColumns) + " FROM " +
                                q(views.po_lines) + " WHERE " + key + " IN (" + numbers + ")",
                            sel.params, context(views.po_lines));
  std::map<std::string, std::vector<PoLineRow>> lines;
  for (int r = 0; r < rows.count(); ++r) {
    lines[rows.value(r, 0).value_or("")].push_back(read_row(rows, r, kPoLineColumns, 1));
  }
  for (auto& [number, list] : lines) sort_lines(list);
  return lines;
}

// POs with their vendor names and lines; the caller holds the transaction.
std::vector<PoRow> PgErpSource::Impl::purchase_orders(pg::Connection& c, const Selection& sel) {
  auto pos = select_rows(c, views.purchase_orders, kPurchaseOrderColumns, kPurchaseOrderKey, sel);
  if (pos.empty()) return pos;

  const auto names = vendor_names(c, sel);
  auto lines = po_lines(c, sel);
  for (auto& po : pos) {
    if (po.vendor_code) {
      const auto name = names.find(trim_key(*po.vendor_code));
      if (name != names.end()) po.vendor_name = name->second;
    }
    const auto found = lines.find(trim_key(po.number.value_or("")));
    if (found != lines.end()) po.lines = found->second;
  }
  return pos;
}

// The page_size-th key after `after`: the inclusive upper bound of the next page, or null
// when the rest fits in one page. Paging on "<= bound" keeps duplicate keys together.
Text PgErpSource::Impl::page_bound(pg::Connection& c, const std::string& view,
                                   std::string_view key_column, const Text& after) {
  auto sel = Selection::range(key_column, after, std::nullopt);
  sel.params.push_back(std::to_string(page_size - 1));
  const auto rows = c.query("SELECT " + q(key_column) + " FROM " + q(view) + " WHERE " + sel.where +
                                " ORDER BY " + q(key_column) + " LIMIT 1 OFFSET $" +
                                std::to_string(sel.params.size()),
                            sel.params, context(view));
  if (rows.count() == 0) return std::nullopt;
  return rows.value(0, 0);
}

PgErpSource::PgErpSource(const PgSettings& settings, std::string password, ErpViews views,
                         std::string time_zone, int page_size) {
  pg::Session session{settings, std::move(password), std::move(time_zone),
                      pg::describe_conninfo(settings.conninfo)};
  impl_ = std::make_unique<Impl>(std::move(session), std::move(views), page_size);
}

PgErpSource::~PgErpSource() = default;

const std::string& PgErpSource::describe() const { return impl_->pool.session().describe; }

std::optional<VendorRow> PgErpSource::load_vendor(std::string_view key) {
  const auto& view = impl_->views.vendors;
  auto rows = impl_->in_transaction(view, [&](pg::Connection& c) {
    return impl_->select_rows(c, view, kVendorColumns, kVendorKey,
                              Selection::by_key(kVendorKey, key));
  });
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

std::optional<ItemRow> PgErpSource::load_item(std::string_view key) {
  const auto& view = impl_->views.items;
  auto rows = impl_->in_transaction(view, [&](pg::Connection& c) {
    return impl_->select_rows(c, view, kItemColumns, kItemKey, Selection::by_key(kItemKey, key));
  });
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

std::optional<PoRow> PgErpSource::load_purchase_order(std::string_view key) {
  auto rows = impl_->in_transaction(impl_->views.purchase_orders, [&](pg::Connection& c) {
    return impl_->purchase_orders(c, Selection::by_key(kPurchaseOrderKey, key));
  });
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

std::vector<std::string> PgErpSource::keys(Entity e) {
  const auto& views = impl_->views;
  const std::string& view = e == Entity::vendor ? views.vendors
                            : e == Entity::item ? views.items
                                                : views.purchase_orders;
  const std::string_view key = e == Entity::purchase_order ? kPurchaseOrderKey : kVendorKey;

  return impl_->in_transaction(view, [&](pg::Connection& c) {
    const auto rows = c.query("SELECT " + q(key) + " FROM " + q(view) + " WHERE " +
                                  present(q(key)) + " ORDER BY " + q(key),
                              {}, impl_->context(view));
    std::vector<std::string> keys;
    keys.reserve(static_cast<size_t>(rows.count()));
    for (int r = 0; r < rows.count(); ++r) keys.push_back(rows.value(r, 0).value_or(""));
    return keys;
  });
}

void PgErpSource::scan_vendors(const std::function<bool(VendorRow&&)>& visit) {
  const auto& view = impl_->views.vendors;
  impl_->scan<VendorRow>(view, kVendorKey, visit, [&](pg::Connection& c, const Selection& sel) {
    return impl_->select_rows(c, view, kVendorColumns, kVendorKey, sel);
  });
}

void PgErpSource::scan_items(const std::function<bool(ItemRow&&)>& visit) {
  const auto& view = impl_->views.items;
  impl_->scan<ItemRow>(view, kItemKey, visit, [&](pg::Connection& c, const Selection& sel) {
    return impl_->select_rows(c, view, kItemColumns, kItemKey, sel);
  });
}

void PgErpSource::scan_purchase_orders(const std::function<bool(PoRow&&)>& visit) {
  impl_->scan<PoRow>(
      impl_->views.purchase_orders, kPurchaseOrderKey, visit,
      [&](pg::Connection& c, const Selection& sel) { return impl_->purchase_orders(c, sel); });
}

}  // namespace kokola
