// Private to storage: Database's state, shared by database.cc (tables and
// reads) and write_path.cc (Apply).
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "storage/database.h"
#include "storage/sqlite/checkpointer.h"
#include "storage/sqlite/connection.h"

namespace dynamo::storage {

struct Database::Impl {
  DatabaseOptions options;

  // Serialises every write: Apply and the table changes.
  std::mutex write_mu;
  std::unique_ptr<sqlite::Connection> writer;  // guarded by write_mu
  ChangeHook hook;                             // guarded by write_mu
  // WAL checkpoints of a file store, off the write path (after `writer`:
  // stopped before it closes).
  std::unique_ptr<sqlite::Checkpointer> checkpointer;

  // The enabled stream of each table that has one, by TableDef::id: where
  // the write path appends the table's records. Guarded by write_mu. Table
  // changes replace an entry after their transaction committed; Apply
  // updates the open shard and its count as it writes, and re-reads them
  // all (ReloadActiveStreams) when its transaction rolls back.
  struct ActiveStream {
    int64_t id = 0;
    int64_t shard = 0;  // the open shard
    std::string view_type;
    int64_t shard_records = 0;  // records written to the open shard (left, after a reopen)
    double shard_created = 0;   // when the open shard was opened
  };
  std::map<int64_t, ActiveStream> active_streams;
  // The next stream record's sequence number (guarded by write_mu). A
  // rolled-back write's number is skipped (and may be taken again after a
  // reopen: it was never visible); it never goes down while open.
  int64_t next_seq = 1;

  // Group commit (write_path.cc), guarded by write_mu. The writer's open
  // transaction, when Apply left one open, is write group `open_group`
  // (numbers start at 1 and only grow; 0: none is open).
  uint64_t open_group = 0;
  uint64_t last_group = 0;
  // The last groups that were rolled back (up to 65536), with the error
  // their members answer; a member waits for its group soon after joining it.
  std::deque<std::pair<uint64_t, core::Error>> failed_groups;
  // Opens a group (BEGIN IMMEDIATE) unless one is open.
  core::Status OpenGroup();
  // Commits the open group, if any; on failure rolls it back (FailGroup)
  // and returns the error.
  core::Status CommitGroup();
  // Rolls the open group back; its members will answer `error`.
  void FailGroup(const core::Error& error);
  // Ok, or the error of a group that was rolled back.
  core::Status GroupOutcome(uint64_t group) const;
  // Locks write_mu for a use of the writer other than Apply (table
  // changes, stream upkeep, snapshots), after committing the open group.
  std::unique_lock<std::mutex> LockWriter();

  // Seconds since the epoch, from options.clock when set.
  double Now() const;

  std::mutex pool_mu;
  std::vector<std::unique_ptr<sqlite::Connection>> idle_readers;  // guarded by pool_mu

  // The catalog: changed only with write_mu held as well.
  mutable std::shared_mutex catalog_mu;
  std::map<std::string, std::shared_ptr<const TableDef>, std::less<>> tables;

  ItemLocks locks;

  std::shared_ptr<const TableDef> Find(std::string_view name) const;
  // The same, for callers that hold write_mu (the catalog cannot change
  // under them, so no catalog lock and no reference count are needed).
  const TableDef* FindWhileWriting(std::string_view name) const;
  void Publish(std::shared_ptr<const TableDef> def);
  void Unpublish(const std::string& name);

  // Runs body in one write transaction on the writer: commits when it
  // succeeds, rolls back when it fails. Precondition: write_mu held.
  core::Status InTransaction(const std::function<core::Status()>& body);

  core::Result<std::unique_ptr<sqlite::Connection>> OpenReader() const;

  // Runs fn with a connection for reading: one from the pool (file
  // databases), or the writer under write_mu (in-memory databases).
  template <typename Fn>
  auto Read(Fn&& fn) -> decltype(fn(std::declval<sqlite::Connection&>())) {
    if (options.in_memory) {
      std::lock_guard lock(write_mu);
      return fn(*writer);
    }
    std::unique_ptr<sqlite::Connection> conn;
    {
      std::lock_guard lock(pool_mu);
      if (!idle_readers.empty()) {
        conn = std::move(idle_readers.back());
        idle_readers.pop_back();
      }
    }
    if (!conn) {
      auto opened = OpenReader();
      if (!opened.ok()) return std::move(opened).error();
      conn = std::move(opened).value();
    }
    auto result = fn(*conn);
    std::lock_guard lock(pool_mu);
    if (static_cast<int>(idle_readers.size()) < options.read_connections) {
      idle_readers.push_back(std::move(conn));
    }
    return result;
  }
};

// streams.cc: the streams catalog in step with a table change (before or
// after null for a created or deleted table), inside the change's
// transaction; returns the table's enabled stream afterwards, for
// SetActiveStream once the transaction committed.
core::Result<std::optional<Database::Impl::ActiveStream>> SyncStream(Database::Impl& impl,
                                                                     sqlite::Connection& c,
                                                                     const TableDef* before,
                                                                     const TableDef* after);
void SetActiveStream(Database::Impl& impl, int64_t table_id,
                     std::optional<Database::Impl::ActiveStream> active);
// Fills active_streams from the database (at open).
core::Status LoadActiveStreams(Database::Impl& impl);
// Re-reads active_streams from the database, after a write transaction that
// may have rolled shards over was rolled back. Precondition: write_mu held.
core::Status ReloadActiveStreams(Database::Impl& impl);
// Closes the open shard of an active stream and opens its child starting at
// impl.next_seq, inside the caller's transaction; `stream` is updated, so
// reload it (ReloadActiveStreams) if the transaction rolls back.
core::Status RollShard(Database::Impl& impl, sqlite::Connection& c,
                       Database::Impl::ActiveStream& stream, double now);
// The shard rollover setting in force for a table.
const ShardRollover& RolloverOf(const Database::Impl& impl, const TableDef& table);

}  // namespace dynamo::storage
