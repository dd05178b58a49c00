// The daemon's metrics (daemon/metrics/registry.cpp): what runs, requests to the app and the
// scrape-time state turn into, checked on the exposition text a scrape gets.
#include "metrics/registry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <regex>
#include <set>
#include <sstream>

#include "kokola/client.hpp"
#include "pipeline/pipeline.hpp"
#include "support/temp_dir.hpp"

namespace kokola::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::int64_t kNoonMs = 1733227203000;  // 2024-12-03T12:00:03Z

RunSummary run_of(Entity e, std::map<std::string, std::int64_t> counts, std::string error = "") {
  RunSummary s;
  s.entity = e;
  s.counts = std::move(counts);
  s.error = std::move(error);
  return s;
}

SendResult answer(int http_status, int latency_ms) {
  SendResult r;
  r.status = http_status == 0 ? SendStatus::transient : SendStatus::delivered;
  r.http_status = http_status;
  r.latency = std::chrono::milliseconds(latency_ms);
  return r;
}

// Every line of `text` is a HELP, a TYPE or a sample of a family whose TYPE came before it.
void expect_well_formed(const std::string& text) {
  static const std::regex kSample(
      R"(^([a-z_]+)(\{[a-z_]+="[^"\\]*"(,[a-z_]+="[^"\\]*")*\})? (-?[0-9.e+-]+|\+Inf|NaN)$)");
  std::set<std::string> typed;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# HELP ", 0) == 0) continue;
    std::smatch m;
    if (line.rfind("# TYPE ", 0) == 0) {
      typed.insert(line.substr(7, line.find(' ', 7) - 7));
      continue;
    }
    ASSERT_TRUE(std::regex_match(line, m, kSample)) << line;
    std::string family = m[1];
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      if (!typed.count(family) && family.size() > std::strlen(suffix) &&
          family.compare(family.size() - std::strlen(suffix), std::string::npos, suffix) == 0) {
        family.resize(family.size() - std::strlen(suffix));
      }
    }
    EXPECT_TRUE(typed.count(family)) << "no TYPE before " << line;
  }
}

