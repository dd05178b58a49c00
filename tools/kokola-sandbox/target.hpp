// Routing on the raw request target. cpp-httplib decodes req.path before routing, which
// turns an encoded '/' inside a key into a path separator; the sandbox therefore looks at
// req.target, matches the entity prefix and percent-decodes the one remaining segment
// itself (docs/kokola-api.md, "Keys in paths"). Pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sandbox {

enum class Entity { vendor, item, po };

// "vendor", "item", "po": the names used in the dump, the request log and fault rules.
std::string_view entity_name(Entity entity);
std::optional<Entity> entity_from_name(std::string_view name);
// The body property holding the key: "code" or "number".
std::string_view key_property(Entity entity);
// The prefix of app ids: "vnd", "itm", "po".
std::string_view id_prefix(Entity entity);

struct Route {
  enum class Kind {
    record,     // /v1/<entity>/<key>
    admin,      // /_sandbox/<name>
    bad_key,    // /v1/<entity>/<segment> whose segment does not decode to a key
    not_found,  // anything else
  };
  Kind kind = Kind::not_found;
  Entity entity = Entity::vendor;
  std::string key;    // decoded, for record
  std::string admin;  // the name after /_sandbox/, for admin
  std::string error;  // why the key is bad, for bad_key
};

Route route_target(std::string_view target);

// Decodes %XX escapes; nullopt on a malformed escape. Other characters pass unchanged.
std::optional<std::string> percent_decode(std::string_view text);
bool is_valid_utf8(std::string_view text);

}  // namespace sandbox
