#include "erp/pg_conn.hpp"

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "erp/source.hpp"

namespace kokola::pg {
namespace {

// libpq takes whole seconds; a configured 500ms must not turn into "wait forever" (0).
std::string whole_seconds(std::chrono::milliseconds d) {
  const auto seconds = (d.count() + 999) / 1000;
  return std::to_string(std::max<long long>(seconds, 1));
}

// libpq's messages span lines ("...failed: Connection refused\n\tIs the server running...");
// a log line and an ErpError are one line, so the lines are joined with "; ".
std::string one_line(std::string_view text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    const auto first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos) {
      line = line.substr(first, line.find_last_not_of(" \t\r") - first + 1);
      if (!out.empty()) out += "; ";
      out += line;
    }
    start = end + 1;
  }
  return out.empty() ? "unknown error" : out;
}

std::string literal(std::string_view text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// The first line of a server message without its severity ("FATAL:  terminating ...").
std::string first_line(std::string_view text) {
  std::string line = one_line(text.substr(0, text.find('\n')));
  for (const std::string_view severity : {"FATAL:", "ERROR:", "PANIC:"}) {
    if (line.starts_with(severity)) {
      line = line.substr(line.find_first_not_of(' ', severity.size()));
      break;
    }
  }
  return line;
}

// The session every read relies on: values printed the way the mapper reads them (UTF-8,
// ISO dates, timestamps with offsets in the ERP's zone), and no write ever possible. A
// SQL_ASCII database converts nothing and would refuse to send a non-UTF-8 byte as UTF-8,
// failing a whole page for one bad value: its bytes are taken as stored, and the mapper
// reports the values that are not UTF-8, each with its field path.
std::string session_setup(const Session& s, bool sql_ascii) {
  return std::string("SET client_encoding = ") + (sql_ascii ? "'SQL_ASCII'" : "'UTF8'") +
         "; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET TimeZone = " +
         literal(s.time_zone) +
         "; SET default_transaction_read_only = on; SET statement_timeout = " +
         std::to_string(s.settings.statement_timeout.count());
}

// Server notices (a view's RAISE NOTICE, say) would go to stderr; they are detail.
void log_notice(void*, const char* message) { spdlog::debug("ERP server: {}", one_line(message)); }

}  // namespace

Rows::Rows(pg_result* result) : result_(result) {}
Rows::~Rows() { PQclear(result_); }
Rows::Rows(Rows&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
int Rows::count() const { return PQntuples(result_); }
int Rows::columns() const { return PQnfields(result_); }
std::string Rows::column_name(int column) const { return PQfname(result_, column); }

Text Rows::value(int row, int column) const {
  if (PQgetisnull(result_, row, column)) return std::nullopt;
  return std::string(PQgetvalue(result_, row, column),
                     static_cast<size_t>(PQgetlength(result_, row, column)));
}

Connection::Connection(const Session& session) {
  const PgSettings& s = session.settings;
  // The connection string is expanded where it stands: it overrides the keys before it (an
  // application_name of the DBA's choice) and the keys after it override it (the
  // configuration's own, which the loader refuses in the connection string).
  std::vector<std::pair<const char*, std::string>> params{
      {"application_name", "kokola-syncd"},
      {"dbname", s.conninfo},
      {"connect_timeout", whole_seconds(s.connect_timeout)},
      {"sslmode", s.sslmode},
      {"keepalives", s.keepalives ? "1" : "0"},
      {"keepalives_idle", whole_seconds(s.keepalives_idle)},
      {"keepalives_interval", whole_seconds(s.keepalives_interval)},
      {"keepalives_count", std::to_string(s.keepalives_count)},
      {"client_encoding", "UTF8"},
  };
  if (!session.password.empty()) params.emplace_back("password", session.password);

  std::vector<const char*> keys, values;
  for (const auto& [key, value] : params) {
    keys.push_back(key);
    values.push_back(value.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);

  conn_ = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
  if (conn_ == nullptr) throw ErpError("cannot connect: out of memory");
  PQsetNoticeProcessor(conn_, log_notice, nullptr);
  if (PQstatus(conn_) != CONNECTION_OK) {
    const std::string cause = one_line(PQerrorMessage(conn_));
    PQfinish(conn_);
    throw ErpError("cannot connect: " + cause);
  }
  try {
    exec(session_setup(session, server_encoding() == "SQL_ASCII"),
         "cannot connect: setting up the session");
  } catch (...) {
    PQfinish(conn_);
    throw;
  }
}

Connection::~Connection() { PQfinish(conn_); }

Rows Connection::query(const std::string& sql, const Params& params, const std::string& context) {
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);

  return checked(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                              values.data(), nullptr, nullptr, /*text=*/0),
                 context);
}