TEST(MetricsRegistry, FreshRegistryHasTheSeriesAlertsNeedAtZero) {
  Registry r("1.2.3");
  const std::string text = r.render({});
  expect_well_formed(text);
  EXPECT_THAT(text, HasSubstr("kokola_build_info{version=\"1.2.3\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("kokola_runs_total{entity=\"po\",result=\"ok\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("kokola_runs_total{entity=\"vendor\",result=\"error\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("kokola_app_requests_total{class=\"5xx\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("kokola_app_request_duration_seconds_count 0\n"));
  EXPECT_THAT(text, Not(HasSubstr("kokola_last_successful_run_timestamp_seconds{")));
}

TEST(MetricsRegistry, OkRunCountsItsRecordsAndSetsLastSuccess) {
  Registry r("v");
  r.run_finished(run_of(Entity::purchase_order, {{"delivered", 3}, {"unchanged", 5}}), kNoonMs);
  const std::string text = r.render({});
  expect_well_formed(text);
  EXPECT_THAT(text, HasSubstr("kokola_runs_total{entity=\"po\",result=\"ok\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("kokola_run_records_total{entity=\"po\",outcome=\"delivered\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("kokola_run_records_total{entity=\"po\",outcome=\"unchanged\"} 5\n"));
  EXPECT_THAT(
      text, HasSubstr("kokola_last_successful_run_timestamp_seconds{entity=\"po\"} 1733227203\n"));
}

TEST(MetricsRegistry, IncompleteRunKeepsTheLastSuccess) {
  Registry r("v");
  r.run_finished(run_of(Entity::item, {{"delivered", 1}}), kNoonMs);
  r.run_finished(run_of(Entity::item, {{"delivered", 2}, {"retry_wait", 1}}), kNoonMs + 60000);
  const std::string text = r.render({});
  EXPECT_THAT(text, HasSubstr("kokola_runs_total{entity=\"item\",result=\"ok\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("kokola_runs_total{entity=\"item\",result=\"incomplete\"} 1\n"));
  EXPECT_THAT(text,
              HasSubstr("kokola_run_records_total{entity=\"item\",outcome=\"delivered\"} 3\n"));
  EXPECT_THAT(
      text,
      HasSubstr("kokola_last_successful_run_timestamp_seconds{entity=\"item\"} 1733227203\n"));
}

TEST(MetricsRegistry, RunResultNamesHowARunEnded) {
  EXPECT_EQ(run_result("", {{"delivered", 1}, {"rejected", 2}, {"invalid", 1}}), "ok");
  EXPECT_EQ(run_result("", {{"failed", 1}}), "incomplete");
  EXPECT_EQ(run_result("", {{"in_doubt", 1}}), "incomplete");
  EXPECT_EQ(run_result("", {{"queued", 4}}), "incomplete");
  EXPECT_EQ(run_result("", {{"retry_wait", 0}}), "ok");
  EXPECT_EQ(run_result("reading the ERP: gone", {{"delivered", 1}}), "error");
}

TEST(MetricsRegistry, ErrorRunIsCountedAsError) {
  Registry r("v");
  r.run_finished(run_of(Entity::vendor, {}, "reading the ERP 'x': no such table"), kNoonMs);
  const std::string text = r.render({});
  EXPECT_THAT(text, HasSubstr("kokola_runs_total{entity=\"vendor\",result=\"error\"} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("kokola_last_successful_run_timestamp_seconds{")));
}

TEST(MetricsRegistry, StatusClassOfAnAnswer) {
  EXPECT_EQ(status_class(200), "2xx");
  EXPECT_EQ(status_class(201), "2xx");
  EXPECT_EQ(status_class(304), "3xx");
  EXPECT_EQ(status_class(429), "4xx");
  EXPECT_EQ(status_class(503), "5xx");
  EXPECT_EQ(status_class(0), "none");
  EXPECT_EQ(status_class(999), "none");
}

TEST(MetricsRegistry, RequestsByClassAndHistogramCountEqualsRequests) {
  Registry r("v");
  r.app_answered(answer(200, 3));
  r.app_answered(answer(201, 40));
  r.app_answered(answer(503, 700));
  r.app_answered(answer(0, 30000));
  const std::string text = r.render({});
  expect_well_formed(text);
  EXPECT_THAT(text, HasSubstr("kokola_app_requests_total{class=\"2xx\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("kokola_app_requests_total{class=\"5xx\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("kokola_app_requests_total{class=\"none\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("kokola_app_request_duration_seconds_bucket{le=\"0.005\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("kokola_app_request_duration_seconds_bucket{le=\"0.05\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("kokola_app_request_duration_seconds_bucket{le=\"1\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("kokola_app_request_duration_seconds_bucket{le=\"30\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("kokola_app_request_duration_seconds_bucket{le=\"+Inf\"} 4\n"));
  std::smatch sum;
  ASSERT_TRUE(std::regex_search(text, sum,
                                std::regex("\nkokola_app_request_duration_seconds_sum (\\S+)\n")));
  EXPECT_NEAR(std::stod(sum[1]), 30.743, 1e-9);
  EXPECT_THAT(text, HasSubstr("kokola_app_request_duration_seconds_count 4\n"));
}

TEST(MetricsRegistry, LiveStateIsWrittenAsGauges) {
  Registry r("v");
  LiveState live;
  live.queues[Entity::purchase_order].queued = 7;
  live.queues[Entity::vendor].in_doubt = 2;
  live.in_flight = 3;
  live.retries = 11;
  live.rate_limited = true;
  live.held = true;
  const std::string text = r.render(live);
  expect_well_formed(text);
  EXPECT_THAT(text, HasSubstr("kokola_queue_depth{entity=\"po\",state=\"queued\"} 7\n"));
  EXPECT_THAT(text, HasSubstr("kokola_queue_depth{entity=\"po\",state=\"retry_wait\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("kokola_queue_depth{entity=\"vendor\",state=\"in_doubt\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("kokola_queue_depth{entity=\"item\",state=\"sending\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("kokola_jobs_in_flight 3\n"));
  EXPECT_THAT(text, HasSubstr("kokola_retries_total 11\n"));
  EXPECT_THAT(text, HasSubstr("kokola_rate_limited 1\n"));
  EXPECT_THAT(text, HasSubstr("kokola_sending_held 1\n"));
  EXPECT_THAT(r.render({}), HasSubstr("kokola_rate_limited 0\n"));
}

TEST(MetricsRegistry, LastSuccessIsSeededFromAnOkRunInTheStore) {
  TempDir dir;
  StateStore store(dir.file("state.db"));
  RunRecord ok;
  ok.entity = Entity::purchase_order;
  ok.started_at = "2024-12-03T11:59:00Z";
  ok.finished_at = "2024-12-03T12:00:03Z";
  ok.counts = {{"delivered", 2}};
  store.record_run(ok);
  RunRecord failed = ok;
  failed.entity = Entity::vendor;
  failed.counts = {{"delivered", 1}, {"error", "reading the ERP: gone"}};
  store.record_run(failed);

  Registry r("v");
  seed_last_success(r, store);
  const std::string text = r.render({});
  EXPECT_THAT(
      text, HasSubstr("kokola_last_successful_run_timestamp_seconds{entity=\"po\"} 1733227203\n"));
  EXPECT_THAT(text,
              Not(HasSubstr("kokola_last_successful_run_timestamp_seconds{entity=\"vendor\"}")));
  EXPECT_THAT(text,
              Not(HasSubstr("kokola_last_successful_run_timestamp_seconds{entity=\"item\"}")));
}

}  // namespace
}  // namespace kokola::metrics
