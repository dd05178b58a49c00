// The human form and the exit codes of the durable-delivery answers (docs/kokolactl.md),
// against canned result data as docs/control-protocol.md describes it.
#include <gtest/gtest.h>

#include <sstream>

#include "../../ctl/render.hpp"
#include "kokola/exit_codes.hpp"

namespace kokola::ctl {
namespace {

using nlohmann::json;

std::string rendered(std::string_view cmd, const json& data) {
  std::ostringstream out;
  render_result(cmd, data, out);
  return out.str();
}

json job_summary(int id, const std::string& key, const std::string& state) {
  return {{"id", id},
          {"entity", "po"},
          {"key", key},
          {"state", state},
          {"origin", "manual"},
          {"requested_by", "uid 1000 (alice)"},
          {"created_at", "2026-12-03T11:59:00Z"},
          {"finished_at", ""},
          {"tries", 0},
          {"next_attempt_at", ""},
          {"revision", 7},
          {"reason_code", ""},
          {"message", ""}};
}

TEST(RenderJobs, AlignedTableWithNextAttemptOrFinishedTime) {
  auto waiting = job_summary(42, "PWU2012502-0000517", "retry_wait");
  waiting["tries"] = 3;
  waiting["next_attempt_at"] = "2026-12-03T12:00:03Z";
  waiting["message"] = "HTTP 503 from the app";
  auto done = job_summary(7, "P-1", "delivered");
  done["tries"] = 1;
  done["finished_at"] = "2026-12-03T11:00:00Z";

  EXPECT_EQ(rendered("jobs", {{"jobs", {waiting, done}}}),
            "ID  ENTITY  KEY                 STATE       TRIES  WHEN                       "
            "MESSAGE\n"
            "42  po      PWU2012502-0000517  retry_wait  3      next 2026-12-03T12:00:03Z  "
            "HTTP 503 from the app\n"
            "7   po      P-1                 delivered   1      2026-12-03T11:00:00Z       -\n");
  EXPECT_EQ(exit_code_for_result("jobs", {{"jobs", {waiting}}}), kExitOk);
}

TEST(RenderJobs, NoJobsSaysSo) {
  EXPECT_EQ(rendered("jobs", {{"jobs", json::array()}}), "no jobs\n");
}

TEST(RenderJobs, LongMessagesAreCutAtACharacterBoundary) {
  auto j = job_summary(1, "K", "failed");
  j["message"] = std::string(57, 'a') + "\xc3\xa9" + std::string(10, 'b') + "\nsecond line";
  std::string text = rendered("jobs", {{"jobs", {j}}});
  EXPECT_NE(text.find(std::string(57, 'a') + "...\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("second"), std::string::npos) << text;
}

TEST(RenderTrimmed, KeepsShortTextAndFlattensControlCharacters) {
  EXPECT_EQ(render::trimmed("two\nlines", 60), "two lines");
  EXPECT_EQ(render::trimmed("abcdefghij", 8), "abcde...");
  EXPECT_EQ(render::trimmed("abcd\xe2\x80\x94xyz", 8), "abcd...");
}

json receipt() {
  auto j = job_summary(42, "PWU2012502-0000517", "delivered");
  j["tries"] = 2;
  j["finished_at"] = "2026-12-03T12:00:04Z";
  j["reason_code"] = "";
  j["reason"] = "vendor waiting";
  j["force"] = false;
  j["idempotency_key"] = "job-42-3f9a";
  j["content_hash"] = "9f2c1e";
  j["app_id"] = "po_000017";
  j["verdicts"] = {{"readiness", "ready"}, {"valid", true}};
  j["attempts"] = {{{"number", 1},
                    {"started_at", "2026-12-03T12:00:00Z"},
                    {"http_status", 503},
                    {"latency_ms", 120},
                    {"error", "unavailable"}},
                   {{"number", 2},
                    {"started_at", "2026-12-03T12:00:04Z"},
                    {"http_status", 200},
                    {"latency_ms", 35},
                    {"error", ""}}};
  return j;
}

TEST(RenderJob, ReceiptWithEveryAttempt) {
  EXPECT_EQ(rendered("job", receipt()),
            "job 42: po PWU2012502-0000517\n"
            "  state:           delivered\n"
            "  origin:          manual, requested by uid 1000 (alice)\n"
            "  reason:          vendor waiting\n"
            "  created:         2026-12-03T11:59:00Z\n"
            "  finished:        2026-12-03T12:00:04Z\n"
            "  tries:           2\n"
            "  revision:        7\n"
            "  content hash:    9f2c1e\n"
            "  idempotency key: job-42-3f9a\n"
            "  app id:          po_000017\n"
            "  verdicts:\n"
            "    readiness: ready\n"
            "    valid: yes\n"
            "  attempts:\n"
            "    #  STARTED               HTTP  LATENCY  ERROR\n"
            "    1  2026-12-03T12:00:00Z  503   120 ms   unavailable\n"
            "    2  2026-12-03T12:00:04Z  200   35 ms    -\n");
}

TEST(RenderJob, DependenciesAndProblemsAreListedOnePerLine) {
  auto j = receipt();
  j["verdicts"] = {
      {"dependencies",
       {{{"entity", "vendor"}, {"key", "V-1"}, {"outcome", "queued"}, {"job", 7}},
        {{"entity", "item"}, {"key", "I-2"}, {"outcome", "unchanged"}, {"job", nullptr}}}},
      {"problems", json::array()}};
  std::string out = rendered("job", j);
  EXPECT_NE(out.find("    dependencies:\n"
                     "      vendor V-1: queued (job 7)\n"
                     "      item I-2: unchanged\n"
                     "    problems: none\n"),
            std::string::npos)
      << out;

  j["verdicts"] = {{"problems", {{{"path", "lines[2].qty"}, {"message", "must be positive"}}}}};
  out = rendered("job", j);
  EXPECT_NE(out.find("    problems:\n      lines[2].qty: must be positive\n"), std::string::npos)
      << out;
}

TEST(RenderJob, NoAnswerAndNoRevisionShowAsSuch) {
  auto j = receipt();
  j["revision"] = 0;
  j["attempts"][0]["http_status"] = 0;
  const std::string out = rendered("job", j);
  EXPECT_EQ(out.find("revision:"), std::string::npos) << "a job never sent has none\n" << out;
  EXPECT_NE(out.find("    1  2026-12-03T12:00:00Z  -     120 ms   unavailable\n"),
            std::string::npos)
      << out;
}

TEST(RenderJob, ExitCodeFollowsTheJobsState) {
  auto j = receipt();
  EXPECT_EQ(exit_code_for_result("job", j), kExitOk);
  j["state"] = "retry_wait";
  EXPECT_EQ(exit_code_for_result("job", j), kExitQueued);
  j["state"] = "failed";
  j["reason_code"] = "app_transient";
  EXPECT_EQ(exit_code_for_result("job", j), kExitAppUnavailable);
  j["state"] = "lost";
  EXPECT_EQ(exit_code_for_result("job", j), kExitProtocol);
}

TEST(RenderJob, AJobNotSentYetHasNoAttempts) {
  auto j = job_summary(5, "P-9", "queued");
  j["attempts"] = json::array();
  std::string text = rendered("job", j);
  EXPECT_NE(text.find("  attempts:        none\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("finished"), std::string::npos) << text;
}

json push_result(const std::string& key, const std::string& outcome) {
  return {{"entity", "po"},
          {"key", key},
          {"outcome", outcome},
          {"reason_code", ""},
          {"message", ""},
          {"job", nullptr},
          {"revision", nullptr},
          {"app_id", nullptr},
          {"problems", json::array()},
          {"dependencies", json::array()},
          {"dry_run", false}};
}

TEST(RenderPushQueued, SaysQueuedAsJobOnceAndExitsNine) {
  auto r = push_result("PWU2012502-0000517", "queued");
  r["job"] = 42;
  r["reason_code"] = "app_transient";
  r["message"] =
      "queued as job 42: the app is rate-limited until 2026-12-03T12:00:03Z; `kokolactl job 42` "
      "follows it";
  json data = {{"results", {r}}};
  EXPECT_EQ(rendered("push", data),
            "po PWU2012502-0000517: queued as job 42: the app is rate-limited until "
            "2026-12-03T12:00:03Z; `kokolactl job 42` follows it\n");
  EXPECT_EQ(exit_code_for_result("push", data), kExitQueued);

  data["results"][0]["outcome"] = "retry_wait";
  data["results"][0]["message"] = "HTTP 503 from the app";
  EXPECT_EQ(rendered("push", data),
            "po PWU2012502-0000517: queued as job 42 (waiting to retry): HTTP 503 from the app\n");
  EXPECT_EQ(exit_code_for_result("push", data), kExitQueued);

  data["results"][0]["outcome"] = "in_doubt";
  EXPECT_EQ(exit_code_for_result("push", data), kExitInDoubt);
}

TEST(RenderPushQueued, AFailureOutranksAQueuedRecord) {
  auto queued = push_result("A", "queued");
  queued["job"] = 1;
  json data = {{"results", {queued, push_result("B", "invalid")}}};
  EXPECT_EQ(exit_code_for_result("push", data), kExitInvalid);
  data = {{"results", {queued, push_result("B", "delivered")}}};
  EXPECT_EQ(exit_code_for_result("push", data), kExitQueued);
}

TEST(RenderPushQueued, ADryRunThatWouldSendExitsZero) {
  auto r = push_result("A", "queued");
  r["dry_run"] = true;
  r["message"] = "would send a new record";
  json data = {{"results", {r}}};
  EXPECT_EQ(exit_code_for_result("push", data), kExitOk);
  EXPECT_EQ(rendered("push", data), "po A: queued (dry run): would send a new record\n");
}

TEST(CtlExitCodes, QueuedRanksBetweenSuccessAndEveryFailure) {
  EXPECT_EQ(combine_exit_codes(kExitOk, kExitQueued), kExitQueued);
  EXPECT_EQ(combine_exit_codes(kExitQueued, kExitOk), kExitQueued);
  EXPECT_EQ(combine_exit_codes(kExitQueued, kExitError), kExitError);
  EXPECT_EQ(combine_exit_codes(kExitInDoubt, kExitQueued), kExitInDoubt);
  EXPECT_EQ(combine_exit_codes(kExitInvalid, kExitNotReady), kExitInvalid);
  EXPECT_EQ(combine_exit_codes(kExitQueued, kExitQueued), kExitQueued);
  EXPECT_EQ(exit_code_for(Outcome::sending, ""), kExitQueued);
  EXPECT_EQ(exit_code_for(Outcome::retry_wait, "app_unreachable"), kExitQueued);
  EXPECT_EQ(exit_code_for(Outcome::retry_wait, "app_auth"), kExitAppAuth);
  EXPECT_EQ(exit_code_for(Outcome::retry_wait, "app_tls"), kExitAppUnavailable);
  EXPECT_EQ(combine_exit_codes(kExitAppAuth, kExitQueued), kExitAppAuth);
  EXPECT_EQ(exit_code_for(Outcome::in_doubt, ""), kExitInDoubt);
  EXPECT_EQ(exit_code_for(Outcome::failed, "app_unreachable"), kExitAppUnavailable);
}

TEST(RenderRetry, EachResultNamesTheJobItRetries) {
  auto again = push_result("P-1", "delivered");
  again["retry_of"] = 41;
  again["job"] = 57;
  again["revision"] = 3;
  json unknown = {{"retry_of", 999},
                  {"outcome", "failed"},
                  {"reason_code", "not_found"},
                  {"message", "no such job"}};
  json data = {{"results", {again, unknown}}};
  EXPECT_EQ(rendered("retry", data),
            "retry of job 41: po P-1: delivered (job 57, revision 3)\n"
            "retry of job 999: failed: no such job\n");
  EXPECT_EQ(exit_code_for_result("retry", data), kExitNotReady);
}

TEST(RenderPause, SaysWhatIsPaused) {
  EXPECT_EQ(rendered("pause", {{"paused", {"item", "po"}}}),
            "paused: item, po (the schedule only: manual pushes and queued jobs still go)\n");
  EXPECT_EQ(rendered("resume", {{"paused", json::array()}}), "no schedule is paused\n");
  EXPECT_EQ(exit_code_for_result("pause", {{"paused", {"po"}}}), kExitOk);
}

TEST(RenderReload, PrintsTheGeneration) {
  json data = {{"config", "/etc/kokola-sync/kokola-sync.yaml"}, {"config_generation", 4}};
  EXPECT_EQ(rendered("reload", data),
            "configuration reloaded from /etc/kokola-sync/kokola-sync.yaml (generation 4)\n");
  EXPECT_EQ(exit_code_for_result("reload", data), kExitOk);
}

TEST(RenderSyncStarted, SaysWhichRunsStarted) {
  json data = {{"runs",
                {{{"entity", "vendor"}, {"started", true}},
                 {{"entity", "po"},
                  {"started", false},
                  {"message", "a po run is already queued and has not begun"}}}}};
  EXPECT_EQ(rendered("sync", data),
            "vendor: run started\n"
            "po: not started: a po run is already queued and has not begun\n"
            "follow it with `kokolactl status`, or run `kokolactl sync --wait`\n");
  EXPECT_EQ(exit_code_for_result("sync", data), kExitOk);
}

TEST(RenderProgress, SyncCountsAndPushRetryWait) {
  EXPECT_EQ(render_progress("sync", {{"entity", "item"},
                                     {"processed", 1200},
                                     {"queued", 35},
                                     {"delivered", 30},
                                     {"unchanged", 1100},
                                     {"failed", 0}}),
            "item: 1200 processed: queued 35, delivered 30, unchanged 1100");
  EXPECT_EQ(render_progress("push", {{"entity", "po"},
                                     {"key", "X"},
                                     {"stage", "retry_wait"},
                                     {"job", 42},
                                     {"next_attempt_at", "2026-12-03T12:00:03Z"},
                                     {"message", "HTTP 503"}}),
            "po X: retry_wait (job 42, next attempt 2026-12-03T12:00:03Z): HTTP 503");
}

json status_with_delivery() {
  return {{"version", "0.2.0"},
          {"pid", 42},
          {"uptime_s", 60},
          {"config", "/etc/k.yaml"},
          {"config_generation", 3},
          {"last_reload", {{"at", "2026-12-03T10:00:00Z"}, {"ok", false}, {"message", "bad key"}}},
          {"delivery",
           {{"senders", 4},
            {"queue_depth", 12},
            {"in_flight", 2},
            {"rate_limited_until", "2026-12-03T12:00:03Z"},
            {"backoff_until", nullptr},
            {"retries", 37}}},
          {"entities",
           {{"po",
             {{"enabled", true},
              {"interval_s", 300},
              {"next_run_in_s", 10},
              {"running", false},
              {"paused", true},
              {"queue", {{"queued", 3}, {"retry_wait", 1}, {"in_doubt", 0}}},
              {"in_flight", 2},
              {"last_run", nullptr}}},
            {"item",
             {{"enabled", true},
              {"interval_s", 300},
              {"next_run_in_s", 10},
              {"running", false},
              {"paused", false},
              {"queue", {{"queued", 0}, {"retry_wait", 0}, {"in_doubt", 0}}},
              {"in_flight", 0},
              {"last_run", nullptr}}}}},
          {"degraded", true},
          {"degraded_reasons", {"po is paused"}}};
}

TEST(RenderStatus, ShowsPausedQueueDeliveryAndReload) {
  std::string text = rendered("status", status_with_delivery());
  EXPECT_NE(text.find("PAUSED (every 5m 00s)"), std::string::npos) << text;
  EXPECT_NE(text.find("queued 3, sending 2, retry_wait 1"), std::string::npos) << text;
  EXPECT_NE(text.find("4 senders, queue 12, in flight 2, 37 retries since start; rate-limited "
                      "until 2026-12-03T12:00:03Z\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("/etc/k.yaml (generation 3, reload at 2026-12-03T10:00:00Z refused: "
                      "bad key)"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("backing off"), std::string::npos) << text;
  EXPECT_EQ(exit_code_for_result("status", status_with_delivery()), kExitDegraded);
}

TEST(RenderStatus, AnEntityWithNothingQueuedShowsADash) {
  std::string text = rendered("status", status_with_delivery());
  auto item = text.find("\nitem ");
  ASSERT_NE(item, std::string::npos) << text;
  std::istringstream row(text.substr(item + 1, text.find('\n', item + 1) - item - 1));
  std::vector<std::string> cells;
  for (std::string cell; row >> cell;) cells.push_back(cell);
  // item, every, 5m, 00s, never, -, in, 10s, QUEUE, COUNTS
  ASSERT_EQ(cells.size(), 10u) << text;
  EXPECT_EQ(cells[8], "-");
}

}  // namespace
}  // namespace kokola::ctl
