#include "storage/database.h"

#include <sqlite3.h>

#include <mutex>
#include <unordered_map>

#include "core/item_codec.h"
#include "storage/key_encoding.h"

namespace dynamo::storage {

using core::Error;
using core::ErrorCode;
using core::Item;
using core::Result;
using core::Status;

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS schema_info(key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO schema_info(key, value) VALUES ('version', '1');
CREATE TABLE IF NOT EXISTS tables(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  meta TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items(
  tid INTEGER NOT NULL,
  hh INTEGER NOT NULL,
  hk BLOB NOT NULL,
  rk BLOB NOT NULL,
  size INTEGER NOT NULL,
  item BLOB NOT NULL,
  PRIMARY KEY (tid, hh, hk, rk)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS index_items(
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
)sql";

// Statements, cached per connection by the address of these strings.
constexpr const char* kSelectItem =
    "SELECT item FROM items WHERE tid = ?1 AND hh = ?2 AND hk = ?3 AND rk = ?4";
constexpr const char* kUpsertItem =
    "INSERT OR REPLACE INTO items(tid, hh, hk, rk, size, item) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr const char* kDeleteItem =
    "DELETE FROM items WHERE tid = ?1 AND hh = ?2 AND hk = ?3 AND rk = ?4";
constexpr const char* kSelectTables = "SELECT id, name, meta FROM tables ORDER BY name";
constexpr const char* kInsertTable = "INSERT INTO tables(name, meta) VALUES (?1, ?2)";
constexpr const char* kUpdateTable = "UPDATE tables SET meta = ?2 WHERE id = ?1";
constexpr const char* kDeleteTable = "DELETE FROM tables WHERE id = ?1";
constexpr const char* kDeleteTableItems = "DELETE FROM items WHERE tid = ?1";
constexpr const char* kDeleteTableIndexItems = "DELETE FROM index_items WHERE tid = ?1";
constexpr const char* kDeleteIndexItems = "DELETE FROM index_items WHERE tid = ?1 AND ix = ?2";
constexpr const char* kUpsertIndexItem =
    "INSERT OR REPLACE INTO index_items(tid, ix, hh, hk, rk, bhk, brk, size, item) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr const char* kDeleteIndexItem =
    "DELETE FROM index_items WHERE tid = ?1 AND ix = ?2 AND hh = ?3 AND hk = ?4 AND rk = ?5 "
    "AND bhk = ?6 AND brk = ?7";
constexpr const char* kIndexStats =
    "SELECT count(*), coalesce(sum(size), 0) FROM index_items WHERE tid = ?1 AND ix = ?2";
constexpr const char* kTableStats =
    "SELECT count(*), coalesce(sum(size), 0) FROM items WHERE tid = ?1";
constexpr const char* kBegin = "BEGIN IMMEDIATE";
constexpr const char* kCommit = "COMMIT";
constexpr const char* kRollback = "ROLLBACK";

Error SqliteError(sqlite3* db, const char* what) {
  return Error{ErrorCode::kInternalServerError,
               std::string("storage error (") + what + "): " + sqlite3_errmsg(db)};
}

}  // namespace

// One SQLite connection and its prepared statements. Not thread-safe: used by
// one thread at a time (the writer under its mutex, readers from the pool).
class Connection {
 public:
  explicit Connection(sqlite3* db) : db_(db) {}
  ~Connection() {
    for (auto& [sql, stmt] : stmts_) sqlite3_finalize(stmt);
    for (auto& [sql, stmt] : dynamic_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }
  sqlite3* db() { return db_; }

  // A cached statement, reset and with bindings cleared when the Stmt goes out of scope.
  class Stmt {
   public:
    explicit Stmt(sqlite3_stmt* s) : s_(s) {}
    ~Stmt() {
      if (s_) {
        sqlite3_reset(s_);
        sqlite3_clear_bindings(s_);
      }
    }
    Stmt(const Stmt&) = delete;
    sqlite3_stmt* get() const { return s_; }
    explicit operator bool() const { return s_ != nullptr; }

   private:
    sqlite3_stmt* s_;
  };

  Result<sqlite3_stmt*> Prepare(const char* sql) {
    auto it = stmts_.find(sql);
    if (it != stmts_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
      return SqliteError(db_, "prepare");
    }
    stmts_.emplace(sql, stmt);
    return stmt;
  }

  // Statements whose text is built at run time, cached by text.
  Result<sqlite3_stmt*> PrepareDynamic(const std::string& sql) {
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

  Status Exec(const char* sql) {
    DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, Prepare(sql));
    Stmt stmt(s);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return SqliteError(db_, sql);
    return Status::Ok();
  }

  static void BindKey(sqlite3_stmt* s, int64_t table, const EncodedKey& key) {
    sqlite3_bind_int64(s, 1, table);
    sqlite3_bind_int64(s, 2, PartitionHash(key.hash));
    sqlite3_bind_blob(s, 3, key.hash.data(), static_cast<int>(key.hash.size()), SQLITE_STATIC);
    sqlite3_bind_blob(s, 4, key.range.data(), static_cast<int>(key.range.size()), SQLITE_STATIC);
  }

  Result<std::optional<Item>> GetItem(int64_t table, const EncodedKey& key) {
    DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, Prepare(kSelectItem));
    Stmt stmt(s);
    BindKey(s, table, key);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) return std::optional<Item>();
    if (rc != SQLITE_ROW) return SqliteError(db_, "get item");
    const void* blob = sqlite3_column_blob(s, 0);
    int len = sqlite3_column_bytes(s, 0);
    DYNAMO_ASSIGN_OR_RETURN(
        Item item, core::DecodeItem(
                       std::string_view(static_cast<const char*>(blob), static_cast<size_t>(len))));
    return std::optional<Item>(std::move(item));
  }

 private:
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> stmts_;
  std::unordered_map<std::string, sqlite3_stmt*> dynamic_;
};

namespace {

void BindBlob(sqlite3_stmt* s, int i, std::string_view b) {
  sqlite3_bind_blob(s, i, b.data(), static_cast<int>(b.size()), SQLITE_STATIC);
}

std::string_view ColumnBlob(sqlite3_stmt* s, int i) {
  const void* p = sqlite3_column_blob(s, i);
  return std::string_view(static_cast<const char*>(p),
                          static_cast<size_t>(sqlite3_column_bytes(s, i)));
}

// Steps a prepared SELECT and hands each row to the visitor.
// Columns: hk, rk, size, item for the table; hk, rk, bhk, brk, size, item for an index.
Status VisitRows(sqlite3* db, sqlite3_stmt* s, bool index, const RowVisitor& visit,
                 ReadTxn* reader = nullptr) {
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    RowView row;
    row.reader = reader;
    row.hash = ColumnBlob(s, 0);
    row.range = ColumnBlob(s, 1);
    int c = 2;
    if (index) {
      row.base_hash = ColumnBlob(s, 2);
      row.base_range = ColumnBlob(s, 3);
      c = 4;
    }
    row.size = static_cast<size_t>(sqlite3_column_int64(s, c));
    row.item = ColumnBlob(s, c + 1);
    DYNAMO_ASSIGN_OR_RETURN(bool more, visit(row));
    if (!more) return Status::Ok();
  }
  if (rc != SQLITE_DONE) return SqliteError(db, "read rows");
  return Status::Ok();
}

}  // namespace

Result<std::optional<Item>> WriteTxn::Get(int64_t table, const EncodedKey& key) {
  return conn_->GetItem(table, key);
}

Status WriteTxn::Put(int64_t table, const EncodedKey& key, const Item& item, size_t size) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, conn_->Prepare(kUpsertItem));
  Connection::Stmt stmt(s);
  Connection::BindKey(s, table, key);
  std::string blob = core::EncodeItem(item);
  sqlite3_bind_int64(s, 5, static_cast<int64_t>(size));
  sqlite3_bind_blob(s, 6, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC);
  if (sqlite3_step(s) != SQLITE_DONE) return SqliteError(conn_->db(), "put item");
  return Status::Ok();
}

