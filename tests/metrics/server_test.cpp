// The metrics endpoint (daemon/metrics/server.cpp) over real loopback sockets: what a scrape
// gets, what anything else gets, a failing render, and a port already taken.
#include "metrics/server.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <stdexcept>

namespace kokola::metrics {
namespace {

using ::testing::HasSubstr;

// Port 0: any free port (the configuration refuses it; tests must not collide).
MetricsConfig any_port() {
  MetricsConfig c;
  c.enabled = true;
  c.host = "127.0.0.1";
  c.port = 0;
  c.listen = "127.0.0.1:0";
  return c;
}

httplib::Client client_of(const Server& server) {
  httplib::Client client("127.0.0.1", server.port());
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(5, 0);
  return client;
}

TEST(MetricsServer, ScrapeGetsTheRenderedTextAsVersion004) {
  std::atomic<int> renders{0};
  Server server(any_port(), [&renders] {
    ++renders;
    return std::string("kokola_up 1\n");
  });
  server.start();
  ASSERT_GT(server.port(), 0);

  auto client = client_of(server);
  auto res = client.Get("/metrics");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "kokola_up 1\n");
  EXPECT_THAT(res->get_header_value("Content-Type"), HasSubstr("text/plain; version=0.0.4"));
  EXPECT_TRUE(client.Get("/metrics"));
  EXPECT_EQ(renders.load(), 2);
}

TEST(MetricsServer, AnythingElseIsNotFound) {
  Server server(any_port(), [] { return std::string("x 1\n"); });
  server.start();
  auto client = client_of(server);

  for (const char* path : {"/", "/metric", "/metrics/extra", "/favicon.ico"}) {
    auto res = client.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 404) << path;
  }
  auto post = client.Post("/metrics", "x", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 404);
}

TEST(MetricsServer, FailingRenderAnswers500AndTheServerGoesOn) {
  std::atomic<bool> fail{true};
  Server server(any_port(), [&fail]() -> std::string {
    if (fail) throw std::runtime_error("reading the state store 'x': disk I/O error");
    return "ok 1\n";
  });
  server.start();
  auto client = client_of(server);

  auto res = client.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_THAT(res->body, HasSubstr("disk I/O error"));
  fail = false;
  res = client.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

// cpp-httplib's default SO_REUSEPORT would let a second server share the port silently.
TEST(MetricsServer, PortAlreadyBoundIsAStartErrorNamingTheAddress) {
  Server first(any_port(), [] { return std::string(); });
  first.start();
  MetricsConfig same = any_port();
  same.port = first.port();
  same.listen = "127.0.0.1:" + std::to_string(first.port());
  Server second(same, [] { return std::string(); });
  try {
    second.start();
    FAIL() << "a second server bound the same port";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("binding the metrics endpoint '" + same.listen + "'"));
  }
}

TEST(MetricsServer, StopClosesThePortAndMayBeRepeated) {
  Server server(any_port(), [] { return std::string("x 1\n"); });
  server.start();
  const int port = server.port();
  server.stop();
  server.stop();

  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1, 0);
  EXPECT_FALSE(client.Get("/metrics"));
}

}  // namespace
}  // namespace kokola::metrics
