// The `audit` command on kokolactl's side and in the shared protocol: reading --since, the
// checked arguments, and the human form of the trail.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>

#include <sstream>

#include "../../ctl/render.hpp"
#include "../../ctl/since.hpp"
#include "kokola/protocol.hpp"

namespace kokola::ctl {
namespace {

using ::testing::HasSubstr;

// Runs the test body in a fixed local zone, restoring the previous one afterwards.
class LocalZone {
 public:
  explicit LocalZone(const char* tz) {
    if (const char* old = ::getenv("TZ")) old_ = old;
    ::setenv("TZ", tz, 1);
    ::tzset();
  }
  ~LocalZone() {
    if (old_.empty()) {
      ::unsetenv("TZ");
    } else {
      ::setenv("TZ", old_.c_str(), 1);
    }
    ::tzset();
  }

 private:
  std::string old_;
};

TEST(AuditSince, DatesAndTimesWithoutAZoneAreLocal) {
  LocalZone jakarta("Asia/Jakarta");
  EXPECT_EQ(since_instant("2025-06-02"), "2025-06-01T17:00:00Z");
  EXPECT_EQ(since_instant("2025-06-02 10:00"), "2025-06-02T03:00:00Z");
  EXPECT_EQ(since_instant("2025-06-02T10:00:30"), "2025-06-02T03:00:30Z");
}

TEST(AuditSince, ZonedTimesGoAsWrittenAndSpansCountBack) {
  EXPECT_EQ(since_instant("2025-06-02T10:00:00+07:00"), "2025-06-02T03:00:00Z");
  const std::time_t now = 1748833200;  // 2025-06-02T03:00:00Z
  EXPECT_EQ(since_instant("24h", now), "2025-06-01T03:00:00Z");
  EXPECT_EQ(since_instant("30m", now), "2025-06-02T02:30:00Z");
  EXPECT_EQ(since_instant("7d", now), "2025-05-26T03:00:00Z");
  EXPECT_EQ(since_instant("yesterday", now), "");
  EXPECT_EQ(since_instant("2025-02-30", now), "");
  EXPECT_EQ(since_instant("24x", now), "");
}

TEST(AuditProtocol, ArgumentsAreCheckedAndTheInstantNormalised) {
  auto parsed = parse_audit_args({{"since", "2025-06-02T10:00:00+07:00"}, {"user", "alice"}});
  ASSERT_EQ(error_of(parsed), nullptr);
  const auto& a = std::get<AuditArgs>(parsed);
  EXPECT_EQ(a.since, "2025-06-02T03:00:00Z");
  EXPECT_EQ(a.user, "alice");
  EXPECT_EQ(a.limit, kDefaultAuditLimit);

  auto bad = parse_audit_args({{"since", "last tuesday"}});
  ASSERT_NE(error_of(bad), nullptr);
  EXPECT_THAT(error_of(bad)->message, HasSubstr("args.since: must be a date"));
  EXPECT_NE(error_of(parse_audit_args({{"limit", 0}})), nullptr);
  EXPECT_NE(error_of(parse_audit_args({{"who", "alice"}})), nullptr);
  EXPECT_TRUE(is_known_command("audit"));
}

TEST(AuditRender, OneLinePerEntryWithOutcomesJobsAndReason) {
  nlohmann::json ok = {{"at", "2025-06-02T03:15:00Z"},
                       {"uid", 1000},
                       {"user", "alice"},
                       {"pid", 4242},
                       {"role", "admin"},
                       {"command", "push"},
                       {"args", {{"entity", "po"}, {"keys", {"PO-1"}}}},
                       {"reason", "vendor waiting"},
                       {"result", "ok"},
                       {"message", ""},
                       {"outcomes",
                        {{{"entity", "po"}, {"key", "PO-1"}, {"outcome", "delivered"}},
                         {{"entity", "vendor"}, {"key", "V-1"}, {"outcome", "delivered"}}}},
                       {"jobs", {10, 12}}};
  nlohmann::json refused = ok;
  refused["user"] = "bob";
  refused["uid"] = 1001;
  refused["role"] = "viewer";
  refused["result"] = "permission_denied";
  refused["message"] = "push needs the admin role (groups: kokola-admin)";
  refused["reason"] = "";
  refused["jobs"] = nlohmann::json::array();

  std::ostringstream out;
  render_result("audit", {{"entries", {ok, refused}}}, out);
  EXPECT_EQ(out.str(),
            "2025-06-02T03:15:00Z  alice (uid 1000, pid 4242, admin)  push po PO-1: ok: "
            "delivered 2 (jobs 10, 12)  reason: vendor waiting\n"
            "2025-06-02T03:15:00Z  bob (uid 1001, pid 4242, viewer)  push po PO-1: "
            "permission_denied: push needs the admin role (groups: kokola-admin)\n");
}

}  // namespace
}  // namespace kokola::ctl
