// The arguments of the durable-delivery commands (jobs, job, retry, pause, resume, reload) and
// the `wait` flag of push and sync, as include/kokola/protocol_args.hpp checks them.
#include <gtest/gtest.h>

#include <string>

#include "kokola/protocol.hpp"

namespace kokola {
namespace {

using nlohmann::json;

// The message of the refusal, or "" when the arguments were accepted.
template <typename T>
std::string refusal(const Parsed<T>& parsed) {
  const auto* e = error_of(parsed);
  if (!e) return "";
  EXPECT_EQ(e->code, "bad_request");
  return e->message;
}

template <typename T>
T accepted(const Parsed<T>& parsed) {
  if (const auto* e = error_of(parsed)) ADD_FAILURE() << e->message;
  return std::holds_alternative<T>(parsed) ? std::get<T>(parsed) : T{};
}

TEST(ProtocolCommands, TheNewCommandsAreKnown) {
  for (const char* cmd : {"jobs", "job", "retry", "pause", "resume", "reload"}) {
    EXPECT_TRUE(is_known_command(cmd)) << cmd;
  }
  EXPECT_FALSE(is_known_command("jobz"));
  EXPECT_FALSE(is_known_command(""));
  EXPECT_EQ(error_code::kConfigInvalid, "config_invalid");
}

TEST(ProtocolJobsArgs, DefaultsToEveryJobFifty) {
  auto a = accepted(parse_jobs_args(json::object()));
  EXPECT_EQ(a.state, "");
  EXPECT_EQ(a.entity, "");
  EXPECT_EQ(a.limit, 50);
}

TEST(ProtocolJobsArgs, ReadsStateEntityAndLimit) {
  auto a = accepted(parse_jobs_args({{"state", "retry_wait"}, {"entity", "po"}, {"limit", 7}}));
  EXPECT_EQ(a.state, "retry_wait");
  EXPECT_EQ(a.entity, "po");
  EXPECT_EQ(a.limit, 7);
  EXPECT_EQ(accepted(parse_jobs_args({{"state", "active"}})).state, "active");
  EXPECT_EQ(accepted(parse_jobs_args({{"state", "finished"}})).state, "finished");
}

TEST(ProtocolJobsArgs, RefusesUnknownStatesEntitiesAndLimits) {
  EXPECT_EQ(refusal(parse_jobs_args({{"state", "stuck"}})).rfind("args.state: must be", 0), 0u);
  EXPECT_NE(refusal(parse_jobs_args({{"state", 3}})), "");
  EXPECT_NE(refusal(parse_jobs_args({{"state", "Queued"}})), "");
  EXPECT_EQ(refusal(parse_jobs_args({{"entity", "all"}})).rfind("args.entity:", 0), 0u);
  EXPECT_EQ(refusal(parse_jobs_args({{"limit", 0}})).rfind("args.limit:", 0), 0u);
  EXPECT_NE(refusal(parse_jobs_args({{"limit", 10001}})), "");
  EXPECT_EQ(refusal(parse_jobs_args({{"states", "failed"}})), "args.states: unknown field");
}

TEST(ProtocolJobsArgs, FiltersSelectTheirStates) {
  EXPECT_EQ(job_states_for_filter("active"),
            (std::vector<Outcome>{Outcome::queued, Outcome::sending, Outcome::retry_wait,
                                  Outcome::in_doubt}));
  auto finished = job_states_for_filter("finished");
  EXPECT_EQ(finished.size(), 7u);
  EXPECT_EQ(finished.front(), Outcome::delivered);
  EXPECT_EQ(job_states_for_filter("failed"), std::vector<Outcome>{Outcome::failed});
  EXPECT_TRUE(job_states_for_filter("nonsense").empty());
  EXPECT_TRUE(job_states_for_filter("").empty());
}

TEST(ProtocolJobArgs, NeedsAPositiveIntegerId) {
  EXPECT_EQ(accepted(parse_job_args({{"id", 42}})).id, 42);
  EXPECT_EQ(accepted(parse_job_args({{"id", 9223372036854775807LL}})).id, 9223372036854775807LL);
  EXPECT_EQ(refusal(parse_job_args(json::object())), "args.id: missing");
  EXPECT_EQ(refusal(parse_job_args({{"id", 0}})), "args.id: must be an integer greater than 0");
  EXPECT_NE(refusal(parse_job_args({{"id", -3}})), "");
  EXPECT_NE(refusal(parse_job_args({{"id", "42"}})), "");
  EXPECT_NE(refusal(parse_job_args({{"id", 4.5}})), "");
  EXPECT_NE(refusal(parse_job_args(json::parse(R"({"id": 1.0})"))), "");
  EXPECT_NE(refusal(parse_job_args(json::parse(R"({"id": 18446744073709551615})"))), "");
  EXPECT_EQ(refusal(parse_job_args({{"id", 1}, {"verbose", true}})), "args.verbose: unknown field");
}

TEST(ProtocolRetryArgs, ReadsIdsReasonAndWait) {
  auto a = accepted(parse_retry_args({{"ids", {41, 42}}, {"reason", "app back"}, {"wait", true}}));
  EXPECT_EQ(a.ids, (std::vector<std::int64_t>{41, 42}));
  EXPECT_FALSE(a.failed);
  EXPECT_EQ(a.reason, "app back");
  EXPECT_TRUE(a.wait);

  auto failed = accepted(parse_retry_args({{"failed", true}}));
  EXPECT_TRUE(failed.failed);
  EXPECT_TRUE(failed.ids.empty());
  EXPECT_FALSE(failed.wait);
}

TEST(ProtocolRetryArgs, NeedsExactlyOneOfIdsAndFailed) {
  EXPECT_EQ(refusal(parse_retry_args(json::object())),
            "args: give \"ids\" (job ids) or \"failed\": true");
  EXPECT_EQ(refusal(parse_retry_args({{"ids", {1}}, {"failed", true}})),
            "args: give either \"ids\" or \"failed\", not both");
  EXPECT_EQ(refusal(parse_retry_args({{"failed", false}})),
            "args.failed: must be true (or give \"ids\" instead)");
  EXPECT_EQ(refusal(parse_retry_args({{"failed", "yes"}})), "args.failed: must be true or false");
  EXPECT_EQ(refusal(parse_retry_args({{"reason", "x"}})),
            "args: give \"ids\" (job ids) or \"failed\": true");
}

TEST(ProtocolRetryArgs, IdsAreOneToAHundredPositiveIntegers) {
  EXPECT_EQ(refusal(parse_retry_args({{"ids", json::array()}})),
            "args.ids: must be an array of 1 to 100 job ids");
  EXPECT_NE(refusal(parse_retry_args({{"ids", 5}})), "");
  EXPECT_EQ(refusal(parse_retry_args({{"ids", {3, 0}}})),
            "args.ids[1]: must be an integer greater than 0");
  EXPECT_EQ(refusal(parse_retry_args({{"ids", {3, "4"}}})),
            "args.ids[1]: must be an integer greater than 0");

  json hundred = json::array();
  for (int i = 1; i <= 100; ++i) hundred.push_back(i);
  EXPECT_EQ(accepted(parse_retry_args({{"ids", hundred}})).ids.size(), 100u);
  hundred.push_back(101);
  EXPECT_NE(refusal(parse_retry_args({{"ids", hundred}})), "");
}

TEST(ProtocolRetryArgs, ReasonAndWaitAreChecked) {
  EXPECT_EQ(refusal(parse_retry_args({{"ids", {1}}, {"reason", std::string(1025, 'r')}})),
            "args.reason: must be at most 1024 bytes");
  EXPECT_EQ(refusal(parse_retry_args({{"ids", {1}}, {"wait", 1}})),
            "args.wait: must be true or false");
  EXPECT_EQ(refusal(parse_retry_args({{"ids", {1}}, {"force", true}})),
            "args.force: unknown field");
}

TEST(ProtocolPauseArgs, EntityDefaultsToAll) {
  EXPECT_EQ(accepted(parse_pause_args(json::object())).entity, "all");
  EXPECT_EQ(accepted(parse_pause_args({{"entity", "item"}})).entity, "item");
  EXPECT_EQ(accepted(parse_resume_args({{"entity", "all"}})).entity, "all");
  EXPECT_EQ(accepted(parse_resume_args(json::object())).entity, "all");
}

TEST(ProtocolPauseArgs, RefusesOtherEntitiesAndFields) {
  EXPECT_EQ(refusal(parse_pause_args({{"entity", "customer"}})),
            "args.entity: must be one of \"po\", \"item\", \"vendor\", \"all\"");
  EXPECT_NE(refusal(parse_resume_args({{"entity", nullptr}})), "");
  EXPECT_EQ(refusal(parse_pause_args({{"for", "1h"}})), "args.for: unknown field");
}

TEST(ProtocolReloadArgs, TakesNothing) {
  EXPECT_FALSE(validate_reload_args(json::object()));
  auto e = validate_reload_args({{"config", "/tmp/other.yaml"}});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "args.config: unknown field");
}

TEST(ProtocolWaitArgs, PushAndSyncTakeWait) {
  auto push = accepted(parse_push_args({{"entity", "po"}, {"keys", {"A"}}, {"wait", true}}));
  EXPECT_TRUE(push.wait);
  EXPECT_FALSE(accepted(parse_push_args({{"entity", "po"}, {"keys", {"A"}}})).wait);
  EXPECT_EQ(refusal(parse_push_args({{"entity", "po"}, {"keys", {"A"}}, {"wait", "no"}})),
            "args.wait: must be true or false");

  auto sync = accepted(parse_sync_args({{"wait", true}}));
  EXPECT_TRUE(sync.wait);
  EXPECT_EQ(sync.entity, "all");
  EXPECT_FALSE(accepted(parse_sync_args({{"entity", "po"}})).wait);
  EXPECT_EQ(refusal(parse_sync_args({{"wait", nullptr}})), "args.wait: must be true or false");
}

TEST(ProtocolPushArgs, KeysThatNoRecordCanHaveAreRefused) {
  auto push = [](const std::string& key) {
    return refusal(parse_push_args({{"entity", "po"}, {"keys", {"A", key}}}));
  };
  EXPECT_EQ(push("   "), "args.keys[1]: must not be blank");
  EXPECT_EQ(push(std::string("PO-1\0x", 6)), "args.keys[1]: must not contain control characters");
  EXPECT_EQ(push("PO\t1"), "args.keys[1]: must not contain control characters");
  EXPECT_EQ(push("\t\r\n"), "args.keys[1]: must not be blank");
  EXPECT_EQ(push("\x7f"), "args.keys[1]: must not contain control characters");
  EXPECT_EQ(accepted(parse_push_args({{"entity", "po"}, {"keys", {" PO-1\t\n"}}})).keys[0],
            " PO-1\t\n")
      << "padding is trimmed later, as the ERP's keys are";
  EXPECT_EQ(refusal(parse_show_args({{"entity", "po"}, {"key", " "}})),
            "args.key: must not be blank");
}

TEST(ProtocolValidateRequest, CoversEveryCommand) {
  const std::vector<std::pair<std::string, json>> good = {
      {"status", json::object()},
      {"list", {{"entity", "po"}}},
      {"show", {{"entity", "po"}, {"key", "X"}}},
      {"push", {{"entity", "po"}, {"keys", {"X"}}, {"wait", true}}},
      {"sync", {{"wait", true}}},
      {"audit", json::object()},
      {"jobs", {{"state", "failed"}}},
      {"job", {{"id", 1}}},
      {"retry", {{"failed", true}}},
      {"pause", json::object()},
      {"resume", {{"entity", "po"}}},
      {"reload", json::object()}};
  for (const auto& [cmd, args] : good) {
    EXPECT_FALSE(validate_request({"r1", cmd, args})) << cmd;
    // And each refuses a field it does not know, naming the request's id.
    json extra = args;
    extra["bogus"] = 1;
    auto e = validate_request({"r1", cmd, extra});
    ASSERT_TRUE(e) << cmd;
    EXPECT_EQ(e->message, "args.bogus: unknown field") << cmd;
    EXPECT_EQ(e->id, "r1");
  }
  EXPECT_EQ(good.size(), std::size(command::kAll));
}

TEST(ProtocolValidateRequest, ChecksTheNewCommandsArguments) {
  auto e = validate_request({"a", "job", {{"id", "x"}}});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "bad_request");
  EXPECT_EQ(e->id, "a");
  EXPECT_TRUE(validate_request({"a", "retry", json::object()}));
  EXPECT_TRUE(validate_request({"a", "jobs", {{"limit", -1}}}));
  EXPECT_TRUE(validate_request({"a", "pause", {{"entity", 1}}}));
  auto unknown = validate_request({"a", "jobz", json::object()});
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->code, "unknown_command");
}

}  // namespace
}  // namespace kokola
