// Database's streams: the catalog kept in step with the tables' stream
// settings, and the reads of the Streams API. Records are appended by Apply
// (write_path.cc).
#include <chrono>

#include "storage/database_impl.h"
#include "storage/sqlite/stream_rows.h"

namespace dynamo::storage {

using core::Result;
using core::Status;
using sqlite::Connection;

double Database::Impl::Now() const {
  if (options.clock) return options.clock();
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count()) /
         1000.0;
}

namespace {

bool SameStream(const TableDef* a, const TableDef* b) {
  return a && b && a->stream.enabled && b->stream.enabled && a->stream.label == b->stream.label;
}

}  // namespace

Result<std::optional<Database::Impl::ActiveStream>> SyncStream(Database::Impl& impl, Connection& c,
                                                               const TableDef* before,
                                                               const TableDef* after) {
  const double now = impl.Now();
  auto active = before ? impl.active_streams.find(before->id) : impl.active_streams.end();
  std::optional<Database::Impl::ActiveStream> kept;
  if (active != impl.active_streams.end()) kept = active->second;
  if (SameStream(before, after)) return kept;
  if (kept) {
    DYNAMO_RETURN_IF_ERROR(sqlite::DisableStream(c, kept->id, now));
    kept.reset();
  }
  if (!after || !after->stream.enabled) return kept;
  StreamInfo info;
  info.table_id = after->id;
  info.table_name = after->name;
  info.label = after->stream.label;
  info.view_type = after->stream.view_type;
  info.hash_key = after->key.hash.name;
  if (after->key.range) info.range_key = after->key.range->name;
  info.created = now;
  DYNAMO_ASSIGN_OR_RETURN(int64_t id, sqlite::InsertStream(c, info));
  ShardInfo shard;
  shard.start_seq = impl.next_seq;
  shard.created = now;
  DYNAMO_RETURN_IF_ERROR(sqlite::InsertShard(c, id, shard));
  return std::optional<Database::Impl::ActiveStream>(
      Database::Impl::ActiveStream{id, 0, after->stream.view_type});
}

void SetActiveStream(Database::Impl& impl, int64_t table_id,
                     std::optional<Database::Impl::ActiveStream> active) {
  if (active) {
    impl.active_streams.insert_or_assign(table_id, std::move(*active));
  } else {
    impl.active_streams.erase(table_id);
  }
}

Status LoadActiveStreams(Database::Impl& impl) {
  Connection& c = *impl.writer;
  DYNAMO_ASSIGN_OR_RETURN(impl.next_seq, sqlite::NextSequenceNumber(c));
  DYNAMO_ASSIGN_OR_RETURN(std::vector<StreamInfo> streams, sqlite::LoadStreams(c));
  for (const StreamInfo& s : streams) {
    if (s.disabled) continue;
    DYNAMO_ASSIGN_OR_RETURN(int64_t shard, sqlite::OpenShard(c, s.id));
    impl.active_streams.insert_or_assign(s.table_id,
                                         Database::Impl::ActiveStream{s.id, shard, s.view_type});
  }
  // A table whose stream was enabled before the database had streams
  // (schema version 2 and older) gets it now.
  for (const auto& entry : impl.tables) {
    const TableDef* def = entry.second.get();  // a lambda cannot capture a structured binding
    if (!def->stream.enabled || impl.active_streams.count(def->id)) continue;
    std::optional<Database::Impl::ActiveStream> active;
    DYNAMO_RETURN_IF_ERROR(impl.InTransaction([&]() -> Status {
      DYNAMO_ASSIGN_OR_RETURN(active, SyncStream(impl, c, nullptr, def));
      return Status::Ok();
    }));
    SetActiveStream(impl, def->id, std::move(active));
  }
  return Status::Ok();
}

Result<std::vector<StreamInfo>> Database::ListStreams() {
  return impl_->Read([&](Connection& c) { return sqlite::LoadStreams(c); });
}

Result<std::optional<StreamInfo>> Database::FindStream(std::string_view table_name,
                                                       std::string_view label) {
  return impl_->Read([&](Connection& c) { return sqlite::FindStream(c, table_name, label); });
}

Result<std::vector<ShardInfo>> Database::StreamShards(int64_t stream_id) {
  return impl_->Read([&](Connection& c) { return sqlite::LoadShards(c, stream_id); });
}

Result<std::vector<StreamRecord>> Database::ReadStreamRecords(int64_t stream_id, int64_t shard,
                                                              int64_t from, size_t limit,
                                                              size_t max_bytes) {
  return impl_->Read([&](Connection& c) {
    return sqlite::ReadRecords(c, stream_id, shard, from, limit, max_bytes);
  });
}

Result<int64_t> Database::LastStreamSequenceNumber(int64_t stream_id, int64_t shard) {
  return impl_->Read(
      [&](Connection& c) { return sqlite::LastSequenceNumber(c, stream_id, shard); });
}

}  // namespace dynamo::storage
