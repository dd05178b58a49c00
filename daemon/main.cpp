// kokola-syncd: the composition root. Builds every subsystem as a local, in dependency
// order, and passes references down; everything that can fail at start-up fails here,
// before the daemon reports itself ready. Exit codes: 0 clean stop (or config ok), 1
// start-up failure, 64 usage, 78 configuration invalid.
#include <grp.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <functional>
#include <iostream>
#include <optional>
#include <thread>

#include "config/config.hpp"
#include "delivery/dispatcher.hpp"
#include "delivery/failpoint.hpp"
#include "erp/make_source.hpp"
#include "kokola/client.hpp"
#include "kokola/paths.hpp"
#include "kokola/version.hpp"
#include "log/logging.hpp"
#include "metrics/registry.hpp"
#include "metrics/server.hpp"
#include "platform/notify.hpp"
#include "service/roles.hpp"
#include "service/service.hpp"
#include "store/state_store.hpp"

namespace {

constexpr int kExitStartup = 1;
constexpr int kExitUsage = 64;
constexpr int kExitConfig = 78;  // sysexits EX_CONFIG

struct Options {
  std::string config_path{kokola::kDefaultConfigPath};
  bool check_config = false;
  std::string log_level;
};

// The groups the configuration names (roles and the socket's group), looked up as at start.
std::vector<std::string> group_problems(const kokola::Config& config) {
  std::vector<std::string> problems;
  try {
    kokola::RolePolicy policy(config.control, ::geteuid());
  } catch (const std::exception& e) {
    problems.push_back(std::string("control: ") + e.what());
  }
  const std::string& socket_group = config.control.socket_group;
  if (!socket_group.empty() && ::getgrnam(socket_group.c_str()) == nullptr) {
    problems.push_back("control.socket_group: no such group '" + socket_group + "'");
  }
  return problems;
}

// --check-config: the file, the token (the same checks as at start), the groups, and the
// ERP's views and columns.
int check_config(const kokola::Config& config) {
  std::vector<std::string> problems = group_problems(config);
  try {
    kokola::read_api_token(config.kokola);
  } catch (const std::exception& e) {
    problems.push_back(e.what());
  }
  try {
    const auto source = kokola::make_erp_source(config.erp);
    for (auto& p : source->check_schema()) problems.push_back("erp: " + p);
  } catch (const std::exception& e) {
    problems.push_back(e.what());
  }
  for (const auto& p : problems) std::cerr << "kokola-syncd: " << p << "\n";
  if (!problems.empty()) return kExitConfig;
  std::cout << "config '" << config.source_path << "': ok\n";
  return 0;
}

// SIGTERM and SIGINT stop the daemon: no new work, the requests in flight get
// delivery.shutdown_grace to finish, everything is persisted, exit 0. SIGHUP reloads the
// configuration (docs/kokola-syncd.md).
int run(const kokola::Config& loaded) {
  auto config = std::make_shared<const kokola::Config>(loaded);
  if (auto armed = kokola::arm_failpoints_from_environment(); !armed.empty()) {
    spdlog::warn("{}", armed);
  }
  kokola::StateStore store(config->state_path);
  auto runtime = kokola::build_runtime(config, store, 1);
  if (!config->kokola.tls.verify) {
    spdlog::warn("TLS certificate verification is OFF (kokola.tls.verify: false)");
  }
  kokola::Dispatcher dispatcher(store, config->delivery, runtime->make_transport);

  kokola::metrics::Registry metrics(std::string(kokola::kVersion));
  kokola::metrics::seed_last_success(metrics, store);

  boost::asio::io_context io;
  kokola::Service service(io, runtime, store, dispatcher, &metrics);
  // Off unless metrics.enabled; bound before anything is sent, so that a bad address stops
  // the start. A change of the metrics section needs a restart.
  std::optional<kokola::metrics::Server> metrics_server;
  if (config->metrics.enabled) {
    metrics_server.emplace(config->metrics, [&metrics, &store, &dispatcher] {
      return metrics.render(kokola::metrics::read_live_state(store, dispatcher));
    });
    metrics_server->start();
  }
  service.start();
  // Passed by reference to whatever reports a reload (reloading(), then ready()).
  kokola::SystemdNotifier notifier(io, [&service] { return service.status_line(); });
  service.on_reload([&notifier](bool begin) {
    if (begin) {
      notifier.reloading();
    } else {
      notifier.ready();
    }
  });

  // Stopping: the senders get delivery.shutdown_grace on a thread of their own while the
  // loop goes on writing the results of requests that end meanwhile.
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> stopping;
  std::thread stopper;
  std::atomic<bool> stopped_clean{true};
  boost::asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  std::function<void(boost::system::error_code, int)> on_signal;
  on_signal = [&](boost::system::error_code ec, int signo) {
    if (ec) return;
    if (signo == SIGHUP) {
      spdlog::info("SIGHUP: reloading the configuration");
      service.reload();
      signals.async_wait(on_signal);
      return;
    }
    spdlog::info("received signal {}: stopping", signo);
    notifier.stopping();
    notifier.stop();
    service.stop();
    stopping.emplace(io.get_executor());
    stopper = std::thread([&] {
      stopped_clean = dispatcher.stop(runtime->config->delivery.shutdown_grace);
      boost::asio::post(io, [&] {
        service.abandon_requests();
        dispatcher.forget_watchers();
        stopping.reset();
      });
    });
  };
  signals.async_wait(on_signal);
  spdlog::info("kokola-syncd {} started (config '{}', state '{}', {} senders)", kokola::kVersion,
               config->source_path, store.path(), config->delivery.senders);
  // Ready only now: the configuration is valid, the state store open, the socket bound.
  notifier.ready();
  notifier.start();
  io.run();
  if (stopper.joinable()) stopper.join();
  if (metrics_server) metrics_server->stop();
  if (!stopped_clean) {
    // A request still without an answer: its job stays `sending` and is looked up at the
    // next start. Threads blocked in it cannot be joined, so leave without unwinding.
    spdlog::warn(
        "stopping with requests still in flight after {} ms; their jobs are looked up "
        "at the next start",
        runtime->config->delivery.shutdown_grace.count());
    spdlog::info("kokola-syncd stopped");
    spdlog::shutdown();
    std::_Exit(0);
  }
  spdlog::info("kokola-syncd stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  CLI::App cli{"kokola-syncd: keeps the Kokola App in step with the ERP", "kokola-syncd"};
  cli.add_option("-c,--config", opt.config_path, "configuration file")->capture_default_str();
  cli.add_flag("--check-config", opt.check_config,
               "check the configuration, the token file and the ERP views, then exit");
  cli.add_option("--log-level", opt.log_level,
                 "trace, debug, info, warn, error or off (overrides log.level)");
  cli.set_version_flag("-V,--version",
                       std::string("kokola-syncd ") + std::string(kokola::kVersion));
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = cli.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  }

  if (!opt.log_level.empty() && !kokola::is_log_level(opt.log_level)) {
    std::cerr << "kokola-syncd: --log-level '" << opt.log_level
              << "': expected trace, debug, info, warn, error or off\n";
    return kExitUsage;
  }

  // A peer closing its socket must not kill the daemon; write errors are handled instead.
  std::signal(SIGPIPE, SIG_IGN);
  kokola::Config config;
  try {
    config = kokola::load_config(opt.config_path);
  } catch (const kokola::ConfigError& e) {
    std::cerr << "kokola-syncd: invalid configuration:\n" << e.what() << "\n";
    return kExitConfig;
  } catch (const std::exception& e) {
    std::cerr << "kokola-syncd: " << e.what() << "\n";
    return kExitConfig;
  }
  if (opt.check_config) return check_config(config);
  // A group missing is the configuration's fault, not a failure to retry.
  if (auto problems = group_problems(config); !problems.empty()) {
    for (const auto& p : problems) std::cerr << "kokola-syncd: " << p << "\n";
    return kExitConfig;
  }

  try {
    kokola::setup_logging(opt.log_level.empty() ? config.log_level : opt.log_level);
    int rc = run(config);
    spdlog::shutdown();
    return rc;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    spdlog::shutdown();
    return kExitStartup;
  }
}