Status WriteTxn::Delete(int64_t table, const EncodedKey& key) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, conn_->Prepare(kDeleteItem));
  Connection::Stmt stmt(s);
  Connection::BindKey(s, table, key);
  if (sqlite3_step(s) != SQLITE_DONE) return SqliteError(conn_->db(), "delete item");
  return Status::Ok();
}

Status WriteTxn::PutIndexEntry(int64_t table, int64_t index, const EncodedKey& index_key,
                               const EncodedKey& base_key, const Item& projected, size_t size) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, conn_->Prepare(kUpsertIndexItem));
  Connection::Stmt stmt(s);
  std::string blob = core::EncodeItem(projected);
  sqlite3_bind_int64(s, 1, table);
  sqlite3_bind_int64(s, 2, index);
  sqlite3_bind_int64(s, 3, PartitionHash(index_key.hash));
  BindBlob(s, 4, index_key.hash);
  BindBlob(s, 5, index_key.range);
  BindBlob(s, 6, base_key.hash);
  BindBlob(s, 7, base_key.range);
  sqlite3_bind_int64(s, 8, static_cast<int64_t>(size));
  BindBlob(s, 9, blob);
  if (sqlite3_step(s) != SQLITE_DONE) return SqliteError(conn_->db(), "put index entry");
  return Status::Ok();
}

