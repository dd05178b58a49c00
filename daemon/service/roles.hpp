// Who may do what on the control socket (docs/security.md). A caller's role comes from the
// kernel's view of the connection (control::Peer) and the Unix groups the configuration
// names: root and the daemon's own user are admin; a member of an `admin_groups` group is
// admin, of a `viewer_groups` group viewer; anyone else has no role and is served nothing.
// Membership counts the primary group and the supplementary groups of the user's entry
// (the group database), not those of the calling process.
//
// decide_role() and the command table are pure. RolePolicy keeps every name-service lookup
// in one place: the group names are resolved once, when it is built (start-up: it throws),
// and each identify() looks the user up (getpwuid_r, getgrouplist). Built on the event-loop
// thread; identify() and refusal() are const and may be called from any thread.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "control/server.hpp"

namespace kokola {

enum class Role { none, viewer, admin };

std::string_view role_name(Role role);

// The role a command needs: viewer for status, list, show and audit; admin for push, sync
// and anything unknown.
Role required_role(std::string_view cmd);

// Whether `have` may run what needs `need`.
constexpr bool role_allows(Role have, Role need) {
  return static_cast<int>(have) >= static_cast<int>(need);
}

struct GroupIds {
  std::vector<gid_t> admin;
  std::vector<gid_t> viewer;
};

// The decision itself: `groups` are every group the user belongs to (primary included).
Role decide_role(uid_t uid, const std::vector<gid_t>& groups, uid_t daemon_uid,
                 const GroupIds& config_groups);

// A caller as the audit trail and the messages name it.
struct Caller {
  uid_t uid = 0;
  gid_t gid = 0;
  pid_t pid = 0;
  std::string user;  // empty when the uid has no entry in the user database
  Role role = Role::none;

  std::string describe() const;  // "uid 1000 (alice)"
};

class RolePolicy {
 public:
  // Resolves the configured group names. Throws std::runtime_error naming a group that
  // does not exist ("looking up admin group 'kokola-admin': no such group").
  RolePolicy(const ControlConfig& config, uid_t daemon_uid);

  Caller identify(const control::Peer& peer) const;

  // "push needs the admin role (groups: kokola-admin); uid 1001 (bob) has the viewer role"
  std::string refusal(std::string_view cmd, const Caller& caller) const;

 private:
  std::vector<std::string> admin_names_;
  std::vector<std::string> viewer_names_;
  GroupIds ids_;
  uid_t daemon_uid_;
};

}  // namespace kokola
