#include "config/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "support/config_text.hpp"

namespace kokola {
namespace {

using testing::config_problems;
const std::string& kMinimal = testing::kMinimalConfig;

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(Config, ExampleFileParsesWithEveryKey) {
  const auto example =
      std::filesystem::path(__FILE__).parent_path() / "../../etc" / "kokola-sync.example.yaml";
  const Config config = load_config(example.string());

  EXPECT_EQ(config.erp.sqlite_path, "/var/lib/erp/erp.db");
  EXPECT_EQ(config.erp.views.po_lines, "kokola_po_lines");
  EXPECT_EQ(config.kokola.base_url, "https://kokola.example.com");
  EXPECT_EQ(config.kokola.po_path, "/v1/purchase-orders/");
  EXPECT_EQ(config.kokola.request_timeout, std::chrono::seconds(30));
  EXPECT_EQ(config.rules.currency_scales.at("IDR"), 2);
  EXPECT_EQ(config.schedule.at(Entity::purchase_order).interval, std::chrono::minutes(5));
  EXPECT_EQ(config.log_level, "info");
}

TEST(Config, FullFileOverridesEveryDefault) {
  const Config config = parse_config(
      "erp:\n"
      "  engine: sqlite\n"
      "  sqlite: {path: /srv/erp.db}\n"
      "  views: {vendors: v_vendors, items: v_items, purchase_orders: v_po, po_lines: "
      "v_lines}\n"
      "  time_zone: Asia/Makassar\n"
      "  page_size: 50\n"
      "rules:\n"
      "  ready_statuses: [RELEASED, APPROVED]\n"
      "  retire_statuses: [VOID]\n"
      "  currency_scales: {IDR: 0, USD: 2}\n"
      "  total_tolerance: \"0.01\"\n"
      "  quantity_scale: 3\n"
      "kokola:\n"
      "  base_url: http://127.0.0.1:8080/\n"
      "  token_file: /run/credentials/token\n"
      "  auth_header: X-Api-Key\n"
      "  auth_scheme: \"\"\n"
      "  paths: {vendor: /api/v/, item: /api/i/, po: /api/p/}\n"
      "  connect_timeout: 500ms\n"
      "  request_timeout: 2m\n"
      "  tls: {verify: false, ca_file: /etc/ca.pem, ca_dir: /etc/ca.d}\n"
      "state: {path: /tmp/state.db}\n"
      "control:\n"
      "  socket: /tmp/ctl.sock\n"
      "  socket_group: kokola\n"
      "  admin_groups: [it]\n"
      "  viewer_groups: [ops, it]\n"
      "schedule:\n"
      "  vendor: {enabled: false, interval: 1h}\n"
      "  item: {interval: 1d}\n"
      "  po: {interval: 30s}\n"
      "log: {level: debug}\n",
      "/etc/kokola-sync/kokola-sync.yaml");

  EXPECT_EQ(config.erp.views.items, "v_items");
  EXPECT_EQ(config.erp.time_zone, "Asia/Makassar");
  ASSERT_NE(config.rules.erp_time_zone, nullptr);
  EXPECT_EQ(config.rules.erp_time_zone->name(), "Asia/Makassar");
  EXPECT_EQ(config.erp.page_size, 50);
  EXPECT_THAT(config.rules.ready_statuses, ElementsAre("RELEASED", "APPROVED"));
  EXPECT_EQ(config.rules.currency_scales.size(), 2u);
  EXPECT_EQ(config.rules.total_tolerance.to_string(), "0.01");
  EXPECT_EQ(config.rules.quantity_scale, 3);
  EXPECT_EQ(config.kokola.base_url, "http://127.0.0.1:8080");
  EXPECT_EQ(config.kokola.auth_header, "X-Api-Key");
  EXPECT_EQ(config.kokola.auth_scheme, "");
  EXPECT_EQ(config.kokola.connect_timeout, std::chrono::milliseconds(500));
  EXPECT_FALSE(config.kokola.tls.verify);
  EXPECT_EQ(config.state_path, "/tmp/state.db");
  EXPECT_THAT(config.control.viewer_groups, ElementsAre("ops", "it"));
  EXPECT_FALSE(config.schedule.at(Entity::vendor).enabled);
  EXPECT_EQ(config.schedule.at(Entity::item).interval, std::chrono::hours(24));
  EXPECT_TRUE(config.schedule.at(Entity::item).enabled);
  EXPECT_EQ(config.log_level, "debug");
}

TEST(Config, MinimalFileGetsDefaults) {
  const Config config = parse_config(kMinimal, "/etc/kokola-sync/kokola-sync.yaml");

  EXPECT_EQ(config.erp.engine, "sqlite");
  EXPECT_EQ(config.erp.views.vendors, "kokola_vendors");
  EXPECT_EQ(config.erp.page_size, 500);
  ASSERT_NE(config.rules.erp_time_zone, nullptr);
  EXPECT_EQ(config.rules.erp_time_zone->name(), "Asia/Jakarta");
  EXPECT_THAT(config.rules.retire_statuses, ElementsAre("CANCELLED", "CLOSED"));
  EXPECT_TRUE(config.rules.total_tolerance.is_zero());
  EXPECT_EQ(config.kokola.auth_scheme, "Bearer");
  EXPECT_EQ(config.kokola.vendor_path, "/v1/vendors/");
  EXPECT_EQ(config.kokola.connect_timeout, std::chrono::seconds(5));
  EXPECT_TRUE(config.kokola.tls.verify);
  EXPECT_EQ(config.state_path, "/var/lib/kokola-sync/state.db");
  EXPECT_EQ(config.control.socket_path, "/run/kokola-sync/control.sock");
  EXPECT_EQ(config.schedule.size(), 3u);
  EXPECT_TRUE(config.schedule.at(Entity::purchase_order).enabled);
  EXPECT_EQ(config.schedule.at(Entity::purchase_order).interval, std::chrono::minutes(5));
  EXPECT_EQ(config.log_level, "info");
}

TEST(Config, RelativePathsFollowTheFile) {
  const Config config = parse_config(std::string(kMinimal) +
                                         "state: {path: state/state.db}\n"
                                         "control: {socket: ../run/ctl.sock}\n",
                                     "/srv/demo/etc/kokola-sync.yaml");

  EXPECT_EQ(config.state_path, "/srv/demo/etc/state/state.db");
  EXPECT_EQ(config.control.socket_path, "/srv/demo/run/ctl.sock");
  EXPECT_EQ(config.erp.sqlite_path, "/srv/erp.db");
}

TEST(Config, UnknownNestedKeyNamesPathAndLine) {
  const auto problems = config_problems(std::string(kMinimal) +
                                        "  tls:\n"
                                        "    verfy: false\n");
  EXPECT_THAT(problems,
              ElementsAre("test.yaml:8: kokola.tls.verfy: unknown key (did you mean 'verify'?)"));
}

TEST(Config, UnknownKeyFarFromAnyGetsNoSuggestion) {
  const auto problems = config_problems(std::string(kMinimal) + "colour: blue\n");
  EXPECT_THAT(problems, ElementsAre("test.yaml:7: colour: unknown key"));
}

TEST(Config, DuplicateKeyIsRefused) {
  const auto problems = config_problems(std::string(kMinimal) + "  token_file: /other\n");
  EXPECT_THAT(problems,
              ElementsAre("test.yaml:7: kokola.token_file: duplicate key (first at line 6)"));
}

TEST(Config, MissingRequiredKeysAreNamed) {
  const auto problems = config_problems(
      "erp:\n"
      "  sqlite: {}\n"
      "kokola:\n"
      "  base_url: https://app.example.com\n");
  EXPECT_THAT(problems, ElementsAre("test.yaml:2: erp.sqlite.path: required key is missing",
                                    "test.yaml:3: kokola.token_file: required key is missing: "
                                    "name the token file, or run under systemd with "
                                    "LoadCredential=kokola-token:PATH"));
}

TEST(Config, EmptyDocumentNamesRequiredSections) {
  const auto problems = config_problems("");
  EXPECT_THAT(problems, ElementsAre("test.yaml:1: erp: required section is missing",
                                    "test.yaml:1: kokola: required section is missing"));
}

TEST(Config, EmptyRequiredValueIsRefused) {
  const auto problems = config_problems(
      "erp: {sqlite: {path: \"\"}}\n"
      "kokola: {base_url: https://a.example, token_file: }\n");
  EXPECT_THAT(problems, ElementsAre("test.yaml:1: erp.sqlite.path: must not be empty",
                                    "test.yaml:2: kokola.token_file: must not be empty: name "
                                    "the token file, or run under systemd with "
                                    "LoadCredential=kokola-token:PATH"));
}

TEST(Config, YesIsNotABoolean) {
  const auto problems = config_problems(std::string(kMinimal) +
                                        "schedule:\n"
                                        "  item:\n"
                                        "    enabled: yes\n");
  EXPECT_THAT(problems,
              ElementsAre("test.yaml:9: schedule.item.enabled: expected true or false, got 'yes'"));
}

TEST(Config, BareNumberIsNotADuration) {
  const auto problems = config_problems(std::string(kMinimal) + "  request_timeout: 30\n");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0], HasSubstr("test.yaml:7: kokola.request_timeout: expected a duration"));
  EXPECT_THAT(problems[0], HasSubstr("got '30'"));
}

