// The write-ahead log is copied back by the checkpointer's thread, not by the connection that
// commits, and so starts again from its beginning instead of growing.
#include "store/checkpointer.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include "store/sqlite.hpp"
#include "support/temp_dir.hpp"

namespace kokola {
namespace {

class CheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.exec("PRAGMA journal_mode = WAL");
    db_.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
  }

  // Commits `count` transactions of at least one page each.
  void write(int count) {
    for (int i = 0; i < count; ++i) {
      std::lock_guard lock(mutex_);
      Transaction transaction(db_);
      db_.exec("INSERT INTO t (v) VALUES (randomblob(3000))");
      transaction.commit();
    }
  }

  std::uintmax_t wal_size() const { return std::filesystem::file_size(dir_.file("s.db-wal")); }

  bool wait_for_checkpoints(const WalCheckpointer& checkpointer, long n) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (checkpointer.completed() < n) {
      if (std::chrono::steady_clock::now() > give_up) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  }

  TempDir dir_;
  std::mutex mutex_;
  SqliteDb db_{dir_.file("s.db")};
};

TEST_F(CheckpointerTest, CopiesTheLogBackOnItsOwnThreadOnceItPassesTheThreshold) {
  WalCheckpointer checkpointer(db_, mutex_, 50);
  write(10);  // a few pages each: under 50
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(checkpointer.completed(), 0) << "below the threshold";

  write(40);
  ASSERT_TRUE(wait_for_checkpoints(checkpointer, 1));
}

TEST_F(CheckpointerTest, LogStartsAgainInsteadOfGrowing) {
  WalCheckpointer checkpointer(db_, mutex_, 50);
  // About 6,000 pages, 24 MB, in the log if nothing copied them back. The daemon's writers
  // pause between commits (for the app's answers); a tight loop here pauses now and then.
  for (int i = 0; i < 20; ++i) {
    write(100);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  ASSERT_TRUE(wait_for_checkpoints(checkpointer, 1));
  EXPECT_LT(wal_size(), 8u * 1024 * 1024) << "the log was written again from its beginning";
}

TEST_F(CheckpointerTest, CommittingConnectionNoLongerCheckpointsByItself) {
  WalCheckpointer checkpointer(db_, mutex_, 1'000'000);
  write(1200);  // past SQLite's own threshold of 1,000 pages
  EXPECT_GT(wal_size(), 1200u * 3000u) << "every commit is still in the log";
  EXPECT_EQ(checkpointer.completed(), 0);
}

}  // namespace
}  // namespace kokola
