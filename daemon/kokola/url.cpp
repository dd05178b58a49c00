#include "kokola/url.hpp"

#include <charconv>
#include <stdexcept>

#include "kokola/client.hpp"

namespace kokola {
namespace {

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// A registered name or IPv4 address: letters, digits, '-', '.', '_' (RFC 3986 reg-name without
// percent-encoding or sub-delims, which no real host name needs).
bool is_host_name(std::string_view host) {
  if (host.empty()) return false;
  for (unsigned char c : host) {
    if (!is_unreserved(c) || c == '~') return false;
  }
  return true;
}

bool is_ipv6_literal(std::string_view host) {
  if (host.empty()) return false;
  for (char c : host) {
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex && c != ':' && c != '.') return false;
  }
  return host.find(':') != std::string_view::npos;
}

[[noreturn]] void fail(std::string_view url, std::string_view cause) {
  throw std::invalid_argument("parsing base_url '" + std::string(url) + "': " + std::string(cause));
}

// Splits "HOST[:PORT]" or "[V6]:PORT" into host and the text of the port (empty when absent).
void split_authority(std::string_view url, std::string_view authority, std::string_view& host,
                     std::string_view& port) {
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) fail(url, "unclosed '[' in the host");
    host = authority.substr(1, close - 1);
    auto rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') fail(url, "unexpected text after the host");
    if (rest == ":") fail(url, "empty port");
    port = rest.empty() ? rest : rest.substr(1);
    if (!is_ipv6_literal(host)) fail(url, "invalid IPv6 address");
    return;
  }
  auto colon = authority.find(':');
  host = authority.substr(0, colon);
  port = colon == std::string_view::npos ? std::string_view{} : authority.substr(colon + 1);
  if (host.empty()) fail(url, "no host");
  if (colon != std::string_view::npos && port.empty()) fail(url, "empty port");
  if (!is_host_name(host)) fail(url, "invalid host name");
}

int parse_port(std::string_view url, std::string_view text, int fallback) {
  if (text.empty()) return fallback;
  int port = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc{} || end != text.data() + text.size() || port < 1 || port > 65535) {
    fail(url, "invalid port '" + std::string(text) + "'");
  }
  return port;
}

}  // namespace

std::string percent_encode(std::string_view key) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(key.size() * 3);
  for (unsigned char c : key) {
    if (is_unreserved(c)) {
      out.push_back(static_cast<char>(c));
      continue;
    }
    out.push_back('%');
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0x0F]);
  }
  return out;
}

std::string BaseUrl::origin() const {
  std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return (https ? "https://" : "http://") + shown + ":" + std::to_string(port);
}

BaseUrl parse_base_url(std::string_view url) {
  BaseUrl base;
  std::string_view rest;
  if (starts_with_ci(url, "https://")) {
    base.https = true;
    rest = url.substr(8);
  } else if (starts_with_ci(url, "http://")) {
    rest = url.substr(7);
  } else {
    fail(url, "the scheme must be http:// or https://");
  }

  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  if (slash != std::string_view::npos && slash + 1 != rest.size()) {
    fail(url, "a path is not allowed here; set it in the entity path prefixes");
  }
  if (authority.find_first_of("@?#") != std::string_view::npos) {
    fail(url, "user info, a query or a fragment is not allowed");
  }

  std::string_view host;
  std::string_view port;
  split_authority(url, authority, host, port);
  base.host = std::string(host);
  base.port = parse_port(url, port, base.https ? 443 : 80);
  return base;
}

const std::string& entity_path(const KokolaConfig& config, Entity entity) {
  switch (entity) {
    case Entity::vendor:
      return config.vendor_path;
    case Entity::item:
      return config.item_path;
    case Entity::purchase_order:
      return config.po_path;
  }
  return config.vendor_path;
}

void check_entity_paths(const KokolaConfig& config) {
  for (Entity entity : kAllEntities) {
    const std::string& path = entity_path(config, entity);
    bool bad_char = false;
    for (unsigned char c : path) {
      bad_char = bad_char || c <= 0x20 || c >= 0x7F || c == '?' || c == '#' || c == '%';
    }
    if (path.empty() || path.front() != '/' || bad_char) {
      throw std::invalid_argument("checking the path prefix of " +
                                  std::string(entity_title(entity)) + " '" + path +
                                  "': it must start with '/' and hold only printable ASCII "
                                  "without spaces, '?', '#' or '%'");
    }
  }
}

std::string record_target(const KokolaConfig& config, Entity entity, std::string_view key) {
  return entity_path(config, entity) + percent_encode(key);
}

}  // namespace kokola
