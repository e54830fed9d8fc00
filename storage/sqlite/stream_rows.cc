#include "storage/sqlite/stream_rows.h"

#include "core/item_codec.h"

namespace dynamo::storage::sqlite {

using core::Item;
using core::Result;
using core::Status;

namespace {

constexpr const char* kInsertStream =
    "INSERT INTO streams(tid, table_name, label, view_type, hash_key, range_key, created) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr const char* kInsertShard =
    "INSERT INTO stream_shards(sid, shard, parent, start_seq, end_seq, created, closed, "
    "parent_created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr const char* kDisableStream = "UPDATE streams SET disabled = ?2 WHERE id = ?1";
constexpr const char* kCloseShard =
    "UPDATE stream_shards SET closed = ?2, end_seq = coalesce((SELECT max(seq) FROM "
    "stream_records r WHERE r.sid = ?1 AND r.shard = stream_shards.shard), max(trimmed, "
    "start_seq - 1)) "
    "WHERE sid = ?1 AND closed IS NULL";
constexpr const char* kNextSeq =
    "SELECT max(coalesce((SELECT max(seq) FROM stream_records), 0), "
    "coalesce((SELECT max(max(start_seq - 1, coalesce(end_seq, 0), trimmed)) FROM stream_shards), "
    "0)) + 1";
constexpr const char* kSelectStreams =
    "SELECT id, tid, table_name, label, view_type, hash_key, range_key, created, disabled "
    "FROM streams ORDER BY id";
constexpr const char* kFindStream =
    "SELECT id, tid, table_name, label, view_type, hash_key, range_key, created, disabled "
    "FROM streams WHERE table_name = ?1 AND label = ?2 ORDER BY id DESC LIMIT 1";
constexpr const char* kSelectShards =
    "SELECT shard, parent, start_seq, end_seq, created, closed, trimmed, parent_created "
    "FROM stream_shards "
    "WHERE sid = ?1 ORDER BY shard";
constexpr const char* kInsertRecord =
    "INSERT INTO stream_records(sid, shard, created, event, service, size, keys, old, new, seq) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
constexpr const char* kSelectRecords =
    "SELECT seq, created, event, service, size, keys, old, new FROM stream_records "
    "WHERE sid = ?1 AND shard = ?2 AND seq >= ?3 ORDER BY seq LIMIT ?4";
constexpr const char* kLastSeq =
    "SELECT coalesce(max(seq), 0) FROM stream_records WHERE sid = ?1 AND shard = ?2";
constexpr const char* kCountRecords =
    "SELECT count(*) FROM stream_records WHERE sid = ?1 AND shard = ?2";
constexpr const char* kOldestRecordTime =
    "SELECT created FROM stream_records WHERE sid = ?1 AND shard = ?2 ORDER BY seq LIMIT 1";
constexpr const char* kOldestRecords =
    "SELECT seq, created FROM stream_records WHERE sid = ?1 AND shard = ?2 ORDER BY seq LIMIT ?3";
constexpr const char* kTrimRecords =
    "DELETE FROM stream_records WHERE sid = ?1 AND shard = ?2 AND seq <= ?3";
constexpr const char* kSetTrimmed =
    "UPDATE stream_shards SET trimmed = max(trimmed, ?3) WHERE sid = ?1 AND shard = ?2";
constexpr const char* kDeleteShardRecords =
    "DELETE FROM stream_records WHERE sid = ?1 AND shard = ?2";
constexpr const char* kDeleteShard = "DELETE FROM stream_shards WHERE sid = ?1 AND shard = ?2";
constexpr const char* kDeleteStreamRecords = "DELETE FROM stream_records WHERE sid = ?1";
constexpr const char* kDeleteStreamShards = "DELETE FROM stream_shards WHERE sid = ?1";
constexpr const char* kDeleteStream = "DELETE FROM streams WHERE id = ?1";

std::string_view ColumnText(sqlite3_stmt* s, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, column));
  return text ? std::string_view(text, static_cast<size_t>(sqlite3_column_bytes(s, column)))
              : std::string_view();
}

