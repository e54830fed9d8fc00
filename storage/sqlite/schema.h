// Private to storage: the SQLite schema, its version, and migrations.
//
// Schema version 4 (kSchemaVersion):
//
//   schema_info(key TEXT PRIMARY KEY, value TEXT)      ('version', '4')
//   tables(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, def BLOB)
//       def  the TableDef persisted with the item codec (table_def.h); ids
//            are never reused (AUTOINCREMENT), so a recreated table is new
//   items(tid, hh, hk, rk, size, item) PRIMARY KEY (tid, hh, hk, rk) WITHOUT ROWID
//       tid  table id
//       hh   PartitionHash(hk): stored order is hash order, so parallel Scan
//            segments are contiguous ranges and Scan visits partitions in a
//            stable pseudo-random order, as DynamoDB's does
//       hk   EncodeKeyValue(partition key)          (key_encoding.h)
//       rk   EncodeKeyValue(sort key), or x'' for tables without one
//       size DynamoDB item size in bytes            (core/attribute_value.h ItemSize)
//       item EncodeItem(item)                       (core/item_codec.h)
//     A Query is then a range scan of one (tid, hh, hk) prefix ordered by rk.
//   index_items(tid, ix, hh, hk, rk, bhk, brk, size, item)
//       PRIMARY KEY (tid, ix, hh, hk, rk, bhk, brk) WITHOUT ROWID
//       one row per item that has the index's key attributes (sparse), keyed
//       by the index key (hk, rk) and then the table key (bhk, brk), which
//       makes GSI keys with duplicates unique; item holds the projection.
//   streams(id, tid, table_name, label, view_type, hash_key, range_key,
//           created, disabled)                   one row per stream (streams.h)
//   stream_shards(sid, shard, parent, start_seq, end_seq, created, closed,
//           trimmed, parent_created)
//       trimmed: the highest sequence number trimmed away (0: none);
//       parent_created: the parent's creation time, which its ShardId
//       carries, so a child names its parent after the parent is gone
//   stream_records(sid, shard, seq, created, event, service, size, keys, old,
//           new) PRIMARY KEY (sid, shard, seq) WITHOUT ROWID
//       seq is the record's sequence number, increasing over the database
//       (storage keeps the next one in memory, from the highest one stored
//       in records or shards); keys/old/new are EncodeItem blobs, old and
//       new kept as the stream's view type asks.
//   ttl_expiry(tid, hk, rk, expires) PRIMARY KEY (tid, hk, rk) WITHOUT ROWID,
//       with an index on (tid, expires): one row per item of a table with
//       Time to Live enabled whose TTL attribute is a Number (epoch
//       seconds); the sweeper reads the expired ones in expiry order.
//
// History: version 1 kept the table definition as JSON text written by the
// API layer (tables.meta); version 2 makes it storage's own typed record; version 3
// adds the stream tables; version 4 the TTL expiry index and shard trim points.
#pragma once

#include <string>

#include "core/error.h"
#include "storage/sqlite/connection.h"
#include "storage/table_def.h"

namespace dynamo::storage::sqlite {

inline constexpr int kSchemaVersion = 4;

// Brings the database on c to kSchemaVersion in one transaction: creates the
// schema in a new database, migrates an older version, and refuses a newer
// one (a message naming both versions; nothing is changed). name: the file,
// for messages.
core::Status PrepareSchema(Connection& c, const std::string& name);

// The refusal of a database written by a newer version.
core::Error NewerSchemaError(const std::string& name, int version);

// The schema version of an existing database file, read without changing
// it and without waiting for locks; 0 for a file without the schema yet.
core::Result<int> ReadSchemaVersion(const std::string& path);

// Version 1's table definition (the JSON that the API layer wrote) as a
// TableDef. Used by the migration only.
core::Result<TableDef> TableDefFromVersion1(const std::string& json);

}  // namespace dynamo::storage::sqlite
