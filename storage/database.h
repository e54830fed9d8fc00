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
//       item EncodeItem(item)                      (expr/core/item_codec.h)
//   A Query is then a range scan of one (tid, hh, hk) prefix ordered by rk.
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

#include "expr/core/attribute_value.h"
#include "expr/core/error.h"

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

struct TableStats {
  int64_t item_count = 0;
  int64_t size_bytes = 0;
};

struct DatabaseOptions {
  std::string path;          // file path; ignored when in_memory
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

 private:
  friend class Database;
  explicit WriteTxn(Connection* conn) : conn_(conn) {}
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
