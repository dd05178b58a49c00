// Builds the ERP source the configuration names (erp.engine): the SQLite source for a file,
// or the PostgreSQL source for a server, whose password it reads here from its file or
// systemd credential. Start-up only (and --check-config); the caller's thread.
#pragma once

#include <memory>
#include <string>

#include "config/config.hpp"
#include "erp/source.hpp"

namespace kokola {

// Throws ErpError (SQLite: the file cannot be opened) or std::runtime_error (the password
// file cannot be read; the message names the file, never its content).
std::unique_ptr<ErpSource> make_erp_source(const ErpConfig& config);

// What messages call the configured ERP: "'/srv/erp/erp.db'" or
// "PostgreSQL database 'erp' on 'db1:5432'".
std::string describe_erp(const ErpConfig& config);

// The ERP password as configured: erp.postgres.password_file, which must be private to the
// daemon's user, or the systemd credential kokola-erp-password; empty when neither is set.
std::string read_erp_password(const PgSettings& settings);

}  // namespace kokola
