// The delivery, retention and metrics sections of the configuration file
// (docs/configuration.md).
#include "config/delivery_sections.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <optional>

namespace kokola {
namespace {

using std::chrono::milliseconds;

constexpr int kMaxSenders = 64;
constexpr int kMaxRequestsPerSecond = 100000;
constexpr milliseconds kMaxBackoff = std::chrono::hours(24);
constexpr milliseconds kMaxHorizon = std::chrono::hours(24 * 365);

constexpr int kMaxPort = 65535;

// "1".."65535", digits only.
std::optional<int> port_of(const std::string& text) {
  if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != text.npos) {
    return std::nullopt;
  }
  const int port = std::stoi(text);
  if (port < 1 || port > kMaxPort) return std::nullopt;
  return port;
}

// Only an address, never a name: a name could resolve to something other than loopback.
bool is_loopback(const std::string& host, bool bracketed) {
  if (bracketed) {
    in6_addr v6{};
    return ::inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
  }
  in_addr v4{};
  return ::inet_pton(AF_INET, host.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127;
}

// "127.0.0.1:9464" or "[::1]:9464" into config.host and config.port; false when it is not a
// loopback address with a port.
bool read_listen(const std::string& text, MetricsConfig& config) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  std::string host = text.substr(0, colon);
  const bool bracketed = host.size() > 2 && host.front() == '[' && host.back() == ']';
  if (bracketed) host = host.substr(1, host.size() - 2);
  const auto port = port_of(text.substr(colon + 1));
  if (!port || !is_loopback(host, bracketed)) return false;
  config.host = host;
  config.port = *port;
  return true;
}

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

void read_metrics(MapReader& root, MetricsConfig& config) {
  MapReader m = root.section("metrics");
  m.flag("enabled", config.enabled);
  m.text("listen", config.listen, Need::non_empty);
  if (!read_listen(config.listen, config)) {
    m.problem("listen", "expected a loopback address and port (127.0.0.1:9464, [::1]:9464), got '" +
                            config.listen +
                            "': the metrics endpoint has no authentication, so it listens only "
                            "on loopback");
  }
  m.finish();
}

}  // namespace kokola
