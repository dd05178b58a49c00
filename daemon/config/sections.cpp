#include "config/sections.hpp"

#include <sys/un.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "config/checks.hpp"
#include "config/delivery_sections.hpp"
#include "kokola/paths.hpp"
#include "log/logging.hpp"

namespace kokola {
namespace {

using std::chrono::milliseconds;

// Upper bounds that keep every duration far from overflowing the clocks' nanoseconds and
// catch a unit typed wrong ("5d" for "5m"): a longer timeout or interval is no use.
constexpr milliseconds kMaxTimeout = std::chrono::hours(1);
constexpr milliseconds kMaxInterval = std::chrono::hours(365 * 24);

// The most control connections a configuration may allow: far below any descriptor limit
// a daemon would run with, and a guard against a typo.
constexpr int kMaxControlClients = 100000;

// The longest socket path sockaddr_un holds, without its terminating NUL.
constexpr std::size_t kMaxSocketPath = sizeof(sockaddr_un{}.sun_path) - 1;

void read_views(MapReader& erp, ErpViews& views) {
  MapReader section = erp.section("views");
  const std::pair<const char*, std::string*> names[] = {
      {"vendors", &views.vendors},
      {"items", &views.items},
      {"purchase_orders", &views.purchase_orders},
      {"po_lines", &views.po_lines},
  };
  for (const auto& [key, out] : names) {
    std::string value = *out;
    section.text(key, value, Need::non_empty);
    if (!is_sql_name(value)) {
      section.problem(key,
                      "expected a plain SQL name (letters, digits and '_'), got '" + value + "'");
      continue;
    }
    *out = value;
  }
  section.finish();
}

void read_time_zone(MapReader& erp, Config& config) {
  erp.text("time_zone", config.erp.time_zone, Need::non_empty);
  try {
    config.rules.erp_time_zone = std::make_shared<const TimeZone>(config.erp.time_zone);
  } catch (const std::exception&) {
    erp.problem("time_zone", "unknown time zone '" + config.erp.time_zone + "'");
  }
}

// Connection string keys that have a key of their own in erp.postgres (or, for the password,
// a file): set in both places, one would silently win.
constexpr std::string_view kOwnPgKeys[] = {"connect_timeout",     "sslmode",
                                           "keepalives",          "keepalives_idle",
                                           "keepalives_interval", "keepalives_count"};

// Never quotes the connection string: a refused one may hold a password.
void check_conninfo(MapReader& pg, const std::string& conninfo) {
  const auto keys = conninfo_keys(conninfo);
  if (!keys) {
    pg.problem("conninfo",
               "cannot be read as a libpq connection string (key=value ... or postgresql://...)");
    return;
  }
  for (const std::string& key : *keys) {
    if (key == "password") {
      pg.problem("conninfo",
                 "must not contain a password: put it in erp.postgres.password_file, or pass it "
                 "as the systemd credential " +
                     std::string(kErpPasswordCredential));
    } else if (std::find(std::begin(kOwnPgKeys), std::end(kOwnPgKeys), key) !=
               std::end(kOwnPgKeys)) {
      pg.problem("conninfo", "sets '" + key + "': use erp.postgres." + key + " instead");
    }
  }
}

// erp.postgres.password_file (relative to the config file), or else the systemd credential
// when systemd passed one; neither: no password (peer, trust or certificate authentication).
void read_password_source(MapReader& pg, const ConfigEnvironment& env, const std::string& origin,
                          PgSettings& settings) {
  namespace fs = std::filesystem;
  pg.text("password_file", settings.password_file);
  if (!settings.password_file.empty()) {
    const fs::path base = fs::path(origin).parent_path();
    if (!base.empty() && !fs::path(settings.password_file).is_absolute()) {
      settings.password_file = (base / settings.password_file).lexically_normal().string();
    }
    return;
  }
  if (env.credentials_dir.empty()) return;
  const fs::path credential = fs::path(env.credentials_dir) / std::string(kErpPasswordCredential);
  std::error_code ignored;
  if (!fs::exists(credential, ignored)) return;
  settings.password_file = credential.string();
  settings.password_from_credential = true;
}

void read_postgres(MapReader& erp, const ConfigEnvironment& env, Config& config) {
  PgSettings& settings = config.erp.postgres;
  MapReader pg = erp.section("postgres", Need::required);
  pg.text("conninfo", settings.conninfo, Need::required);
  if (!settings.conninfo.empty()) check_conninfo(pg, settings.conninfo);
  read_password_source(pg, env, config.source_path, settings);

  pg.duration("connect_timeout", settings.connect_timeout, std::chrono::seconds(1), kMaxTimeout);
  pg.text("sslmode", settings.sslmode, Need::non_empty);
  if (std::find(kSslModes.begin(), kSslModes.end(), settings.sslmode) == kSslModes.end()) {
    pg.problem("sslmode",
               "expected disable, allow, prefer, require, verify-ca or verify-full, got '" +
                   settings.sslmode + "'");
  }
  pg.flag("keepalives", settings.keepalives);
  pg.duration("keepalives_idle", settings.keepalives_idle, std::chrono::seconds(1), kMaxTimeout);
  pg.duration("keepalives_interval", settings.keepalives_interval, std::chrono::seconds(1),
              kMaxTimeout);
  pg.integer("keepalives_count", settings.keepalives_count, 1, 100);
  pg.duration("statement_timeout", settings.statement_timeout, milliseconds(1), kMaxTimeout);
  pg.finish();
}

// The section of the engine not chosen is refused rather than ignored: an admin who filled
// in erp.postgres but left engine at sqlite would otherwise read the wrong database.
void refuse_other_engine(MapReader& erp, const std::string& engine, const char* other) {
  if (!erp.has(other)) return;
  erp.section(other);
  erp.problem(other, "is only read with engine '" + std::string(other) + "' (erp.engine is '" +
                         engine + "')");
}

void read_erp(MapReader& root, const ConfigEnvironment& env, Config& config) {
  MapReader erp = root.section("erp", Need::required);
  erp.text("engine", config.erp.engine, Need::non_empty);
  if (config.erp.engine == "postgres") {
    read_postgres(erp, env, config);
    refuse_other_engine(erp, config.erp.engine, "sqlite");
  } else {
    if (config.erp.engine != "sqlite") {
      erp.problem("engine", "expected 'sqlite' or 'postgres', got '" + config.erp.engine + "'");
    }
    MapReader sqlite = erp.section("sqlite", Need::required);
    sqlite.text("path", config.erp.sqlite_path, Need::required);
    sqlite.finish();
    refuse_other_engine(erp, config.erp.engine, "postgres");
  }

  read_views(erp, config.erp.views);
  read_time_zone(erp, config);
  erp.integer("page_size", config.erp.page_size, 1, 100000);
  erp.finish();
}

// When given, the map replaces the default entirely.
void read_currency_scales(MapReader& rules, std::map<std::string, int>& out) {
  MapReader section = rules.section("currency_scales");
  if (!rules.has("currency_scales") || !section.usable()) return;

  std::map<std::string, int> scales;
  for (const std::string& code : section.keys()) {
    if (!is_currency_code(code)) {
      section.problem(code, "expected a three-letter upper-case currency code");
    }
    int scale = -1;
    section.integer(code, scale, 0, 6);
    if (scale >= 0) scales[code] = scale;
  }
  if (section.keys().empty()) rules.problem("currency_scales", "must list at least one currency");
  section.finish();
  out = std::move(scales);
}

void read_tolerance(MapReader& rules, Decimal& out) {
  std::string text = out.to_string();
  rules.text("total_tolerance", text, Need::non_empty);

  const auto value = Decimal::parse(text);
  if (!value || value->is_negative()) {
    rules.problem(
        "total_tolerance",
        "expected a decimal number of zero or more such as \"0\" or \"0.01\", got '" + text + "'");
    return;
  }
  out = *value;
}

void check_statuses_apart(MapReader& rules, const RulesConfig& config) {
  for (const std::string& retire : config.retire_statuses) {
    for (const std::string& ready : config.ready_statuses) {
      if (normalise_status(retire) != normalise_status(ready)) continue;
      rules.problem("retire_statuses",
                    "'" + retire + "' is also in rules.ready_statuses (they must not overlap)");
    }
  }
}

void read_rules(MapReader& root, RulesConfig& config) {
  MapReader rules = root.section("rules");
  rules.text_list("ready_statuses", config.ready_statuses, Need::non_empty);
  rules.text_list("retire_statuses", config.retire_statuses, Need::optional);
  check_statuses_apart(rules, config);
  read_currency_scales(rules, config.currency_scales);
  read_tolerance(rules, config.total_tolerance);
  rules.integer("quantity_scale", config.quantity_scale, 0, Decimal::kMaxScale);
  rules.finish();
}

void read_paths(MapReader& kokola, KokolaConfig& config) {
  MapReader paths = kokola.section("paths");
  const std::pair<const char*, std::string*> entries[] = {
      {"vendor", &config.vendor_path},
      {"item", &config.item_path},
      {"po", &config.po_path},
  };
  for (const auto& [key, out] : entries) {
    std::string value = *out;
    paths.text(key, value, Need::non_empty);
    if (!is_path_prefix(value)) {
      paths.problem(key, "expected a path that starts and ends with '/', got '" + value + "'");
      continue;
    }
    *out = value;
  }
  paths.finish();
}

void read_tls(MapReader& kokola, TlsConfig& config) {
  MapReader tls = kokola.section("tls");
  tls.flag("verify", config.verify);
  tls.text("ca_file", config.ca_file);
  tls.text("ca_dir", config.ca_dir);
  tls.finish();
}

void read_auth(MapReader& kokola, KokolaConfig& config) {
  kokola.text("auth_header", config.auth_header, Need::non_empty);
  if (!is_http_token(config.auth_header)) {
    kokola.problem("auth_header", "expected an HTTP header name, got '" + config.auth_header + "'");
  }
  kokola.text("auth_scheme", config.auth_scheme);
  if (!config.auth_scheme.empty() && !is_http_token(config.auth_scheme)) {
    kokola.problem("auth_scheme",
                   "expected one word such as 'Bearer', got '" + config.auth_scheme + "'");
  }
}

// kokola.token_file, or else the systemd credential when systemd passed credentials.
void read_token_source(MapReader& kokola, const ConfigEnvironment& env, KokolaConfig& config) {
  const bool present = kokola.has("token_file");
  kokola.text("token_file", config.token_file, Need::optional);
  if (!config.token_file.empty()) return;
  if (!env.credentials_dir.empty()) {
    config.token_file = env.credentials_dir + "/" + std::string(kTokenCredential);
    config.token_from_credential = true;
    return;
  }
  if (!kokola.usable()) return;
  kokola.problem("token_file",
                 std::string(present ? "must not be empty" : "required key is missing") +
                     ": name the token file, or run under systemd with "
                     "LoadCredential=kokola-token:PATH");
}

void read_kokola(MapReader& root, const ConfigEnvironment& env, KokolaConfig& config) {
  MapReader kokola = root.section("kokola", Need::required);
  kokola.text("base_url", config.base_url, Need::required);
  if (!config.base_url.empty()) {
    if (auto error = check_base_url(config.base_url)) {
      kokola.problem("base_url", *error);
    } else {
      config.base_url = without_trailing_slash(config.base_url);
    }
  }

  read_token_source(kokola, env, config);
  read_auth(kokola, config);
  read_paths(kokola, config);
  kokola.duration("connect_timeout", config.connect_timeout, milliseconds(1), kMaxTimeout);
  kokola.duration("request_timeout", config.request_timeout, milliseconds(1), kMaxTimeout);
  kokola.text("proxy", config.proxy);
  if (!config.proxy.empty() && config.proxy.rfind("http://", 0) != 0) {
    kokola.problem("proxy", "expected http://HOST:PORT, got '" + config.proxy + "'");
  }
  read_tls(kokola, config.tls);
  kokola.finish();
}

// The socket path as the daemon will bind it (relative to the file's directory) must fit
// sockaddr_un, or the daemon would pass --check-config and then fail to start.
void check_socket_length(MapReader& control, const std::string& path, const std::string& origin) {
  namespace fs = std::filesystem;
  const fs::path base = fs::path(origin).parent_path();
  std::string bound = path;
  if (!base.empty() && !fs::path(path).is_absolute()) {
    bound = (base / path).lexically_normal().string();
  }
  if (bound.size() <= kMaxSocketPath) return;
  control.problem("socket", "the path is " + std::to_string(bound.size()) +
                                " bytes, a Unix socket path allows at most " +
                                std::to_string(kMaxSocketPath) + ": '" + bound + "'");
}

void read_control_limits(MapReader& control, ControlConfig& config) {
  control.duration("idle_timeout", config.idle_timeout, std::chrono::seconds(1), kMaxTimeout);
  control.integer("max_clients", config.max_clients, 1, kMaxControlClients);
  control.integer("max_clients_per_user", config.max_clients_per_user, 1, kMaxControlClients);
  control.integer("admin_reserved", config.admin_reserved, 0, kMaxControlClients);
  if (config.admin_reserved >= config.max_clients) {
    control.problem("admin_reserved", "expected fewer than control.max_clients (" +
                                          std::to_string(config.max_clients) + "), got " +
                                          std::to_string(config.admin_reserved));
  }
}

void read_control(MapReader& root, const std::string& origin, ControlConfig& config) {
  MapReader control = root.section("control");
  control.text("socket", config.socket_path, Need::non_empty);
  check_socket_length(control, config.socket_path, origin);
  control.text("socket_group", config.socket_group);
  control.text_list("admin_groups", config.admin_groups, Need::optional);
  control.text_list("viewer_groups", config.viewer_groups, Need::optional);
  read_control_limits(control, config);
  control.finish();
}

void read_schedule(MapReader& root, std::map<Entity, EntitySchedule>& out) {
  MapReader schedule = root.section("schedule");
  for (Entity e : kAllEntities) {
    EntitySchedule entry;
    MapReader section = schedule.section(entity_name(e));
    section.flag("enabled", entry.enabled);
    section.duration("interval", entry.interval, std::chrono::seconds(1), kMaxInterval);
    section.finish();
    out[e] = entry;
  }
  schedule.finish();
}

void read_single(MapReader& root, const char* name, const char* key, std::string& out) {
  MapReader section = root.section(name);
  section.text(key, out, Need::non_empty);
  section.finish();
}

void read_log(MapReader& root, std::string& level) {
  MapReader log = root.section("log");
  log.text("level", level, Need::non_empty);
  if (!is_log_level(level)) {
    log.problem("level",
                "expected one of trace, debug, info, warn, error, off, got '" + level + "'");
  }
  log.finish();
}

}  // namespace

void read_sections(MapReader& root, const ConfigEnvironment& env, Config& config) {
  config.state_path = std::string(kDefaultStatePath);
  config.control.socket_path = std::string(kDefaultSocketPath);

  read_erp(root, env, config);
  read_rules(root, config.rules);
  read_kokola(root, env, config.kokola);
  read_single(root, "state", "path", config.state_path);
  read_control(root, config.source_path, config.control);
  read_schedule(root, config.schedule);
  read_delivery(root, config.delivery);
  read_retention(root, config.retention);
  read_metrics(root, config.metrics);
  read_log(root, config.log_level);
  root.finish();
}

}  // namespace kokola