void Connection::exec(const std::string& sql, const std::string& context) {
  checked(PQexec(conn_, sql.c_str()), context);  // several statements allowed
}

Rows Connection::checked(pg_result* result, const std::string& context) {
  Rows rows(result);
  const auto status = PQresultStatus(result);
  if (result != nullptr && (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK)) return rows;

  // The primary message is one line without the "ERROR:" prefix; without a result (the
  // connection is gone) only the connection's message is left.
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string cause = primary ? one_line(primary) : first_line(PQerrorMessage(conn_));
  if (PQstatus(conn_) != CONNECTION_OK) cause = "connection lost: " + cause;
  throw ErpError(context + ": " + cause);
}

bool Connection::connected() const { return PQstatus(conn_) == CONNECTION_OK; }

bool Connection::usable() const {
  return PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

void Connection::rollback_quietly() {
  if (PQstatus(conn_) != CONNECTION_OK) return;
  if (PQtransactionStatus(conn_) == PQTRANS_IDLE) return;
  PQclear(PQexec(conn_, "ROLLBACK"));
}

std::string Connection::server_encoding() const {
  const char* encoding = PQparameterStatus(conn_, "server_encoding");
  return encoding ? encoding : "";
}

Pool::Lease::~Lease() { give_back(); }

Pool::Lease& Pool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    give_back();
    pool_ = other.pool_;
    conn_ = std::move(other.conn_);
    reused_ = other.reused_;
  }
  return *this;
}

void Pool::Lease::give_back() {
  if (!conn_) return;
  conn_->rollback_quietly();  // a read that failed half-way leaves its transaction open
  if (conn_->usable()) pool_->check_in(std::move(conn_));
  conn_.reset();
}

Pool::Lease Pool::acquire(const std::string& context) {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(conn), true);
    }
  }
  return open(context);
}

Pool::Lease Pool::open(const std::string& context) {
  std::unique_ptr<Connection> conn;
  try {
    conn = std::make_unique<Connection>(session_);
  } catch (const ErpError& e) {
    throw ErpError(context + ": " + e.what());
  }

  // SQL_ASCII stores bytes unchecked and converts nothing: text in a legacy charset reaches
  // the daemon as it is, and the records holding it are refused as invalid UTF-8.
  if (conn->server_encoding() == "SQL_ASCII") {
    std::lock_guard lock(mutex_);
    if (!warned_encoding_) {
      spdlog::warn(
          "ERP {}: the server encoding is SQL_ASCII, so text is passed on byte for byte "
          "without conversion; values that are not UTF-8 make their records invalid",
          session_.describe);
      warned_encoding_ = true;
    }
  }
  return Lease(*this, std::move(conn), false);
}

void Pool::check_in(std::unique_ptr<Connection> conn) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < kMaxIdle) idle_.push_back(std::move(conn));
}

std::string describe_conninfo(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  PQfreemem(error);  // the loader has checked the string; a bad one is reported on connecting
  std::string db, host, port, user;
  for (auto* o = options; o != nullptr && o->keyword != nullptr; ++o) {
    const std::string_view key = o->keyword;
    const std::string value = o->val ? o->val : "";
    if (key == "dbname") db = value;
    if (key == "host" && !value.empty()) host = value;
    if (key == "hostaddr" && host.empty()) host = value;
    if (key == "port") port = value;
    if (key == "user") user = value;
  }
  PQconninfoFree(options);

  if (db.empty()) db = user.empty() ? "(default)" : user;
  if (host.empty()) host = "local socket";
  if (!port.empty()) host += ":" + port;
  return "PostgreSQL database '" + db + "' on '" + host + "'";
}

std::string quote_identifier(std::string_view name) {
  std::string quoted = "\"";
  for (const char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + '"';
}

}  // namespace kokola::pg
