// Readers for the delivery and retention sections; called by read_sections(). Start-up and
// reload only; the thread that loads the configuration.
#pragma once

#include "config/config.hpp"
#include "config/yaml_reader.hpp"

namespace kokola {

void read_delivery(MapReader& root, DeliveryConfig& config);
void read_retention(MapReader& root, RetentionConfig& config);

}  // namespace kokola
