#include "erp/make_source.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <stdexcept>

#include "config/files.hpp"
#include "erp/pg_conn.hpp"
#include "erp/pg_source.hpp"
#include "erp/sqlite_source.hpp"

namespace kokola {
namespace {

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// A password file other users can read hands them the ERP; a credential is systemd's own
// private file (its directory only the service can enter), so only its type is checked.
FileCheck password_check(const std::string& path, bool private_needed) {
  return [path, private_needed](const struct stat& st) -> std::optional<std::string> {
    if (!S_ISREG(st.st_mode)) return "not a regular file";
    if (!private_needed || (st.st_mode & 077) == 0) return std::nullopt;
    return "group or others may access it (mode " + octal_mode(st.st_mode) +
           "); make it private with 'chmod 600 " + path + "'";
  };
}

}  // namespace

std::string read_erp_password(const PgSettings& settings) {
  if (settings.password_file.empty()) return "";
  const std::string& path = settings.password_file;
  const std::string what = settings.password_from_credential
                               ? "systemd credential " + std::string(kErpPasswordCredential)
                               : std::string("ERP password file");
  const std::string content =
      read_small_file(path, what, password_check(path, !settings.password_from_credential));

  const std::string doing = "reading " + what + " '" + path + "': ";
  const auto first = content.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) throw std::runtime_error(doing + "the file is empty");
  const auto last = content.find_last_not_of(" \t\r\n");
  std::string password = content.substr(first, last - first + 1);
  if (password.find_first_of("\r\n") != std::string::npos) {
    throw std::runtime_error(doing + "the password spans several lines");
  }
  return password;
}

std::unique_ptr<ErpSource> make_erp_source(const ErpConfig& config) {
  if (config.engine == "postgres") {
    return std::make_unique<PgErpSource>(config.postgres, read_erp_password(config.postgres),
                                         config.views, config.time_zone, config.page_size);
  }
  return std::make_unique<SqliteErpSource>(config.sqlite_path, config.views, config.page_size);
}

std::string describe_erp(const ErpConfig& config) {
  if (config.engine == "postgres") return pg::describe_conninfo(config.postgres.conninfo);
  return "'" + config.sqlite_path + "'";
}

}  // namespace kokola
