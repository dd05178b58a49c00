// The erp section for each engine: engine choice, erp.postgres keys and their checks, the
// password source (file or systemd credential) and connection strings that are refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "config/checks.hpp"
#include "config/config.hpp"
#include "erp/make_source.hpp"
#include "support/config_text.hpp"
#include "support/temp_dir.hpp"

namespace kokola {
namespace {

const std::string& kKokola = testing::kKokolaSection;

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> problems_of(const std::string& text, const ConfigEnvironment& env = {}) {
  return testing::config_problems(text, "/etc/kokola-sync/test.yaml", env);
}

TEST(ErpConfig, PostgresDefaults) {
  const Config config = parse_config(
      "erp:\n  engine: postgres\n  postgres:\n    conninfo: host=db1 dbname=erp user=kokola\n" +
          kKokola,
      "test.yaml");

  const PgSettings& pg = config.erp.postgres;
  EXPECT_EQ(config.erp.engine, "postgres");
  EXPECT_EQ(pg.conninfo, "host=db1 dbname=erp user=kokola");
  EXPECT_EQ(pg.password_file, "");
  EXPECT_EQ(pg.connect_timeout, std::chrono::seconds(10));
  EXPECT_EQ(pg.sslmode, "prefer");
  EXPECT_TRUE(pg.keepalives);
  EXPECT_EQ(pg.statement_timeout, std::chrono::seconds(60));
  EXPECT_EQ(describe_erp(config.erp), "PostgreSQL database 'erp' on 'db1'");
}

TEST(ErpConfig, PostgresEveryKey) {
  const Config config = parse_config(
      "erp:\n"
      "  engine: postgres\n"
      "  postgres:\n"
      "    conninfo: postgresql://kokola@db1:5433/erp?application_name=sync\n"
      "    password_file: secrets/erp-password\n"
      "    connect_timeout: 3s\n"
      "    sslmode: verify-full\n"
      "    keepalives: false\n"
      "    keepalives_idle: 1m\n"
      "    keepalives_interval: 5s\n"
      "    keepalives_count: 4\n"
      "    statement_timeout: 90s\n" +
          kKokola,
      "/etc/kokola-sync/kokola-sync.yaml");

  const PgSettings& pg = config.erp.postgres;
  EXPECT_EQ(pg.password_file, "/etc/kokola-sync/secrets/erp-password");
  EXPECT_FALSE(pg.password_from_credential);
  EXPECT_EQ(pg.connect_timeout, std::chrono::seconds(3));
  EXPECT_EQ(pg.sslmode, "verify-full");
  EXPECT_FALSE(pg.keepalives);
  EXPECT_EQ(pg.keepalives_idle, std::chrono::minutes(1));
  EXPECT_EQ(pg.keepalives_interval, std::chrono::seconds(5));
  EXPECT_EQ(pg.keepalives_count, 4);
  EXPECT_EQ(pg.statement_timeout, std::chrono::seconds(90));
}

TEST(ErpConfig, PasswordInTheConnectionStringIsRefusedWithoutQuotingIt) {
  for (const char* conninfo :
       {"host=db1 password=s3cr3t dbname=erp", "host=db1 password = 's3cr3t x' dbname=erp",
        "postgresql://kokola:s3cr3t@db1/erp", "postgres://db1/erp?user=kokola&password=s3cr3t"}) {
    const auto problems = problems_of(std::string("erp:\n  engine: postgres\n  postgres:\n") +
                                      "    conninfo: \"" + conninfo + "\"\n" + kKokola);
    ASSERT_EQ(problems.size(), 1u) << conninfo;
    EXPECT_THAT(problems[0], HasSubstr("erp.postgres.conninfo: must not contain a password: put "
                                       "it in erp.postgres.password_file"));
    EXPECT_EQ(problems[0].find("s3cr3t"), std::string::npos);
  }
}

TEST(ErpConfig, RefusesWhatTheConfigurationSetsItself) {
  const auto problems = problems_of(
      "erp:\n  engine: postgres\n  postgres:\n"
      "    conninfo: host=db1 sslmode=disable connect_timeout=1\n"
      "    sslmode: sometimes\n"
      "    keepalives_count: 0\n" +
      kKokola);
  EXPECT_THAT(problems,
              ElementsAre(HasSubstr("erp.postgres.conninfo: sets 'sslmode': use "
                                    "erp.postgres.sslmode instead"),
                          HasSubstr("erp.postgres.conninfo: sets 'connect_timeout'"),
                          HasSubstr("erp.postgres.sslmode: expected disable, allow, prefer, "
                                    "require, verify-ca or verify-full, got 'sometimes'"),
                          HasSubstr("erp.postgres.keepalives_count: expected a whole number")));
}

TEST(ErpConfig, EachEngineNeedsItsOwnSectionAndNoOther) {
  EXPECT_THAT(problems_of("erp:\n  engine: postgres\n" + kKokola),
              ElementsAre(HasSubstr("erp.postgres: required section is missing")));
  EXPECT_THAT(problems_of("erp:\n  engine: postgres\n  postgres: {}\n" + kKokola),
              ElementsAre(HasSubstr("erp.postgres.conninfo: required key is missing")));
  EXPECT_THAT(problems_of("erp:\n  engine: postgres\n  postgres: {conninfo: host=db1}\n"
                          "  sqlite: {path: erp.db}\n" +
                          kKokola),
              ElementsAre(HasSubstr("erp.sqlite: is only read with engine 'sqlite' (erp.engine is "
                                    "'postgres')")));
  EXPECT_THAT(
      problems_of("erp:\n  sqlite: {path: erp.db}\n  postgres: {conninfo: x=1}\n" + kKokola),
      ElementsAre(HasSubstr("erp.postgres: is only read with engine 'postgres'")));
  EXPECT_THAT(
      problems_of("erp:\n  engine: postgres\n  postgres: {conninfo: \"host='db1\"}\n" + kKokola),
      ElementsAre(HasSubstr("erp.postgres.conninfo: cannot be read as a libpq")));
}

TEST(ErpConfig, PasswordComesFromTheSystemdCredentialWhenOneWasPassed) {
  TempDir dir;
  const std::string text = "erp:\n  engine: postgres\n  postgres: {conninfo: host=db1}\n" + kKokola;
  ConfigEnvironment env{dir.file("")};
  EXPECT_EQ(parse_config(text, "test.yaml", env).erp.postgres.password_file, "");

  std::ofstream(dir.file("kokola-erp-password")) << "  s3cr3t \n";
  const Config config = parse_config(text, "test.yaml", env);
  EXPECT_TRUE(config.erp.postgres.password_from_credential);
  EXPECT_EQ(read_erp_password(config.erp.postgres), "s3cr3t");
}

TEST(ErpConfig, PasswordFileMustBePrivate) {
  TempDir dir;
  PgSettings settings;
  settings.password_file = dir.file("erp-password");
  std::ofstream(settings.password_file) << "s3cr3t\n";
  ::chmod(settings.password_file.c_str(), 0640);

  try {
    read_erp_password(settings);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "reading ERP password file '" + settings.password_file +
                  "': group or others may access it (mode 0640); make it private with 'chmod "
                  "600 " +
                  settings.password_file + "'");
  }
  ::chmod(settings.password_file.c_str(), 0600);
  EXPECT_EQ(read_erp_password(settings), "s3cr3t");
  EXPECT_EQ(read_erp_password(PgSettings{}), "");
}

TEST(ErpConfig, ConninfoKeysInBothForms) {
  EXPECT_EQ(conninfo_keys("host=db1  dbname = 'my db' user=a\\ b"),
            (std::vector<std::string>{"host", "dbname", "user"}));
  EXPECT_EQ(conninfo_keys("postgresql://u@db1:5432/erp?sslmode=require&application_name=x"),
            (std::vector<std::string>{"user", "host", "dbname", "sslmode", "application_name"}));
  EXPECT_EQ(conninfo_keys("postgresql:///erp"), (std::vector<std::string>{"dbname"}));
  EXPECT_EQ(conninfo_keys("host"), std::nullopt);
  EXPECT_EQ(conninfo_keys("host='db1"), std::nullopt);
}

}  // namespace
}  // namespace kokola
