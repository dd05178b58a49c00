#include "delivery/pacing.hpp"

#include <algorithm>
#include <random>
#include <thread>

namespace kokola {

std::chrono::milliseconds backoff_delay(int failures, const DeliveryConfig& config, double unit) {
  const auto cap = config.max_backoff.count();
  std::int64_t delay = config.initial_backoff.count();
  for (int i = 1; i < failures && delay < cap; ++i) delay *= 2;
  delay = std::min<std::int64_t>(delay, cap);
  unit = std::clamp(unit, 0.0, 1.0);
  const auto half = delay / 2;
  return std::chrono::milliseconds(half + static_cast<std::int64_t>(unit * (delay - half)));
}

double jitter_unit() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

void RateLimiter::set_rate(int per_second) {
  std::lock_guard lock(mutex_);
  per_second_ = per_second;
}

void RateLimiter::acquire() {
  std::chrono::steady_clock::time_point slot;
  {
    std::lock_guard lock(mutex_);
    if (per_second_ <= 0) return;
    const auto now = std::chrono::steady_clock::now();
    slot = std::max(now, next_slot_);
    next_slot_ = slot + std::chrono::microseconds(1'000'000 / per_second_);
  }
  std::this_thread::sleep_until(slot);
}

}  // namespace kokola
