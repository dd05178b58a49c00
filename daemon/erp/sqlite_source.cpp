#include "erp/sqlite_source.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>
#include <utility>

#include "domain/keys.hpp"
#include "erp/contract.hpp"
#include "erp/sqlite_read.hpp"

namespace kokola {
namespace {

using sqlite_read::Db;
using sqlite_read::OwnedValue;
using sqlite_read::quote_identifier;
using sqlite_read::ReadTransaction;
using sqlite_read::Statement;

constexpr int kBusyTimeoutMs = 5000;

// SQL trim() of exactly what trim_key() removes: CHAR padding and stray white space.
std::string trimmed(std::string_view expr) {
  return "trim(" + std::string(expr) + ", ' ' || char(9, 10, 13))";
}

std::string q(std::string_view name) { return quote_identifier(name); }

// A key that is neither NULL nor blank: listings leave the others out. (Scans keep them,
// so that the mapper reports "is required" for each.)
std::string present(const std::string& key) {
  return key + " IS NOT NULL AND " + trimmed(key) + " <> ''";
}

// True for the values parse_active() reads as true, whatever their storage class.
std::string truthy(std::string_view column) {
  return "lower(" + trimmed("CAST(" + q(column) + " AS TEXT)") +
         ") IN ('1', 'true', 't', 'y', 'yes')";
}

template <typename Row, size_t N>
std::string select_list(const std::array<ContractColumn<Row>, N>& columns) {
  std::string sql;
  for (const auto& c : columns) sql += (sql.empty() ? "" : ", ") + q(c.name);
  return sql;
}

template <typename Row, size_t N>
Row read_row(const Statement& st, const std::array<ContractColumn<Row>, N>& columns,
             int first = 0) {
  Row row;
  for (size_t i = 0; i < N; ++i) row.*(columns[i].field) = st.column(first + static_cast<int>(i));
  return row;
}

std::string ascii_lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string ascii_upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

// Which rows of a view a query reads: a WHERE clause over the view's key, and its values.
struct Selection {
  std::string where;
  std::string key;
  const sqlite3_value* after = nullptr;
  const sqlite3_value* upto = nullptr;

  // One record by trimmed key.
  static Selection by_key(std::string_view key_column, std::string_view key) {
    return {trimmed(q(key_column)) + " = :key", trim_key(key)};
  }

  // A page of keys as stored: after < key <= upto, either bound left open when null.
  static Selection range(std::string_view key_column, const sqlite3_value* after,
                         const sqlite3_value* upto) {
    Selection s{q(key_column) + " IS NOT NULL", "", after, upto};
    if (after) s.where += " AND " + q(key_column) + " > :after";
    if (upto) s.where += " AND " + q(key_column) + " <= :upto";
    return s;
  }

  void bind(Statement& st) const {
    st.bind_text(":key", key);
    if (after) st.bind_value(":after", after);
    if (upto) st.bind_value(":upto", upto);
  }
};

// Which file a path names: an ERP replaced by rename keeps its path but not its inode.
struct FileId {
  dev_t device = 0;
  ino_t inode = 0;
  bool operator==(const FileId&) const = default;
};

// The file `path` names now, or nullopt with errno set.
std::optional<FileId> find_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileId{st.st_dev, st.st_ino};
}

// As find_file(), but throws ErpError naming the path when it cannot be read.
FileId file_id(const std::string& path) {
  if (auto found = find_file(path)) return *found;
  const std::string cause = errno == ENOENT ? "no such file" : std::strerror(errno);
  throw ErpError("reading ERP database '" + path + "': " + cause);
}

}  // namespace

struct SqliteErpSource::Impl {
  std::string path;
  FileId opened;  // the file `connection` reads, taken before opening it
  std::unique_ptr<Db> connection;
  ErpViews views;
  int page_size;
  std::mutex mutex;

  Impl(const std::string& p, ErpViews v, int size)
      : path(p),
        opened(find_file(path).value_or(FileId{})),  // else the open below says why
        connection(std::make_unique<Db>(path, kBusyTimeoutMs)),
        views(std::move(v)),
        page_size(std::max(size, 1)) {}

  Db& db() { return *connection; }

  std::string context(const std::string& view) const {
    return "reading view '" + view + "' from '" + path + "'";
  }

