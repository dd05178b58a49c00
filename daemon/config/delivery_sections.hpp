// Readers for the delivery, retention and metrics sections; called by read_sections().
// Start-up and reload only; the thread that loads the configuration.
#pragma once

#include "config/config.hpp"
#include "config/yaml_reader.hpp"

namespace kokola {

void read_delivery(MapReader& root, DeliveryConfig& config);
void read_retention(MapReader& root, RetentionConfig& config);
// metrics.listen must be a loopback address with a port: the endpoint has no authentication.
void read_metrics(MapReader& root, MetricsConfig& config);

}  // namespace kokola