std::optional<int64_t> ColumnOptionalInt(sqlite3_stmt* s, int column) {
  if (sqlite3_column_type(s, column) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int64(s, column);
}

std::optional<double> ColumnOptionalDouble(sqlite3_stmt* s, int column) {
  if (sqlite3_column_type(s, column) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_double(s, column);
}

StreamInfo StreamOfRow(sqlite3_stmt* s) {
  StreamInfo info;
  info.id = sqlite3_column_int64(s, 0);
  info.table_id = sqlite3_column_int64(s, 1);
  info.table_name = std::string(ColumnText(s, 2));
  info.label = std::string(ColumnText(s, 3));
  info.view_type = std::string(ColumnText(s, 4));
  info.hash_key = std::string(ColumnText(s, 5));
  info.range_key = std::string(ColumnText(s, 6));
  info.created = sqlite3_column_double(s, 7);
  info.disabled = ColumnOptionalDouble(s, 8);
  return info;
}

Result<std::optional<Item>> OptionalItem(sqlite3_stmt* s, int column) {
  if (sqlite3_column_type(s, column) == SQLITE_NULL) return std::optional<Item>();
  DYNAMO_ASSIGN_OR_RETURN(Item item, core::DecodeItem(ColumnBlob(s, column)));
  return std::optional<Item>(std::move(item));
}

void BindOptionalItem(sqlite3_stmt* s, int index, const Item* item, std::string* blob) {
  if (!item) {
    sqlite3_bind_null(s, index);
    return;
  }
  core::EncodeItem(*item, blob);
  BindBlob(s, index, *blob);
}

Result<int64_t> SingleInt(Connection& c, sqlite3_stmt* s, const char* what) {
  if (sqlite3_step(s) != SQLITE_ROW) return SqliteError(c.db(), what);
  return sqlite3_column_int64(s, 0);
}

}  // namespace

Result<int64_t> InsertStream(Connection& c, const StreamInfo& info) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kInsertStream));
  Connection::Stmt stmt(s);
  sqlite3_bind_int64(s, 1, info.table_id);
  BindText(s, 2, info.table_name);
  BindText(s, 3, info.label);
  BindText(s, 4, info.view_type);
  BindText(s, 5, info.hash_key);
  BindText(s, 6, info.range_key);
  sqlite3_bind_double(s, 7, info.created);
  DYNAMO_RETURN_IF_ERROR(Step(c, s, "insert stream"));
  return sqlite3_last_insert_rowid(c.db());
}

Status InsertShard(Connection& c, int64_t stream, const ShardInfo& shard) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kInsertShard));
  Connection::Stmt stmt(s);
  sqlite3_bind_int64(s, 1, stream);
  sqlite3_bind_int64(s, 2, shard.number);
  if (shard.parent) sqlite3_bind_int64(s, 3, *shard.parent);
  sqlite3_bind_int64(s, 4, shard.start_seq);
  if (shard.end_seq) sqlite3_bind_int64(s, 5, *shard.end_seq);
  sqlite3_bind_double(s, 6, shard.created);
  if (shard.closed) sqlite3_bind_double(s, 7, *shard.closed);
  sqlite3_bind_double(s, 8, shard.parent_created);
  return Step(c, s, "insert shard");
}

Status CloseOpenShard(Connection& c, int64_t stream, double now) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kCloseShard));
  Connection::Stmt stmt(s);
  sqlite3_bind_int64(s, 1, stream);
  sqlite3_bind_double(s, 2, now);
  return Step(c, s, "close shard");
}

Status DisableStream(Connection& c, int64_t stream, double now) {
  DYNAMO_RETURN_IF_ERROR(CloseOpenShard(c, stream, now));
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kDisableStream));
  Connection::Stmt stmt(s);
  sqlite3_bind_int64(s, 1, stream);
  sqlite3_bind_double(s, 2, now);
  return Step(c, s, "disable stream");
}

