// The Prometheus text format as written by daemon/metrics/exposition.cpp and the histogram
// it writes from (daemon/metrics/histogram.hpp).
#include "metrics/exposition.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "metrics/histogram.hpp"

namespace kokola::metrics {
namespace {

TEST(Exposition, FamilyWritesHelpThenType) {
  Exposition out;
  out.family("kokola_runs_total", "counter", "Runs by entity.");
  EXPECT_EQ(out.text(),
            "# HELP kokola_runs_total Runs by entity.\n"
            "# TYPE kokola_runs_total counter\n");
}

TEST(Exposition, SampleWritesLabelsInTheirOrder) {
  Exposition out;
  out.sample("kokola_queue_depth", {{"entity", "po"}, {"state", "queued"}}, 3);
  out.sample("kokola_jobs_in_flight", {}, 0);
  EXPECT_EQ(out.text(),
            "kokola_queue_depth{entity=\"po\",state=\"queued\"} 3\n"
            "kokola_jobs_in_flight 0\n");
}

TEST(Exposition, LabelValueEscapesBackslashQuoteAndNewline) {
  EXPECT_EQ(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  Exposition out;
  out.sample("x", {{"version", "1.0 \"beta\"\n"}}, 1);
  EXPECT_EQ(out.text(), "x{version=\"1.0 \\\"beta\\\"\\n\"} 1\n");
}

TEST(Exposition, HelpEscapesBackslashAndNewlineButNotQuotes) {
  EXPECT_EQ(escape_help("say \"hi\"\\\nbye"), "say \"hi\"\\\\\\nbye");
}

TEST(Exposition, NumbersAreWrittenInShortestForm) {
  EXPECT_EQ(format_number(3), "3");
  EXPECT_EQ(format_number(0.25), "0.25");
  EXPECT_EQ(format_number(0.005), "0.005");
  EXPECT_EQ(format_number(1733227203), "1733227203");
  EXPECT_EQ(format_number(-2), "-2");
  EXPECT_EQ(format_number(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_number(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_number(std::nan("")), "NaN");
}

TEST(Exposition, HistogramBucketsAreCumulativeAndEndWithInf) {
  Histogram h({0.1, 0.5, 1});
  for (double v : {0.05, 0.05, 0.3, 2.0}) h.observe(v);
  Exposition out;
  out.histogram("lat_seconds", {{"class", "2xx"}}, h.data());
  EXPECT_EQ(out.text(),
            "lat_seconds_bucket{class=\"2xx\",le=\"0.1\"} 2\n"
            "lat_seconds_bucket{class=\"2xx\",le=\"0.5\"} 3\n"
            "lat_seconds_bucket{class=\"2xx\",le=\"1\"} 3\n"
            "lat_seconds_bucket{class=\"2xx\",le=\"+Inf\"} 4\n"
            "lat_seconds_sum{class=\"2xx\"} 2.4\n"
            "lat_seconds_count{class=\"2xx\"} 4\n");
}

TEST(Exposition, EmptyHistogramStillWritesEveryBucket) {
  Histogram h({1, 2});
  Exposition out;
  out.histogram("h", {}, h.data());
  EXPECT_EQ(out.text(),
            "h_bucket{le=\"1\"} 0\n"
            "h_bucket{le=\"2\"} 0\n"
            "h_bucket{le=\"+Inf\"} 0\n"
            "h_sum 0\n"
            "h_count 0\n");
}

TEST(Histogram, ValueOnABoundGoesIntoThatBucket) {
  Histogram h({0.1, 0.5});
  h.observe(0.1);
  h.observe(0.5);
  h.observe(0.5000001);
  ASSERT_EQ(h.data().counts.size(), 3u);
  EXPECT_EQ(h.data().counts[0], 1u);
  EXPECT_EQ(h.data().counts[1], 1u);
  EXPECT_EQ(h.data().counts[2], 1u);
}

}  // namespace
}  // namespace kokola::metrics
