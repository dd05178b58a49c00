// kokolactl's command line through the real CLI11 setup (ctl/cli.cpp): what each command sends,
// and what it refuses with the usage exit code before anything reaches the daemon.
#include "../../ctl/cli.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kokola/exit_codes.hpp"
#include "kokola/protocol.hpp"

namespace kokola::ctl {
namespace {

using nlohmann::json;

std::variant<Invocation, int> parse(const std::vector<std::string>& words) {
  std::vector<std::string> storage = {"kokolactl"};
  storage.insert(storage.end(), words.begin(), words.end());
  std::vector<char*> argv;
  for (auto& w : storage) argv.push_back(w.data());
  argv.push_back(nullptr);
  return parse_command_line(static_cast<int>(storage.size()), argv.data());
}

Invocation invocation(const std::vector<std::string>& words) {
  auto parsed = parse(words);
  if (const auto* code = std::get_if<int>(&parsed)) {
    ADD_FAILURE() << "refused with exit code " << *code;
    return {};
  }
  return std::get<Invocation>(parsed);
}

int exit_code(const std::vector<std::string>& words) {
  auto parsed = parse(words);
  return std::holds_alternative<int>(parsed) ? std::get<int>(parsed) : -1;
}

TEST(CliJobs, SendsOnlyTheFiltersGiven) {
  auto inv = invocation({"jobs"});
  EXPECT_EQ(inv.cmd, "jobs");
  EXPECT_EQ(inv.args, json::object());

  inv = invocation({"jobs", "--state", "retry_wait", "--entity", "purchase-order", "--limit", "5"});
  EXPECT_EQ(inv.args, (json{{"state", "retry_wait"}, {"entity", "po"}, {"limit", 5}}));
  EXPECT_EQ(invocation({"jobs", "--state", "active"}).args["state"], "active");
  EXPECT_EQ(inv.timeout, std::chrono::seconds(10));
}

TEST(CliJobs, RefusesUnknownStatesAndBadLimits) {
  EXPECT_EQ(exit_code({"jobs", "--state", "stuck"}), kExitUsage);
  EXPECT_EQ(exit_code({"jobs", "--entity", "all"}), kExitUsage);
  EXPECT_EQ(exit_code({"jobs", "--limit", "0"}), kExitUsage);
  EXPECT_EQ(exit_code({"jobs", "--limit", "10001"}), kExitUsage);
  EXPECT_EQ(exit_code({"jobs", "extra"}), kExitUsage);
}

TEST(CliJob, TakesOnePositiveId) {
  EXPECT_EQ(invocation({"job", "42"}).args, (json{{"id", 42}}));
  EXPECT_EQ(exit_code({"job"}), kExitUsage);
  EXPECT_EQ(exit_code({"job", "0"}), kExitUsage);
  EXPECT_EQ(exit_code({"job", "abc"}), kExitUsage);
  EXPECT_EQ(exit_code({"job", "1", "2"}), kExitUsage);
}

TEST(CliRetry, SendsIdsOrFailedWithReasonAndWait) {
  auto inv = invocation({"retry", "41", "42", "--reason", "app back", "--wait"});
  EXPECT_EQ(inv.args, (json{{"ids", {41, 42}}, {"reason", "app back"}, {"wait", true}}));
  EXPECT_TRUE(inv.wait);
  EXPECT_EQ(inv.timeout, std::chrono::seconds(86400));

  inv = invocation({"retry", "--failed"});
  EXPECT_EQ(inv.args, (json{{"failed", true}}));
  EXPECT_FALSE(inv.wait);
  EXPECT_EQ(inv.timeout, std::chrono::seconds(600));
}

TEST(CliRetry, NeedsExactlyOneOfIdsAndFailed) {
  EXPECT_EQ(exit_code({"retry"}), kExitUsage);
  EXPECT_EQ(exit_code({"retry", "--reason", "x"}), kExitUsage);
  EXPECT_EQ(exit_code({"retry", "4", "--failed"}), kExitUsage);
  EXPECT_EQ(exit_code({"retry", "0"}), kExitUsage);
  EXPECT_EQ(exit_code({"retry", "x1"}), kExitUsage);
}

TEST(CliRetry, RefusesMoreThanAHundredIds) {
  std::vector<std::string> storage = {"kokolactl", "retry"};
  for (int i = 1; i <= 101; ++i) storage.push_back(std::to_string(i));
  std::vector<char*> argv;
  for (auto& w : storage) argv.push_back(w.data());
  auto parsed = parse_command_line(static_cast<int>(argv.size()), argv.data());
  ASSERT_TRUE(std::holds_alternative<int>(parsed));
  EXPECT_EQ(std::get<int>(parsed), kExitUsage);

  storage.pop_back();
  argv.pop_back();
  parsed = parse_command_line(static_cast<int>(argv.size()), argv.data());
  ASSERT_TRUE(std::holds_alternative<Invocation>(parsed));
  EXPECT_EQ(std::get<Invocation>(parsed).args["ids"].size(), 100u);
}

TEST(CliPauseResume, EntityDefaultsToAll) {
  EXPECT_EQ(invocation({"pause"}).args, (json{{"entity", "all"}}));
  EXPECT_EQ(invocation({"pause", "item"}).args, (json{{"entity", "item"}}));
  EXPECT_EQ(invocation({"resume", "purchase_order"}).args, (json{{"entity", "po"}}));
  EXPECT_EQ(invocation({"resume"}).cmd, "resume");
  EXPECT_EQ(exit_code({"pause", "customers"}), kExitUsage);
  EXPECT_EQ(exit_code({"resume", "po", "item"}), kExitUsage);
}

TEST(CliReload, TakesNothingAndWaitsLongerThanAQuery) {
  auto inv = invocation({"reload"});
  EXPECT_EQ(inv.args, json::object());
  EXPECT_EQ(inv.timeout, std::chrono::seconds(60));
  EXPECT_EQ(exit_code({"reload", "/etc/other.yaml"}), kExitUsage);
}

TEST(CliWait, PushAndSyncSendWaitOnlyWhenAsked) {
  auto push = invocation({"push", "po", "PO-1", "--wait"});
  EXPECT_EQ(push.args["wait"], true);
  EXPECT_TRUE(push.wait);
  EXPECT_FALSE(invocation({"push", "po", "PO-1"}).args.contains("wait"));

  auto sync = invocation({"sync", "item", "--wait"});
  EXPECT_EQ(sync.args, (json{{"entity", "item"}, {"wait", true}}));
  EXPECT_EQ(invocation({"sync"}).args, (json{{"entity", "all"}}));
  EXPECT_EQ(invocation({"sync", "--wait", "--timeout", "30"}).timeout, std::chrono::seconds(30));
}

TEST(CliGlobalOptions, MayFollowTheNewCommands) {
  auto inv = invocation({"jobs", "--state", "failed", "--json", "--socket", "/tmp/k.sock"});
  EXPECT_TRUE(inv.json);
  EXPECT_EQ(inv.socket_path, "/tmp/k.sock");
  EXPECT_TRUE(invocation({"reload", "--json"}).json);
}

TEST(CliRequests, EveryCommandLineBuildsARequestTheDaemonAccepts) {
  const std::vector<std::vector<std::string>> lines = {
      {"status"},
      {"push", "purchase-order", "A", "B", "--force", "--reason", "r", "--wait"},
      {"push", "item", "X", "--dry-run"},
      {"list", "vendor", "--ready", "--search", "s", "--limit", "3"},
      {"show", "po", "A"},
      {"sync"},
      {"sync", "vendor", "--wait"},
      {"audit", "--since", "24h", "--user", "alice", "--limit", "5"},
      {"jobs", "--state", "finished", "--entity", "item", "--limit", "10000"},
      {"job", "7"},
      {"retry", "1", "2", "3"},
      {"retry", "--failed", "--wait", "--reason", "r"},
      {"pause", "vendor"},
      {"resume"},
      {"reload"}};
  for (const auto& words : lines) {
    auto inv = invocation(words);
    auto problem = validate_request({"t", inv.cmd, inv.args});
    EXPECT_FALSE(problem) << inv.cmd << ": " << (problem ? problem->message : "");
  }
}

TEST(CliUsage, AWordThatIsNoCommandIsNamed) {
  testing::internal::CaptureStderr();
  EXPECT_EQ(exit_code({"--json", "frobnicate"}), kExitUsage);
  EXPECT_NE(testing::internal::GetCapturedStderr().find("unknown command 'frobnicate'"),
            std::string::npos);
}

TEST(CliHelp, EveryNewCommandHasHelpThatExitsZero) {
  for (const char* cmd : {"jobs", "job", "retry", "pause", "resume", "reload", "sync", "push"}) {
    testing::internal::CaptureStdout();
    int code = exit_code({cmd, "--help"});
    std::string help = testing::internal::GetCapturedStdout();
    EXPECT_EQ(code, kExitOk) << cmd;
    EXPECT_NE(help.find("kokolactl " + std::string(cmd)), std::string::npos)
        << cmd << " has no example:\n"
        << help;
  }
}

}  // namespace
}  // namespace kokola::ctl
