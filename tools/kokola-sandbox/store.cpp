#include "store.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace sandbox {
namespace {

using nlohmann::json;

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS records (
  entity TEXT NOT NULL,
  key TEXT NOT NULL,
  seq INTEGER NOT NULL,
  id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  writes INTEGER NOT NULL,
  PRIMARY KEY (entity, key)
);
-- The next record's id number (MAX(seq) per entity) without a scan of every record.
CREATE INDEX IF NOT EXISTS records_by_seq ON records (entity, seq);
CREATE TABLE IF NOT EXISTS answers (
  idempotency_key TEXT PRIMARY KEY,
  method TEXT NOT NULL,
  target TEXT NOT NULL,
  request_body TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS requests (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  ts TEXT NOT NULL,
  method TEXT NOT NULL,
  target TEXT NOT NULL,
  entity TEXT,
  key TEXT,
  idempotency_key TEXT,
  request_id TEXT,
  revision INTEGER,
  status INTEGER,
  code TEXT,
  replayed INTEGER NOT NULL,
  applied INTEGER NOT NULL,
  fault INTEGER NOT NULL
);
PRAGMA user_version = 1;
)sql";

json optional_json(const std::optional<std::string>& value) {
  return value ? json(*value) : json(nullptr);
}

json optional_json(const std::optional<std::int64_t>& value) {
  return value ? json(*value) : json(nullptr);
}

// A stored body that no longer parses (impossible unless the file was edited) is shown as
// its text rather than failing the whole dump.
json parse_body(const std::string& body) {
  auto parsed = json::parse(body, nullptr, false);
  return parsed.is_discarded() ? json(body) : parsed;
}

}  // namespace

Store::Store(const std::string& path) : Store(path, false) {}

Store::Store(const std::string& path, bool read_only) : db_(path, read_only) {
  if (read_only) return;
  if (path != ":memory:") {
    db_.exec("PRAGMA journal_mode = WAL");
    db_.exec("PRAGMA synchronous = NORMAL");
  }
  create_schema();
}

Store Store::open_read_only(const std::string& path) { return Store(path, true); }

void Store::create_schema() { db_.exec(kSchema); }

std::optional<StoredRecord> Store::find(Entity entity, const std::string& key) {
  Statement st(db_, "SELECT id, revision, body FROM records WHERE entity = ? AND key = ?");
  st.bind(1, entity_name(entity)).bind(2, key);
  if (!st.step()) return std::nullopt;
  return StoredRecord{st.text(0), st.integer(1), st.text(2)};
}

std::string Store::upsert(Entity entity, const std::string& key, std::int64_t revision,
                          const std::string& body, const std::string& now, bool& created) {
  const auto existing = find(entity, key);
  created = !existing;
  if (existing) {
    Statement st(db_,
                 "UPDATE records SET revision = ?, body = ?, updated_at = ?, writes = writes + 1 "
                 "WHERE entity = ? AND key = ?");
    st.bind(1, revision).bind(2, body).bind(3, now).bind(4, entity_name(entity)).bind(5, key);
    st.run();
    return existing->id;
  }

  Statement next(db_, "SELECT COALESCE(MAX(seq), 0) + 1 FROM records WHERE entity = ?");
  next.bind(1, entity_name(entity));
  next.step();
  const std::int64_t seq = next.integer(0);
  char id[32];
  std::snprintf(id, sizeof id, "%s_%06lld", std::string(id_prefix(entity)).c_str(),
                static_cast<long long>(seq));

  Statement st(db_,
               "INSERT INTO records (entity, key, seq, id, revision, body, created_at, "
               "updated_at, writes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)");
  st.bind(1, entity_name(entity)).bind(2, key).bind(3, seq).bind(4, std::string_view(id));
  st.bind(5, revision).bind(6, body).bind(7, now).bind(8, now);
  st.run();
  return id;
}

