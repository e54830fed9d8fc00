// One namespace's store: its tables (the catalog of typed definitions), their
// items and secondary indexes in a SQLite database (a file in WAL mode, or in
// memory), the item locks of in-flight transactions, and the one write path.
//
// The stored formats are private (sqlite/schema.h draws them): callers see
// typed TableDefs and decoded items only. Every item write goes through
// Apply (write_path.h); every table change through CreateTable, UpdateTable
// and DeleteTable.
//
// Concurrency: writes (Apply and the table changes) are serialised on one
// writer connection, each inside one SQLite transaction, so a read-decide-
// write sequence is atomic. File databases serve reads from a pool of
// connections that run concurrently with the writer (WAL snapshots);
// in-memory databases have one connection and reads take the writer's turn.
// Every method is thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/attribute_value.h"
#include "core/error.h"
#include "storage/item_locks.h"
#include "storage/key_encoding.h"
#include "storage/streams.h"
#include "storage/table_def.h"
#include "storage/write_path.h"

namespace dynamo::storage {

// Bounds on the encoded sort key of a Query (absent: unbounded).
struct RangeBounds {
  std::optional<std::string> lower;
  bool lower_inclusive = true;
  std::optional<std::string> upper;
  bool upper_inclusive = true;
};

// Where a previous page stopped: the last row's position, exclusive.
// For the table: (hash, range). For an index also the base table key.
struct Position {
  std::string hash, range;
  std::string base_hash, base_range;  // index rows only
};

class ReadTxn;
class Snapshot;

// One row seen by a Query or Scan. The views are valid only during the visit;
// the visitor may move the item out.
struct RowView {
  ReadTxn* reader = nullptr;               // reads in the same snapshot, during the visit
  std::string_view hash, range;            // the table key, or the index key
  std::string_view base_hash, base_range;  // index rows: the table key
  core::Item item;                         // the item, or the index's projection of it
  size_t size = 0;                         // DynamoDB size of the stored item (or projection)
};

// Returns true to continue, false to stop; an error stops and is returned.
using RowVisitor = std::function<core::Result<bool>(RowView&)>;

struct TableStats {
  int64_t item_count = 0;
  int64_t size_bytes = 0;
};

struct DatabaseOptions {
  std::string path;  // file path; ignored when in_memory
  bool in_memory = false;
  bool sync_full = false;    // fsync every commit (PRAGMA synchronous=FULL)
  int read_connections = 4;  // pool size for file databases
  // Seconds since the epoch, for stream records and stream changes; null:
  // the system clock.
  std::function<double()> clock;
  // When streams roll their open shard over, for tables without their own
  // setting (TableDef::shard_rollover). Default: never.
  ShardRollover shard_rollover;
};

namespace sqlite {
class Connection;
}

// Reads inside one consistent snapshot (Database::Read, RowView::reader).
// Valid only during the call.
class ReadTxn {
 public:
  core::Result<std::optional<core::Item>> Get(int64_t table_id, const EncodedKey& key);

