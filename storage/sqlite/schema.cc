#include "storage/sqlite/schema.h"

#include "core/item_codec.h"

namespace dynamo::storage::sqlite {

using core::Error;
using core::ErrorCode;
using core::Result;
using core::Status;

namespace {

constexpr const char* kCreateSchema = R"sql(
CREATE TABLE schema_info(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE tables(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  def BLOB NOT NULL);
CREATE TABLE items(
  tid INTEGER NOT NULL,
  hh INTEGER NOT NULL,
  hk BLOB NOT NULL,
  rk BLOB NOT NULL,
  size INTEGER NOT NULL,
  item BLOB NOT NULL,
  PRIMARY KEY (tid, hh, hk, rk)) WITHOUT ROWID;
CREATE TABLE index_items(
  tid INTEGER NOT NULL,
  ix INTEGER NOT NULL,
  hh INTEGER NOT NULL,
  hk BLOB NOT NULL,
  rk BLOB NOT NULL,
  bhk BLOB NOT NULL,
  brk BLOB NOT NULL,
  size INTEGER NOT NULL,
  item BLOB NOT NULL,
  PRIMARY KEY (tid, ix, hh, hk, rk, bhk, brk)) WITHOUT ROWID;
INSERT INTO schema_info(key, value) VALUES ('version', '3');
)sql";

// Version 3 adds the streams (stream_rows.h).
constexpr const char* kCreateStreams = R"sql(
CREATE TABLE streams(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tid INTEGER NOT NULL,
  table_name TEXT NOT NULL,
  label TEXT NOT NULL,
  view_type TEXT NOT NULL,
  hash_key TEXT NOT NULL,
  range_key TEXT NOT NULL,
  created REAL NOT NULL,
  disabled REAL);
CREATE INDEX streams_by_table ON streams(table_name, label);
CREATE TABLE stream_shards(
  sid INTEGER NOT NULL,
  shard INTEGER NOT NULL,
  parent INTEGER,
  start_seq INTEGER NOT NULL,
  end_seq INTEGER,
  created REAL NOT NULL,
  closed REAL,
  PRIMARY KEY (sid, shard)) WITHOUT ROWID;
CREATE TABLE stream_records(
  sid INTEGER NOT NULL,
  shard INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  created REAL NOT NULL,
  event INTEGER NOT NULL,
  service INTEGER NOT NULL,
  size INTEGER NOT NULL,
  keys BLOB NOT NULL,
  old BLOB,
  new BLOB,
  PRIMARY KEY (sid, shard, seq)) WITHOUT ROWID;
)sql";

// Version 4 adds the TTL expiry index (ttl_rows.h) and each shard's trim point.
constexpr const char* kVersion4 = R"sql(
CREATE TABLE ttl_expiry(
  tid INTEGER NOT NULL,
  hk BLOB NOT NULL,
  rk BLOB NOT NULL,
  expires REAL NOT NULL,
  PRIMARY KEY (tid, hk, rk)) WITHOUT ROWID;
CREATE INDEX ttl_expiry_by_time ON ttl_expiry(tid, expires);
ALTER TABLE stream_shards ADD COLUMN trimmed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stream_shards ADD COLUMN parent_created REAL NOT NULL DEFAULT 0;
UPDATE schema_info SET value = '4' WHERE key = 'version';
)sql";

constexpr const char* kHasSchemaInfo =
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_info'";
constexpr const char* kSelectVersion = "SELECT value FROM schema_info WHERE key = 'version'";
constexpr const char* kSelectV1Tables = "SELECT id, meta FROM tables";
constexpr const char* kUpdateDef = "UPDATE tables SET def = ?2 WHERE id = ?1";

// 0 when the database has no schema yet.
Result<int> CurrentVersion(Connection& c) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * has, c.Prepare(kHasSchemaInfo));
  {
    Connection::Stmt stmt(has);
    if (sqlite3_step(has) != SQLITE_ROW) return SqliteError(c.db(), "schema version");
    if (sqlite3_column_int64(has, 0) == 0) return 0;
  }
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kSelectVersion));
  Connection::Stmt stmt(s);
  if (sqlite3_step(s) != SQLITE_ROW) return SqliteError(c.db(), "schema version");
  const char* text = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  std::string value = text ? text : "";
  if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos ||
      value.size() > 9) {
    return Error{ErrorCode::kInternalServerError, "unreadable schema version '" + value + "'"};
  }
  return std::stoi(value);
}