Result<int64_t> NextSequenceNumber(Connection& c) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kNextSeq));
  Connection::Stmt stmt(s);
  return SingleInt(c, s, "next sequence number");
}

Result<std::vector<StreamInfo>> LoadStreams(Connection& c) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kSelectStreams));
  Connection::Stmt stmt(s);
  std::vector<StreamInfo> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) out.push_back(StreamOfRow(s));
  if (rc != SQLITE_DONE) return SqliteError(c.db(), "load streams");
  return out;
}

Result<std::optional<StreamInfo>> FindStream(Connection& c, std::string_view table_name,
                                             std::string_view label) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kFindStream));
  Connection::Stmt stmt(s);
  BindText(s, 1, table_name);
  BindText(s, 2, label);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_DONE) return std::optional<StreamInfo>();
  if (rc != SQLITE_ROW) return SqliteError(c.db(), "find stream");
  return std::optional<StreamInfo>(StreamOfRow(s));
}

Result<std::vector<ShardInfo>> LoadShards(Connection& c, int64_t stream) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kSelectShards));
  Connection::Stmt stmt(s);
  sqlite3_bind_int64(s, 1, stream);
  std::vector<ShardInfo> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    ShardInfo shard;
    shard.number = sqlite3_column_int64(s, 0);
    shard.parent = ColumnOptionalInt(s, 1);
    shard.start_seq = sqlite3_column_int64(s, 2);
    shard.end_seq = ColumnOptionalInt(s, 3);
    shard.created = sqlite3_column_double(s, 4);
    shard.closed = ColumnOptionalDouble(s, 5);
    shard.trimmed = sqlite3_column_int64(s, 6);
    shard.parent_created = sqlite3_column_double(s, 7);
    out.push_back(shard);
  }
  if (rc != SQLITE_DONE) return SqliteError(c.db(), "load shards");
  return out;
}

Status AppendRecord(Connection& c, int64_t stream, int64_t shard, const StreamRecord& record,
                    const Item* old_image, const Item* new_image) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kInsertRecord));
  Connection::Stmt stmt(s);
  sqlite3_bind_int64(s, 1, stream);
  sqlite3_bind_int64(s, 2, shard);
  sqlite3_bind_double(s, 3, record.created);
  sqlite3_bind_int(s, 4, static_cast<int>(record.event));
  sqlite3_bind_int(s, 5, record.by_service ? 1 : 0);
  sqlite3_bind_int64(s, 6, static_cast<int64_t>(record.size));
  std::string keys, old_blob, new_blob;
  core::EncodeItem(record.keys, &keys);
  BindBlob(s, 7, keys);
  BindOptionalItem(s, 8, old_image, &old_blob);
  BindOptionalItem(s, 9, new_image, &new_blob);
  sqlite3_bind_int64(s, 10, record.seq);
  return Step(c, s, "append stream record");
}

Result<std::vector<StreamRecord>> ReadRecords(Connection& c, int64_t stream, int64_t shard,
                                              int64_t from, size_t limit, size_t max_bytes) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kSelectRecords));
  Connection::Stmt stmt(s);
  sqlite3_bind_int64(s, 1, stream);
  sqlite3_bind_int64(s, 2, shard);
  sqlite3_bind_int64(s, 3, from);
  sqlite3_bind_int64(s, 4, static_cast<int64_t>(limit));
  std::vector<StreamRecord> out;
  size_t bytes = 0;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    const auto size = static_cast<size_t>(sqlite3_column_int64(s, 4));
    if (!out.empty() && bytes + size > max_bytes) return out;
    bytes += size;
    StreamRecord r;
    r.seq = sqlite3_column_int64(s, 0);
    r.created = sqlite3_column_double(s, 1);
    r.event = static_cast<StreamEvent>(sqlite3_column_int(s, 2));
    r.by_service = sqlite3_column_int(s, 3) != 0;
    r.size = static_cast<size_t>(sqlite3_column_int64(s, 4));
    DYNAMO_ASSIGN_OR_RETURN(r.keys, core::DecodeItem(ColumnBlob(s, 5)));
    DYNAMO_ASSIGN_OR_RETURN(r.old_image, OptionalItem(s, 6));
    DYNAMO_ASSIGN_OR_RETURN(r.new_image, OptionalItem(s, 7));
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return SqliteError(c.db(), "read stream records");
  return out;
}

