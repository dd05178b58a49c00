#include "service/runtime.hpp"

#include <unistd.h>

#include "erp/make_source.hpp"
#include "kokola/client.hpp"

namespace kokola {
namespace {

std::unique_ptr<ErpSource> open_erp(const ErpConfig& erp) {
  auto source = make_erp_source(erp);
  if (auto problems = source->check_schema(); !problems.empty()) {
    throw std::runtime_error("checking the ERP views in " + describe_erp(erp) + ": " +
                             problems.front());
  }
  return source;
}

}  // namespace

std::shared_ptr<Runtime> build_runtime(std::shared_ptr<const Config> config, StateStore& store,
                                       std::uint64_t generation) {
  auto rt = std::make_shared<Runtime>();
  rt->config = config;
  rt->generation = generation;
  rt->source = open_erp(config->erp);
  rt->pipeline = std::make_unique<Pipeline>(*rt->source, store, config->rules);
  rt->roles = std::make_unique<RolePolicy>(config->control, ::geteuid());

  // One client is built now so that a bad token, URL or TLS set-up fails here, not in a
  // sender; each sender builds its own from the same settings.
  KokolaConfig kokola = config->kokola;
  std::string token = read_api_token(kokola);
  HttpKokolaClient check(kokola, token);
  rt->make_transport = [kokola, token]() -> std::unique_ptr<KokolaTransport> {
    return std::make_unique<HttpKokolaClient>(kokola, token);
  };
  return rt;
}

std::string needs_restart(const Config& current, const Config& next) {
  auto restart = [](std::string_view what) {
    return std::string(what) + " cannot change on reload: restart kokola-syncd to apply it";
  };
  if (current.state_path != next.state_path) return restart("state.path");
  if (current.control.socket_path != next.control.socket_path) return restart("control.socket");
  if (current.control.socket_group != next.control.socket_group) {
    return restart("control.socket_group");
  }
  auto limits = [](const ControlConfig& c) {
    return std::make_tuple(c.idle_timeout, c.max_clients, c.max_clients_per_user, c.admin_reserved);
  };
  if (limits(current.control) != limits(next.control)) return restart("the control limits");
  if (current.metrics.enabled != next.metrics.enabled ||
      current.metrics.listen != next.metrics.listen) {
    return restart("the metrics section");
  }
  return "";
}

}  // namespace kokola
