// The backoff after transient failures (doubling, capped, jittered) and the request-rate
// limit. The limit is checked by how long N requests must at least take, never by an upper
// bound on time.
#include "delivery/pacing.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <climits>
#include <thread>
#include <vector>

namespace kokola {
namespace {

using std::chrono::milliseconds;

DeliveryConfig backoff(milliseconds initial, milliseconds most) {
  DeliveryConfig c;
  c.initial_backoff = initial;
  c.max_backoff = most;
  return c;
}

TEST(BackoffDelay, DoublesWithEveryFailureInARow) {
  const auto c = backoff(milliseconds(1000), milliseconds(60'000));

  EXPECT_EQ(backoff_delay(1, c, 1.0), milliseconds(1000));
  EXPECT_EQ(backoff_delay(2, c, 1.0), milliseconds(2000));
  EXPECT_EQ(backoff_delay(3, c, 1.0), milliseconds(4000));
  EXPECT_EQ(backoff_delay(6, c, 1.0), milliseconds(32'000));
}

TEST(BackoffDelay, StopsAtTheCap) {
  const auto c = backoff(milliseconds(1000), milliseconds(60'000));

  EXPECT_EQ(backoff_delay(7, c, 1.0), milliseconds(60'000));
  EXPECT_EQ(backoff_delay(1000, c, 1.0), milliseconds(60'000));
  EXPECT_EQ(backoff_delay(INT_MAX, c, 1.0), milliseconds(60'000));
  EXPECT_EQ(backoff_delay(INT_MAX, c, 0.0), milliseconds(30'000));
}

TEST(BackoffDelay, InitialAboveTheCapIsCapped) {
  const auto c = backoff(milliseconds(10'000), milliseconds(3000));
  EXPECT_EQ(backoff_delay(1, c, 1.0), milliseconds(3000));
}

TEST(BackoffDelay, JitterPicksBetweenHalfAndAll) {
  const auto c = backoff(milliseconds(1000), milliseconds(60'000));

  EXPECT_EQ(backoff_delay(1, c, 0.0), milliseconds(500));
  EXPECT_EQ(backoff_delay(1, c, 0.5), milliseconds(750));
  EXPECT_EQ(backoff_delay(3, c, 0.0), milliseconds(2000));
  for (int i = 0; i < 1000; ++i) {
    const auto d = backoff_delay(3, c, jitter_unit());
    ASSERT_GE(d, milliseconds(2000));
    ASSERT_LE(d, milliseconds(4000));
  }
}

TEST(BackoffDelay, UnitOutsideZeroToOneIsClamped) {
  const auto c = backoff(milliseconds(1000), milliseconds(60'000));

  EXPECT_EQ(backoff_delay(1, c, -3.0), milliseconds(500));
  EXPECT_EQ(backoff_delay(1, c, 7.0), milliseconds(1000));
}

TEST(JitterUnit, StaysInZeroToOneAndVaries) {
  double lowest = 1.0, highest = 0.0;
  for (int i = 0; i < 1000; ++i) {
    const double u = jitter_unit();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    lowest = std::min(lowest, u);
    highest = std::max(highest, u);
  }
  EXPECT_LT(lowest, highest);
}

TEST(RateLimiter, SpacesRequestsAtLeastOneOverTheRateApart) {
  RateLimiter limiter(100);  // 10 ms apart
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 6; ++i) limiter.acquire();

  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(50));
}

TEST(RateLimiter, SpacesRequestsOverAllSenders) {
  RateLimiter limiter(100);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> senders;
  for (int t = 0; t < 3; ++t) {
    senders.emplace_back([&limiter] {
      for (int i = 0; i < 3; ++i) limiter.acquire();
    });
  }
  for (auto& s : senders) s.join();

  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(80));
}

TEST(RateLimiter, NewRateAppliesToTheNextRequests) {
  RateLimiter limiter(0);
  limiter.set_rate(50);  // 20 ms apart
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) limiter.acquire();

  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(60));
}

}  // namespace
}  // namespace kokola
