// kokola-sandbox: an independent implementation of the Kokola API contract
// (docs/kokola-api.md) for the demo, the end-to-end tests and the benchmarks, with test-only
// admin endpoints and fault injection (docs/sandbox.md). A thin main: the command line.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <iostream>

#include "server.hpp"
#include "store.hpp"

namespace {

constexpr int kExitUsage = 64;

int dump(const std::string& path) {
  auto store = sandbox::Store::open_read_only(path);
  std::cout << store.dump().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("kokola-sandbox: a Kokola App stand-in that implements the published API");
  app.require_subcommand(1);

  sandbox::ServeOptions options;
  auto* serve = app.add_subcommand("serve", "serve the Kokola API over HTTP or HTTPS");
  serve->add_option("--token-file", options.token_file, "file holding the bearer token")
      ->required();
  serve->add_option("--listen", options.listen, "address to listen on")->capture_default_str();
  serve->add_option("--port", options.port, "port; 0 picks a free one")->capture_default_str();
  serve->add_option("--port-file", options.port_file, "write the bound port here");
  serve->add_option("--db", options.db, "SQLite state file")->capture_default_str();
  serve->add_option("--fault", options.faults, "fault rule as a JSON object (repeatable)");
  serve->add_option("--tls-cert", options.tls_cert, "PEM certificate: serve HTTPS");
  serve->add_option("--tls-key", options.tls_key, "PEM private key for --tls-cert");
  serve->add_flag("--quiet", options.quiet, "no request log on stderr");

  std::string db_path;
  auto* dump_command = app.add_subcommand("dump", "print the state of a sandbox database");
  dump_command->add_option("--db", db_path, "SQLite state file")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }

  try {
    if (*serve) return sandbox::serve(options);
    return dump(db_path);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kokola-sandbox: %s\n", e.what());
    return 1;
  }
}