TEST(Config, IntervalBelowOneSecondIsRefused) {
  const auto problems =
      config_problems(std::string(kMinimal) + "schedule: {po: {interval: 500ms}}\n");
  EXPECT_THAT(problems, ElementsAre("test.yaml:7: schedule.po.interval: must be at least 1s"));
}

TEST(Config, IntervalAboveAYearIsRefused) {
  const auto problems =
      config_problems(std::string(kMinimal) + "schedule: {po: {interval: 106752d}}\n");
  EXPECT_THAT(problems, ElementsAre("test.yaml:7: schedule.po.interval: must be at most 365d, "
                                    "got '106752d'"));
  const Config config =
      parse_config(std::string(kMinimal) + "schedule: {po: {interval: 365d}}\n", "test.yaml");
  EXPECT_EQ(config.schedule.at(Entity::purchase_order).interval, std::chrono::hours(365 * 24));
}

TEST(Config, TimeoutAboveAnHourIsRefused) {
  const auto problems = config_problems(std::string(kMinimal) +
                                        "  connect_timeout: 61m\n"
                                        "  request_timeout: 999999999999d\n");
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0], "test.yaml:7: kokola.connect_timeout: must be at most 1h, got '61m'");
  EXPECT_THAT(problems[1], HasSubstr("test.yaml:8: kokola.request_timeout: expected a duration"));
}

