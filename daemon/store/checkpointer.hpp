// Keeps the state store's write-ahead log short without making a writer wait for it. SQLite
// checkpoints the log on the connection that commits once it passes a size, and that commit
// then copies pages back into the database and syncs it to disk while the store's lock is
// held: every sender and the run wait behind it. The checkpointer turns that off for the
// writer's connection and copies the log back on a thread of its own, through a connection
// of its own, whenever a commit left the log past `pages` pages. A passive checkpoint never
// blocks the writer; when commits keep coming and the log reaches twice the threshold, the
// few pages written meanwhile are copied with the writer's lock held, so that the log starts
// again from its beginning with the next commit instead of growing.
//
// Threads: construct and destroy on the thread that owns the writer's connection; the hook
// runs on whichever thread commits.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "store/sqlite.hpp"

namespace kokola {

class WalCheckpointer {
 public:
  static constexpr int kDefaultPages = 1000;  // SQLite's own default threshold

  // `writer_mutex` is held by whoever uses the writer's connection.
  WalCheckpointer(SqliteDb& writer, std::mutex& writer_mutex, int pages = kDefaultPages);
  // Stops the thread; the writer's connection checkpoints on close as usual.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Checkpoints that ran to the end (every frame of the log copied back), for tests.
  long completed() const;

 private:
  static int on_commit(void* self, struct sqlite3* db, const char* schema, int frames);
  void loop();

  SqliteDb& writer_;
  std::mutex& writer_mutex_;
  const int pages_;
  SqliteDb reader_;  // the checkpointer's own connection
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool due_ = false;
  bool stopping_ = false;
  long completed_ = 0;
  std::thread thread_;
};

}  // namespace kokola
