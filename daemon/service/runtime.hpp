// What a configuration builds and a reload replaces whole: the configuration itself, the ERP
// source, the pipeline, the role policy and the way to reach the app. Work takes the current
// Runtime (a shared_ptr) when it begins and keeps it to the end, so a reload never changes
// anything under a push or a run in progress. Immutable once built; any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "delivery/dispatcher.hpp"
#include "erp/source.hpp"
#include "pipeline/pipeline.hpp"
#include "service/roles.hpp"
#include "store/state_store.hpp"

namespace kokola {

struct Runtime {
  std::shared_ptr<const Config> config;
  std::unique_ptr<ErpSource> source;
  std::unique_ptr<Pipeline> pipeline;
  std::unique_ptr<RolePolicy> roles;
  Dispatcher::TransportFactory make_transport;
  std::uint64_t generation = 1;
};

// Builds everything a configuration names, checking what can be checked before it is used:
// the ERP views, the API token, the TLS set-up, the groups. Throws std::runtime_error (or
// ConfigError) naming the first problem. Start-up and reload; any thread.
std::shared_ptr<Runtime> build_runtime(std::shared_ptr<const Config> config, StateStore& store,
                                       std::uint64_t generation);

// Why `next` cannot replace `current` without a restart (the state store, the control
// socket); empty when it can.
std::string needs_restart(const Config& current, const Config& next);

}  // namespace kokola
