// kokola-syncd: the composition root. Builds every subsystem as a local, in dependency
// order, and passes references down; everything that can fail at start-up fails here,
// before the daemon reports itself ready. Exit codes: 0 clean stop (or config ok), 1
// start-up failure, 64 usage, 78 configuration invalid.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <functional>
#include <iostream>

#include "config/config.hpp"
#include "erp/sqlite_source.hpp"
#include "kokola/client.hpp"
#include "kokola/paths.hpp"
#include "kokola/version.hpp"
#include "log/logging.hpp"
#include "pipeline/pipeline.hpp"
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

// --check-config: the file, the token (the same checks as at start) and the ERP's views and
// columns.
int check_config(const kokola::Config& config) {
  std::vector<std::string> problems;
  try {
    kokola::read_api_token(config.kokola);
  } catch (const std::exception& e) {
    problems.push_back(e.what());
  }
  try {
    kokola::SqliteErpSource source(config.erp.sqlite_path, config.erp.views);
    for (auto& p : source.check_schema()) problems.push_back("erp: " + p);
  } catch (const std::exception& e) {
    problems.push_back(e.what());
  }
  for (const auto& p : problems) std::cerr << "kokola-syncd: " << p << "\n";
  if (!problems.empty()) return kExitConfig;
  std::cout << "config '" << config.source_path << "': ok\n";
  return 0;
}

// SIGHUP re-reads the API token, so that a rotated token is used from the next request on;
// the token is swapped on the sender thread, between requests.
// TODO: the rest of the configuration is not reloaded yet (that needs rebuilding the pipeline
// and the schedules between runs); until it is, other changes need a restart.
void rotate_token(const kokola::Config& config, kokola::HttpKokolaClient& app,
                  kokola::Service& service) {
  try {
    std::string token = kokola::read_api_token(config.kokola);
    service.on_sender([&app, token = std::move(token)]() mutable {
      try {
        app.set_token(std::move(token));
        spdlog::info("SIGHUP: API token re-read");
      } catch (const std::exception& e) {
        spdlog::error("SIGHUP: keeping the previous API token: {}", e.what());
      }
    });
  } catch (const std::exception& e) {
    spdlog::error("SIGHUP: keeping the previous API token: {}", e.what());
  }
  spdlog::warn("SIGHUP: only the API token is re-read; other configuration changes need a restart");
}

int run(const kokola::Config& config) {
  kokola::StateStore store(config.state_path);
  kokola::SqliteErpSource source(config.erp.sqlite_path, config.erp.views, config.erp.page_size);
  if (auto problems = source.check_schema(); !problems.empty()) {
    throw std::runtime_error("checking the ERP views in '" + config.erp.sqlite_path +
                             "': " + problems.front());
  }
  kokola::HttpKokolaClient app(config.kokola, kokola::read_api_token(config.kokola));
  kokola::Pipeline pipeline(source, store, app, config.rules);
  if (!config.kokola.tls.verify) {
    spdlog::warn("TLS certificate verification is OFF (kokola.tls.verify: false)");
  }

  boost::asio::io_context io;
  kokola::Service service(io, config, source, store, pipeline);
  service.start();

  boost::asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  std::function<void(boost::system::error_code, int)> on_signal;
  on_signal = [&](boost::system::error_code ec, int signo) {
    if (ec) return;
    if (signo == SIGHUP) {
      rotate_token(config, app, service);
      signals.async_wait(on_signal);
      return;
    }
    spdlog::info("received signal {}: stopping", signo);
    service.stop();
  };
  signals.async_wait(on_signal);
  spdlog::info("kokola-syncd {} started (config '{}', state '{}')", kokola::kVersion,
               config.source_path, store.path());
  io.run();
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
