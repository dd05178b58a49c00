#include "service/roles.hpp"

#include <grp.h>
#include <pwd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace kokola {
namespace {

// Large enough for any passwd or group entry getpw*_r / getgr*_r hand back here; a group
// with thousands of members may need more, so the buffer grows on ERANGE.
constexpr std::size_t kInitialBuffer = 4096;
constexpr std::size_t kMaxBuffer = 1 << 20;

bool contains_any(const std::vector<gid_t>& haystack, const std::vector<gid_t>& needles) {
  return std::any_of(needles.begin(), needles.end(), [&](gid_t g) {
    return std::find(haystack.begin(), haystack.end(), g) != haystack.end();
  });
}

gid_t lookup_group(const std::string& name, std::string_view kind) {
  std::vector<char> buf(kInitialBuffer);
  group entry{};
  group* found = nullptr;
  int rc = 0;
  while ((rc = getgrnam_r(name.c_str(), &entry, buf.data(), buf.size(), &found)) == ERANGE &&
         buf.size() < kMaxBuffer) {
    buf.resize(buf.size() * 2);
  }
  std::string doing = "looking up " + std::string(kind) + " group '" + name + "'";
  if (rc != 0) throw std::runtime_error(doing + ": " + std::strerror(rc));
  if (found == nullptr) throw std::runtime_error(doing + ": no such group");
  return entry.gr_gid;
}

std::vector<gid_t> lookup_groups(const std::vector<std::string>& names, std::string_view kind) {
  std::vector<gid_t> ids;
  for (const auto& name : names) ids.push_back(lookup_group(name, kind));
  return ids;
}

// The user's name, or "" when the uid has no entry.
std::string user_name(uid_t uid) {
  std::vector<char> buf(kInitialBuffer);
  passwd entry{};
  passwd* found = nullptr;
  int rc = 0;
  while ((rc = getpwuid_r(uid, &entry, buf.data(), buf.size(), &found)) == ERANGE &&
         buf.size() < kMaxBuffer) {
    buf.resize(buf.size() * 2);
  }
  return rc == 0 && found ? std::string(entry.pw_name) : std::string();
}

// Every group of the user's entry: its primary group and the supplementary groups.
std::vector<gid_t> user_groups(const std::string& user, gid_t primary) {
  if (user.empty()) return {primary};
  int count = 32;
  std::vector<gid_t> groups(count);
  while (getgrouplist(user.c_str(), primary, groups.data(), &count) == -1) {
    if (count <= static_cast<int>(groups.size())) count = static_cast<int>(groups.size()) * 2;
    groups.resize(count);
  }
  groups.resize(count);
  return groups;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

std::string_view role_name(Role role) {
  switch (role) {
    case Role::admin:
      return "admin";
    case Role::viewer:
      return "viewer";
    case Role::none:
      break;
  }
  return "none";
}

Role required_role(std::string_view cmd) {
  for (auto viewer : {command::kStatus, command::kList, command::kShow, command::kAudit,
                      command::kJobs, command::kJob}) {
    if (cmd == viewer) return Role::viewer;
  }
  return Role::admin;
}

Role decide_role(uid_t uid, const std::vector<gid_t>& groups, uid_t daemon_uid,
                 const GroupIds& config_groups) {
  if (uid == 0 || uid == daemon_uid) return Role::admin;
  if (contains_any(groups, config_groups.admin)) return Role::admin;
  if (contains_any(groups, config_groups.viewer)) return Role::viewer;
  return Role::none;
}

std::string Caller::describe() const {
  return "uid " + std::to_string(uid) + " (" + (user.empty() ? "?" : user) + ")";
}

RolePolicy::RolePolicy(const ControlConfig& config, uid_t daemon_uid)
    : admin_names_(config.admin_groups),
      viewer_names_(config.viewer_groups),
      ids_{lookup_groups(config.admin_groups, "admin"),
           lookup_groups(config.viewer_groups, "viewer")},
      daemon_uid_(daemon_uid) {}

Caller RolePolicy::identify(const control::Peer& peer) const {
  Caller caller{peer.uid, peer.gid, peer.pid, user_name(peer.uid), Role::none};
  // The peer's own primary gid counts too, even when the user's entry names another.
  std::vector<gid_t> groups = user_groups(caller.user, peer.gid);
  groups.push_back(peer.gid);
  caller.role = decide_role(peer.uid, groups, daemon_uid_, ids_);
  return caller;
}

std::string RolePolicy::refusal(std::string_view cmd, const Caller& caller) const {
  Role need = required_role(cmd);
  std::vector<std::string> granting = admin_names_;
  if (need == Role::viewer)
    granting.insert(granting.begin(), viewer_names_.begin(), viewer_names_.end());
  std::string groups = granting.empty() ? "no group is configured: root and the daemon's user only"
                                        : "groups: " + join(granting);
  std::string has = caller.role == Role::none
                        ? "has no role"
                        : "has the " + std::string(role_name(caller.role)) + " role";
  return std::string(cmd) + " needs the " + std::string(role_name(need)) + " role (" + groups +
         "); " + caller.describe() + " " + has;
}

}  // namespace kokola