TEST(Config, SocketPathLongerThanSockaddrIsRefused) {
  const std::string fits = "/run/" + std::string(102, 's');  // 107 bytes
  const Config config =
      parse_config(std::string(kMinimal) + "control: {socket: " + fits + "}\n", "test.yaml");
  EXPECT_EQ(config.control.socket_path, fits);

  const auto problems =
      config_problems(std::string(kMinimal) + "control:\n  socket: " + fits + "x\n");
  EXPECT_THAT(problems, ElementsAre("test.yaml:8: control.socket: the path is 108 bytes, a Unix "
                                    "socket path allows at most 107: '" +
                                    fits + "x'"));
}

TEST(Config, RelativeSocketPathIsMeasuredAsResolved) {
  const std::string relative = std::string(90, 'r') + ".sock";
  try {
    parse_config(std::string(kMinimal) + "control: {socket: " + relative + "}\n",
                 "/srv/kokola-demo/etc/kokola-sync.yaml");
    FAIL() << "a socket path of 116 bytes once resolved was accepted";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.problems().size(), 1u);
    EXPECT_THAT(e.problems()[0], HasSubstr("control.socket: the path is 116 bytes"));
  }
}

TEST(Config, LeadingZeroIsNotAnInteger) {
  const auto problems = config_problems(std::string(kMinimal) + "rules: {quantity_scale: 04}\n");
  EXPECT_THAT(problems, ElementsAre("test.yaml:7: rules.quantity_scale: expected a whole number "
                                    "from 0 to 12, got '04'"));
}

