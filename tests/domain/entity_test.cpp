#include "domain/entity.hpp"

#include <gtest/gtest.h>

namespace kokola {
namespace {

TEST(Entity, NamesRoundTrip) {
  for (Entity e : kAllEntities) EXPECT_EQ(parse_entity(entity_name(e)), e);
  EXPECT_EQ(entity_name(Entity::purchase_order), "po");
  EXPECT_EQ(entity_title(Entity::purchase_order), "purchase order");
}

TEST(Entity, ParsesPluralsAndLongName) {
  EXPECT_EQ(parse_entity("vendors"), Entity::vendor);
  EXPECT_EQ(parse_entity("items"), Entity::item);
  EXPECT_EQ(parse_entity("pos"), Entity::purchase_order);
  EXPECT_EQ(parse_entity("purchase_order"), Entity::purchase_order);
  EXPECT_EQ(parse_entity("PO"), std::nullopt);
  EXPECT_EQ(parse_entity("order"), std::nullopt);
}

}  // namespace
}  // namespace kokola
