// PgErpSource: listings (`kokolactl list`, filtered in the query) and the schema check.
#include <algorithm>

#include "domain/keys.hpp"
#include "erp/pg_read.hpp"

namespace kokola {

using namespace pg_sql;

namespace {

// "$N" for a parameter just appended to `params`.
std::string next_param(pg::Params& params, Text value) {
  params.push_back(std::move(value));
  return "$" + std::to_string(params.size());
}

// A limit of 0 or less lists everything: LIMIT NULL is no limit.
Text limit_of(const ListQuery& query) {
  if (query.limit <= 0) return std::nullopt;
  return std::to_string(query.limit);
}

}  // namespace

std::vector<ListEntry> PgErpSource::list(Entity e, const ListQuery& query) {
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

std::vector<ListEntry> PgErpSource::Impl::list_master(const std::string& view,
                                                      const ListQuery& query) {
  pg::Params params;
  std::string sql = "SELECT " + trimmed(q("code")) + ", " + q("name") + ", CASE WHEN " +
                    truthy("active") + " THEN 'active' ELSE 'inactive' END FROM " + q(view) +
                    " WHERE " + present(q("code"));
  if (query.only_ready) sql += " AND " + truthy("active");
  if (!query.search.empty()) {
    const std::string search = "lower(" + next_param(params, query.search) + ")";
    sql += " AND (strpos(lower(" + trimmed(q("code")) + "), " + search + ") > 0 OR strpos(lower((" +
           q("name") + ")::text), " + search + ") > 0)";
  }
  sql += " ORDER BY " + q("code") + " LIMIT " + next_param(params, limit_of(query));
  return read_list(view, sql, std::move(params));
}

std::vector<ListEntry> PgErpSource::Impl::list_purchase_orders(const ListQuery& query) {
  // The vendor name comes from a correlated subquery, evaluated once per PO.
  const std::string name = "(SELECT v." + q("name") + " FROM " + q(views.vendors) + " v WHERE " +
                           trimmed("v." + q("code")) + " = " + trimmed("p." + q("vendor_code")) +
                           " ORDER BY v." + q("code") + " LIMIT 1)";
  const std::string pos = "SELECT p." + q("number") + " AS " + q("number") + ", " + name + " AS " +
                          q("vendor_name") + ", p." + q("status") + " AS " + q("status") +
                          " FROM " + q(views.purchase_orders) + " p WHERE " +
                          present("p." + q("number"));
  std::string sql = "SELECT " + trimmed(q("number")) + ", " + q("vendor_name") + ", " +
                    trimmed(q("status")) + " FROM (" + pos + ") AS po WHERE true";

  pg::Params params;
  if (query.only_ready && !query.ready_statuses.empty()) {
    std::string list;
    for (const auto& status : query.ready_statuses) {
      list += (list.empty() ? "" : ", ") + next_param(params, ascii_upper(trim_key(status)));
    }
    sql += " AND upper(" + trimmed(q("status")) + ") IN (" + list + ")";
  }
  if (!query.search.empty()) {
    const std::string search = "lower(" + next_param(params, query.search) + ")";
    sql += " AND (strpos(lower(" + trimmed(q("number")) + "), " + search +
           ") > 0 OR strpos(lower((" + q("vendor_name") + ")::text), " + search + ") > 0)";
  }
  sql += " ORDER BY " + q("number") + " LIMIT " + next_param(params, limit_of(query));
  return read_list(views.purchase_orders, sql, std::move(params));
}

std::vector<ListEntry> PgErpSource::Impl::read_list(const std::string& view, const std::string& sql,
                                                    pg::Params params) {
  return in_transaction(view, [&](pg::Connection& c) {
    const auto rows = c.query(sql, params, context(view));
    std::vector<ListEntry> entries;
    for (int r = 0; r < rows.count(); ++r) {
      entries.push_back({rows.value(r, 0).value_or(""), rows.value(r, 1).value_or(""),
                         rows.value(r, 2).value_or("")});
    }
    return entries;
  });
}

std::vector<std::string> PgErpSource::check_schema() {
  // Outside a transaction, so that a view that fails to read spoils no other check.
  const std::string ctx = "reading the schema of " + describe();
  pg::Pool::Lease conn = impl_->lease(ctx, "SELECT 1");
  std::vector<std::string> problems;
  impl_->check_view(*conn, impl_->views.vendors, kVendorColumns, problems);
  impl_->check_view(*conn, impl_->views.items, kItemColumns, problems);
  impl_->check_view(*conn, impl_->views.purchase_orders, kPurchaseOrderColumns, problems);
  impl_->check_view(*conn, impl_->views.po_lines, kPoLineColumns, problems);
  return problems;
}

template <typename Row, size_t N>
void PgErpSource::Impl::check_view(pg::Connection& c, const std::string& view,
                                   const std::array<ContractColumn<Row>, N>& columns,
                                   std::vector<std::string>& problems) {
  // A view, table, materialized view or foreign table the search path finds, by exact name
  // (the name is quoted wherever it is used).
  const auto found = c.query(
      "SELECT 1 FROM pg_catalog.pg_class c WHERE c.relname = $1 AND c.relkind IN ('r', 'v', "
      "'m', 'f', 'p') AND pg_catalog.pg_table_is_visible(c.oid)",
      {view}, "reading the schema of " + pool.session().describe);
  if (found.count() == 0) {
    problems.push_back("view '" + view + "': not found in " + pool.session().describe);
    return;
  }

  std::vector<std::string> names;
  try {
    const auto rows = c.query("SELECT * FROM " + q(view) + " LIMIT 0", {}, context(view));
    for (int i = 0; i < rows.columns(); ++i) names.push_back(ascii_lower(rows.column_name(i)));
  } catch (const ErpError& e) {
    if (!c.connected()) throw;
    problems.push_back(e.what());  // e.g. no SELECT privilege, or a broken view
    return;
  }
  for (const auto& col : columns) {
    if (std::find(names.begin(), names.end(), col.name) == names.end()) {
      problems.push_back("view '" + view + "': missing column '" + std::string(col.name) + "'");
    }
  }
}

}  // namespace kokola
