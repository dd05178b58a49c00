#include "../../ctl/render.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "kokola/exit_codes.hpp"

namespace kokola::ctl {
namespace {

nlohmann::json push_result(const std::string& entity, const std::string& key,
                           const std::string& outcome) {
  return {{"entity", entity},
          {"key", key},
          {"outcome", outcome},
          {"reason_code", ""},
          {"message", ""},
          {"job", nullptr},
          {"revision", nullptr},
          {"app_id", nullptr},
          {"http_status", nullptr},
          {"problems", nlohmann::json::array()},
          {"dependencies", nlohmann::json::array()},
          {"dry_run", false}};
}

nlohmann::json example_push() {
  auto delivered = push_result("po", "PWU2012502-0000517", "delivered");
  delivered["job"] = 12;
  delivered["revision"] = 1;
  delivered["app_id"] = "po_000017";
  auto vendor = push_result("vendor", "V-0042", "delivered");
  vendor["job"] = 10;
  vendor["revision"] = 1;
  delivered["dependencies"] = {vendor, push_result("item", "BRG-00017", "unchanged")};

  auto not_ready = push_result("po", "PWU2012502-0000518", "not_ready");
  not_ready["message"] = "status 'DRAFT' is not one of the ready statuses (APPROVED)";
  auto invalid = push_result("po", "PWU2012502-0000519", "invalid");
  invalid["problems"] = {
      {{"path", "total"},
       {"message", "total 1500001 does not match the lines: 1500000 (difference 1)"}}};
  return {{"results", {delivered, not_ready, invalid}}};
}

std::string rendered(std::string_view cmd, const nlohmann::json& data) {
  std::ostringstream out;
  render_result(cmd, data, out);
  return out.str();
}

TEST(RenderPush, ShowsEachKeyItsDependenciesAndProblems) {
  EXPECT_EQ(rendered("push", example_push()),
            "po PWU2012502-0000517: delivered (job 12, revision 1, app id po_000017)\n"
            "  vendor V-0042: delivered (job 10, revision 1)\n"
            "  item BRG-00017: unchanged\n"
            "po PWU2012502-0000518: not ready: status 'DRAFT' is not one of the ready "
            "statuses (APPROVED)\n"
            "po PWU2012502-0000519: invalid\n"
            "  total: total 1500001 does not match the lines: 1500000 (difference 1)\n");
}

TEST(RenderPush, ExitCodeIsTheHighestOverResultsAndDependencies) {
  EXPECT_EQ(exit_code_for_result("push", example_push()), kExitInvalid);

  auto data = example_push();
  data["results"][0]["dependencies"][0]["outcome"] = "in_doubt";
  EXPECT_EQ(exit_code_for_result("push", data), kExitInDoubt);

  nlohmann::json ok = {{"results", {push_result("item", "A", "unchanged")}}};
  EXPECT_EQ(exit_code_for_result("push", ok), kExitOk);
}

TEST(RenderPush, NoAnswerShowsNoHttpStatus) {
  auto doubt = push_result("po", "PO-1", "in_doubt");
  doubt["job"] = 711;
  doubt["http_status"] = 0;
  const std::string out = rendered("push", {{"results", {doubt}}});
  EXPECT_EQ(out.find("HTTP"), std::string::npos) << out;
  EXPECT_NE(out.find("job 711"), std::string::npos) << out;
}

TEST(RenderPush, AuthFailureGivesItsOwnExitCode) {
  auto r = push_result("item", "A", "rejected");
  r["reason_code"] = "app_auth";
  r["http_status"] = 401;
  r["message"] = "token refused";
  nlohmann::json data = {{"results", {r}}};
  EXPECT_EQ(exit_code_for_result("push", data), kExitAppAuth);
  EXPECT_EQ(rendered("push", data), "item A: rejected by the app (HTTP 401): token refused\n");
}

TEST(RenderPush, UnknownOutcomeIsAProtocolError) {
  nlohmann::json data = {{"results", {push_result("po", "X", "exploded")}}};
  EXPECT_EQ(exit_code_for_result("push", data), kExitProtocol);
  EXPECT_EQ(exit_code_for_result("push", {{"nothing", 1}}), kExitProtocol);
}

TEST(RenderList, PrintsKeyDashLabel) {
  nlohmann::json data = {
      {"entity", "po"},
      {"records",
       {{{"key", "PWU2012502-0000517"}, {"label", "SURYA INDAH PLASTIK"}, {"state", "ready"}},
        {{"key", "BARE"}, {"label", ""}, {"state", "ready"}}}}};
  EXPECT_EQ(rendered("list", data), "PWU2012502-0000517 - SURYA INDAH PLASTIK\nBARE\n");
}

TEST(RenderSync, OneLinePerRunWithFailures) {
  nlohmann::json data = {
      {"runs",
       {{{"entity", "vendor"},
         {"duration_ms", 812},
         {"counts", {{"unchanged", 47}, {"delivered", 3}, {"invalid", 1}}},
         {"failures", {{{"key", "V-9"}, {"outcome", "invalid"}, {"message", "tax id"}}}}}}}};
  EXPECT_EQ(rendered("sync", data),
            "vendor: 812 ms, delivered 3, unchanged 47, invalid 1\n  V-9: invalid: tax id\n");
  EXPECT_EQ(exit_code_for_result("sync", data), kExitOk);
}

TEST(RenderSync, ARunThatFailedSaysSoAndExitsOne) {
  nlohmann::json data = {
      {"runs",
       {{{"entity", "vendor"}, {"duration_ms", 40}, {"counts", {{"unchanged", 2}}}, {"error", ""}},
        {{"entity", "po"},
         {"duration_ms", 26},
         {"counts", nlohmann::json::object()},
         {"failures", nlohmann::json::array()},
         {"error", "reading view 'kokola_purchase_orders' from '/srv/erp.db': no such table"}}}}};
  EXPECT_EQ(
      rendered("sync", data),
      "vendor: 40 ms, unchanged 2\n"
      "po: failed: reading view 'kokola_purchase_orders' from '/srv/erp.db': no such table\n");
  EXPECT_EQ(exit_code_for_result("sync", data), kExitError);

  data["runs"][1]["error"] = "";
  EXPECT_EQ(exit_code_for_result("sync", data), kExitOk);
}

TEST(RenderStatus, DegradedExitsEightAndListsReasons) {
  nlohmann::json data = {
      {"version", "0.1.0"},
      {"pid", 42},
      {"uptime_s", 3725},
      {"started_at", "2025-06-02T08:00:00+07:00"},
      {"app", {{"base_url", "https://app"}, {"reachable", false}, {"last_error", "timeout"}}},
      {"entities",
       {{"po",
         {{"enabled", true},
          {"interval_s", 300},
          {"next_run_in_s", 250},
          {"running", false},
          {"last_run", {{"started_at", "T1"}, {"duration_ms", 5}, {"counts", {{"failed", 2}}}}}}}}},
      {"degraded", true},
      {"degraded_reasons", {"app unreachable"}}};
  std::string text = rendered("status", data);
  EXPECT_NE(text.find("up 1h 02m"), std::string::npos) << text;
  EXPECT_NE(text.find("https://app: unreachable (timeout)"), std::string::npos) << text;
  EXPECT_NE(text.find("every 5m 00s"), std::string::npos) << text;
  EXPECT_NE(text.find("in 4m 10s"), std::string::npos) << text;
  EXPECT_NE(text.find("failed 2"), std::string::npos) << text;
  EXPECT_NE(text.find("DEGRADED\n  app unreachable"), std::string::npos) << text;
  EXPECT_EQ(exit_code_for_result("status", data), kExitDegraded);
  data["degraded"] = false;
  EXPECT_EQ(exit_code_for_result("status", data), kExitOk);

  data["app"]["problem"] = "is limiting the rate of requests";
  data["app"]["last_error"] = "PUT /v1/items/A: 429 rate_limited";
  text = rendered("status", data);
  EXPECT_NE(text.find("https://app: limiting the rate of requests (PUT /v1/items/A: 429"),
            std::string::npos)
      << "an app that answers is not unreachable\n"
      << text;
}

TEST(RenderShow, NotFoundSaysSoAndExitsTwo) {
  nlohmann::json data = {{"entity", "po"}, {"key", "NOPE"}, {"found", false}};
  EXPECT_EQ(rendered("show", data), "po NOPE: not found in the ERP\n");
  EXPECT_EQ(exit_code_for_result("show", data), kExitNotReady);
}

TEST(RenderShow, PrintsProblemsAndThePayload) {
  nlohmann::json data = {
      {"entity", "item"},
      {"key", "BRG-1"},
      {"found", true},
      {"readiness", {{"sendable", true}, {"readiness", "ready"}, {"reason", ""}}},
      {"valid", false},
      {"problems", {{{"path", "barcode"}, {"message", "not 13 digits"}}}},
      {"payload", {{"code", "BRG-1"}}},
      {"ledger", nullptr},
      {"last_receipt", nullptr}};
  std::string text = rendered("show", data);
  EXPECT_NE(text.find("sendable:      yes (ready)"), std::string::npos) << text;
  EXPECT_NE(text.find("    barcode: not 13 digits\n"), std::string::npos) << text;
  EXPECT_NE(text.find("never delivered"), std::string::npos) << text;
  EXPECT_NE(text.find("payload:\n{\n  \"code\": \"BRG-1\"\n}\n"), std::string::npos) << text;
}

TEST(RenderShow, DependenciesAndTheLastReceiptInShort) {
  nlohmann::json data = {
      {"entity", "po"},
      {"key", "PO-1"},
      {"found", true},
      {"readiness", {{"sendable", true}, {"readiness", "ready"}, {"reason", ""}}},
      {"valid", true},
      {"problems", nlohmann::json::array()},
      {"dependencies",
       {{{"entity", "vendor"},
         {"key", "V-1"},
         {"state", "unchanged"},
         {"message", "delivered at its current version"}},
        {{"entity", "item"},
         {"key", "I-1"},
         {"state", "to_send"},
         {"message", "would send an update before the PO"}}}},
      {"payload", {{"number", "PO-1"}}},
      {"ledger", nullptr},
      {"last_receipt",
       {{"job", 12},
        {"state", "delivered"},
        {"finished_at", "2026-12-03T03:15:00Z"},
        {"requested_by", "uid 0 (root)"},
        {"reason", "urgent"},
        {"message", "created in the app"},
        {"idempotency_key", "3f9a"}}}};
  std::string text = rendered("show", data);
  EXPECT_NE(text.find("    vendor V-1: unchanged: delivered at its current version\n"
                      "    item I-1: to_send: would send an update before the PO\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  last receipt:  job 12, delivered 2026-12-03T03:15:00Z\n"
                      "                 requested by uid 0 (root): urgent\n"
                      "                 created in the app\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("3f9a"), std::string::npos) << "the whole receipt is `kokolactl job`";
}

TEST(RenderResult, ToleratesMistypedFields) {
  nlohmann::json data = {{"results", {{{"entity", 5}, {"dependencies", "x"}, {"problems", 3}}}}};
  EXPECT_NO_THROW(rendered("push", data));
  EXPECT_NO_THROW(rendered("status", {{"entities", 1}, {"app", "x"}}));
  EXPECT_NO_THROW(rendered("show", {{"found", true}, {"readiness", 2}, {"problems", {1, 2}}}));
}

TEST(RenderProgress, DescribesPushStagesAndSyncCounts) {
  EXPECT_EQ(
      render_progress(
          "push",
          {{"entity", "po"}, {"key", "X"}, {"stage", "dependencies"}, {"message", "vendor V-1"}}),
      "po X: dependencies: vendor V-1");
  EXPECT_EQ(render_progress("sync", {{"entity", "item"}, {"processed", 120}}),
            "item: 120 processed");
}

}  // namespace
}  // namespace kokola::ctl
