// The `metrics` section of the configuration (daemon/config/delivery_sections.cpp): off by
// default, and only ever on a loopback address, since the endpoint has no authentication.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "support/config_text.hpp"

namespace kokola {
namespace {

const std::string& kMinimal = testing::kMinimalConfig;

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Config with_metrics(const std::string& section) {
  return parse_config(kMinimal + "metrics:\n" + section, "test.yaml");
}

std::vector<std::string> problems_of(const std::string& section) {
  return testing::config_problems(kMinimal + "metrics:\n" + section);
}

TEST(MetricsConfig, OffByDefaultOnLoopbackPort9464) {
  const Config config = parse_config(kMinimal, "test.yaml");
  EXPECT_FALSE(config.metrics.enabled);
  EXPECT_EQ(config.metrics.listen, "127.0.0.1:9464");
  EXPECT_EQ(config.metrics.host, "127.0.0.1");
  EXPECT_EQ(config.metrics.port, 9464);
}

TEST(MetricsConfig, AnyAddressIn127Slash8IsAccepted) {
  const Config config = with_metrics("  enabled: true\n  listen: 127.10.20.30:19464\n");
  EXPECT_TRUE(config.metrics.enabled);
  EXPECT_EQ(config.metrics.host, "127.10.20.30");
  EXPECT_EQ(config.metrics.port, 19464);
}

TEST(MetricsConfig, Ipv6LoopbackInBracketsIsAccepted) {
  const Config config = with_metrics("  listen: \"[::1]:9100\"\n");
  EXPECT_EQ(config.metrics.listen, "[::1]:9100");
  EXPECT_EQ(config.metrics.host, "::1");
  EXPECT_EQ(config.metrics.port, 9100);
}

TEST(MetricsConfig, NonLoopbackAddressIsRefusedNamingTheKey) {
  const auto problems = problems_of("  enabled: true\n  listen: 0.0.0.0:9464\n");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0], HasSubstr("test.yaml:9: metrics.listen: expected a loopback address"));
  EXPECT_THAT(problems[0], HasSubstr("got '0.0.0.0:9464'"));
  EXPECT_THAT(problems[0], HasSubstr("no authentication"));
}

TEST(MetricsConfig, EveryOtherShapeIsRefused) {
  for (const char* listen :
       {"192.168.1.10:9464", "10.0.0.1:9464", "128.0.0.1:9464", "localhost:9464", "\"[::]:9464\"",
        "\"[::2]:9464\"", "\"::1:9464\"", "127.1:9464", "127.0.0.1", "\"127.0.0.1:\"",
        "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:http", "127.0.0.1:+80", "\":9464\"",
        "\"[::ffff:127.0.0.1]:9464\""}) {
    const auto problems = problems_of(std::string("  listen: ") + listen + "\n");
    ASSERT_EQ(problems.size(), 1u) << listen;
    EXPECT_THAT(problems[0], HasSubstr("metrics.listen: expected a loopback address")) << listen;
  }
}

TEST(MetricsConfig, AnAddressIsCheckedEvenWhenDisabled) {
  const auto problems = problems_of("  enabled: false\n  listen: 0.0.0.0:9464\n");
  EXPECT_EQ(problems.size(), 1u);
}

TEST(MetricsConfig, UnknownKeyAndNonBooleanAreRefused) {
  const auto problems = problems_of("  enabled: yes\n  port: 9464\n");
  EXPECT_THAT(problems,
              ElementsAre("test.yaml:8: metrics.enabled: expected true or false, got 'yes'",
                          "test.yaml:9: metrics.port: unknown key"));
}

}  // namespace
}  // namespace kokola
