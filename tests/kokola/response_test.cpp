#include "kokola/response.hpp"

#include <gtest/gtest.h>

#include "kokola/retry_after.hpp"

namespace kokola {
namespace {

using std::chrono::seconds;

// 1994-11-06T08:49:37Z, the RFC's example date, as "now".
const std::chrono::system_clock::time_point kNow =
    std::chrono::sys_days(std::chrono::year(1994) / 11 / 6) + std::chrono::hours(8) +
    std::chrono::minutes(49) + seconds(37);

constexpr std::string_view kPut = "PUT /v1/items/A%2F1";

HttpAnswer answer(int status, std::string_view body) {
  HttpAnswer a;
  a.status = status;
  a.body = body;
  return a;
}

TEST(ParseRetryAfter, ReadsSecondsAndClampsToOneHour) {
  EXPECT_EQ(parse_retry_after("30", kNow), seconds(30));
  EXPECT_EQ(parse_retry_after(" 0 ", kNow), seconds(0));
  EXPECT_EQ(parse_retry_after("86400", kNow), seconds(3600));
  EXPECT_EQ(parse_retry_after("99999999999999999999999", kNow), seconds(3600));
}

TEST(ParseRetryAfter, ReadsAllThreeHttpDateForms) {
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", kNow), seconds(30));
  EXPECT_EQ(parse_retry_after("Sunday, 06-Nov-94 08:51:37 GMT", kNow), seconds(120));
  EXPECT_EQ(parse_retry_after("Sun Nov  6 08:49:47 1994", kNow), seconds(10));
}

TEST(ParseRetryAfter, ClampsPastAndFarDates) {
  EXPECT_EQ(parse_retry_after("Sat, 05 Nov 1994 08:49:37 GMT", kNow), seconds(0));
  EXPECT_EQ(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", kNow), seconds(3600));
}

TEST(ParseRetryAfter, IgnoresWhatItCannotRead) {
  for (const char* bad :
       {"", "soon", "-5", "1.5", "Sun, 31 Feb 2025 00:00:00 GMT", "Sun, 06 Nov 1994 25:00:00 GMT",
        "Sun, 06 Nov 1994 08:49:37 CET", "06 Nov 1994 08:49:37 GMT"}) {
    EXPECT_EQ(parse_retry_after(bad, kNow), std::nullopt) << bad;
  }
}

TEST(ClassifyPutAnswer, CreatedIsDeliveredWithIdAndRevision) {
  auto r =
      classify_put_answer(answer(201, R"({"id":"it_7","key":"A/1","revision":3})"), kPut, kNow);
  EXPECT_EQ(r.status, SendStatus::delivered);
  EXPECT_EQ(r.http_status, 201);
  EXPECT_EQ(r.app_id, "it_7");
  EXPECT_EQ(r.app_revision, 3);
  EXPECT_EQ(r.message, "PUT /v1/items/A%2F1: 201 created: app id 'it_7', revision 3");
}

TEST(ClassifyPutAnswer, UnparsableSuccessIsInDoubt) {
  for (const char* body : {"", "ok", "[]", R"({"id":"x","key":"k"})", R"({"id":1,"key":"k",
       "revision":1})",
                           R"({"id":"x","key":"k","revision":0})"}) {
    auto r = classify_put_answer(answer(200, body), kPut, kNow);
    EXPECT_EQ(r.status, SendStatus::in_doubt) << body;
    EXPECT_EQ(r.error_code, "unparsable_answer") << body;
  }
}

TEST(ClassifyPutAnswer, ValidationFailureCarriesFieldErrors) {
  auto r = classify_put_answer(
      answer(422, R"({"code":"validation_failed","message":"invalid record","errors":[
        {"path":"lines[0].qty","message":"must be greater than 0"},
        {"path":"currency","message":"must be 3 letters"}]})"),
      "PUT /v1/purchase-orders/PO%2F1", kNow);
  EXPECT_EQ(r.status, SendStatus::rejected);
  EXPECT_EQ(r.error_code, "validation_failed");
  ASSERT_EQ(r.field_errors.size(), 2u);
  EXPECT_EQ(r.field_errors[1], (Problem{"currency", "must be 3 letters"}));
  EXPECT_EQ(r.message,
            "PUT /v1/purchase-orders/PO%2F1: 422 validation_failed: lines[0].qty: must be "
            "greater than 0 (and 1 more)");
}

TEST(ClassifyPutAnswer, StaleRevisionReportsTheAppsRevision) {
  auto r = classify_put_answer(
      answer(409, R"({"code":"stale_revision","message":"","current_revision":9})"), kPut, kNow);
  EXPECT_EQ(r.status, SendStatus::stale);
  EXPECT_EQ(r.app_revision, 9);
  EXPECT_EQ(r.message, "PUT /v1/items/A%2F1: 409 stale_revision: the app holds revision 9");
}

TEST(ClassifyPutAnswer, OtherConflictIsRejected) {
  auto r = classify_put_answer(answer(409, R"({"code":"conflict"})"), kPut, kNow);
  EXPECT_EQ(r.status, SendStatus::rejected);
}

