#include "kokola/protocol.hpp"

#include <gtest/gtest.h>

#include <string>

namespace kokola {
namespace {

Request parse_ok(std::string_view line) {
  auto parsed = parse_request(line);
  if (const auto* e = error_of(parsed)) ADD_FAILURE() << e->code << ": " << e->message;
  return std::holds_alternative<Request>(parsed) ? std::get<Request>(parsed) : Request{};
}

ProtocolError parse_error(std::string_view line) {
  auto parsed = parse_request(line);
  if (const auto* e = error_of(parsed)) return *e;
  ADD_FAILURE() << "accepted: " << line;
  return {};
}

std::optional<ProtocolError> validate(std::string_view line) {
  return validate_request(parse_ok(line));
}

TEST(ParseRequest, ReadsAWellFormedRequest) {
  auto req = parse_ok(R"({"v":1,"id":"a1","cmd":"push","args":{"entity":"po","keys":["X"]}})");
  EXPECT_EQ(req.id, "a1");
  EXPECT_EQ(req.cmd, "push");
  EXPECT_EQ(req.args["keys"][0], "X");
}

TEST(ParseRequest, AbsentArgsBecomeAnEmptyObject) {
  auto req = parse_ok(R"({"v":1,"id":"s","cmd":"status"})");
  EXPECT_TRUE(req.args.is_object());
  EXPECT_TRUE(req.args.empty());
}

TEST(ParseRequest, InvalidJsonIsBadRequestWithoutIdAndCloses) {
  auto e = parse_error(R"({"v":1,"id":"a1",)");
  EXPECT_EQ(e.code, "bad_request");
  EXPECT_FALSE(e.id.has_value());
  EXPECT_TRUE(e.close);
}

TEST(ParseRequest, InvalidUtf8IsRefusedAndCloses) {
  std::string line = "{\"v\":1,\"id\":\"a\xff\",\"cmd\":\"status\"}";
  auto e = parse_error(line);
  EXPECT_EQ(e.code, "bad_request");
  EXPECT_NE(e.message.find("UTF-8"), std::string::npos);
  EXPECT_TRUE(e.close);
}

TEST(ParseRequest, NlohmannAloneAlsoRefusesInvalidUtf8InStrings) {
  // The parser's own check, relied upon as a second line of defence.
  auto doc = nlohmann::json::parse("\"a\xc3\x28\"", nullptr, false);
  EXPECT_TRUE(doc.is_discarded());
}

TEST(ParseRequest, OverlongAndSurrogateSequencesAreNotUtf8) {
  EXPECT_FALSE(is_valid_utf8_text("\xc0\xaf"));
  EXPECT_FALSE(is_valid_utf8_text("\xed\xa0\x80"));
  EXPECT_FALSE(is_valid_utf8_text("\xf4\x90\x80\x80"));
  EXPECT_TRUE(is_valid_utf8_text("SURYA INDAH \xe2\x80\x94 Jakarta \xf0\x9f\x93\xa6"));
}

TEST(ParseRequest, TooLongLineIsTooLarge) {
  std::string line(kMaxMessageBytes, 'x');
  auto e = parse_error(line);
  EXPECT_EQ(e.code, "too_large");
  EXPECT_TRUE(e.close);
}

TEST(ParseRequest, WrongVersionIsUnsupportedAndKeepsTheId) {
  auto e = parse_error(R"({"v":2,"id":"a1","cmd":"status"})");
  EXPECT_EQ(e.code, "unsupported_version");
  EXPECT_EQ(e.id, "a1");
  EXPECT_FALSE(e.close);
}

TEST(ParseRequest, IdMustBeOneToSixtyFourChars) {
  EXPECT_EQ(parse_error(R"({"v":1,"id":"","cmd":"status"})").message, "id: must be 1 to 64 chars");
  std::string long_id = R"({"v":1,"id":")" + std::string(65, 'i') + R"(","cmd":"status"})";
  EXPECT_EQ(parse_error(long_id).code, "bad_request");
  EXPECT_EQ(parse_error(R"({"v":1,"id":7,"cmd":"status"})").message, "id: must be a string");
  std::string max_id = R"({"v":1,"id":")" + std::string(64, 'i') + R"(","cmd":"status"})";
  EXPECT_EQ(parse_ok(max_id).id.size(), 64u);
}

TEST(ParseRequest, UnknownCommandNamesIt) {
  auto e = parse_error(R"({"v":1,"id":"a1","cmd":"explode"})");
  EXPECT_EQ(e.code, "unknown_command");
  EXPECT_EQ(e.id, "a1");
  EXPECT_NE(e.message.find("explode"), std::string::npos);
}

TEST(ParseRequest, ArgsMustBeAnObject) {
  auto e = parse_error(R"({"v":1,"id":"a1","cmd":"status","args":[]})");
  EXPECT_EQ(e.message, "args: must be an object");
}

TEST(ParseRequest, UnknownTopLevelFieldIsRefused) {
  auto e = parse_error(R"({"v":1,"id":"a1","cmd":"status","user":"root"})");
  EXPECT_EQ(e.message, "user: unknown field");
  EXPECT_EQ(e.id, "a1");
}

TEST(ValidateRequest, NamesTheBadKeyByIndex) {
  auto e = validate(R"({"v":1,"id":"a","cmd":"push","args":{"entity":"po","keys":["A","B",""]}})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "bad_request");
  EXPECT_EQ(e->message, "args.keys[2]: must be a non-empty string");
  EXPECT_EQ(e->id, "a");
}

TEST(ValidateRequest, RefusesMoreThanAHundredKeys) {
  nlohmann::json keys = nlohmann::json::array();
  for (int i = 0; i < 101; ++i) keys.push_back("K" + std::to_string(i));
  Request req{"a", "push", {{"entity", "po"}, {"keys", keys}}};
  auto e = validate_request(req);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message.rfind("args.keys:", 0), 0u);
  keys.erase(keys.size() - 1);
  req.args["keys"] = keys;
  EXPECT_FALSE(validate_request(req));
}

TEST(ValidateRequest, RefusesAKeyLongerThan512Bytes) {
  Request req{"a", "show", {{"entity", "item"}, {"key", std::string(513, 'k')}}};
  auto e = validate_request(req);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "args.key: must be at most 512 bytes");
}

TEST(ValidateRequest, RefusesAnUnknownEntity) {
  auto e = validate(R"({"v":1,"id":"a","cmd":"list","args":{"entity":"customer"}})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message.rfind("args.entity:", 0), 0u);
}

TEST(ValidateRequest, LimitMustBeAnIntegerInRange) {
  EXPECT_TRUE(validate(R"({"v":1,"id":"a","cmd":"list","args":{"entity":"po","limit":0}})"));
  EXPECT_TRUE(validate(R"({"v":1,"id":"a","cmd":"list","args":{"entity":"po","limit":10001}})"));
  EXPECT_TRUE(validate(R"({"v":1,"id":"a","cmd":"list","args":{"entity":"po","limit":1.5}})"));
  EXPECT_FALSE(validate(R"({"v":1,"id":"a","cmd":"list","args":{"entity":"po","limit":10000}})"));
}

TEST(ValidateRequest, BooleansMustBeBooleans) {
  auto e = validate(
      R"({"v":1,"id":"a","cmd":"push","args":{"entity":"po","keys":["A"],"force":"yes"}})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "args.force: must be true or false");
}

TEST(ValidateRequest, AMisspeltFlagIsRefusedNotIgnored) {
  auto e = validate(
      R"({"v":1,"id":"a","cmd":"push","args":{"entity":"po","keys":["A"],"dryrun":true}})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "args.dryrun: unknown field");
}

TEST(ValidateRequest, SyncAcceptsAllAndDefaultsToIt) {
  EXPECT_FALSE(validate(R"({"v":1,"id":"a","cmd":"sync","args":{"entity":"all"}})"));
  auto args = parse_sync_args(nlohmann::json::object());
  ASSERT_FALSE(error_of(args));
  EXPECT_EQ(std::get<SyncArgs>(args).entity, "all");
  EXPECT_TRUE(validate(R"({"v":1,"id":"a","cmd":"show","args":{"entity":"all","key":"X"}})"));
}

TEST(ParsePushArgs, ReadsEveryField) {
  auto parsed = parse_push_args({{"entity", "vendor"},
                                 {"keys", {"V-1", "V/2"}},
                                 {"force", true},
                                 {"dry_run", true},
                                 {"reason", "urgent"}});
  ASSERT_FALSE(error_of(parsed));
  const auto& a = std::get<PushArgs>(parsed);
  EXPECT_EQ(a.entity, "vendor");
  EXPECT_EQ(a.keys, (std::vector<std::string>{"V-1", "V/2"}));
  EXPECT_TRUE(a.force);
  EXPECT_TRUE(a.dry_run);
  EXPECT_EQ(a.reason, "urgent");
}

TEST(ResponseLines, ResultIsOneCompactLine) {
  std::string line = result_line("a1", {{"n", 1}});
  EXPECT_EQ(line, "{\"v\":1,\"id\":\"a1\",\"type\":\"result\",\"ok\":true,\"data\":{\"n\":1}}\n");
}

TEST(ResponseLines, InvalidUtf8InDataNeverThrows) {
  nlohmann::json data = {{"name", std::string("CV MAJU \xe9")}};
  std::string line;
  EXPECT_NO_THROW(line = result_line("a1", data));
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_TRUE(is_valid_utf8_text(line));
}

TEST(ResponseLines, ErrorWithoutIdCarriesNullAndOneLineMessage) {
  std::string line = error_line(std::nullopt, error_code::kBadRequest, "two\nlines");
  auto doc = nlohmann::json::parse(line);
  EXPECT_TRUE(doc["id"].is_null());
  EXPECT_EQ(doc["error"]["message"], "two lines");
  EXPECT_EQ(doc["ok"], false);
}

TEST(ParseResponseLine, RoundTripsEachKind) {
  auto progress = parse_response_line(progress_line("a", {{"stage", "loading"}}));
  ASSERT_FALSE(error_of(progress));
  EXPECT_FALSE(std::get<Response>(progress).final);
  EXPECT_EQ(std::get<Response>(progress).data["stage"], "loading");

  auto error = parse_response_line(error_line(std::string("a"), "not_found", "no such PO"));
  ASSERT_FALSE(error_of(error));
  const auto& r = std::get<Response>(error);
  EXPECT_TRUE(r.final);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error_code, "not_found");
  EXPECT_EQ(r.error_message, "no such PO");
  EXPECT_EQ(r.id, "a");
}

TEST(ParseResponseLine, RefusesMalformedLines) {
  EXPECT_TRUE(error_of(parse_response_line("hello")));
  EXPECT_TRUE(error_of(parse_response_line(R"({"v":1,"id":"a","type":"result"})")));
  EXPECT_TRUE(error_of(parse_response_line(R"({"v":1,"id":"a","type":"done","ok":true})")));
  EXPECT_TRUE(error_of(parse_response_line(R"({"v":2,"id":"a","type":"result","ok":true})")));
}

TEST(RequestLine, IsParsedBackByTheServerSide) {
  Request req{"ctl-1", "list", {{"entity", "po"}, {"ready", true}}};
  auto back = parse_ok(request_line(req).substr(0, request_line(req).size() - 1));
  EXPECT_EQ(back.id, "ctl-1");
  EXPECT_EQ(back.args, req.args);
  EXPECT_FALSE(validate_request(back));
}

}  // namespace
}  // namespace kokola
