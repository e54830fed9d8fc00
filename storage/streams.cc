// Database's streams: the catalog kept in step with the tables' stream
// settings, and the reads of the Streams API. Records are appended by Apply
// (write_path.cc).
#include <chrono>

#include "core/messages.h"
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
      Database::Impl::ActiveStream{id, 0, after->stream.view_type, 0, now});
}

void SetActiveStream(Database::Impl& impl, int64_t table_id,
                     std::optional<Database::Impl::ActiveStream> active) {
  if (active) {
    impl.active_streams.insert_or_assign(table_id, std::move(*active));
  } else {
    impl.active_streams.erase(table_id);
  }
}

Status ReloadActiveStreams(Database::Impl& impl) {
  Connection& c = *impl.writer;
  // Built aside, so that a failure leaves the state as it was.
  std::map<int64_t, Database::Impl::ActiveStream> active;
  DYNAMO_ASSIGN_OR_RETURN(int64_t next_seq, sqlite::NextSequenceNumber(c));
  DYNAMO_ASSIGN_OR_RETURN(std::vector<StreamInfo> streams, sqlite::LoadStreams(c));
  for (const StreamInfo& s : streams) {
    if (s.disabled) continue;
    DYNAMO_ASSIGN_OR_RETURN(std::vector<ShardInfo> shards, sqlite::LoadShards(c, s.id));
    if (shards.empty() || shards.back().closed) continue;
    const ShardInfo& open = shards.back();
    DYNAMO_ASSIGN_OR_RETURN(int64_t records, sqlite::CountRecords(c, s.id, open.number));
    active.insert_or_assign(s.table_id, Database::Impl::ActiveStream{s.id, open.number, s.view_type,
                                                                     records, open.created});
  }
  impl.active_streams = std::move(active);
  // Never lower: numbers handed out in memory are not reused in this run.
  impl.next_seq = std::max(impl.next_seq, next_seq);
  return Status::Ok();
}

const ShardRollover& RolloverOf(const Database::Impl& impl, const TableDef& table) {
  return table.shard_rollover ? *table.shard_rollover : impl.options.shard_rollover;
}

Status RollShard(Database::Impl& impl, Connection& c, Database::Impl::ActiveStream& stream,
                 double now) {
  DYNAMO_RETURN_IF_ERROR(sqlite::CloseOpenShard(c, stream.id, now));
  ShardInfo child;
  child.number = stream.shard + 1;
  child.parent = stream.shard;
  child.parent_created = stream.shard_created;
  child.start_seq = impl.next_seq;
  child.created = now;
  DYNAMO_RETURN_IF_ERROR(sqlite::InsertShard(c, stream.id, child));
  stream.shard = child.number;
  stream.shard_records = 0;
  stream.shard_created = now;
  return Status::Ok();
}

