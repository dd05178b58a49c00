#include "target.hpp"

#include <array>
#include <cstdint>

namespace sandbox {
namespace {

struct Prefix {
  std::string_view path;
  Entity entity;
};

constexpr std::array<Prefix, 3> kPrefixes{{
    {"/v1/vendors/", Entity::vendor},
    {"/v1/items/", Entity::item},
    {"/v1/purchase-orders/", Entity::po},
}};

constexpr std::string_view kAdminPrefix = "/_sandbox/";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string_view strip_query(std::string_view target) {
  const auto query = target.find('?');
  return query == std::string_view::npos ? target : target.substr(0, query);
}

Route record_route(Entity entity, std::string_view segment) {
  Route route;
  route.entity = entity;
  if (segment.find('/') != std::string_view::npos) return route;  // not one segment

  route.kind = Route::Kind::bad_key;
  const auto decoded = percent_decode(segment);
  if (!decoded) {
    route.error = "the key has a malformed percent-escape";
  } else if (decoded->empty()) {
    route.error = "the key is empty";
  } else if (!is_valid_utf8(*decoded)) {
    route.error = "the key is not valid UTF-8";
  } else if (decoded->find('\0') != std::string::npos) {
    route.error = "the key contains a NUL character";
  } else {
    route.kind = Route::Kind::record;
    route.key = *decoded;
  }
  return route;
}

}  // namespace

std::string_view entity_name(Entity entity) {
  switch (entity) {
    case Entity::vendor:
      return "vendor";
    case Entity::item:
      return "item";
    case Entity::po:
      return "po";
  }
  return "vendor";
}

std::optional<Entity> entity_from_name(std::string_view name) {
  for (Entity e : {Entity::vendor, Entity::item, Entity::po}) {
    if (entity_name(e) == name) return e;
  }
  return std::nullopt;
}

std::string_view key_property(Entity entity) { return entity == Entity::po ? "number" : "code"; }

std::string_view id_prefix(Entity entity) {
  switch (entity) {
    case Entity::vendor:
      return "vnd";
    case Entity::item:
      return "itm";
    case Entity::po:
      return "po";
  }
  return "vnd";
}

Route route_target(std::string_view target) {
  const std::string_view path = strip_query(target);
  for (const Prefix& prefix : kPrefixes) {
    if (path.starts_with(prefix.path)) {
      return record_route(prefix.entity, path.substr(prefix.path.size()));
    }
  }

  Route route;
  if (path.starts_with(kAdminPrefix)) {
    route.kind = Route::Kind::admin;
    route.admin = std::string(path.substr(kAdminPrefix.size()));
  }
  return route;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = hex_value(text[i + 1]);
    const int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<std::uint8_t>(text[i]);
    std::size_t extra = 0;
    std::uint32_t code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      code = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<std::uint8_t>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    constexpr std::array<std::uint32_t, 4> kMinimum{0, 0x80, 0x800, 0x10000};
    if (code < kMinimum[extra] || code > 0x10FFFF) return false;
    if (code >= 0xD800 && code <= 0xDFFF) return false;
    i += extra + 1;
  }
  return true;
}

}  // namespace sandbox
