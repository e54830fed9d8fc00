// DynamoDB Streams as storage keeps them: one stream per enabling of a
// table's StreamSpecification, its shards, and its records.
//
// Records are written by the one write path (write_path.h), in the SQLite
// transaction of the change they describe, so a stream never shows a change
// that was rolled back and never misses one that committed. A stream lives
// in the streams catalog from the table change that enables it; disabling it
// (or deleting its table) closes its open shard and leaves it readable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/attribute_value.h"

namespace dynamo::storage {

struct StreamInfo {
  int64_t id = 0;        // storage id, never reused
  int64_t table_id = 0;  // TableDef::id of the table it belongs to
  std::string table_name;
  std::string label;               // StreamSettings::label when it was created
  std::string view_type;           // KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES
  std::string hash_key;            // the table's key attribute names
  std::string range_key;           // empty without a sort key
  double created = 0;              // seconds since the epoch
  std::optional<double> disabled;  // when it was disabled; nullopt while enabled
};

struct ShardInfo {
  int64_t number = 0;              // 0, 1, ... within the stream
  std::optional<int64_t> parent;   // the shard it was rolled over from
  double parent_created = 0;       // when the parent was opened (its ShardId outlives it)
  int64_t start_seq = 0;           // the first sequence number it may hold
  std::optional<int64_t> end_seq;  // the last one it holds, once closed
  double created = 0;
  std::optional<double> closed;
  int64_t trimmed = 0;  // records up to this sequence number were trimmed away
};

// How long stream records are kept (DynamoDB's 24 hours).
inline constexpr double kStreamRetentionSeconds = 24 * 3600;

enum class StreamEvent { kInsert = 1, kModify = 2, kRemove = 3 };

struct StreamRecord {
  int64_t seq = 0;  // increasing over the whole database, so within a shard
  double created = 0;
  StreamEvent event = StreamEvent::kInsert;
  bool by_service = false;  // a deletion made by DynamoDB itself (TTL)
  size_t size = 0;          // SizeBytes
  core::Item keys;
  std::optional<core::Item> old_image;  // as the view type keeps them
  std::optional<core::Item> new_image;
};

// A shard and the records read from it in the same snapshot
// (Database::ReadShard).
struct ShardRead {
  std::optional<ShardInfo> shard;  // nullopt: no such shard (any more)
  std::vector<StreamRecord> records;
};

}  // namespace dynamo::storage
