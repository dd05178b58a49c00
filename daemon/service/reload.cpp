// Reloading the configuration (SIGHUP, `kokolactl reload`): the file is read and checked
// whole, everything it names is built (ERP source, pipeline, roles, token, TLS), and only
// then does the new runtime replace the old one: work in progress finishes with the
// runtime it began with. A file that does not load, or a change that needs a restart (the
// state store, the control socket), leaves everything as it was and says why.
#include <spdlog/spdlog.h>

#include "config/config.hpp"
#include "service/service.hpp"

namespace kokola {

std::string Service::reload() {
  if (reload_hook_) reload_hook_(true);
  auto current = runtime();
  const std::string path = current->config->source_path;
  std::string why;
  std::shared_ptr<Runtime> next;
  try {
    auto config = std::make_shared<Config>(load_config(path));
    why = needs_restart(*current->config, *config);
    if (why.empty()) next = build_runtime(config, store_, current->generation + 1);
  } catch (const ConfigError& e) {
    for (const auto& p : e.problems()) why += (why.empty() ? "" : "; ") + p;
  } catch (const std::exception& e) {
    why = e.what();
  }

  if (next) {
    attach(*next);
    {
      std::lock_guard lock(runtime_mutex_);
      runtime_ = next;
    }
    dispatcher_.reconfigure(next->config->delivery, next->make_transport);
    spdlog::set_level(spdlog::level::from_str(next->config->log_level));
    // Only a changed schedule starts its interval again: reloading more often than the
    // interval (a rotated token) must not put the runs off for ever.
    for (auto& [e, timer] : timers_) {
      const auto& before = current->config->schedule.at(e);
      const auto& after = next->config->schedule.at(e);
      if (before.enabled == after.enabled && before.interval == after.interval) continue;
      timer->cancel();
      arm_schedule(e);
    }
    spdlog::info("configuration reloaded from '{}' (generation {})", path, next->generation);
  } else {
    spdlog::error("reload: keeping the previous configuration: {}", why);
  }
  {
    std::lock_guard lock(state_mutex_);
    last_reload_ = {{"at", utc_now_rfc3339()}, {"ok", why.empty()}, {"message", why}};
  }
  if (reload_hook_) reload_hook_(false);
  return why;
}

}  // namespace kokola
