// Private to storage: WAL checkpoints of a file store, off the write path.
//
// SQLite's automatic checkpoint runs inside the commit that crosses its
// threshold, on the writer, with the database's write mutex held: every
// writer then waited for the copy of the WAL into the database and its two
// fsyncs. Instead, the writer's commits report the WAL's size (a WAL hook,
// which replaces the automatic checkpoint), and past kCheckpointFrames a
// thread of this store's own runs a PASSIVE checkpoint on its own
// connection, concurrently with the writer (WAL's design: a checkpoint never
// blocks a writer, nor a writer it). Past kBackstopFrames (the thread is
// behind) the committing writer checkpoints itself, as SQLite would.
//
// The thread starts at the first checkpoint a store needs (an idle store
// costs none) and stops with the Checkpointer.
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>

#include "storage/sqlite/connection.h"

namespace dynamo::storage::sqlite {

class Checkpointer {
 public:
  static constexpr int kCheckpointFrames = 1000;  // SQLite's default threshold
  static constexpr int kBackstopFrames = 16000;   // 64 MB of 4 KB pages

  // open: a new connection to the same file, for the thread's checkpoints.
  Checkpointer(sqlite3* writer, std::function<core::Result<std::unique_ptr<Connection>>()> open);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

 private:
  static int OnCommit(void* self, sqlite3* db, const char* schema, int frames);
  void Run();

  sqlite3* writer_;
  std::function<core::Result<std::unique_ptr<Connection>>()> open_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool wanted_ = false;    // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;     // started by the first checkpoint wanted
};

}  // namespace dynamo::storage::sqlite