  // Called with the mutex held before each read. SQLite keeps reading a file that was
  // replaced by rename (its descriptor still names the old inode), so a database swapped
  // in by `mv` would never be seen: reopen when the path names another file. A missing
  // path fails this read; the next one looks again.
  void reopen_if_replaced() {
    const FileId now = file_id(path);
    if (now == opened) return;
    connection = std::make_unique<Db>(path, kBusyTimeoutMs);
    opened = now;
    spdlog::info("ERP database '{}' was replaced: reopened", path);
  }

  template <typename Row, size_t N>
  std::vector<Row> select_rows(const std::string& view,
                               const std::array<ContractColumn<Row>, N>& columns,
                               std::string_view key_column, const Selection& sel) {
    auto st = db().cached("SELECT " + select_list(columns) + " FROM " + q(view) + " WHERE " +
                              sel.where + " ORDER BY " + q(key_column),
                          context(view));
    sel.bind(*st);
    std::vector<Row> rows;
    while (st->step()) rows.push_back(read_row(*st, columns));
    return rows;
  }

  // Vendor names by trimmed code for the POs of `sel` (the first vendor in key order wins).
  std::map<std::string, Text> vendor_names(const Selection& sel) {
    const std::string codes = "SELECT " + trimmed(q("vendor_code")) + " FROM " +
                              q(views.purchase_orders) + " WHERE " + sel.where;
    Statement st(db(),
                 "SELECT " + trimmed(q("code")) + ", " + q("name") + " FROM " + q(views.vendors) +
                     " WHERE " + trimmed(q("code")) + " IN (" + codes + ") ORDER BY " + q("code"),
                 context(views.vendors));
    sel.bind(st);
    std::map<std::string, Text> names;
    while (st.step()) names.emplace(st.column(0).value_or(""), st.column(1));
    return names;
  }

  // The lines of the POs of `sel`, by trimmed PO number, in numeric line order.
  std::map<std::string, std::vector<PoLineRow>> po_lines(const Selection& sel) {
    const std::string numbers = "SELECT " + trimmed(q("number")) + " FROM " +
                                q(views.purchase_orders) + " WHERE " + sel.where;
    const std::string key = trimmed(q("po_number"));
    Statement st(db(),
                 "SELECT " + key + ", " + select_list(kPoLineColumns) + " FROM " +
                     q(views.po_lines) + " WHERE " + key + " IN (" + numbers + ") ORDER BY " + key +
                     ", CAST(" + q("line_no") + " AS NUMERIC), " + q("line_no"),
                 context(views.po_lines));
    sel.bind(st);
    std::map<std::string, std::vector<PoLineRow>> lines;
    while (st.step()) {
      lines[st.column(0).value_or("")].push_back(read_row(st, kPoLineColumns, 1));
    }
    return lines;
  }

