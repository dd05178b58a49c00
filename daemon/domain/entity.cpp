#include "domain/entity.hpp"

namespace kokola {

namespace {

struct EntityNames {
  Entity entity;
  std::string_view name;   // wire, config and store
  std::string_view title;  // for people
};

constexpr EntityNames kNames[] = {
    {Entity::vendor, "vendor", "vendor"},
    {Entity::item, "item", "item"},
    {Entity::purchase_order, "po", "purchase order"},
};

const EntityNames& names_of(Entity e) {
  for (const auto& n : kNames) {
    if (n.entity == e) return n;
  }
  return kNames[0];  // unreachable: every enumerator has a row
}

}  // namespace

std::string_view entity_name(Entity e) { return names_of(e).name; }

std::string_view entity_title(Entity e) { return names_of(e).title; }

std::optional<Entity> parse_entity(std::string_view s) {
  if (s == "vendor" || s == "vendors") return Entity::vendor;
  if (s == "item" || s == "items") return Entity::item;
  if (s == "po" || s == "pos" || s == "purchase_order") return Entity::purchase_order;
  return std::nullopt;
}

}  // namespace kokola
