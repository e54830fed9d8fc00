// One namespace's item store: a SQLite database (a file in WAL mode, or in
// memory).
//
// Schema (version 1):
//   tables(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, meta TEXT)
//       meta is opaque to storage: the server's serialised table description.
//   items(tid, hh, hk, rk, size, item) PRIMARY KEY (tid, hh, hk, rk) WITHOUT ROWID
//       tid  table id
//       hh   PartitionHash(hk): stored order is hash order, so parallel Scan
//            segments are contiguous ranges and Scan visits partitions in a
//            stable pseudo-random order, as DynamoDB's does
//       hk   EncodeKeyValue(partition key)         (key_encoding.h)
//       rk   EncodeKeyValue(sort key), or x'' for tables without one
//       size DynamoDB item size in bytes (attribute_value.h ItemSize)
//       item EncodeItem(item)                      (core/item_codec.h)
//   A Query is then a range scan of one (tid, hh, hk) prefix ordered by rk.
//   index_items(tid, ix, hh, hk, rk, bhk, brk, size, item)
//       PRIMARY KEY (tid, ix, hh, hk, rk, bhk, brk) WITHOUT ROWID
//       one row per item that has the index's key attributes (sparse), keyed
//       by the index key (hk, rk) and then the table key (bhk, brk), which
//       makes GSI keys with duplicates unique; item holds the projection.
//
// Concurrency: all writes go through Write(), which serialises writers on one
// connection and runs the caller's function inside one SQLite transaction, so
// a read-check-write sequence is atomic. File databases serve reads from a
// pool of connections that run concurrently with the writer (WAL snapshots);
// in-memory databases have one connection and reads take the writer's turn.
// Every method is thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/attribute_value.h"
#include "core/error.h"

namespace dynamo::storage {

struct EncodedKey {
  std::string hash;   // EncodeKeyValue(partition key)
  std::string range;  // EncodeKeyValue(sort key), empty without a sort key
};

struct TableRecord {
  int64_t id = 0;
  std::string name;
  std::string meta;
};

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

// One row seen by a Query or Scan. Views are valid only during the visit.
struct RowView {
  ReadTxn* reader = nullptr;               // reads in the same snapshot, during the visit
  std::string_view hash, range;            // the table key, or the index key
  std::string_view base_hash, base_range;  // index rows: the table key
  std::string_view item;                   // EncodeItem bytes
  size_t size;                             // DynamoDB size of the stored item
};

// Returns true to continue, false to stop; an error stops and is returned.
using RowVisitor = std::function<core::Result<bool>(const RowView&)>;

struct TableStats {
  int64_t item_count = 0;
  int64_t size_bytes = 0;
};

struct DatabaseOptions {
  std::string path;  // file path; ignored when in_memory
  bool in_memory = false;
  bool sync_full = false;    // fsync every commit (PRAGMA synchronous=FULL)
  int read_connections = 4;  // pool size for file databases
};

class Connection;

// The operations available inside Database::Write. Valid only during the call.
class WriteTxn {
 public:
  core::Result<std::optional<core::Item>> Get(int64_t table, const EncodedKey& key);
  core::Status Put(int64_t table, const EncodedKey& key, const core::Item& item, size_t size);
  core::Status Delete(int64_t table, const EncodedKey& key);
  core::Status PutIndexEntry(int64_t table, int64_t index, const EncodedKey& index_key,
                             const EncodedKey& base_key, const core::Item& projected, size_t size);
  core::Status DeleteIndexEntry(int64_t table, int64_t index, const EncodedKey& index_key,
                                const EncodedKey& base_key);
  core::Status DropIndex(int64_t table, int64_t index);
  core::Status UpdateTableMeta(int64_t table, const std::string& meta);
  // Removes the table, its items and index entries.
  core::Status DropTable(int64_t table);
  // Scan of the whole table inside the write transaction (index backfill).
  core::Status ScanAll(int64_t table, const RowVisitor& visit);

 private:
  friend class Database;
  explicit WriteTxn(Connection* conn) : conn_(conn) {}
  Connection* conn_;
};

// Reads inside one consistent snapshot (Database::Read). Valid only during the call.
class ReadTxn {
 public:
  core::Result<std::optional<core::Item>> Get(int64_t table, const EncodedKey& key);

 private:
  friend class Database;
  explicit ReadTxn(Connection* conn) : conn_(conn) {}
  Connection* conn_;
};

class Database {
 public:
  static core::Result<std::unique_ptr<Database>> Open(const DatabaseOptions& options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  core::Result<std::vector<TableRecord>> LoadTables();
  // Fails with ResourceInUse when the name exists.
  core::Result<int64_t> InsertTable(const std::string& name, const std::string& meta);
  core::Status UpdateTableMeta(int64_t id, const std::string& meta);
  // Removes the table and all its items.
  core::Status DropTable(int64_t id);

  core::Result<std::optional<core::Item>> GetItem(int64_t table, const EncodedKey& key);
  core::Result<TableStats> Stats(int64_t table);
  core::Result<TableStats> IndexStats(int64_t table, int64_t index);

  // Rows of one partition (index 0: the table itself) in sort-key order, or
  // reverse, within bounds, strictly after `start`. One consistent snapshot.
  core::Status Query(int64_t table, int64_t index, const std::string& hash,
                     const RangeBounds& bounds, bool forward, const std::optional<Position>& start,
                     const RowVisitor& visit);
  // Rows in storage order whose partition hash lies in [hash_lo, hash_hi],
  // strictly after `start`. One consistent snapshot.
  core::Status Scan(int64_t table, int64_t index, uint32_t hash_lo, uint32_t hash_hi,
                    const std::optional<Position>& start, const RowVisitor& visit);

  // Runs fn inside one read transaction: every Get sees the same snapshot.
  core::Status Read(const std::function<core::Status(ReadTxn&)>& fn);

  // Runs fn in one write transaction. Commits when fn returns OK (durably
  // before Write returns), rolls everything back when it fails, and returns
  // fn's status.
  core::Status Write(const std::function<core::Status(WriteTxn&)>& fn);

 private:
  struct Impl;
  explicit Database(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dynamo::storage
