// The delivery and retention sections of the configuration file (docs/configuration.md).
#include "config/delivery_sections.hpp"

namespace kokola {
namespace {

using std::chrono::milliseconds;

constexpr int kMaxSenders = 64;
constexpr int kMaxRequestsPerSecond = 100000;
constexpr milliseconds kMaxBackoff = std::chrono::hours(24);
constexpr milliseconds kMaxHorizon = std::chrono::hours(24 * 365);

}  // namespace

void read_delivery(MapReader& root, DeliveryConfig& config) {
  MapReader d = root.section("delivery");
  d.integer("senders", config.senders, 1, kMaxSenders);
  d.duration("initial_backoff", config.initial_backoff, milliseconds(1), kMaxBackoff);
  d.duration("max_backoff", config.max_backoff, milliseconds(1), kMaxBackoff);
  d.duration("retry_horizon", config.retry_horizon, std::chrono::seconds(1), kMaxHorizon);
  d.duration("max_retry_after", config.max_retry_after, std::chrono::seconds(1), kMaxBackoff);
  d.integer("max_requests_per_second", config.max_requests_per_second, 0, kMaxRequestsPerSecond);
  d.duration("shutdown_grace", config.shutdown_grace, milliseconds(0), std::chrono::hours(1));
  d.duration("full_compare_every", config.full_compare_every, std::chrono::seconds(1), kMaxHorizon);
  if (config.max_backoff < config.initial_backoff) {
    d.problem("max_backoff", "must not be shorter than delivery.initial_backoff");
  }
  d.finish();
}

void read_retention(MapReader& root, RetentionConfig& config) {
  MapReader r = root.section("retention");
  r.duration("jobs", config.jobs, std::chrono::hours(1), kMaxHorizon * 10);
  r.duration("runs", config.runs, std::chrono::hours(1), kMaxHorizon * 10);
  r.duration("audit", config.audit, std::chrono::hours(1), kMaxHorizon * 10);
  r.finish();
}

}  // namespace kokola