Result<int64_t> LastSequenceNumber(Connection& c, int64_t stream, int64_t shard) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kLastSeq));
  Connection::Stmt stmt(s);
  sqlite3_bind_int64(s, 1, stream);
  sqlite3_bind_int64(s, 2, shard);
  return SingleInt(c, s, "last sequence number");
}

Result<int64_t> CountRecords(Connection& c, int64_t stream, int64_t shard) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kCountRecords));
  Connection::Stmt stmt(s);
  sqlite3_bind_int64(s, 1, stream);
  sqlite3_bind_int64(s, 2, shard);
  return SingleInt(c, s, "count stream records");
}

Result<std::optional<double>> OldestRecordTime(Connection& c, int64_t stream, int64_t shard) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kOldestRecordTime));
  Connection::Stmt stmt(s);
  sqlite3_bind_int64(s, 1, stream);
  sqlite3_bind_int64(s, 2, shard);
  const int rc = sqlite3_step(s);
  if (rc == SQLITE_DONE) return std::optional<double>();
  if (rc != SQLITE_ROW) return SqliteError(c.db(), "oldest stream record");
  return std::optional<double>(sqlite3_column_double(s, 0));
}

namespace {

// The (stream, shard, value) statements of trimming and deleting.
Status RunOnShard(Connection& c, const char* sql, int64_t stream, int64_t shard,
                  std::optional<int64_t> value, const char* what) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(sql));
  Connection::Stmt stmt(s);
  sqlite3_bind_int64(s, 1, stream);
  sqlite3_bind_int64(s, 2, shard);
  if (value) sqlite3_bind_int64(s, 3, *value);
  return Step(c, s, what);
}

}  // namespace

Result<size_t> TrimRecords(Connection& c, int64_t stream, int64_t shard, double cutoff,
                           size_t limit) {
  int64_t last = 0;
  size_t n = 0;
  {
    DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kOldestRecords));
    Connection::Stmt stmt(s);
    sqlite3_bind_int64(s, 1, stream);
    sqlite3_bind_int64(s, 2, shard);
    sqlite3_bind_int64(s, 3, static_cast<int64_t>(limit));
    int rc;
    // Records are created in sequence order: the old ones are a prefix.
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && sqlite3_column_double(s, 1) < cutoff) {
      last = sqlite3_column_int64(s, 0);
      ++n;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return SqliteError(c.db(), "find old records");
  }
  if (n == 0) return n;
  DYNAMO_RETURN_IF_ERROR(RunOnShard(c, kTrimRecords, stream, shard, last, "trim records"));
  DYNAMO_RETURN_IF_ERROR(RunOnShard(c, kSetTrimmed, stream, shard, last, "set trim point"));
  return n;
}

Status DeleteShard(Connection& c, int64_t stream, int64_t shard) {
  DYNAMO_RETURN_IF_ERROR(
      RunOnShard(c, kDeleteShardRecords, stream, shard, std::nullopt, "delete shard records"));
  return RunOnShard(c, kDeleteShard, stream, shard, std::nullopt, "delete shard");
}

Status DeleteStream(Connection& c, int64_t stream) {
  for (const char* sql : {kDeleteStreamRecords, kDeleteStreamShards, kDeleteStream}) {
    DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(sql));
    Connection::Stmt stmt(s);
    sqlite3_bind_int64(s, 1, stream);
    DYNAMO_RETURN_IF_ERROR(Step(c, s, "delete stream"));
  }
  return Status::Ok();
}

}  // namespace dynamo::storage::sqlite
