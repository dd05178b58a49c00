#include "cli.hpp"

#include <CLI/CLI.hpp>
#include <optional>
#include <vector>

#include "kokola/exit_codes.hpp"
#include "kokola/paths.hpp"
#include "kokola/protocol.hpp"
#include "kokola/version.hpp"
#include "since.hpp"

namespace kokola::ctl {
namespace {

constexpr double kLongTimeoutS = 600;  // push, sync
constexpr double kShortTimeoutS = 10;  // everything else

const std::vector<std::string> kEntityWords = {"po", "item", "vendor", "purchase-order",
                                               "purchase_order"};

std::string entity_name(const std::string& word) {
  return word == "purchase-order" || word == "purchase_order" ? "po" : word;
}

// What the command line fills in; turned into an Invocation after parsing.
struct Values {
  std::string socket_path{kDefaultSocketPath};
  bool json = false;
  std::optional<double> timeout_s;
  std::string entity;
  std::vector<std::string> keys;
  std::string key;
  bool force = false;
  bool dry_run = false;
  std::string reason;
  bool ready = false;
  std::string search;
  std::optional<long long> limit;
  std::string since;
  std::string user;
};

CLI::Option* add_entity(CLI::App* sub, Values& v) {
  return sub->add_option("entity", v.entity, "po, item or vendor")
      ->required()
      ->check(CLI::IsMember(kEntityWords));
}

void add_push(CLI::App& app, Values& v) {
  auto* push = app.add_subcommand("push", "push records to the Kokola App now, and wait");
  add_entity(push, v);
  push->add_option("keys", v.keys, "record keys (PO number, item code, vendor code)")->required();
  push->add_flag("--force", v.force, "send even if the app already has this content");
  push->add_flag("--dry-run", v.dry_run, "run every check, send nothing");
  push->add_option("--reason", v.reason, "why, for the receipt and the audit trail");
}

void add_list(CLI::App& app, Values& v) {
  auto* list = app.add_subcommand("list", "list records from the ERP, one per line");
  add_entity(list, v);
  list->add_flag("--ready", v.ready, "only records that are ready to send");
  list->add_option("--search", v.search, "only records whose key or label contains TEXT");
  list->add_option("--limit", v.limit, "at most N records (1-10000, default 1000)")
      ->check(CLI::Range(1LL, static_cast<long long>(kMaxListLimit)));
}

void add_audit(CLI::App& app, Values& v) {
  auto* audit = app.add_subcommand("audit", "the audit trail: admin requests and refusals");
  audit->add_option("--since", v.since,
                    "from this time on: 2025-06-02 (local midnight), '2025-06-02 10:00' "
                    "(local), an RFC 3339 time, or 30m, 24h, 7d ago");
  audit->add_option("--user", v.user, "only this user's requests (a user name)");
  audit->add_option("--limit", v.limit, "the newest N entries (1-10000, default 100)")
      ->check(CLI::Range(1LL, static_cast<long long>(kMaxListLimit)));
}

void add_commands(CLI::App& app, Values& v) {
  add_push(app, v);
  add_list(app, v);

  auto* show = app.add_subcommand("show", "show one record: readiness, checks, payload");
  add_entity(show, v);
  show->add_option("key", v.key, "the record's key")->required();

  auto* sync = app.add_subcommand("sync", "run a sync pass now, wait, print the summary");
  std::vector<std::string> words = kEntityWords;
  words.push_back("all");
  sync->add_option("entity", v.entity, "po, item, vendor or all (default all)")
      ->check(CLI::IsMember(words));

  app.add_subcommand("status", "the daemon's health, last and next runs; exits 8 if degraded");
  add_audit(app, v);
  for (auto* sub : app.get_subcommands({})) sub->fallthrough();
}

nlohmann::json command_args(const std::string& cmd, const Values& v) {
  nlohmann::json args = nlohmann::json::object();
  if (cmd == "status") return args;
  if (cmd == "audit") {
    if (!v.since.empty()) args["since"] = since_instant(v.since);
    if (!v.user.empty()) args["user"] = v.user;
    if (v.limit) args["limit"] = *v.limit;
    return args;
  }
  args["entity"] = v.entity.empty() ? "all" : entity_name(v.entity);
  if (cmd == "push") {
    args["keys"] = v.keys;
    args["force"] = v.force;
    args["dry_run"] = v.dry_run;
    if (!v.reason.empty()) args["reason"] = v.reason;
  } else if (cmd == "list") {
    args["ready"] = v.ready;
    if (!v.search.empty()) args["search"] = v.search;
    if (v.limit) args["limit"] = *v.limit;
  } else if (cmd == "show") {
    args["key"] = v.key;
  }
  return args;
}

std::string failure_message(const CLI::App*, const CLI::Error& e) {
  return "kokolactl: " + std::string(e.what()) + "\nRun 'kokolactl --help' for usage.\n";
}

}  // namespace

std::variant<Invocation, int> parse_command_line(int argc, char** argv) {
  CLI::App app{"kokolactl: control kokola-syncd (push, list, show, sync, status, audit)",
               "kokolactl"};
  Values v;
  app.set_version_flag("--version", "kokolactl " + std::string(kVersion));
  app.add_option("--socket", v.socket_path, "control socket of kokola-syncd")
      ->envname(std::string(kSocketEnvVar))
      ->capture_default_str();
  app.add_flag("--json", v.json, "print the daemon's result data as one JSON document");
  app.add_option("--timeout", v.timeout_s,
                 "seconds to wait for the answer (default 600 for push and sync, else 10)")
      ->check(CLI::Range(0.1, 86400.0).description("0.1 to 86400"));
  app.require_subcommand(1, 1);
  app.failure_message(failure_message);
  add_commands(app, v);

  try {
    app.parse(argc, argv);
    if (!v.since.empty() && since_instant(v.since).empty()) {
      throw CLI::ValidationError("--since", "'" + v.since +
                                                "': expected 2025-06-02, '2025-06-02 10:00', "
                                                "an RFC 3339 time, or 30m, 24h, 7d");
    }
    if (v.keys.size() > kMaxKeysPerPush) {
      throw CLI::ValidationError("keys",
                                 "at most " + std::to_string(kMaxKeysPerPush) + " keys per push");
    }
  } catch (const CLI::ParseError& e) {
    // --help and --version end here with 0; CLI11's own codes (100-127) become EX_USAGE.
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  Invocation inv;
  inv.cmd = app.get_subcommands().front()->get_name();
  inv.socket_path = v.socket_path;
  inv.json = v.json;
  double timeout_s =
      v.timeout_s.value_or(inv.cmd == "push" || inv.cmd == "sync" ? kLongTimeoutS : kShortTimeoutS);
  inv.timeout = std::chrono::milliseconds(static_cast<long long>(timeout_s * 1000));
  inv.args = command_args(inv.cmd, v);
  return inv;
}

}  // namespace kokola::ctl
