// URLs the Kokola client builds: the configured base URL split into scheme, host and port, and
// the request target of a record (entity path prefix + percent-encoded key, docs/http-client.md).
// percent_encode() itself is declared in kokola/client.hpp. Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>

#include "config/config.hpp"
#include "domain/entity.hpp"

namespace kokola {

struct BaseUrl {
  bool https = false;
  std::string host;  // a name, an IPv4 address, or an IPv6 address without brackets
  int port = 0;      // 80 or 443 when the URL names none

  // "http://127.0.0.1:8080", "https://[::1]:8443": for messages and logs.
  std::string origin() const;
};

// Accepts "http://HOST[:PORT]" and "https://HOST[:PORT]", optionally with a trailing '/'.
// Anything else (another scheme, user info, a path, a query, a bad port) throws
// std::invalid_argument("parsing base_url '<url>': <cause>"). Called at start-up only.
BaseUrl parse_base_url(std::string_view url);

// The configured path prefix of an entity, e.g. "/v1/purchase-orders/".
const std::string& entity_path(const KokolaConfig& config, Entity entity);

// Throws std::invalid_argument when a prefix does not start with '/' or holds characters that
// are not allowed unencoded in a path (control characters, spaces, '?', '#', '%').
void check_entity_paths(const KokolaConfig& config);

// The request target of one record: entity_path(config, entity) + percent_encode(key).
std::string record_target(const KokolaConfig& config, Entity entity, std::string_view key);

}  // namespace kokola
