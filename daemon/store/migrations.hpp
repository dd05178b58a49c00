// The state store's schema history (docs/state-store.md): an ordered list of SQL steps, the
// n-th bringing the schema from version n-1 to n. The version lives in PRAGMA user_version;
// each step runs in one BEGIN IMMEDIATE transaction together with the version bump, so a
// crash leaves the database at one version or the next, never between. Steps are never
// edited once released: a change is a new step. Called once at open, under the store's lock.
#pragma once

#include <span>

#include "store/sqlite.hpp"

namespace kokola {

struct Migration {
  int version;      // the schema version this step produces
  const char* sql;  // one or more statements
};

std::span<const Migration> schema_migrations();
int latest_schema_version();

// The database's current user_version.
int read_schema_version(SqliteDb& db);

// Applies every step above the database's version. Throws std::runtime_error when the
// database is newer than this build knows (an older daemon must not write to it).
void migrate(SqliteDb& db, std::string_view store_path);

}  // namespace kokola
