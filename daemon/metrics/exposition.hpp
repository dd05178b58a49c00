// Writes the Prometheus text exposition format, version 0.0.4 (what a `GET /metrics` answers
// with `Content-Type: text/plain; version=0.0.4`): for each metric family a `# HELP` and a
// `# TYPE` line, then one line per sample, `name{label="value",...} number`. Label values and
// help texts are escaped as the format requires; numbers are written in the shortest form
// that reads back to the same double. A histogram is written as its cumulative buckets
// (`_bucket{le="..."}`, ending with `le="+Inf"`), `_sum` and `_count`.
//
// A plain value type: one thread builds one Exposition.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kokola::metrics {

// Label names and values in the order they are written.
using Labels = std::vector<std::pair<std::string, std::string>>;

// Bucket upper bounds (ascending) and the observations in each: counts[i] counts the
// observations above bounds[i-1] and at most bounds[i]; counts.back() (one more than bounds)
// those above the last bound. Not cumulative: the writer sums them.
struct HistogramData {
  std::vector<double> bounds;
  std::vector<std::uint64_t> counts;
  double sum = 0;
};

class Exposition {
 public:
  // Starts a family: `type` is "counter", "gauge" or "histogram".
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, const Labels& labels, double value);
  // The `_bucket`, `_sum` and `_count` lines of histogram `name`.
  void histogram(std::string_view name, const Labels& labels, const HistogramData& data);

  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// `\` as `\\`, `"` as `\"` and a line feed as `\n`.
std::string escape_label_value(std::string_view value);
// `\` as `\\` and a line feed as `\n` (quotes stay as they are in help text).
std::string escape_help(std::string_view help);
// "3", "0.25", "1733227203", "+Inf", "-Inf", "NaN".
std::string format_number(double value);

}  // namespace kokola::metrics