TEST(Config, UrlWithPathIsRefused) {
  const auto problems = config_problems(
      "erp: {sqlite: {path: /srv/erp.db}}\n"
      "kokola:\n"
      "  token_file: /t\n"
      "  base_url: https://app.example.com/api?x=1\n");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0], HasSubstr("test.yaml:4: kokola.base_url: must not carry a query"));
}

TEST(Config, BaseUrlShapes) {
  const auto check = [](const std::string& url) {
    try {
      parse_config("erp: {sqlite: {path: /e}}\nkokola: {token_file: /t, base_url: '" + url + "'}\n",
                   "t.yaml");
      return std::string("ok");
    } catch (const ConfigError& e) {
      return e.problems().at(0);
    }
  };
  EXPECT_EQ(check("https://app.example.com:8443"), "ok");
  EXPECT_EQ(check("http://[::1]:8080/"), "ok");
  EXPECT_THAT(check("ftp://app.example.com"), HasSubstr("expected an http:// or https:// URL"));
  EXPECT_THAT(check("https://app.example.com/v1"), HasSubstr("must not carry a path"));
  EXPECT_THAT(check("https://user:pw@app.example.com"), HasSubstr("must not carry credentials"));
  EXPECT_THAT(check("https://user:P@SS@app.example.com"), HasSubstr("must not carry credentials"));
  EXPECT_THAT(check("http://127.0.0.1:@SANDBOX_PORT@"),
              HasSubstr("has a placeholder that was not filled in: @SANDBOX_PORT@"));
  EXPECT_THAT(check("https://app.example.com:99999"), HasSubstr("invalid port"));
  EXPECT_THAT(check("https://"), HasSubstr("has no host"));
}

TEST(Config, OverlappingStatusesAreRefused) {
  const auto problems = config_problems(std::string(kMinimal) +
                                        "rules:\n"
                                        "  ready_statuses: [APPROVED]\n"
                                        "  retire_statuses: [CLOSED, approved]\n");
  EXPECT_THAT(problems, ElementsAre("test.yaml:9: rules.retire_statuses: 'approved' is also in "
                                    "rules.ready_statuses (they must not overlap)"));
}

TEST(Config, ViewNameMustBeAPlainSqlName) {
  const auto problems = config_problems(
      "erp:\n"
      "  sqlite: {path: /e}\n"
      "  views: {items: \"items; DROP TABLE x\", vendors: main.vendors}\n"
      "kokola: {base_url: http://a, token_file: /t}\n");
  EXPECT_THAT(problems,
              ElementsAre(HasSubstr("test.yaml:3: erp.views.vendors: expected a plain SQL name"),
                          HasSubstr("test.yaml:3: erp.views.items: expected a plain SQL name")));
}

TEST(Config, ValueChecksReportTheirKey) {
  const auto problems =
      config_problems(std::string(kMinimal) +
                      "  paths: {po: /v1/po}\n"
                      "rules: {currency_scales: {idr: 9}, total_tolerance: '-1'}\n"
                      "erp_extra: 1\n"
                      "log: {level: verbose}\n");
  EXPECT_THAT(problems,
              ElementsAre(HasSubstr("test.yaml:8: rules.currency_scales.idr: expected a three"),
                          HasSubstr("test.yaml:8: rules.currency_scales.idr: expected a whole"),
                          HasSubstr("test.yaml:8: rules.total_tolerance: expected a decimal"),
                          HasSubstr("test.yaml:7: kokola.paths.po: expected a path that starts"),
                          HasSubstr("test.yaml:10: log.level: expected one of trace"),
                          "test.yaml:9: erp_extra: unknown key"));
}

TEST(Config, EveryProblemIsReportedTogether) {
  const auto problems = config_problems(
      "erp:\n"
      "  engine: oracle\n"
      "  time_zone: Mars/Olympus\n"
      "kokola:\n"
      "  base_url: kokola.example.com\n"
      "  token_file: /t\n"
      "  tls: {verify: on}\n");
  EXPECT_THAT(problems,
              ElementsAre(HasSubstr("test.yaml:2: erp.engine: expected 'sqlite'"),
                          "test.yaml:1: erp.sqlite: required section is missing",
                          "test.yaml:3: erp.time_zone: unknown time zone 'Mars/Olympus'",
                          HasSubstr("test.yaml:5: kokola.base_url: expected an http://"),
                          "test.yaml:7: kokola.tls.verify: expected true or false, got 'on'"));
}

