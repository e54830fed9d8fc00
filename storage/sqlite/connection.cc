#include "storage/sqlite/connection.h"

#include <memory>

namespace dynamo::storage::sqlite {

using core::Error;
using core::ErrorCode;
using core::Result;
using core::Status;

Error SqliteError(sqlite3* db, std::string_view what) {
  return Error{ErrorCode::kInternalServerError,
               "storage error (" + std::string(what) + "): " + sqlite3_errmsg(db)};
}

void BindBlob(sqlite3_stmt* s, int index, std::string_view bytes) {
  sqlite3_bind_blob(s, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
}

void BindText(sqlite3_stmt* s, int index, std::string_view text) {
  sqlite3_bind_text(s, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

std::string_view ColumnBlob(sqlite3_stmt* s, int column) {
  const void* p = sqlite3_column_blob(s, column);
  return std::string_view(static_cast<const char*>(p),
                          static_cast<size_t>(sqlite3_column_bytes(s, column)));
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, bool in_memory,
                                                     bool sync_full) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  // A file store belongs to this process alone: "unix-excl" takes one
  // exclusive lock on the file when it is first read, so another process
  // cannot open it while the emulator runs, and keeps the WAL index in heap
  // memory shared by this process's connections. Every transaction's
  // begin and end is then lock bookkeeping in memory instead of fcntl()
  // calls on the file and its -shm (6 system calls per write, a fifth of a
  // PutItem's time, before).
  const char* vfs = in_memory ? nullptr : "unix-excl";
  if (sqlite3_open_v2(in_memory ? ":memory:" : path.c_str(), &db, flags, vfs) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return Error{ErrorCode::kInternalServerError, "cannot open database " + path + ": " + msg};
  }
  auto conn = std::make_unique<Connection>(db);
  sqlite3_busy_timeout(db, 5000);
  std::string pragmas = "PRAGMA foreign_keys=OFF; PRAGMA cache_size=-16000;";
  if (!in_memory) {
    // synchronous first: a new file's switch to WAL is a write, and at
    // SQLite's default (FULL) it would sync the journal twice.
    pragmas += sync_full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;";
    pragmas += "PRAGMA journal_mode=WAL;";
  }
  Status status = conn->ExecScript(pragmas);
  if (!status.ok()) {
    return Error{ErrorCode::kInternalServerError,
                 "cannot initialise database " + path + ": " + status.error().message};
  }
  return conn;
}

Connection::~Connection() {
  for (auto& [sql, stmt] : stmts_) sqlite3_finalize(stmt);
  for (auto& [sql, stmt] : dynamic_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Result<sqlite3_stmt*> Connection::Prepare(const char* sql) {
  auto it = stmts_.find(sql);
  if (it != stmts_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    return SqliteError(db_, "prepare");
  }
  stmts_.emplace(sql, stmt);
  return stmt;
}

Result<sqlite3_stmt*> Connection::PrepareDynamic(const std::string& sql) {
  auto it = dynamic_.find(sql);
  if (it != dynamic_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) !=
      SQLITE_OK) {
    return SqliteError(db_, "prepare");
  }
  dynamic_.emplace(sql, stmt);
  return stmt;
}

Status Connection::Exec(const char* sql) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, Prepare(sql));
  Stmt stmt(s);
  int rc = sqlite3_step(s);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return SqliteError(db_, sql);
  return Status::Ok();
}

Status Connection::ExecScript(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return Error{ErrorCode::kInternalServerError, msg};
  }
  return Status::Ok();
}

Transaction::~Transaction() {
  if (open_) (void)c_.Exec("ROLLBACK");
}

Status Transaction::Begin(const char* begin_sql) {
  DYNAMO_RETURN_IF_ERROR(c_.Exec(begin_sql));
  open_ = true;
  return Status::Ok();
}

Status Step(Connection& c, sqlite3_stmt* s, const char* what) {
  if (sqlite3_step(s) != SQLITE_DONE) return SqliteError(c.db(), what);
  return Status::Ok();
}

Status Transaction::Commit() {
  open_ = false;
  Status commit = c_.Exec("COMMIT");
  if (!commit.ok()) (void)c_.Exec("ROLLBACK");
  return commit;
}

}  // namespace dynamo::storage::sqlite
