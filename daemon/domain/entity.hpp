// The three entities kokola-sync carries (docs/glossary.md) and their names on the command
// line, the wire and in the state store. Pure functions; any thread.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace kokola {

enum class Entity { vendor, item, purchase_order };

inline constexpr std::array<Entity, 3> kAllEntities = {Entity::vendor, Entity::item,
                                                       Entity::purchase_order};

// "vendor", "item", "po": the short name used on the wire, in config keys and in the store.
std::string_view entity_name(Entity e);
// "vendor", "item", "purchase order": for messages meant for people.
std::string_view entity_title(Entity e);
// Accepts the short names plus "purchase_order", "vendors", "items", "pos".
std::optional<Entity> parse_entity(std::string_view s);

}  // namespace kokola
