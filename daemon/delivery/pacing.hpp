// How fast and how often the senders may go: the backoff after a transient failure
// (exponential, capped, with jitter), and the optional request-rate limit toward the app.
// Pure arithmetic and one small lock; any thread.
#pragma once

#include <chrono>
#include <mutex>

#include "config/config.hpp"

namespace kokola {

// The wait before the next try after `failures` transient failures in a row (1 for the
// first): initial_backoff doubled per failure, at most max_backoff, then "equal jitter":
// between half and all of it, where `unit` in [0, 1) picks the point.
std::chrono::milliseconds backoff_delay(int failures, const DeliveryConfig& config, double unit);

// A uniformly random number in [0, 1) for the jitter.
double jitter_unit();

// Spaces requests at least 1/rate apart over all senders; rate 0: no limit.
class RateLimiter {
 public:
  explicit RateLimiter(int per_second = 0) : per_second_(per_second) {}
  void set_rate(int per_second);
  // Blocks the calling sender until its request may go.
  void acquire();

 private:
  std::mutex mutex_;
  int per_second_;
  std::chrono::steady_clock::time_point next_slot_{};
};

}  // namespace kokola