Status WriteTxn::DeleteIndexEntry(int64_t table, int64_t index, const EncodedKey& index_key,
                                  const EncodedKey& base_key) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, conn_->Prepare(kDeleteIndexItem));
  Connection::Stmt stmt(s);
  sqlite3_bind_int64(s, 1, table);
  sqlite3_bind_int64(s, 2, index);
  sqlite3_bind_int64(s, 3, PartitionHash(index_key.hash));
  BindBlob(s, 4, index_key.hash);
  BindBlob(s, 5, index_key.range);
  BindBlob(s, 6, base_key.hash);
  BindBlob(s, 7, base_key.range);
  if (sqlite3_step(s) != SQLITE_DONE) return SqliteError(conn_->db(), "delete index entry");
  return Status::Ok();
}

Status WriteTxn::DropIndex(int64_t table, int64_t index) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, conn_->Prepare(kDeleteIndexItems));
  Connection::Stmt stmt(s);
  sqlite3_bind_int64(s, 1, table);
  sqlite3_bind_int64(s, 2, index);
  if (sqlite3_step(s) != SQLITE_DONE) return SqliteError(conn_->db(), "drop index");
  return Status::Ok();
}

Status WriteTxn::UpdateTableMeta(int64_t table, const std::string& meta) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, conn_->Prepare(kUpdateTable));
  Connection::Stmt stmt(s);
  sqlite3_bind_int64(s, 1, table);
  sqlite3_bind_text(s, 2, meta.data(), static_cast<int>(meta.size()), SQLITE_STATIC);
  if (sqlite3_step(s) != SQLITE_DONE) return SqliteError(conn_->db(), "update table");
  return Status::Ok();
}

Status WriteTxn::ScanAll(int64_t table, const RowVisitor& visit) {
  DYNAMO_ASSIGN_OR_RETURN(
      sqlite3_stmt * s,
      conn_->PrepareDynamic(
          "SELECT hk, rk, size, item FROM items WHERE tid = ?1 ORDER BY hh, hk, rk"));
  Connection::Stmt stmt(s);
  sqlite3_bind_int64(s, 1, table);
  return VisitRows(conn_->db(), s, false, visit);
}

struct Database::Impl {
  DatabaseOptions options;
  std::mutex write_mu;
  std::unique_ptr<Connection> writer;
  std::mutex pool_mu;
  std::vector<std::unique_ptr<Connection>> idle_readers;

  static Result<std::unique_ptr<Connection>> OpenConnection(const DatabaseOptions& o, bool writer) {
    sqlite3* db = nullptr;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const char* path = o.in_memory ? ":memory:" : o.path.c_str();
    if (sqlite3_open_v2(path, &db, flags, nullptr) != SQLITE_OK) {
      std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
      sqlite3_close_v2(db);
      return Error{ErrorCode::kInternalServerError, "cannot open database " + o.path + ": " + msg};
    }
    auto conn = std::make_unique<Connection>(db);
    sqlite3_busy_timeout(db, 5000);
    std::string pragmas = "PRAGMA foreign_keys=OFF; PRAGMA cache_size=-16000;";
    if (!o.in_memory) {
      pragmas += "PRAGMA journal_mode=WAL;";
      pragmas += o.sync_full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;";
    }
    if (writer) pragmas += kSchema;
    char* err = nullptr;
    if (sqlite3_exec(db, pragmas.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown";
      sqlite3_free(err);
      return Error{ErrorCode::kInternalServerError,
                   "cannot initialise database " + o.path + ": " + msg};
    }
    return conn;
  }

  // Runs fn with a connection for reading.
  template <typename Fn>
  auto Read(Fn&& fn) -> decltype(fn(std::declval<Connection&>())) {
    if (options.in_memory) {
      std::lock_guard lock(write_mu);
      return fn(*writer);
    }
    std::unique_ptr<Connection> conn;
    {
      std::lock_guard lock(pool_mu);
      if (!idle_readers.empty()) {
        conn = std::move(idle_readers.back());
        idle_readers.pop_back();
      }
    }
    if (!conn) {
      auto opened = OpenConnection(options, false);
      if (!opened.ok()) return std::move(opened).error();
      conn = std::move(opened).value();
    }
    auto result = fn(*conn);
    std::lock_guard lock(pool_mu);
    if (static_cast<int>(idle_readers.size()) < options.read_connections) {
      idle_readers.push_back(std::move(conn));
    }
    return result;
  }
};

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Database::~Database() = default;

Result<std::unique_ptr<Database>> Database::Open(const DatabaseOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  DYNAMO_ASSIGN_OR_RETURN(impl->writer, Impl::OpenConnection(options, true));
  return std::unique_ptr<Database>(new Database(std::move(impl)));
}

Result<std::vector<TableRecord>> Database::LoadTables() {
  std::lock_guard lock(impl_->write_mu);
  Connection& c = *impl_->writer;
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kSelectTables));
  Connection::Stmt stmt(s);
  std::vector<TableRecord> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    TableRecord r;
    r.id = sqlite3_column_int64(s, 0);
    r.name = reinterpret_cast<const char*>(sqlite3_column_text(s, 1));
    r.meta = reinterpret_cast<const char*>(sqlite3_column_text(s, 2));
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return SqliteError(c.db(), "load tables");
  return out;
}

