// The daemon's configuration: one YAML file (docs/configuration.md). load_config() reads and
// checks it whole; unknown, duplicate or missing required keys and wrong types are errors
// naming the key path and line. The result is immutable; a reload builds a new one.
// Any thread may read a Config it holds.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "domain/entity.hpp"
#include "erp/pg_settings.hpp"
#include "erp/source.hpp"
#include "rules/rules_config.hpp"

namespace kokola {

// Every problem found in a config file, one per line: "PATH:LINE: KEY.PATH: message".
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(const std::vector<std::string>& problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

struct ErpConfig {
  std::string engine = "sqlite";  // "sqlite" or "postgres"
  std::string sqlite_path;        // required for engine sqlite
  PgSettings postgres;            // engine postgres: conninfo required
  ErpViews views;
  std::string time_zone = "Asia/Jakarta";
  int page_size = 500;
};

struct TlsConfig {
  bool verify = true;  // turning it off is logged loudly at every start
  std::string ca_file = "/etc/ssl/certs/ca-certificates.crt";
  std::string ca_dir;
};

// The systemd credential that carries the API token when kokola.token_file is not set:
// LoadCredential=kokola-token:/etc/kokola-sync/token puts it in $CREDENTIALS_DIRECTORY.
inline constexpr std::string_view kTokenCredential = "kokola-token";

struct KokolaConfig {
  std::string base_url;  // required, e.g. "https://kokola.example.com"
  // The file whose content (trimmed) is the API token: kokola.token_file, or, when that is
  // not set and systemd passed credentials, $CREDENTIALS_DIRECTORY/kokola-token.
  std::string token_file;
  bool token_from_credential = false;  // token_file is the systemd credential
  std::string auth_header = "Authorization";
  std::string auth_scheme = "Bearer";  // empty: the header carries the bare token
  // Path prefix per entity; the percent-encoded key is appended.
  std::string vendor_path = "/v1/vendors/";
  std::string item_path = "/v1/items/";
  std::string po_path = "/v1/purchase-orders/";
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{30000};
  std::string proxy;  // "http://host:port"; empty: connect directly
  TlsConfig tls;
};

struct ControlConfig {
  std::string socket_path;   // default kDefaultSocketPath
  std::string socket_group;  // empty: the daemon's primary group
  std::vector<std::string> admin_groups;
  std::vector<std::string> viewer_groups;
  // Connection limits (docs/security.md).
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  int max_clients = 128;
  int max_clients_per_user = 16;  // root is not counted against it
  int admin_reserved = 8;         // of max_clients, only for admins; less than max_clients
};

// How jobs reach the app (docs/configuration.md, section delivery).
struct DeliveryConfig {
  int senders = 4;  // requests in flight at once, each on its own keep-alive connection
  std::chrono::milliseconds initial_backoff{std::chrono::seconds(1)};
  std::chrono::milliseconds max_backoff{std::chrono::minutes(5)};
  // A job still failing transiently this long after it was queued ends `failed`.
  std::chrono::milliseconds retry_horizon{std::chrono::hours(24)};
  // Retry-After from the app is clamped to this.
  std::chrono::milliseconds max_retry_after{std::chrono::hours(1)};
  int max_requests_per_second = 0;  // 0: no limit
  // On SIGTERM, how long requests in flight may take to finish.
  std::chrono::milliseconds shutdown_grace{std::chrono::seconds(10)};
  // A run compares every row in full (not only by fingerprint) when the last full comparison
  // of its entity is older than this.
  std::chrono::milliseconds full_compare_every{std::chrono::hours(24)};
};

// How long finished jobs (receipts), runs and audit entries are kept.
struct RetentionConfig {
  std::chrono::milliseconds jobs{std::chrono::hours(24 * 30)};
  std::chrono::milliseconds runs{std::chrono::hours(24 * 30)};
  std::chrono::milliseconds audit{std::chrono::hours(24 * 365)};
};

// The Prometheus endpoint (docs/operations.md, section Metrics). It has no authentication,
// so `listen` must name a loopback address: 127.0.0.0/8 or [::1].
struct MetricsConfig {
  bool enabled = false;
  std::string listen = "127.0.0.1:9464";  // as written
  std::string host = "127.0.0.1";         // its address, without brackets
  int port = 9464;
};

struct EntitySchedule {
  bool enabled = true;
  std::chrono::milliseconds interval{std::chrono::minutes(5)};
};

struct Config {
  std::string source_path;  // the file this was loaded from
  ErpConfig erp;
  RulesConfig rules;
  KokolaConfig kokola;
  std::string state_path;  // default kDefaultStatePath
  ControlConfig control;
  std::map<Entity, EntitySchedule> schedule;  // one entry per entity, always
  DeliveryConfig delivery;
  RetentionConfig retention;
  MetricsConfig metrics;
  std::string log_level = "info";
};

// What the loader takes from the process environment, passed in so that tests choose it.
struct ConfigEnvironment {
  std::string credentials_dir;  // systemd's $CREDENTIALS_DIRECTORY; empty: none

  static ConfigEnvironment of_process();
};

// Throws ConfigError (every problem found) or std::runtime_error when the file cannot be read.
Config load_config(const std::string& path,
                   const ConfigEnvironment& env = ConfigEnvironment::of_process());
// The same from text, for tests; `origin` names it in messages.
Config parse_config(const std::string& yaml_text, const std::string& origin,
                    const ConfigEnvironment& env = {});

// Reads the API token from a token file, which must be a regular file that neither group nor
// others may access (mode & 077 == 0). A message names the file, never its content. Throws
// std::runtime_error.
std::string read_token_file(const std::string& path);
// Reads the API token as configured: the token file, or the systemd credential (a regular
// file; its mode is systemd's, whose credentials directory only the service can enter).
std::string read_api_token(const KokolaConfig& config);

}  // namespace kokola
