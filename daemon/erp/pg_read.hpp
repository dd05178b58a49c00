// The inside of PgErpSource, shared by its two source files (pg_source.cpp: records and
// scans; pg_list.cpp: listings and the schema check): the SQL it builds over the contract
// views, and the read transaction every read runs in. Private to the PostgreSQL source;
// every member may be called from any thread (each read leases its own connection).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "erp/contract.hpp"
#include "erp/pg_conn.hpp"
#include "erp/pg_source.hpp"

namespace kokola {
namespace pg_sql {

// Every read's transaction: one snapshot for all its statements (a PO's header, vendor name
// and lines), read-only so that a mistaken view can never write. Both are allowed on a
// hot standby, so a read replica works as well as the primary.
inline constexpr const char* kBegin = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";

inline std::string q(std::string_view name) { return pg::quote_identifier(name); }

// SQL trim of exactly what trim_key() removes, over the value as text (a key may be an
// INTEGER or CHAR(n) column). Written as a constant so that an expression index on the
// same expression in the ERP's table can serve it.
inline std::string trimmed(std::string_view expr) {
  return "btrim((" + std::string(expr) + ")::text, E' \\t\\n\\r')";
}

// A key that is neither NULL nor blank: listings leave the others out. (Scans keep them,
// so that the mapper reports "is required" for each.)
inline std::string present(const std::string& key) {
  return key + " IS NOT NULL AND " + trimmed(key) + " <> ''";
}

// True for the values parse_active() reads as true, whatever the column's type (a boolean
// prints as "true").
inline std::string truthy(std::string_view column) {
  return "lower(" + trimmed(q(column)) + ") IN ('1', 'true', 't', 'y', 'yes')";
}

template <typename Row, size_t N>
std::string select_list(const std::array<ContractColumn<Row>, N>& columns) {
  std::string sql;
  for (const auto& c : columns) sql += (sql.empty() ? "" : ", ") + q(c.name);
  return sql;
}

template <typename Row, size_t N>
Row read_row(const pg::Rows& rows, int r, const std::array<ContractColumn<Row>, N>& columns,
             int first = 0) {
  Row row;
  for (size_t i = 0; i < N; ++i) {
    row.*(columns[i].field) = rows.value(r, first + static_cast<int>(i));
  }
  return row;
}

// Which rows of a view a query reads: a WHERE clause over the view's key, and its parameters.
struct Selection {
  std::string where;
  pg::Params params;

  // One record by trimmed key.
  static Selection by_key(std::string_view key_column, std::string_view key);
  // A page of keys as stored: after < key <= upto, either bound left open when null.
  static Selection range(std::string_view key_column, const Text& after, const Text& upto);
};

std::string ascii_lower(std::string s);
std::string ascii_upper(std::string s);

}  // namespace pg_sql

struct PgErpSource::Impl {
  pg::Pool pool;
  ErpViews views;
  int page_size;

  Impl(pg::Session session, ErpViews v, int size);

  std::string context(const std::string& view) const {
    return "reading view '" + view + "' from " + pool.session().describe;
  }

  // A connection on which `first` (BEGIN, or a query outside a transaction) has run. A pooled
  // connection that the server dropped while it was idle is replaced once, quietly.
  pg::Pool::Lease lease(const std::string& context, const std::string& first);

  template <typename Read>
  auto in_transaction(const std::string& view, Read read) {
    const std::string ctx = context(view);
    pg::Pool::Lease conn = lease(ctx, pg_sql::kBegin);
    auto result = read(*conn);
    conn->exec("COMMIT", ctx);
    return result;
  }

  template <typename Row, size_t N>
  std::vector<Row> select_rows(pg::Connection& c, const std::string& view,
                               const std::array<ContractColumn<Row>, N>& columns,
                               std::string_view key_column, const pg_sql::Selection& sel) {
    using namespace pg_sql;
    const auto rows = c.query("SELECT " + select_list(columns) + " FROM " + q(view) + " WHERE " +
                                  sel.where + " ORDER BY " + q(key_column),
                              sel.params, context(view));
    std::vector<Row> out;
    out.reserve(static_cast<size_t>(rows.count()));
    for (int r = 0; r < rows.count(); ++r) out.push_back(read_row(rows, r, columns));
    return out;
  }

  std::map<std::string, Text> vendor_names(pg::Connection& c, const pg_sql::Selection& sel);
  std::map<std::string, std::vector<PoLineRow>> po_lines(pg::Connection& c,
                                                         const pg_sql::Selection& sel);
  std::vector<PoRow> purchase_orders(pg::Connection& c, const pg_sql::Selection& sel);
  Text page_bound(pg::Connection& c, const std::string& view, std::string_view key_column,
                  const Text& after);

  // Pages of page_size keys, each read in its own transaction; `visit` runs between them,
  // with no connection held, so it may read the ERP itself.
  template <typename Row, typename ReadPage>
  void scan(const std::string& view, std::string_view key_column,
            const std::function<bool(Row&&)>& visit, ReadPage read_page) {
    Text after;
    for (;;) {
      Text upto;
      std::vector<Row> rows = in_transaction(view, [&](pg::Connection& c) {
        upto = page_bound(c, view, key_column, after);
        return read_page(c, pg_sql::Selection::range(key_column, after, upto));
      });
      for (auto& row : rows) {
        if (!visit(std::move(row))) return;
      }
      if (!upto) return;
      after = std::move(upto);
    }
  }

  std::vector<ListEntry> list_master(const std::string& view, const ListQuery& query);
  std::vector<ListEntry> list_purchase_orders(const ListQuery& query);
  std::vector<ListEntry> read_list(const std::string& view, const std::string& sql,
                                   pg::Params params);
  template <typename Row, size_t N>
  void check_view(pg::Connection& c, const std::string& view,
                  const std::array<ContractColumn<Row>, N>& columns,
                  std::vector<std::string>& problems);
};

}  // namespace kokola
