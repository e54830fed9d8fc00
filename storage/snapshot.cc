// Database::TakeSnapshot and Database::Restore: whole-database copies with
// SQLite's online backup API (https://sqlite.org/backup.html), which copies
// pages, not rows, so a namespace of 10,000 items is copied in milliseconds.
// Both run under the write mutex: between two writes, never inside one.
#include <sqlite3.h>

#include <mutex>
#include <shared_mutex>

#include "storage/database.h"
#include "storage/database_impl.h"
#include "storage/sqlite/rows.h"
#include "storage/sqlite/schema.h"

namespace dynamo::storage {

using core::Result;
using core::Status;
using sqlite::Connection;

Snapshot::~Snapshot() = default;

namespace {

// Copies every page of from's main database over to's, in one step.
Status CopyDatabase(Connection& from, Connection& to, const char* what) {
  sqlite3_backup* backup = sqlite3_backup_init(to.db(), "main", from.db(), "main");
  if (!backup) return sqlite::SqliteError(to.db(), what);
  const int stepped = sqlite3_backup_step(backup, -1);
  const int finished = sqlite3_backup_finish(backup);
  if (stepped != SQLITE_DONE) {
    return core::Error{core::ErrorCode::kInternalServerError,
                       std::string(what) + ": " + sqlite3_errstr(stepped)};
  }
  if (finished != SQLITE_OK) return sqlite::SqliteError(to.db(), what);
  return Status::Ok();
}

// The AUTOINCREMENT counters (table and stream ids) of c.
Result<std::vector<std::pair<std::string, int64_t>>> IdCounters(Connection& c) {
  std::vector<std::pair<std::string, int64_t>> out;
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(c.db(), "SELECT name, seq FROM sqlite_sequence", -1, &s, nullptr) !=
      SQLITE_OK) {
    return sqlite::SqliteError(c.db(), "reading id counters");
  }
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)),
                     sqlite3_column_int64(s, 1));
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) return sqlite::SqliteError(c.db(), "reading id counters");
  return out;
}

// Raises c's id counters to at least `counters`, so that ids handed out
// before a restore are never handed out again: a request prepared before it
// finds its table gone (ResourceNotFound) rather than a namesake, and item
// locks of different tables never alias.
Status RaiseIdCounters(Connection& c,
                       const std::vector<std::pair<std::string, int64_t>>& counters) {
  for (const auto& [name, seq] : counters) {
    const std::string sql =
        "UPDATE sqlite_sequence SET seq = max(seq, " + std::to_string(seq) + ") WHERE name = '" +
        name + "'; INSERT INTO sqlite_sequence(name, seq) SELECT '" + name + "', " +
        std::to_string(seq) + " WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = '" +
        name + "');";
    DYNAMO_RETURN_IF_ERROR(c.ExecScript(sql));
  }
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<const Snapshot>> Database::TakeSnapshot() {
  auto snapshot = std::shared_ptr<Snapshot>(new Snapshot());
  DYNAMO_ASSIGN_OR_RETURN(snapshot->conn_, Connection::Open(":memory:", true, false));
  auto lock = impl_->LockWriter();
  DYNAMO_RETURN_IF_ERROR(CopyDatabase(*impl_->writer, *snapshot->conn_, "snapshot"));
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(
          snapshot->conn_->db(),
          "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()", -1, &s,
          nullptr) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW) {
    snapshot->size_bytes_ = sqlite3_column_int64(s, 0);
  }
  sqlite3_finalize(s);
  {
    std::shared_lock catalog(impl_->catalog_mu);
    for (const auto& entry : impl_->tables) snapshot->tables_.push_back(entry.first);
  }
  return std::shared_ptr<const Snapshot>(std::move(snapshot));
}

Status Database::Restore(const Snapshot* snapshot) {
  // An empty database in the current schema, for a reset.
  std::unique_ptr<Connection> empty;
  if (!snapshot) {
    DYNAMO_ASSIGN_OR_RETURN(empty, Connection::Open(":memory:", true, false));
    DYNAMO_RETURN_IF_ERROR(sqlite::PrepareSchema(*empty, ":memory:"));
  }
  std::unique_lock<std::mutex> source_lock;
  if (snapshot) source_lock = std::unique_lock(snapshot->mu_);
  Connection& source = snapshot ? *snapshot->conn_ : *empty;

  auto lock = impl_->LockWriter();
  DYNAMO_ASSIGN_OR_RETURN(auto counters, IdCounters(*impl_->writer));
  DYNAMO_RETURN_IF_ERROR(CopyDatabase(source, *impl_->writer, "restore"));
  // From here the file holds the new data: the catalog and the streams are
  // reloaded whatever else fails, never left describing the old data (with
  // no catalog, requests find no table rather than a wrong one).
  Status raised = impl_->InTransaction([&] { return RaiseIdCounters(*impl_->writer, counters); });
  Result<std::vector<TableDef>> defs = sqlite::LoadTables(*impl_->writer);
  {
    std::unique_lock catalog(impl_->catalog_mu);
    impl_->tables.clear();
    if (defs.ok()) {
      for (TableDef& def : *defs) {
        auto published = std::make_shared<const TableDef>(std::move(def));
        impl_->tables.emplace(published->name, std::move(published));
      }
    }
  }
  // The streams of the restored tables; sequence numbers keep rising.
  Status streams = ReloadActiveStreams(*impl_);
  if (!streams.ok()) impl_->active_streams.clear();  // not the old data's
  if (!defs.ok()) return std::move(defs).error();
  DYNAMO_RETURN_IF_ERROR(raised);
  return streams;
}

}  // namespace dynamo::storage
