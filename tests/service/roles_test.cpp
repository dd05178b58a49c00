// The role decision (daemon/service/roles.hpp): who is admin, viewer or nobody, and which
// command needs which role. The decision is pure, so these tests use made-up ids.
#include "service/roles.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace kokola {
namespace {

using ::testing::HasSubstr;

constexpr uid_t kDaemonUid = 998;
constexpr gid_t kAdminGroup = 5001;
constexpr gid_t kViewerGroup = 5002;
constexpr gid_t kOtherGroup = 5003;

const GroupIds kGroups{{kAdminGroup}, {kViewerGroup}};

TEST(Roles, RootIsAdminWithoutAnyGroup) {
  EXPECT_EQ(decide_role(0, {0}, kDaemonUid, kGroups), Role::admin);
  EXPECT_EQ(decide_role(0, {}, kDaemonUid, GroupIds{}), Role::admin);
}

TEST(Roles, TheDaemonsOwnUserIsAdmin) {
  EXPECT_EQ(decide_role(kDaemonUid, {kOtherGroup}, kDaemonUid, kGroups), Role::admin);
}

TEST(Roles, PrimaryGroupGrantsItsRole) {
  EXPECT_EQ(decide_role(1000, {kAdminGroup}, kDaemonUid, kGroups), Role::admin);
  EXPECT_EQ(decide_role(1001, {kViewerGroup}, kDaemonUid, kGroups), Role::viewer);
}

TEST(Roles, SupplementaryGroupCounts) {
  EXPECT_EQ(decide_role(1000, {kOtherGroup, 100, kAdminGroup}, kDaemonUid, kGroups), Role::admin);
  EXPECT_EQ(decide_role(1001, {kOtherGroup, kViewerGroup}, kDaemonUid, kGroups), Role::viewer);
}

TEST(Roles, AdminWinsOverViewer) {
  EXPECT_EQ(decide_role(1000, {kViewerGroup, kAdminGroup}, kDaemonUid, kGroups), Role::admin);
}

TEST(Roles, NoMatchingGroupMeansNoRole) {
  EXPECT_EQ(decide_role(1002, {kOtherGroup}, kDaemonUid, kGroups), Role::none);
  EXPECT_EQ(decide_role(1002, {}, kDaemonUid, kGroups), Role::none);
  EXPECT_EQ(decide_role(1002, {kAdminGroup}, kDaemonUid, GroupIds{}), Role::none);
}

TEST(Roles, ViewerCommandsAndAdminCommands) {
  for (auto cmd : {"status", "list", "show", "audit"}) {
    EXPECT_EQ(required_role(cmd), Role::viewer) << cmd;
  }
  for (auto cmd : {"push", "sync", "something-new"}) {
    EXPECT_EQ(required_role(cmd), Role::admin) << cmd;
  }
}

TEST(Roles, WhoMayRunWhat) {
  EXPECT_TRUE(role_allows(Role::admin, Role::viewer));
  EXPECT_TRUE(role_allows(Role::admin, Role::admin));
  EXPECT_TRUE(role_allows(Role::viewer, Role::viewer));
  EXPECT_FALSE(role_allows(Role::viewer, Role::admin));
  EXPECT_FALSE(role_allows(Role::none, Role::viewer));
  EXPECT_FALSE(role_allows(Role::none, Role::admin));
}

TEST(RolePolicy, UnknownGroupIsRefusedAtStart) {
  ControlConfig config;
  config.admin_groups = {"kokola-no-such-group-4711"};
  try {
    RolePolicy policy(config, kDaemonUid);
    FAIL() << "expected a refusal";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "looking up admin group 'kokola-no-such-group-4711': no such group");
  }
}

TEST(RolePolicy, RefusalNamesTheRoleItsGroupsAndTheCaller) {
  ControlConfig config;
  config.admin_groups = {"root"};  // exists everywhere, gid 0
  RolePolicy policy(config, kDaemonUid);
  Caller bob{1001, 1001, 42, "bob", Role::viewer};
  EXPECT_EQ(policy.refusal("push", bob),
            "push needs the admin role (groups: root); uid 1001 (bob) has the viewer role");

  Caller nobody{1002, 1002, 43, "", Role::none};
  EXPECT_THAT(policy.refusal("status", nobody), HasSubstr("status needs the viewer role"));
  EXPECT_THAT(policy.refusal("status", nobody), HasSubstr("uid 1002 (?) has no role"));
}

TEST(RolePolicy, IdentifiesTheCallingProcessFromTheUserDatabase) {
  ControlConfig config;
  RolePolicy policy(config, ::geteuid());
  control::Peer me{::getuid(), ::getgid(), ::getpid()};
  Caller caller = policy.identify(me);
  EXPECT_EQ(caller.uid, ::getuid());
  EXPECT_EQ(caller.pid, ::getpid());
  EXPECT_EQ(caller.role, Role::admin);  // root, or the daemon's own user
}

}  // namespace
}  // namespace kokola
