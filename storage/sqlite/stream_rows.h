// Private to storage: the rows of streams, their shards and records
// (schema.h draws the tables).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "storage/sqlite/connection.h"
#include "storage/streams.h"

namespace dynamo::storage::sqlite {

// A new stream (info.id is ignored) with its first shard; returns its id.
core::Result<int64_t> InsertStream(Connection& c, const StreamInfo& info);
core::Status InsertShard(Connection& c, int64_t stream, const ShardInfo& shard);
// Marks the stream disabled and closes its open shard.
core::Status DisableStream(Connection& c, int64_t stream, double now);
// Closes the stream's open shard at its last record (or before its start).
core::Status CloseOpenShard(Connection& c, int64_t stream, double now);

// One past the highest sequence number the database holds (records, shard bounds).
core::Result<int64_t> NextSequenceNumber(Connection& c);

core::Result<std::vector<StreamInfo>> LoadStreams(Connection& c);  // by id
core::Result<std::optional<StreamInfo>> FindStream(Connection& c, std::string_view table_name,
                                                   std::string_view label);
core::Result<std::vector<ShardInfo>> LoadShards(Connection& c, int64_t stream);  // by number

// A new record at record.seq; its images are given by pointer (null: not
// kept), so the write path stores them without copying the items
// (record.old_image and new_image are ignored).
core::Status AppendRecord(Connection& c, int64_t stream, int64_t shard, const StreamRecord& record,
                          const core::Item* old_image, const core::Item* new_image);
// Up to limit records of a shard with seq >= from, in order, stopping before
// the record that would take their SizeBytes past max_bytes (the first one
// is always read). Records past the budget are not decoded.
core::Result<std::vector<StreamRecord>> ReadRecords(Connection& c, int64_t stream, int64_t shard,
                                                    int64_t from, size_t limit, size_t max_bytes);
// The last sequence number of a shard (0: it has no record).
core::Result<int64_t> LastSequenceNumber(Connection& c, int64_t stream, int64_t shard);
// How many records a shard holds.
core::Result<int64_t> CountRecords(Connection& c, int64_t stream, int64_t shard);
// When the oldest record a shard holds was created; nullopt when it holds none.
core::Result<std::optional<double>> OldestRecordTime(Connection& c, int64_t stream, int64_t shard);

// Deletes up to limit of the shard's oldest records created before cutoff
// and raises its trim point past them; returns how many it deleted.
core::Result<size_t> TrimRecords(Connection& c, int64_t stream, int64_t shard, double cutoff,
                                 size_t limit);
// Forgets a shard and its records.
core::Status DeleteShard(Connection& c, int64_t stream, int64_t shard);
// Forgets a stream, its shards and their records.
core::Status DeleteStream(Connection& c, int64_t stream);

}  // namespace dynamo::storage::sqlite
