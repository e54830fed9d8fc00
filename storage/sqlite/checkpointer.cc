#include "storage/sqlite/checkpointer.h"

namespace dynamo::storage::sqlite {

Checkpointer::Checkpointer(sqlite3* writer,
                           std::function<core::Result<std::unique_ptr<Connection>>()> open)
    : writer_(writer), open_(std::move(open)) {
  sqlite3_wal_hook(writer, &Checkpointer::OnCommit, this);
}

Checkpointer::~Checkpointer() {
  sqlite3_wal_hook(writer_, nullptr, nullptr);
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

// Called by SQLite after each commit on the writer, with the write mutex
// held: asks the thread for a checkpoint, without waiting for it.
int Checkpointer::OnCommit(void* self, sqlite3* db, const char* schema, int frames) {
  auto* c = static_cast<Checkpointer*>(self);
  if (frames >= kBackstopFrames) {
    (void)sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    return SQLITE_OK;
  }
  if (frames < kCheckpointFrames) return SQLITE_OK;
  std::lock_guard lock(c->mu_);
  if (c->wanted_ || c->stopping_) return SQLITE_OK;
  c->wanted_ = true;
  if (!c->thread_.joinable()) {
    try {
      c->thread_ = std::thread([c] { c->Run(); });
    } catch (const std::system_error&) {
      // No thread (no exception may cross SQLite): the writer checkpoints.
      c->wanted_ = false;
      (void)sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    }
  } else {
    c->wake_.notify_one();
  }
  return SQLITE_OK;
}

void Checkpointer::Run() {
  std::unique_ptr<Connection> conn;
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return wanted_ || stopping_; });
    if (stopping_) return;
    lock.unlock();
    if (!conn) {
      auto opened = open_();
      if (opened.ok()) conn = std::move(opened).value();
    }
    // A failed checkpoint is retried at the next threshold; past the
    // backstop the writer checkpoints itself.
    if (conn) {
      (void)sqlite3_wal_checkpoint_v2(conn->db(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                      nullptr);
    }
    lock.lock();
    wanted_ = false;
  }
}

}  // namespace dynamo::storage::sqlite