Result<int64_t> Database::InsertTable(const std::string& name, const std::string& meta) {
  std::lock_guard lock(impl_->write_mu);
  Connection& c = *impl_->writer;
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kInsertTable));
  Connection::Stmt stmt(s);
  sqlite3_bind_text(s, 1, name.data(), static_cast<int>(name.size()), SQLITE_STATIC);
  sqlite3_bind_text(s, 2, meta.data(), static_cast<int>(meta.size()), SQLITE_STATIC);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_CONSTRAINT) {
    return Error{ErrorCode::kResourceInUse, "Table already exists: " + name};
  }
  if (rc != SQLITE_DONE) return SqliteError(c.db(), "insert table");
  return static_cast<int64_t>(sqlite3_last_insert_rowid(c.db()));
}

Status Database::UpdateTableMeta(int64_t id, const std::string& meta) {
  std::lock_guard lock(impl_->write_mu);
  Connection& c = *impl_->writer;
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kUpdateTable));
  Connection::Stmt stmt(s);
  sqlite3_bind_int64(s, 1, id);
  sqlite3_bind_text(s, 2, meta.data(), static_cast<int>(meta.size()), SQLITE_STATIC);
  if (sqlite3_step(s) != SQLITE_DONE) return SqliteError(c.db(), "update table");
  return Status::Ok();
}

Status WriteTxn::DropTable(int64_t id) {
  for (const char* sql : {kDeleteTableItems, kDeleteTableIndexItems, kDeleteTable}) {
    DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, conn_->Prepare(sql));
    Connection::Stmt stmt(s);
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) != SQLITE_DONE) return SqliteError(conn_->db(), "drop table");
  }
  return Status::Ok();
}

Status Database::DropTable(int64_t id) {
  return Write([&](WriteTxn& txn) { return txn.DropTable(id); });
}

Result<std::optional<Item>> Database::GetItem(int64_t table, const EncodedKey& key) {
  return impl_->Read([&](Connection& c) { return c.GetItem(table, key); });
}

Result<TableStats> Database::Stats(int64_t table) {
  return impl_->Read([&](Connection& c) -> Result<TableStats> {
    DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kTableStats));
    Connection::Stmt stmt(s);
    sqlite3_bind_int64(s, 1, table);
    if (sqlite3_step(s) != SQLITE_ROW) return SqliteError(c.db(), "table stats");
    return TableStats{sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1)};
  });
}

Result<TableStats> Database::IndexStats(int64_t table, int64_t index) {
  return impl_->Read([&](Connection& c) -> Result<TableStats> {
    DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kIndexStats));
    Connection::Stmt stmt(s);
    sqlite3_bind_int64(s, 1, table);
    sqlite3_bind_int64(s, 2, index);
    if (sqlite3_step(s) != SQLITE_ROW) return SqliteError(c.db(), "index stats");
    return TableStats{sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1)};
  });
}