std::optional<StoredAnswer> Store::find_answer(const std::string& idempotency_key) {
  Statement st(db_,
               "SELECT method, target, request_body, status, body FROM answers "
               "WHERE idempotency_key = ?");
  st.bind(1, idempotency_key);
  if (!st.step()) return std::nullopt;
  return StoredAnswer{st.text(0), st.text(1), st.text(2), static_cast<int>(st.integer(3)),
                      st.text(4)};
}

void Store::remember_answer(const std::string& idempotency_key, const StoredAnswer& answer,
                            const std::string& now) {
  Statement st(db_,
               "INSERT INTO answers (idempotency_key, method, target, request_body, status, "
               "body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
  st.bind(1, idempotency_key).bind(2, answer.method).bind(3, answer.target);
  st.bind(4, answer.request_body).bind(5, std::int64_t{answer.status}).bind(6, answer.body);
  st.bind(7, now);
  st.run();
}

void Store::log_request(const RequestLogEntry& e) {
  Statement st(db_,
               "INSERT INTO requests (ts, method, target, entity, key, idempotency_key, "
               "request_id, revision, status, code, replayed, applied, fault) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  st.bind(1, e.ts).bind(2, e.method).bind(3, e.target).bind(4, e.entity).bind(5, e.key);
  st.bind(6, e.idempotency_key).bind(7, e.request_id).bind(8, e.revision);
  if (e.status) {
    st.bind(9, std::int64_t{*e.status});
  } else {
    st.bind_null(9);
  }
  st.bind(10, e.code).bind(11, std::int64_t{e.replayed}).bind(12, std::int64_t{e.applied});
  st.bind(13, std::int64_t{e.fault});
  st.run();
}

json Store::dump() {
  json records = json::object();
  for (Entity e : {Entity::vendor, Entity::item, Entity::po}) {
    records[std::string(entity_name(e))] = dump_records(e);
  }
  return {{"records", records}, {"requests", dump_requests()}};
}

json Store::dump_records(Entity entity) {
  Statement st(db_,
               "SELECT key, id, revision, body, created_at, updated_at, writes FROM records "
               "WHERE entity = ? ORDER BY seq");
  st.bind(1, entity_name(entity));
  json out = json::array();
  while (st.step()) {
    out.push_back({{"key", st.text(0)},
                   {"id", st.text(1)},
                   {"revision", st.integer(2)},
                   {"record", parse_body(st.text(3))},
                   {"created_at", st.text(4)},
                   {"updated_at", st.text(5)},
                   {"writes", st.integer(6)}});
  }
  return out;
}

json Store::dump_requests() {
  Statement st(db_,
               "SELECT seq, ts, method, target, entity, key, idempotency_key, request_id, "
               "revision, status, code, replayed, applied, fault FROM requests ORDER BY seq");
  json out = json::array();
  while (st.step()) {
    out.push_back({{"seq", st.integer(0)},
                   {"ts", st.text(1)},
                   {"method", st.text(2)},
                   {"target", st.text(3)},
                   {"entity", optional_json(st.optional_text(4))},
                   {"key", optional_json(st.optional_text(5))},
                   {"idempotency_key", optional_json(st.optional_text(6))},
                   {"request_id", optional_json(st.optional_text(7))},
                   {"revision", optional_json(st.optional_integer(8))},
                   {"status", optional_json(st.optional_integer(9))},
                   {"code", optional_json(st.optional_text(10))},
                   {"replayed", st.integer(11) != 0},
                   {"applied", st.integer(12) != 0},
                   {"fault", st.integer(13) != 0}});
  }
  return out;
}

void Store::reset() {
  Transaction tx(db_);
  db_.exec("DELETE FROM records; DELETE FROM answers; DELETE FROM requests;");
  db_.exec("DELETE FROM sqlite_sequence WHERE name = 'requests'");
  tx.commit();
}

std::string now_utc() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(millis));
  return text;
}

}  // namespace sandbox