TEST(Config, SectionOfWrongTypeIsOneProblem) {
  const auto problems = config_problems(std::string(kMinimal) +
                                        "schedule: daily\n"
                                        "rules: {currency_scales: [IDR]}\n");
  EXPECT_THAT(problems,
              ElementsAre("test.yaml:8: rules.currency_scales: expected a map, got a list",
                          "test.yaml:7: schedule: expected a map, got 'daily'"));
}

TEST(Config, CurrencyScalesReplaceTheDefault) {
  const Config config =
      parse_config(std::string(kMinimal) + "rules: {currency_scales: {USD: 2}}\n", "t.yaml");
  EXPECT_EQ(config.rules.currency_scales, (std::map<std::string, int>{{"USD", 2}}));
}

TEST(Config, SyntaxErrorGivesItsLine) {
  const auto problems = config_problems(
      "erp:\n"
      "  sqlite: {path: /srv/erp.db\n"
      "kokola:\n"
      "  base_url: [x\n");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0], ::testing::StartsWith("test.yaml:"));
  EXPECT_THAT(problems[0], HasSubstr("invalid YAML"));
}

TEST(Config, SyntaxErrorLineIsOneBased) {
  const auto problems = config_problems("a: 1\nb: [1,\nc: 2\n  d: 3\n");
  EXPECT_THAT(problems, ElementsAre(::testing::StartsWith("test.yaml:4: invalid YAML")));
}

TEST(Config, MissingFileSaysSo) {
  try {
    load_config("/nonexistent/kokola-sync.yaml");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "reading config '/nonexistent/kokola-sync.yaml': no such file");
  }
}

// A mistaken path (a link to /dev/zero, a log file) ends in an error naming it, after at most
// a mebibyte, instead of reading for ever (a reload would hold the daemon meanwhile).
TEST(Config, EndlessOrHugeFileIsRefused) {
  for (const char* path : {"/dev/zero", "/dev/urandom"}) {
    try {
      load_config(path);
      FAIL() << "expected an error for " << path;
    } catch (const std::runtime_error& e) {
      EXPECT_THAT(e.what(),
                  HasSubstr(std::string("reading config '") + path + "': larger than 1 MiB"));
    }
  }
}

TEST(Config, ControlLimitsHaveDefaultsAndCanBeSet) {
  const Config defaults = parse_config(kMinimal, "test.yaml");
  EXPECT_EQ(defaults.control.idle_timeout, std::chrono::seconds(60));
  EXPECT_EQ(defaults.control.max_clients, 128);
  EXPECT_EQ(defaults.control.max_clients_per_user, 16);
  EXPECT_EQ(defaults.control.admin_reserved, 8);

  const Config set = parse_config(std::string(kMinimal) +
                                      "control:\n"
                                      "  idle_timeout: 90s\n"
                                      "  max_clients: 40\n"
                                      "  max_clients_per_user: 4\n"
                                      "  admin_reserved: 3\n",
                                  "test.yaml");
  EXPECT_EQ(set.control.idle_timeout, std::chrono::seconds(90));
  EXPECT_EQ(set.control.max_clients, 40);
  EXPECT_EQ(set.control.max_clients_per_user, 4);
  EXPECT_EQ(set.control.admin_reserved, 3);
}

TEST(Config, AdminReservedMustLeaveSlotsForOthers) {
  const auto problems =
      config_problems(std::string(kMinimal) + "control:\n  max_clients: 8\n  admin_reserved: 8\n");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0], HasSubstr("control.admin_reserved: expected fewer than "
                                     "control.max_clients (8), got 8"));
}

TEST(Config, ZeroIdleTimeoutIsRefused) {
  const auto problems = config_problems(std::string(kMinimal) + "control:\n  idle_timeout: 0s\n");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0], HasSubstr("control.idle_timeout"));
}

}  // namespace
}  // namespace kokola