Status Database::Query(int64_t table, int64_t index, const std::string& hash,
                       const RangeBounds& bounds, bool forward,
                       const std::optional<Position>& start, const RowVisitor& visit) {
  // ?1 tid ?2 hh ?3 hk ?4 lower ?5 upper ?6 start rk ?7 ix ?8 start bhk ?9 start brk
  const bool is_index = index != 0;
  std::string sql =
      is_index ? "SELECT hk, rk, bhk, brk, size, item FROM index_items WHERE tid = ?1 AND ix = ?7"
               : "SELECT hk, rk, size, item FROM items WHERE tid = ?1";
  sql += " AND hh = ?2 AND hk = ?3";
  if (bounds.lower) sql += bounds.lower_inclusive ? " AND rk >= ?4" : " AND rk > ?4";
  if (bounds.upper) sql += bounds.upper_inclusive ? " AND rk <= ?5" : " AND rk < ?5";
  if (start) {
    const char* op = forward ? ">" : "<";
    if (is_index) {
      // The plain bound on rk lets SQLite seek; the row value skips the rest.
      sql += std::string(" AND rk ") + op + "= ?6 AND (rk, bhk, brk) " + op + " (?6, ?8, ?9)";
    } else {
      sql += std::string(" AND rk ") + op + " ?6";
    }
  }
  const char* dir = forward ? " ASC" : " DESC";
  sql += std::string(" ORDER BY rk") + dir;
  if (is_index) sql += std::string(", bhk") + dir + ", brk" + dir;
  return impl_->Read([&](Connection& c) -> Status {
    DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.PrepareDynamic(sql));
    Connection::Stmt stmt(s);
    sqlite3_bind_int64(s, 1, table);
    sqlite3_bind_int64(s, 2, PartitionHash(hash));
    BindBlob(s, 3, hash);
    if (bounds.lower) BindBlob(s, 4, *bounds.lower);
    if (bounds.upper) BindBlob(s, 5, *bounds.upper);
    if (start) {
      BindBlob(s, 6, start->range);
      if (is_index) {
        BindBlob(s, 8, start->base_hash);
        BindBlob(s, 9, start->base_range);
      }
    }
    if (is_index) sqlite3_bind_int64(s, 7, index);
    ReadTxn reader(&c);
    return VisitRows(c.db(), s, is_index, visit, &reader);
  });
}

Status Database::Scan(int64_t table, int64_t index, uint32_t hash_lo, uint32_t hash_hi,
                      const std::optional<Position>& start, const RowVisitor& visit) {
  // ?1 tid ?2 hh lo ?3 hh hi ?4 start hh ?5 start hk ?6 start rk ?7 ix ?8 start bhk ?9 start brk
  const bool is_index = index != 0;
  std::string sql =
      is_index ? "SELECT hk, rk, bhk, brk, size, item FROM index_items WHERE tid = ?1 AND ix = ?7"
               : "SELECT hk, rk, size, item FROM items WHERE tid = ?1";
  // With a start position the scan seeks to its partition hash (hh >= ?4);
  // the row-value comparison then skips what was already returned.
  sql += start ? " AND hh >= ?4 AND hh <= ?3" : " AND hh BETWEEN ?2 AND ?3";
  if (start) {
    sql += is_index ? " AND (hh, hk, rk, bhk, brk) > (?4, ?5, ?6, ?8, ?9)"
                    : " AND (hh, hk, rk) > (?4, ?5, ?6)";
  }
  sql += is_index ? " ORDER BY hh, hk, rk, bhk, brk" : " ORDER BY hh, hk, rk";
  return impl_->Read([&](Connection& c) -> Status {
    DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.PrepareDynamic(sql));
    Connection::Stmt stmt(s);
    sqlite3_bind_int64(s, 1, table);
    if (!start) sqlite3_bind_int64(s, 2, hash_lo);
    sqlite3_bind_int64(s, 3, hash_hi);
    if (start) {
      sqlite3_bind_int64(s, 4, PartitionHash(start->hash));
      BindBlob(s, 5, start->hash);
      BindBlob(s, 6, start->range);
      if (is_index) {
        BindBlob(s, 8, start->base_hash);
        BindBlob(s, 9, start->base_range);
      }
    }
    if (is_index) sqlite3_bind_int64(s, 7, index);
    ReadTxn reader(&c);
    return VisitRows(c.db(), s, is_index, visit, &reader);
  });
}

Result<std::optional<Item>> ReadTxn::Get(int64_t table, const EncodedKey& key) {
  return conn_->GetItem(table, key);
}

Status Database::Read(const std::function<Status(ReadTxn&)>& fn) {
  return impl_->Read([&](Connection& c) -> Status {
    DYNAMO_RETURN_IF_ERROR(c.Exec("BEGIN"));
    ReadTxn txn(&c);
    Status status = fn(txn);
    Status end = c.Exec("COMMIT");
    if (!status.ok()) return status;
    return end;
  });
}

Status Database::Write(const std::function<Status(WriteTxn&)>& fn) {
  std::lock_guard lock(impl_->write_mu);
  Connection& c = *impl_->writer;
  DYNAMO_RETURN_IF_ERROR(c.Exec(kBegin));
  WriteTxn txn(&c);
  Status status = fn(txn);
  if (!status.ok()) {
    (void)c.Exec(kRollback);
    return status;
  }
  Status commit = c.Exec(kCommit);
  if (!commit.ok()) (void)c.Exec(kRollback);
  return commit;
}

}  // namespace dynamo::storage