TEST(ClassifyPutAnswer, StatusDecidesTheClass) {
  struct Case {
    int status;
    SendStatus expected;
  };
  for (Case c : {Case{401, SendStatus::auth_failed}, Case{403, SendStatus::auth_failed},
                 Case{408, SendStatus::transient}, Case{429, SendStatus::transient},
                 Case{500, SendStatus::transient}, Case{503, SendStatus::transient},
                 Case{599, SendStatus::transient}, Case{400, SendStatus::rejected},
                 Case{404, SendStatus::rejected}, Case{413, SendStatus::rejected},
                 Case{302, SendStatus::rejected}, Case{101, SendStatus::in_doubt}}) {
    EXPECT_EQ(classify_put_answer(answer(c.status, "{}"), kPut, kNow).status, c.expected)
        << c.status;
  }
}

TEST(ClassifyPutAnswer, NonJsonErrorUsesTheReasonPhrase) {
  HttpAnswer a = answer(502, "<html>Bad Gateway</html>");
  a.reason = "Bad Gateway";
  auto r = classify_put_answer(a, kPut, kNow);
  EXPECT_EQ(r.status, SendStatus::transient);
  EXPECT_EQ(r.error_code, "http_502");
  EXPECT_EQ(r.message, "PUT /v1/items/A%2F1: 502 Bad Gateway");
}

TEST(ClassifyPutAnswer, RetryAfterOnlyForTransientAnswers) {
  HttpAnswer a = answer(503, R"({"code":"unavailable","message":"maintenance"})");
  a.retry_after = "20";
  auto r = classify_put_answer(a, kPut, kNow);
  EXPECT_EQ(r.retry_after, seconds(20));
  EXPECT_EQ(r.message,
            "PUT /v1/items/A%2F1: 503 unavailable: maintenance (the app asks to retry after 20 s)");

  a.status = 422;
  EXPECT_EQ(classify_put_answer(a, kPut, kNow).retry_after, std::nullopt);
}

TEST(ClassifyPutAnswer, RedirectIsRejectedAndNamesTheTarget) {
  HttpAnswer a = answer(302, "");
  a.location = "http://elsewhere/";
  auto r = classify_put_answer(a, kPut, kNow);
  EXPECT_EQ(r.status, SendStatus::rejected);
  EXPECT_EQ(r.error_code, "redirect");
  EXPECT_NE(r.message.find("redirect to 'http://elsewhere/' not followed"), std::string::npos);
}

TEST(ClassifyPutAnswer, AppTextBecomesOneLine) {
  auto r = classify_put_answer(
      answer(400, R"({"code":"malformed_json","message":"line one\nline two\r\tend"})"), kPut,
      kNow);
  EXPECT_EQ(r.message, "PUT /v1/items/A%2F1: 400 malformed_json: line one line two  end");
}

TEST(ClassifyPutAnswer, DeeplyNestedBodyIsUnparsable) {
  std::string deep(200, '[');
  deep += std::string(200, ']');
  auto r = classify_put_answer(answer(200, deep), kPut, kNow);
  EXPECT_EQ(r.status, SendStatus::in_doubt);
}

TEST(ClassifyGetAnswer, FoundRecordKeepsItsBody) {
  auto f = classify_get_answer(
      answer(200, R"({"id":"v_1","key":"V1","revision":4,"record":{"b":1,"a":"x"}})"),
      "GET /v1/vendors/V1", kNow);
  EXPECT_TRUE(f.found);
  EXPECT_EQ(f.status.status, SendStatus::delivered);
  EXPECT_EQ(f.revision, 4);
  EXPECT_EQ(f.app_id, "v_1");
  EXPECT_EQ(f.body, R"({"a":"x","b":1})");
}

TEST(ClassifyGetAnswer, NotFoundIsAnAnswerNotAFailure) {
  auto f = classify_get_answer(answer(404, R"({"code":"not_found","message":"no such record"})"),
                               "GET /v1/vendors/V1", kNow);
  EXPECT_FALSE(f.found);
  EXPECT_EQ(f.status.status, SendStatus::delivered);
  EXPECT_EQ(f.status.http_status, 404);
  EXPECT_EQ(f.status.error_code, "not_found");
}

TEST(ClassifyGetAnswer, UnreadableRecordIsTransient) {
  auto f = classify_get_answer(answer(200, R"({"id":"v_1","key":"V1","revision":4})"),
                               "GET /v1/vendors/V1", kNow);
  EXPECT_FALSE(f.found);
  EXPECT_EQ(f.status.status, SendStatus::transient);
  EXPECT_EQ(f.status.error_code, "unparsable_answer");
}

TEST(OneLine, CutsLongTextOnACharacterBoundary) {
  std::string text =
      "ab\xC3\xA9"
      "cd";  // "abécd"
  EXPECT_EQ(one_line(text, 3), "ab...");
  EXPECT_EQ(one_line(text, 4), "ab\xC3\xA9...");
  EXPECT_EQ(one_line("bad \xFF byte"), "bad \\xFF byte");
}

TEST(Redact, RemovesTheSecretFromEveryText) {
  SendResult r;
  r.message = "401 unauthorized: token s3cr3t-token rejected";
  r.field_errors = {{"headers.authorization", "Bearer s3cr3t-token"}};
  redact(r, "s3cr3t-token");
  EXPECT_EQ(r.message, "401 unauthorized: token [redacted] rejected");
  EXPECT_EQ(r.field_errors[0].message, "Bearer [redacted]");
}

}  // namespace
}  // namespace kokola
