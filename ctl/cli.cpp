#include "cli.hpp"

#include <CLI/CLI.hpp>
#include <limits>

#include "cli_args.hpp"
#include "kokola/exit_codes.hpp"
#include "kokola/paths.hpp"
#include "kokola/protocol.hpp"
#include "kokola/version.hpp"
#include "since.hpp"

namespace kokola::ctl {
namespace {

constexpr double kLongTimeoutS = 600;    // push, sync, retry
constexpr double kWaitTimeoutS = 86400;  // --wait: until the jobs are final
constexpr double kReloadTimeoutS = 60;   // the daemon also checks the ERP views
constexpr double kShortTimeoutS = 10;    // everything else

const std::vector<std::string> kEntityWords = {"po", "item", "vendor", "purchase-order",
                                               "purchase_order"};

std::vector<std::string> entity_words_and_all() {
  auto words = kEntityWords;
  words.push_back("all");
  return words;
}

std::vector<std::string> job_state_words() {
  std::vector<std::string> words;
  for (int i = 0; i <= static_cast<int>(Outcome::superseded); ++i) {
    words.emplace_back(outcome_name(static_cast<Outcome>(i)));
  }
  words.emplace_back(job_filter::kActive);
  words.emplace_back(job_filter::kFinished);
  return words;
}

CLI::Option* add_entity(CLI::App* sub, Values& v) {
  return sub->add_option("entity", v.entity, "po, item or vendor")
      ->required()
      ->check(CLI::IsMember(kEntityWords));
}

void add_wait(CLI::App* sub, Values& v, const std::string& what) {
  sub->add_flag("--wait", v.wait, what);
}

void add_push(CLI::App& app, Values& v) {
  auto* push = app.add_subcommand("push", "push records to the Kokola App now");
  add_entity(push, v);
  push->add_option("keys", v.keys, "record keys (PO number, item code, vendor code)")->required();
  push->add_flag("--force", v.force, "send even if the app already has this content");
  push->add_flag("--dry-run", v.dry_run, "run every check, send nothing");
  push->add_option("--reason", v.reason, "why, for the receipt and the audit trail");
  add_wait(push, v, "when the app is down or rate-limited, wait until each job is final");
  push->footer(
      "Answers when each job is final, or at once with 'queued as job N' (exit 9) when the app\n"
      "is unreachable or rate-limited; --wait waits for the outcome.\n"
      "Example:\n  kokolactl push po PWU2012502-0000517 --reason 'vendor waiting'");
}

void add_list(CLI::App& app, Values& v) {
  auto* list = app.add_subcommand("list", "list records from the ERP, one per line");
  add_entity(list, v);
  list->add_flag("--ready", v.ready, "only records that are ready to send");
  list->add_option("--search", v.search, "only records whose key or label contains TEXT");
  list->add_option("--limit", v.limit, "at most N records (1-10000, default 1000)")
      ->check(CLI::Range(1LL, static_cast<long long>(kMaxListLimit)));
  list->footer("Example:\n  kokolactl list po --ready --search 'SURYA'");
}

void add_show_and_sync(CLI::App& app, Values& v) {
  auto* show = app.add_subcommand("show", "show one record: readiness, checks, payload");
  add_entity(show, v);
  show->add_option("key", v.key, "the record's key")->required();
  show->footer("Example:\n  kokolactl show po PWU2012502-0000517");

  auto* sync = app.add_subcommand("sync", "start a sync run now (--wait: wait for its summary)");
  sync->add_option("entity", v.entity, "po, item, vendor or all (default all)")
      ->check(CLI::IsMember(entity_words_and_all()));
  add_wait(sync, v, "show progress on stderr while the runs go on, then their summary");
  sync->footer("Example:\n  kokolactl sync item --wait");
}

void add_audit(CLI::App& app, Values& v) {
  auto* audit = app.add_subcommand("audit", "the audit trail: admin requests and refusals");
  audit->add_option("--since", v.since,
                    "from this time on: 2025-06-02 (local midnight), '2025-06-02 10:00' "
                    "(local), an RFC 3339 time, or 30m, 24h, 7d ago");
  audit->add_option("--user", v.user, "only this user's requests (a user name)");
  audit->add_option("--limit", v.limit, "the newest N entries (1-10000, default 100)")
      ->check(CLI::Range(1LL, static_cast<long long>(kMaxListLimit)));
  audit->footer("Example:\n  kokolactl audit --since 24h --user alice");
}

void add_jobs(CLI::App& app, Values& v) {
  auto* jobs = app.add_subcommand("jobs", "list jobs, newest first");
  jobs->add_option("--state", v.state,
                   "only jobs in this state: a state name (queued, retry_wait, failed, ...), "
                   "active (not final yet) or finished")
      ->check(CLI::IsMember(job_state_words()));
  jobs->add_option("--entity", v.entity, "only jobs for po, item or vendor")
      ->check(CLI::IsMember(kEntityWords));
  jobs->add_option("--limit", v.limit, "the newest N jobs (1-10000, default 50)")
      ->check(CLI::Range(1LL, static_cast<long long>(kMaxListLimit)));
  jobs->footer("Example:\n  kokolactl jobs --state active --entity po");

  auto* job = app.add_subcommand("job", "one job's receipt, with every attempt");
  job->add_option("id", v.job_id, "the job id")
      ->required()
      ->check(CLI::Range(1LL, std::numeric_limits<long long>::max()).description("an id > 0"));
  job->footer(
      "Exits as push would for the job's state (9 while it is not final).\n"
      "Example:\n  kokolactl job 42");
}

void add_retry(CLI::App& app, Values& v) {
  auto* retry =
      app.add_subcommand("retry", "push the records of jobs again, read anew from the ERP");
  auto* ids =
      retry->add_option("ids", v.ids, "job ids (at most 100)")
          ->check(CLI::Range(1LL, std::numeric_limits<long long>::max()).description("an id > 0"));
  auto* failed =
      retry->add_flag("--failed", v.failed, "every record whose newest job ended failed");
  ids->excludes(failed);
  retry->add_option("--reason", v.reason, "why, for the receipt and the audit trail");
  add_wait(retry, v, "wait until each new job is final");
  retry->footer(
      "Give job ids or --failed. Exit codes as for push.\n"
      "Examples:\n  kokolactl retry 41 42\n  kokolactl retry --failed --wait");
}

void add_control(CLI::App& app, Values& v) {
  auto words = entity_words_and_all();
  auto* pause = app.add_subcommand("pause", "stop the schedule (manual pushes still go)");
  pause->add_option("entity", v.entity, "po, item, vendor or all (default all)")
      ->check(CLI::IsMember(words));
  pause->footer("Example:\n  kokolactl pause po");

  auto* resume = app.add_subcommand("resume", "restart the schedule stopped by pause");
  resume->add_option("entity", v.entity, "po, item, vendor or all (default all)")
      ->check(CLI::IsMember(words));
  resume->footer("Example:\n  kokolactl resume");

  auto* reload = app.add_subcommand(
      "reload", "make the daemon read its configuration again: all of it, or none (exit 10)");
  reload->footer("Example:\n  kokolactl reload");
}

void add_commands(CLI::App& app, Values& v) {
  add_push(app, v);
  add_list(app, v);
  add_show_and_sync(app, v);
  auto* status =
      app.add_subcommand("status", "the daemon's health, runs, queue; exits 8 if degraded");
  status->footer("Example:\n  kokolactl status --json");
  add_audit(app, v);
  add_jobs(app, v);
  add_retry(app, v);
  add_control(app, v);
  for (auto* sub : app.get_subcommands({})) sub->fallthrough();
}

// What CLI11 cannot say by itself.
void check_values(const std::string& cmd, const Values& v) {
  if (!v.since.empty() && since_instant(v.since).empty()) {
    throw CLI::ValidationError("--since", "'" + v.since +
                                              "': expected 2025-06-02, '2025-06-02 10:00', "
                                              "an RFC 3339 time, or 30m, 24h, 7d");
  }
  if (v.keys.size() > kMaxKeysPerPush) {
    throw CLI::ValidationError("keys",
                               "at most " + std::to_string(kMaxKeysPerPush) + " keys per push");
  }
  if (cmd == "retry" && v.ids.empty() && !v.failed) {
    throw CLI::ValidationError("retry", "give job ids or --failed");
  }
  if (v.ids.size() > kMaxRetryIds) {
    throw CLI::ValidationError("ids",
                               "at most " + std::to_string(kMaxRetryIds) + " job ids per retry");
  }
}

double default_timeout_s(const std::string& cmd, bool wait) {
  if (wait) return kWaitTimeoutS;
  if (cmd == "push" || cmd == "sync" || cmd == "retry") return kLongTimeoutS;
  if (cmd == "reload") return kReloadTimeoutS;
  return kShortTimeoutS;
}

std::string failure_message(const CLI::App*, const CLI::Error& e) {
  return "kokolactl: " + std::string(e.what()) + "\nRun 'kokolactl --help' for usage.\n";
}

}  // namespace

std::variant<Invocation, int> parse_command_line(int argc, char** argv) {
  CLI::App app{
      "kokolactl: control kokola-syncd (push, list, show, sync, status, audit, jobs, "
      "job, retry, pause, resume, reload)",
      "kokolactl"};
  Values v;
  app.set_version_flag("--version", "kokolactl " + std::string(kVersion));
  app.add_option("--socket", v.socket_path, "control socket of kokola-syncd")
      ->envname(std::string(kSocketEnvVar))
      ->capture_default_str();
  app.add_flag("--json", v.json, "print the daemon's result data as one JSON document");
  app.add_option("--timeout", v.timeout_s,
                 "seconds to wait for the answer (default 600 for push, sync and retry, "
                 "86400 with --wait, 60 for reload, else 10)")
      ->check(CLI::Range(0.1, 86400.0).description("0.1 to 86400"));
  app.require_subcommand(1, 1);
  app.failure_message(failure_message);
  add_commands(app, v);

  std::string cmd;
  try {
    app.parse(argc, argv);
    cmd = app.get_subcommands().front()->get_name();
    check_values(cmd, v);
  } catch (const CLI::ParseError& e) {
    // A word that is no command is left over, and CLI11 only says a command is missing.
    if (app.get_subcommands().empty() && !app.remaining().empty() &&
        !app.remaining().front().starts_with("-")) {
      std::cerr << "kokolactl: unknown command '" << app.remaining().front()
                << "' (kokolactl --help lists the commands)\n";
      return kExitUsage;
    }
    // --help and --version end here with 0; CLI11's own codes (100-127) become EX_USAGE.
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  Invocation inv;
  inv.cmd = cmd;
  inv.socket_path = v.socket_path;
  inv.json = v.json;
  inv.wait = v.wait;
  double timeout_s = v.timeout_s.value_or(default_timeout_s(cmd, v.wait));
  inv.timeout = std::chrono::milliseconds(static_cast<long long>(timeout_s * 1000));
  inv.args = command_args(cmd, v);
  return inv;
}

}  // namespace kokola::ctl
