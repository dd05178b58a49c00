// How the PostgreSQL ERP source connects (config section erp.postgres, docs/configuration.md):
// the libpq connection string, where the password comes from, and the connection's timeouts.
// The password itself is never part of these settings; it is read from its file when the
// source is built and handed to libpq only. Plain values; any thread.
#pragma once

#include <array>
#include <chrono>
#include <string>
#include <string_view>

namespace kokola {

// The systemd credential that carries the ERP password when erp.postgres.password_file is not
// set: LoadCredential=kokola-erp-password:/etc/kokola-sync/erp-password.
inline constexpr std::string_view kErpPasswordCredential = "kokola-erp-password";

// The sslmode values libpq accepts.
inline constexpr std::array<std::string_view, 6> kSslModes{"disable", "allow",     "prefer",
                                                           "require", "verify-ca", "verify-full"};

struct PgSettings {
  // A libpq connection string ("host=db1 dbname=erp user=kokola") or URI
  // ("postgresql://kokola@db1/erp"), without a password and without the keys below.
  std::string conninfo;
  // The file holding the password (private to the daemon's user), or the systemd credential;
  // empty: no password (peer, trust or certificate authentication).
  std::string password_file;
  bool password_from_credential = false;
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  std::string sslmode = "prefer";
  bool keepalives = true;
  std::chrono::milliseconds keepalives_idle{std::chrono::seconds(30)};
  std::chrono::milliseconds keepalives_interval{std::chrono::seconds(10)};
  int keepalives_count = 3;
  std::chrono::milliseconds statement_timeout{std::chrono::seconds(60)};
};

}  // namespace kokola
