#include "control/limits.hpp"

#include <utility>

#include "control/server.hpp"

namespace kokola::control {

ConnectionSlot::ConnectionSlot(std::shared_ptr<ConnectionLimits> limits, uid_t uid)
    : limits_(std::move(limits)), uid_(uid) {}

ConnectionSlot::ConnectionSlot(ConnectionSlot&& other) noexcept
    : limits_(std::move(other.limits_)), uid_(other.uid_) {}

ConnectionSlot& ConnectionSlot::operator=(ConnectionSlot&& other) noexcept {
  if (this != &other) {
    release();
    limits_ = std::move(other.limits_);
    uid_ = other.uid_;
  }
  return *this;
}

void ConnectionSlot::release() {
  if (!limits_) return;
  limits_->release(uid_);
  limits_.reset();
}

ConnectionLimits::Admission ConnectionLimits::admit(
    const Peer& peer, const std::function<bool(const Peer&)>& is_admin) {
  std::lock_guard lock(mutex_);
  const auto& s = settings_;
  if (total_ >= s.max_clients) {
    return {{},
            "the daemon has " + std::to_string(total_) +
                " control connections open, its limit (control.max_clients)"};
  }

  const std::size_t open_to_all =
      s.max_clients > s.admin_reserved ? s.max_clients - s.admin_reserved : 0;
  if (total_ >= open_to_all) {
    const bool admin = is_admin ? is_admin(peer) : peer.uid == 0;
    if (!admin) {
      return {{},
              "the daemon has " + std::to_string(total_) +
                  " control connections open; the remaining " +
                  std::to_string(s.max_clients - total_) +
                  " are kept for admins (control.admin_reserved)"};
    }
  }

  auto& mine = per_uid_[peer.uid];
  if (peer.uid != 0 && mine >= s.max_clients_per_user) {
    if (mine == 0) per_uid_.erase(peer.uid);
    return {{},
            "uid " + std::to_string(peer.uid) + " has " + std::to_string(mine) +
                " control connections open, the most one user may have "
                "(control.max_clients_per_user)"};
  }
  ++mine;
  ++total_;
  return {ConnectionSlot(shared_from_this(), peer.uid), {}};
}

void ConnectionLimits::release(uid_t uid) {
  std::lock_guard lock(mutex_);
  --total_;
  auto it = per_uid_.find(uid);
  if (it != per_uid_.end() && --it->second == 0) per_uid_.erase(it);
}

}  // namespace kokola::control
