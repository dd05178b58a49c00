// How many control connections the server keeps open, and for whom (docs/security.md):
// at most `max_clients` in all, of which the last `admin_reserved` only for admins, and at
// most `max_clients_per_user` per uid (root excepted: root is never locked out by its own
// count). A connection holds a ConnectionSlot for as long as it is open; releasing the
// slot frees its place.
//
// Threads: admit() and the slots' release may be called from any thread (one mutex).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace kokola::control {

struct Peer;
class ConnectionLimits;

// One admitted connection's place in the counts. Move-only; released when destroyed.
class ConnectionSlot {
 public:
  ConnectionSlot() = default;
  ConnectionSlot(std::shared_ptr<ConnectionLimits> limits, uid_t uid);
  ConnectionSlot(ConnectionSlot&& other) noexcept;
  ConnectionSlot& operator=(ConnectionSlot&& other) noexcept;
  ~ConnectionSlot() { release(); }

  void release();

 private:
  std::shared_ptr<ConnectionLimits> limits_;
  uid_t uid_ = 0;
};

struct LimitSettings {
  std::size_t max_clients = 128;
  std::size_t max_clients_per_user = 16;
  std::size_t admin_reserved = 8;
};

class ConnectionLimits : public std::enable_shared_from_this<ConnectionLimits> {
 public:
  explicit ConnectionLimits(LimitSettings settings) : settings_(settings) {}

  struct Admission {
    ConnectionSlot slot;  // held while the connection is open
    std::string refusal;  // non-empty: the connection may not stay, and why
  };

  // Counts the peer in, or says why not. `is_admin` is asked only when the reserved
  // slots are all that is left, so that most connections cost no user lookup.
  Admission admit(const Peer& peer, const std::function<bool(const Peer&)>& is_admin);

 private:
  friend class ConnectionSlot;
  void release(uid_t uid);

  LimitSettings settings_;
  std::mutex mutex_;
  std::size_t total_ = 0;
  std::map<uid_t, std::size_t> per_uid_;
};

}  // namespace kokola::control
