#include "store/checkpointer.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

namespace kokola {

WalCheckpointer::WalCheckpointer(SqliteDb& writer, std::mutex& writer_mutex, int pages)
    : writer_(writer), writer_mutex_(writer_mutex), pages_(pages), reader_(writer.path()) {
  // A connection learns that the database is in WAL mode when it first reads it; until then
  // a checkpoint on it does nothing.
  reader_.prepare("SELECT count(*) FROM sqlite_master").step();
  // Replaces SQLite's automatic checkpoint on the writer's connection.
  sqlite3_wal_hook(writer_.handle(), &WalCheckpointer::on_commit, this);
  thread_ = std::thread([this] { loop(); });
}

WalCheckpointer::~WalCheckpointer() {
  sqlite3_wal_hook(writer_.handle(), nullptr, nullptr);
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

long WalCheckpointer::completed() const {
  std::lock_guard lock(mutex_);
  return completed_;
}

int WalCheckpointer::on_commit(void* self, sqlite3*, const char*, int frames) {
  auto* checkpointer = static_cast<WalCheckpointer*>(self);
  if (frames < checkpointer->pages_) return SQLITE_OK;
  {
    std::lock_guard lock(checkpointer->mutex_);
    checkpointer->due_ = true;
  }
  checkpointer->cv_.notify_one();
  return SQLITE_OK;
}

void WalCheckpointer::loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    cv_.wait(lock, [this] { return due_ || stopping_; });
    if (stopping_) return;
    due_ = false;
    lock.unlock();

    int log_frames = 0;
    int copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(reader_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                       &log_frames, &copied);
    // The log starts again only at a commit that began after every frame was copied back:
    // under a steady stream of commits that never happens, and the log grows. Past twice
    // the threshold, what is left (most pages were copied just now) is copied while the
    // writer's lock is held, so that the next commit starts the log again. It does not wait:
    // when another process is reading an older state, this is tried again later.
    if (rc == SQLITE_OK && log_frames >= 2 * pages_) {
      std::lock_guard writer(writer_mutex_);
      rc = sqlite3_wal_checkpoint_v2(reader_.handle(), nullptr, SQLITE_CHECKPOINT_RESTART,
                                     &log_frames, &copied);
    }
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      // The log only grows until the next checkpoint succeeds; nothing is lost.
      spdlog::warn("checkpointing state store '{}': {}", reader_.path(),
                   sqlite3_errmsg(reader_.handle()));
    }

    lock.lock();
    if (rc == SQLITE_OK && log_frames >= 0 && copied == log_frames) ++completed_;
  }
}

}  // namespace kokola
