#include "domain/entity.hpp"

namespace kokola {

std::string_view entity_name(Entity e) {
  switch (e) {
    case Entity::vendor:
      return "vendor";
    case Entity::item:
      return "item";
    case Entity::purchase_order:
      return "po";
  }
  return "unknown";
}

std::string_view entity_title(Entity e) {
  switch (e) {
    case Entity::vendor:
      return "vendor";
    case Entity::item:
      return "item";
    case Entity::purchase_order:
      return "purchase order";
  }
  return "unknown";
}

std::optional<Entity> parse_entity(std::string_view s) {
  if (s == "vendor" || s == "vendors") return Entity::vendor;
  if (s == "item" || s == "items") return Entity::item;
  if (s == "po" || s == "pos" || s == "purchase_order") return Entity::purchase_order;
  return std::nullopt;
}

}  // namespace kokola
