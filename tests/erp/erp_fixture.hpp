// Test helpers for the ERP source: a temporary directory removed on destruction, and a
// writable SQLite database built from SQL text through the C API (the source under test only
// ever opens read-only). Test code; one thread.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "support/temp_dir.hpp"

namespace kokola::testing_erp {

using kokola::TempDir;

// Creates (or extends) the database at `path` by running `sql`; throws on any SQL error.
inline void run_sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("opening test database '" + path + "' failed");
  }
  // One transaction without fsync: test databases need no durability, and tests stay fast.
  const std::string script = "PRAGMA synchronous = OFF; BEGIN;" + sql + "\nCOMMIT;";
  char* error = nullptr;
  const int rc = sqlite3_exec(db, script.c_str(), nullptr, nullptr, &error);
  const std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  if (rc != SQLITE_OK) throw std::runtime_error("test SQL failed: " + message);
}

}  // namespace kokola::testing_erp