  // POs with their vendor names and lines; the caller holds the transaction.
  std::vector<PoRow> purchase_orders(const Selection& sel) {
    auto pos = select_rows(views.purchase_orders, kPurchaseOrderColumns, kPurchaseOrderKey, sel);
    if (pos.empty()) return pos;

    const auto names = vendor_names(sel);
    auto lines = po_lines(sel);
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
  OwnedValue page_bound(const std::string& view, std::string_view key_column,
                        const sqlite3_value* after) {
    const auto sel = Selection::range(key_column, after, nullptr);
    auto st = db().cached("SELECT " + q(key_column) + " FROM " + q(view) + " WHERE " + sel.where +
                              " ORDER BY " + q(key_column) + " LIMIT 1 OFFSET :offset",
                          context(view));
    sel.bind(*st);
    st->bind_int(":offset", page_size - 1);
    return st->step() ? st->column_value(0) : OwnedValue();
  }

  template <typename Row, typename ReadPage>
  void scan(const std::string& view, std::string_view key_column,
            const std::function<bool(Row&&)>& visit, ReadPage read_page) {
    OwnedValue after;
    for (;;) {
      std::vector<Row> rows;
      OwnedValue upto;
      {
        std::lock_guard lock(mutex);
        reopen_if_replaced();
        ReadTransaction tx(db(), context(view));
        upto = page_bound(view, key_column, after.get());
        rows = read_page(Selection::range(key_column, after.get(), upto.get()));
        tx.commit();
      }
      for (auto& row : rows) {
        if (!visit(std::move(row))) return;
      }
      if (!upto) return;
      after = std::move(upto);
    }
  }

  template <typename Read>
  auto in_transaction(const std::string& view, Read read) {
    std::lock_guard lock(mutex);
    reopen_if_replaced();
    ReadTransaction tx(db(), context(view));
    auto result = read();
    tx.commit();
    return result;
  }

  std::vector<ListEntry> list_master(const std::string& view, const ListQuery& query);
  std::vector<ListEntry> list_purchase_orders(const ListQuery& query);
  std::vector<ListEntry> read_list(const std::string& view, const std::string& sql,
                                   const ListQuery& query, const std::vector<std::string>& states);
  template <typename Row, size_t N>
  void check_view(const std::string& view, const std::array<ContractColumn<Row>, N>& columns,
                  std::vector<std::string>& problems);
};

SqliteErpSource::SqliteErpSource(const std::string& path, ErpViews views, int page_size)
    : impl_(std::make_unique<Impl>(path, std::move(views), page_size)) {}

SqliteErpSource::~SqliteErpSource() = default;

std::optional<VendorRow> SqliteErpSource::load_vendor(std::string_view key) {
  auto& views = impl_->views;
  auto rows = impl_->in_transaction(views.vendors, [&] {
    return impl_->select_rows(views.vendors, kVendorColumns, kVendorKey,
                              Selection::by_key(kVendorKey, key));
  });
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

std::optional<ItemRow> SqliteErpSource::load_item(std::string_view key) {
  auto& views = impl_->views;
  auto rows = impl_->in_transaction(views.items, [&] {
    return impl_->select_rows(views.items, kItemColumns, kItemKey,
                              Selection::by_key(kItemKey, key));
  });
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

std::optional<PoRow> SqliteErpSource::load_purchase_order(std::string_view key) {
  auto rows = impl_->in_transaction(impl_->views.purchase_orders, [&] {
    return impl_->purchase_orders(Selection::by_key(kPurchaseOrderKey, key));
  });
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

std::vector<std::string> SqliteErpSource::keys(Entity e) {
  const auto& views = impl_->views;
  const std::string& view = e == Entity::vendor ? views.vendors
                            : e == Entity::item ? views.items
                                                : views.purchase_orders;
  const std::string_view key = e == Entity::purchase_order ? kPurchaseOrderKey : kVendorKey;

  return impl_->in_transaction(view, [&] {
    Statement st(impl_->db(),
                 "SELECT " + q(key) + " FROM " + q(view) + " WHERE " + present(q(key)) +
                     " ORDER BY " + q(key),
                 impl_->context(view));
    std::vector<std::string> keys;
    while (st.step()) keys.push_back(st.column(0).value_or(""));
    return keys;
  });
}

void SqliteErpSource::scan_vendors(const std::function<bool(VendorRow&&)>& visit) {
  const auto& view = impl_->views.vendors;
  impl_->scan<VendorRow>(view, kVendorKey, visit, [&](const Selection& sel) {
    return impl_->select_rows(view, kVendorColumns, kVendorKey, sel);
  });
}

void SqliteErpSource::scan_items(const std::function<bool(ItemRow&&)>& visit) {
  const auto& view = impl_->views.items;
  impl_->scan<ItemRow>(view, kItemKey, visit, [&](const Selection& sel) {
    return impl_->select_rows(view, kItemColumns, kItemKey, sel);
  });
}

void SqliteErpSource::scan_purchase_orders(const std::function<bool(PoRow&&)>& visit) {
  impl_->scan<PoRow>(impl_->views.purchase_orders, kPurchaseOrderKey, visit,
                     [&](const Selection& sel) { return impl_->purchase_orders(sel); });
}

std::vector<ListEntry> SqliteErpSource::list(Entity e, const ListQuery& query) {
  switch (e) {
    case Entity::vendor:
      return impl_->list_master(impl_->views.vendors, query);
    case Entity::item:
      return impl_->list_master(impl_->views.items, query);
    case Entity::purchase_order:
      break;
  }
  return impl_->list_purchase_orders(query);
}

std::vector<std::string> SqliteErpSource::check_schema() {
  std::lock_guard lock(impl_->mutex);
  impl_->reopen_if_replaced();
  std::vector<std::string> problems;
  impl_->check_view(impl_->views.vendors, kVendorColumns, problems);
  impl_->check_view(impl_->views.items, kItemColumns, problems);
  impl_->check_view(impl_->views.purchase_orders, kPurchaseOrderColumns, problems);
  impl_->check_view(impl_->views.po_lines, kPoLineColumns, problems);
  return problems;
}

// --- listings and the schema check ----------------------------------------------------------

std::vector<ListEntry> SqliteErpSource::Impl::list_master(const std::string& view,
                                                          const ListQuery& query) {
  std::string sql = "SELECT " + trimmed(q("code")) + ", " + q("name") + ", CASE WHEN " +
                    truthy("active") + " THEN 'active' ELSE 'inactive' END FROM " + q(view) +
                    " WHERE " + present(q("code"));
  if (query.only_ready) sql += " AND " + truthy("active");
  if (!query.search.empty()) {
    sql += " AND (instr(lower(" + trimmed(q("code")) + "), lower(:search)) > 0 OR instr(lower(" +
           q("name") + "), lower(:search)) > 0)";
  }
  return read_list(view, sql + " ORDER BY " + q("code") + " LIMIT :limit", query, {});
}

std::vector<ListEntry> SqliteErpSource::Impl::list_purchase_orders(const ListQuery& query) {
  // The vendor name comes from a correlated subquery, evaluated once per PO.
  const std::string name = "(SELECT v." + q("name") + " FROM " + q(views.vendors) + " v WHERE " +
                           trimmed("v." + q("code")) + " = " + trimmed("p." + q("vendor_code")) +
                           " ORDER BY v." + q("code") + " LIMIT 1)";
  const std::string pos = "SELECT p." + q("number") + " AS " + q("number") + ", " + name + " AS " +
                          q("vendor_name") + ", p." + q("status") + " AS " + q("status") +
                          " FROM " + q(views.purchase_orders) + " p WHERE " +
                          present("p." + q("number"));
  std::string sql = "SELECT " + trimmed(q("number")) + ", " + q("vendor_name") + ", " +
                    trimmed(q("status")) + " FROM (" + pos + ") WHERE 1 = 1";

  std::vector<std::string> states;
  if (query.only_ready && !query.ready_statuses.empty()) {
    std::string params;
    for (const auto& status : query.ready_statuses) {
      params += (params.empty() ? ":s" : ", :s") + std::to_string(states.size());
      states.push_back(ascii_upper(trim_key(status)));
    }
    sql += " AND upper(" + trimmed(q("status")) + ") IN (" + params + ")";
  }
  if (!query.search.empty()) {
    sql += " AND (instr(lower(" + trimmed(q("number")) + "), lower(:search)) > 0 OR instr(lower(" +
           q("vendor_name") + "), lower(:search)) > 0)";
  }
  return read_list(views.purchase_orders, sql + " ORDER BY " + q("number") + " LIMIT :limit", query,
                   states);
}

std::vector<ListEntry> SqliteErpSource::Impl::read_list(const std::string& view,
                                                        const std::string& sql,
                                                        const ListQuery& query,
                                                        const std::vector<std::string>& states) {
  return in_transaction(view, [&] {
    Statement st(db(), sql, context(view));
    st.bind_text(":search", query.search);
    st.bind_int(":limit", query.limit > 0 ? query.limit : -1);
    for (size_t i = 0; i < states.size(); ++i) st.bind_text(":s" + std::to_string(i), states[i]);

    std::vector<ListEntry> entries;
    while (st.step()) {
      entries.push_back(
          {st.column(0).value_or(""), st.column(1).value_or(""), st.column(2).value_or("")});
    }
    return entries;
  });
}

template <typename Row, size_t N>
void SqliteErpSource::Impl::check_view(const std::string& view,
                                       const std::array<ContractColumn<Row>, N>& columns,
                                       std::vector<std::string>& problems) {
  Statement exists(db(),
                   "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = :name "
                   "COLLATE NOCASE",
                   "reading the schema of '" + path + "'");
  exists.bind_text(":name", view);
  if (!exists.step()) {
    problems.push_back("view '" + view + "': not found in '" + path + "'");
    return;
  }

  std::vector<std::string> found;
  try {
    Statement st(db(), "SELECT * FROM " + q(view) + " LIMIT 0", context(view));
    for (int i = 0; i < st.column_count(); ++i) found.push_back(ascii_lower(st.column_name(i)));
  } catch (const ErpError& e) {
    problems.push_back(e.what());  // e.g. the view names a column its table no longer has
    return;
  }
  for (const auto& c : columns) {
    if (std::find(found.begin(), found.end(), c.name) == found.end()) {
      problems.push_back("view '" + view + "': missing column '" + std::string(c.name) + "'");
    }
  }
}

}  // namespace kokola
