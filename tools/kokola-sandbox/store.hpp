// The sandbox's state in SQLite: the records it holds, the idempotency cache (the stored
// answer per Idempotency-Key) and the request log. Everything lives in the database so that
// `kokola-sandbox dump --db FILE` shows it after the server has stopped. Not thread-safe: the
// Api serialises every call with its own mutex.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "sqlite.hpp"
#include "target.hpp"

namespace sandbox {

struct StoredRecord {
  std::string id;
  std::int64_t revision = 0;
  std::string body;  // the PUT body as received
};

// The answer given to the first request with an Idempotency-Key, with what identifies that
// request, so that a retry is recognised and answered the same way.
struct StoredAnswer {
  std::string method;
  std::string target;
  std::string request_body;
  int status = 0;
  std::string body;
};

struct RequestLogEntry {
  std::string ts;
  std::string method;
  std::string target;
  std::optional<std::string> entity, key, idempotency_key, request_id;
  std::optional<std::int64_t> revision;  // from the body, when it has one
  std::optional<int> status;             // nullopt: the connection was closed unanswered
  std::optional<std::string> code;       // the error code, for error answers
  bool replayed = false;
  bool applied = false;
  bool fault = false;
};

class Store {
 public:
  // Opens or creates the state at path (":memory:" keeps it in memory only).
  explicit Store(const std::string& path);
  // Opens an existing state file read-only, for dump.
  static Store open_read_only(const std::string& path);

  Database& database() { return db_; }

  std::optional<StoredRecord> find(Entity entity, const std::string& key);
  // Stores the record and returns its app id; created is set when it was new.
  std::string upsert(Entity entity, const std::string& key, std::int64_t revision,
                     const std::string& body, const std::string& now, bool& created);

  std::optional<StoredAnswer> find_answer(const std::string& idempotency_key);
  void remember_answer(const std::string& idempotency_key, const StoredAnswer& answer,
                       const std::string& now);

  void log_request(const RequestLogEntry& entry);
  nlohmann::json dump();
  void reset();

 private:
  Store(const std::string& path, bool read_only);
  void create_schema();
  nlohmann::json dump_records(Entity entity);
  nlohmann::json dump_requests();

  Database db_;
};

// The current UTC time as RFC 3339 with milliseconds, e.g. "2025-02-03T07:05:00.123Z".
std::string now_utc();

}  // namespace sandbox