Status LoadActiveStreams(Database::Impl& impl) {
  Connection& c = *impl.writer;
  DYNAMO_RETURN_IF_ERROR(ReloadActiveStreams(impl));
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

Result<ShardRead> Database::ReadShard(int64_t stream_id, int64_t shard, int64_t from, size_t limit,
                                      size_t max_bytes) {
  return impl_->Read([&](Connection& c) -> Result<ShardRead> {
    sqlite::Transaction txn(c);
    DYNAMO_RETURN_IF_ERROR(txn.Begin("BEGIN"));
    ShardRead out;
    DYNAMO_ASSIGN_OR_RETURN(std::vector<ShardInfo> shards, sqlite::LoadShards(c, stream_id));
    for (const ShardInfo& s : shards) {
      if (s.number == shard) out.shard = s;
    }
    if (out.shard && from > out.shard->trimmed) {
      DYNAMO_ASSIGN_OR_RETURN(out.records,
                              sqlite::ReadRecords(c, stream_id, shard, from, limit, max_bytes));
    }
    DYNAMO_RETURN_IF_ERROR(txn.Commit());
    return out;
  });
}

Result<int64_t> Database::LastStreamSequenceNumber(int64_t stream_id, int64_t shard) {
  return impl_->Read(
      [&](Connection& c) { return sqlite::LastSequenceNumber(c, stream_id, shard); });
}

namespace {

// Whether the open shard of a stream holds a record (one not trimmed away).
Result<bool> HoldsRecord(Connection& c, const Database::Impl::ActiveStream& stream) {
  DYNAMO_ASSIGN_OR_RETURN(int64_t last, sqlite::LastSequenceNumber(c, stream.id, stream.shard));
  return last > 0;
}

}  // namespace

Result<bool> Database::RollOverShard(std::string_view table_name) {
  auto lock = impl_->LockWriter();
  const TableDef* table = impl_->FindWhileWriting(table_name);
  if (!table) return core::TableNotFound(table_name);
  auto active = impl_->active_streams.find(table->id);
  if (active == impl_->active_streams.end()) return false;
  Impl::ActiveStream stream = active->second;
  DYNAMO_ASSIGN_OR_RETURN(bool holds, HoldsRecord(*impl_->writer, stream));
  if (!holds) return false;
  DYNAMO_RETURN_IF_ERROR(impl_->InTransaction(
      [&]() -> Status { return RollShard(*impl_, *impl_->writer, stream, impl_->Now()); }));
  active->second = stream;
  return true;
}

namespace {

// Records trimmed per shard in one transaction, and transactions per shard
// in one call, so upkeep never holds the write lock for long and keeps up
// with 10,000 records a second a shard; more waits for the next call.
constexpr size_t kTrimBatch = 1000;
constexpr int kTrimBatchesPerCall = 10;

// Upkeep of one shard (see MaintainStreams): a write transaction only when
// there is something to trim or forget. Precondition: write_mu held.
Status MaintainShard(Database::Impl& impl, const StreamInfo& info, const ShardInfo& shard,
                     double cutoff) {
  Connection& c = *impl.writer;
  for (int batch = 0; batch < kTrimBatchesPerCall; ++batch) {
    DYNAMO_ASSIGN_OR_RETURN(std::optional<double> oldest,
                            sqlite::OldestRecordTime(c, info.id, shard.number));
    if (!oldest) break;
    if (*oldest >= cutoff) return Status::Ok();
    size_t trimmed = 0;
    DYNAMO_RETURN_IF_ERROR(impl.InTransaction([&]() -> Status {
      DYNAMO_ASSIGN_OR_RETURN(trimmed,
                              sqlite::TrimRecords(c, info.id, shard.number, cutoff, kTrimBatch));
      return Status::Ok();
    }));
    if (trimmed < kTrimBatch) break;
  }
  // A shard closed before the retention began held only records older than
  // it: once they are trimmed, it goes with them (its child still names it).
  if (!shard.closed || *shard.closed >= cutoff) return Status::Ok();
  DYNAMO_ASSIGN_OR_RETURN(std::optional<double> left,
                          sqlite::OldestRecordTime(c, info.id, shard.number));
  if (left) return Status::Ok();
  return impl.InTransaction([&] { return sqlite::DeleteShard(c, info.id, shard.number); });
}

// Upkeep of one stream (see MaintainStreams). Precondition: write_mu held.
Status MaintainStream(Database::Impl& impl, const StreamInfo& info, double now) {
  Connection& c = *impl.writer;
  const double cutoff = now - kStreamRetentionSeconds;
  if (info.disabled && *info.disabled < cutoff) {
    return impl.InTransaction([&] { return sqlite::DeleteStream(c, info.id); });
  }
  DYNAMO_ASSIGN_OR_RETURN(std::vector<ShardInfo> shards, sqlite::LoadShards(c, info.id));
  for (const ShardInfo& shard : shards) {
    DYNAMO_RETURN_IF_ERROR(MaintainShard(impl, info, shard, cutoff));
  }
  return Status::Ok();
}

// Rolls the table's open shard over when it is past its age.
// Precondition: write_mu held.
Status RollAgedShard(Database::Impl& impl, const StreamInfo& info, double now) {
  auto active = impl.active_streams.find(info.table_id);
  if (active == impl.active_streams.end() || active->second.id != info.id) return Status::Ok();
  const TableDef* table = impl.FindWhileWriting(info.table_name);
  if (!table || table->id != info.table_id) return Status::Ok();
  const ShardRollover& roll = RolloverOf(impl, *table);
  Database::Impl::ActiveStream stream = active->second;
  if (roll.seconds <= 0 || now - stream.shard_created < roll.seconds) return Status::Ok();
  DYNAMO_ASSIGN_OR_RETURN(bool holds, HoldsRecord(*impl.writer, stream));
  if (!holds) return Status::Ok();
  DYNAMO_RETURN_IF_ERROR(
      impl.InTransaction([&] { return RollShard(impl, *impl.writer, stream, now); }));
  active->second = stream;
  return Status::Ok();
}

}  // namespace

Status Database::MaintainStreams(double now) {
  std::vector<StreamInfo> streams;
  {
    auto lock = impl_->LockWriter();
    DYNAMO_ASSIGN_OR_RETURN(streams, sqlite::LoadStreams(*impl_->writer));
  }
  // One stream failing does not keep the others from their upkeep.
  Status first = Status::Ok();
  for (const StreamInfo& info : streams) {
    auto lock = impl_->LockWriter();
    Status kept = RollAgedShard(*impl_, info, now);
    if (kept.ok()) kept = MaintainStream(*impl_, info, now);
    if (!kept.ok() && first.ok()) first = kept;
  }
  return first;
}

}  // namespace dynamo::storage