// Version 1 -> 2: the JSON table definitions become TableDef records.
Status MigrateFrom1(Connection& c) {
  DYNAMO_RETURN_IF_ERROR(
      c.ExecScript("ALTER TABLE tables ADD COLUMN def BLOB NOT NULL DEFAULT x''"));
  std::vector<std::pair<int64_t, std::string>> defs;
  {
    DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kSelectV1Tables));
    Connection::Stmt stmt(s);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      const char* meta = reinterpret_cast<const char*>(sqlite3_column_text(s, 1));
      DYNAMO_ASSIGN_OR_RETURN(TableDef def, TableDefFromVersion1(meta ? meta : ""));
      defs.emplace_back(sqlite3_column_int64(s, 0), core::EncodeItem(TableDefToItem(def)));
    }
    if (rc != SQLITE_DONE) return SqliteError(c.db(), "read version 1 tables");
  }
  for (const auto& [id, def] : defs) {
    DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kUpdateDef));
    Connection::Stmt stmt(s);
    sqlite3_bind_int64(s, 1, id);
    BindBlob(s, 2, def);
    if (sqlite3_step(s) != SQLITE_DONE) return SqliteError(c.db(), "migrate table definition");
  }
  return c.ExecScript(
      "ALTER TABLE tables DROP COLUMN meta;"
      "UPDATE schema_info SET value = '2' WHERE key = 'version';");
}

// Version 2 -> 3: the stream tables.
Status MigrateFrom2(Connection& c) {
  DYNAMO_RETURN_IF_ERROR(c.ExecScript(kCreateStreams));
  return c.ExecScript("UPDATE schema_info SET value = '3' WHERE key = 'version';");
}

Status PrepareInTransaction(Connection& c, const std::string& name) {
  DYNAMO_ASSIGN_OR_RETURN(int version, CurrentVersion(c));
  if (version == kSchemaVersion) return Status::Ok();
  if (version > kSchemaVersion) return NewerSchemaError(name, version);
  if (version < 0) {
    return Error{ErrorCode::kInternalServerError,
                 "database " + name + " has unknown schema version " + std::to_string(version)};
  }
  // A new database is built as version 3 was, then migrated like any other.
  if (version == 0) {
    DYNAMO_RETURN_IF_ERROR(c.ExecScript(kCreateSchema));
    DYNAMO_RETURN_IF_ERROR(c.ExecScript(kCreateStreams));
    version = 3;
  }
  if (version == 1) DYNAMO_RETURN_IF_ERROR(MigrateFrom1(c));
  if (version <= 2) DYNAMO_RETURN_IF_ERROR(MigrateFrom2(c));
  return c.ExecScript(kVersion4);
}

}  // namespace

Error NewerSchemaError(const std::string& name, int version) {
  return Error{ErrorCode::kInternalServerError,
               "database " + name + " has schema version " + std::to_string(version) +
                   ", newer than version " + std::to_string(kSchemaVersion) +
                   ", the newest this dynamo-emu can read; refusing to open it (use a newer "
                   "dynamo-emu, or another data directory)"};
}

Status PrepareSchema(Connection& c, const std::string& name) {
  Transaction txn(c);
  DYNAMO_RETURN_IF_ERROR(txn.Begin("BEGIN IMMEDIATE"));
  DYNAMO_RETURN_IF_ERROR(PrepareInTransaction(c, name));
  return txn.Commit();
}

Result<int> ReadSchemaVersion(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return Error{ErrorCode::kInternalServerError, "cannot open database " + path + ": " + msg};
  }
  Connection c(db);  // no busy wait: a database another process holds is not waited for
  auto version = CurrentVersion(c);
  if (!version.ok()) {
    return Error{ErrorCode::kInternalServerError,
                 "cannot read the schema version of " + path + ": " + version.error().message};
  }
  return version;
}

}  // namespace dynamo::storage::sqlite