 private:
  friend class Database;
  explicit ReadTxn(sqlite::Connection* conn) : conn_(conn) {}
  sqlite::Connection* conn_;
};

class Database {
 public:
  // Opens (creating, or migrating from an older schema version) the
  // database; refuses one written by a newer version.
  static core::Result<std::unique_ptr<Database>> Open(const DatabaseOptions& options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // ---- Tables ----

  // The current definition of a table, or null.
  std::shared_ptr<const TableDef> FindTable(std::string_view name) const;
  std::vector<std::string> TableNames() const;  // sorted byte-wise

  // Stores a new table (def.id is assigned). ResourceInUse when the name exists.
  core::Result<std::shared_ptr<const TableDef>> CreateTable(TableDef def);

  // Changes a table's definition atomically: change(current) returns the new
  // definition (or an error, which changes nothing); it runs under the write
  // lock, so it must be quick and must not call back into the Database. In
  // the same transaction, indexes the new definition adds are backfilled
  // from the table's items and indexes it drops are deleted.
  // ResourceNotFound (control-plane wording) when the table does not exist.
  using TableChange = std::function<core::Result<TableDef>(const TableDef& current)>;
  core::Result<std::shared_ptr<const TableDef>> UpdateTable(std::string_view name,
                                                            const TableChange& change);

  // Deletes a table with its items and index entries once check(current)
  // passes; returns the definition and statistics it had.
  struct DeletedTable {
    std::shared_ptr<const TableDef> def;
    TableStats stats;
  };
  core::Result<DeletedTable> DeleteTable(std::string_view name,
                                         const std::function<core::Status(const TableDef&)>& check);

  // Counted live (O(items)).
  core::Result<TableStats> Stats(int64_t table_id);
  core::Result<TableStats> IndexStats(int64_t table_id, int64_t index_id);

  // ---- Writes: the one write path (write_path.h) ----

  // Applies a batch of mutations all-or-nothing. Returns an error for
  // ResourceNotFound (a table gone), TransactionConflict (an item held by
  // another owner's transaction) and storage failures; refused decisions
  // come back as BatchResult::failures. At most one mutation per item.
  core::Result<BatchResult> Apply(std::vector<Mutation> batch, const ApplyOptions& options = {});
  // Waits until the write group `group` (ApplyOptions::deferred_commit)
  // has committed, committing it when it is still open; Ok when it did,
  // the error when it was rolled back. Thread-safe; any thread may call it.
  core::Status AwaitCommit(uint64_t group);

  // Installs the hook Apply calls for every change (null: none). Not for
  // use while other threads write.
  void SetChangeHook(ChangeHook hook);

  // The locks of in-flight transactions (TransactWriteItems takes them,
  // TransactGetItems tests them, Apply respects them).
  ItemLocks& locks();

  // ---- Reads ----

  core::Result<std::optional<core::Item>> GetItem(int64_t table_id, const EncodedKey& key);

  // Rows of one partition of the table (index_id 0) or of an index, in
  // sort-key order or reverse, within bounds, strictly after `start`. One
  // consistent snapshot.
  core::Status Query(int64_t table_id, int64_t index_id, const std::string& hash,
                     const RangeBounds& bounds, bool forward, const std::optional<Position>& start,
                     const RowVisitor& visit);
  // Rows in storage order whose partition hash lies in [hash_lo, hash_hi],
  // strictly after `start`. One consistent snapshot.
  core::Status Scan(int64_t table_id, int64_t index_id, uint32_t hash_lo, uint32_t hash_hi,
                    const std::optional<Position>& start, const RowVisitor& visit);

  // Runs fn inside one read transaction: every Get sees the same snapshot.
  core::Status Read(const std::function<core::Status(ReadTxn&)>& fn);

  // ---- Streams (streams.h; written by CreateTable, UpdateTable, DeleteTable
  // and Apply as a table's StreamSettings ask) ----
  core::Result<std::vector<StreamInfo>> ListStreams();  // oldest first
  // The stream of that table with that label (the newest, should a table of
  // the same name have had one with the same label).
  core::Result<std::optional<StreamInfo>> FindStream(std::string_view table_name,
                                                     std::string_view label);
  core::Result<std::vector<ShardInfo>> StreamShards(int64_t stream_id);
  // Up to limit records of one shard with sequence numbers >= from, in
  // order, within max_bytes of SizeBytes (sqlite::ReadRecords).
  core::Result<std::vector<StreamRecord>> ReadStreamRecords(int64_t stream_id, int64_t shard,
                                                            int64_t from, size_t limit,
                                                            size_t max_bytes);
  // The shard and, unless `from` lies at or before its trim point, its
  // records as ReadStreamRecords reads them, in one snapshot.
  core::Result<ShardRead> ReadShard(int64_t stream_id, int64_t shard, int64_t from, size_t limit,
                                    size_t max_bytes);
  // The last sequence number of a shard (0: it has no record).
  core::Result<int64_t> LastStreamSequenceNumber(int64_t stream_id, int64_t shard);
  // Closes the open shard of the table's enabled stream and opens its child,
  // if the shard holds a record. Returns whether it rolled over.
  core::Result<bool> RollOverShard(std::string_view table_name);
  // Stream upkeep at `now`, in short write transactions: rolls open shards
  // that are past their table's ShardRollover age, trims records older
  // than the 24-hour retention, and forgets shards and disabled streams
  // that the retention has emptied.
  core::Status MaintainStreams(double now);

  // ---- Time to Live (ttl.h) ----
  // Up to limit keys of the table's items that have expired at `now`, by
  // the expiry index (their items are not re-read: re-check them).
  core::Result<std::vector<EncodedKey>> ExpiredKeys(int64_t table_id, double now, size_t limit);

  // ---- Snapshots (snapshot.cc; the control API's) ----
  // A copy of the whole database as it is now (tables, items, indexes,
  // streams), kept in memory, taken with SQLite's online backup API between
  // two writes.
  core::Result<std::shared_ptr<const Snapshot>> TakeSnapshot();
  // Replaces the whole database with a snapshot's contents (null: with an
  // empty database, every table gone) in one step between two writes, and
  // reloads the catalog. Reads in flight finish on what they began with.
  // Item locks are kept: a transaction in flight commits to the restored data.
  core::Status Restore(const Snapshot* snapshot);

  struct Impl;

 private:
  explicit Database(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A copy of a namespace database in memory (Database::TakeSnapshot).
// Thread-safe; restoring it leaves it unchanged, so it can be restored any
// number of times, into any namespace.
class Snapshot {
 public:
  ~Snapshot();
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;
  int64_t size_bytes() const { return size_bytes_; }
  const std::vector<std::string>& tables() const { return tables_; }

 private:
  friend class Database;
  Snapshot() = default;
  mutable std::mutex mu_;  // the connection is used by one thread at a time
  std::unique_ptr<sqlite::Connection> conn_;
  int64_t size_bytes_ = 0;
  std::vector<std::string> tables_;
};

}  // namespace dynamo::storage
