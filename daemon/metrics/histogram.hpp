// A histogram with fixed bucket bounds, as Prometheus counts them: each observation lands in
// the first bucket whose upper bound is at least its value, or past the last bound. The data
// are kept per bucket (not cumulative); Exposition::histogram() sums them when writing.
//
// Not thread-safe by itself: its owner (Registry) guards it with its mutex.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "metrics/exposition.hpp"

namespace kokola::metrics {

class Histogram {
 public:
  // `bounds` ascending, without +Inf (implied).
  explicit Histogram(std::vector<double> bounds) {
    data_.bounds = std::move(bounds);
    data_.counts.assign(data_.bounds.size() + 1, 0);
  }

  void observe(double value) {
    auto at = std::lower_bound(data_.bounds.begin(), data_.bounds.end(), value);
    ++data_.counts[static_cast<std::size_t>(at - data_.bounds.begin())];
    data_.sum += value;
  }

  const HistogramData& data() const { return data_; }

 private:
  HistogramData data_;
};

}  // namespace kokola::metrics
