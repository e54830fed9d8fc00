#include "storage/sqlite/rows.h"

#include "core/item_codec.h"
#include "core/messages.h"

namespace dynamo::storage::sqlite {

using core::Item;
using core::Result;
using core::Status;

namespace {

constexpr const char* kSelectItem =
    "SELECT item FROM items WHERE tid = ?1 AND hh = ?2 AND hk = ?3 AND rk = ?4";
constexpr const char* kUpsertItem =
    "INSERT OR REPLACE INTO items(tid, hh, hk, rk, size, item) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr const char* kDeleteItem =
    "DELETE FROM items WHERE tid = ?1 AND hh = ?2 AND hk = ?3 AND rk = ?4";
constexpr const char* kUpsertIndexItem =
    "INSERT OR REPLACE INTO index_items(tid, ix, hh, hk, rk, bhk, brk, size, item) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr const char* kDeleteIndexItem =
    "DELETE FROM index_items WHERE tid = ?1 AND ix = ?2 AND hh = ?3 AND hk = ?4 AND rk = ?5 "
    "AND bhk = ?6 AND brk = ?7";
constexpr const char* kDeleteIndexItems = "DELETE FROM index_items WHERE tid = ?1 AND ix = ?2";
constexpr const char* kScanTable =
    "SELECT hk, rk, item FROM items WHERE tid = ?1 ORDER BY hh, hk, rk";
constexpr const char* kSelectTables = "SELECT id, def FROM tables ORDER BY name";
constexpr const char* kInsertTable = "INSERT INTO tables(name, def) VALUES (?1, ?2)";
constexpr const char* kUpdateTable = "UPDATE tables SET def = ?2 WHERE id = ?1";
constexpr const char* kDeleteTable = "DELETE FROM tables WHERE id = ?1";
constexpr const char* kDeleteTableItems = "DELETE FROM items WHERE tid = ?1";
constexpr const char* kDeleteTableIndexItems = "DELETE FROM index_items WHERE tid = ?1";
constexpr const char* kDeleteTableExpiries = "DELETE FROM ttl_expiry WHERE tid = ?1";
constexpr const char* kTableStats =
    "SELECT count(*), coalesce(sum(size), 0) FROM items WHERE tid = ?1";
constexpr const char* kIndexStats =
    "SELECT count(*), coalesce(sum(size), 0) FROM index_items WHERE tid = ?1 AND ix = ?2";

void BindKey(sqlite3_stmt* s, int64_t table, const EncodedKey& key) {
  sqlite3_bind_int64(s, 1, table);
  sqlite3_bind_int64(s, 2, PartitionHash(key.hash));
  BindBlob(s, 3, key.hash);
  BindBlob(s, 4, key.range);
}

// The primary key of an index_items row: ?1 tid, ?2 ix, ?3 hh, ?4 hk, ?5 rk,
// ?6 bhk, ?7 brk.
void BindIndexRowKey(sqlite3_stmt* s, int64_t table, int64_t index, const EncodedKey& index_key,
                     const EncodedKey& base_key) {
  sqlite3_bind_int64(s, 1, table);
  sqlite3_bind_int64(s, 2, index);
  sqlite3_bind_int64(s, 3, PartitionHash(index_key.hash));
  BindBlob(s, 4, index_key.hash);
  BindBlob(s, 5, index_key.range);
  BindBlob(s, 6, base_key.hash);
  BindBlob(s, 7, base_key.range);
}

// Steps a prepared SELECT and hands each decoded row to the visitor.
// Columns: hk, rk, size, item for the table; hk, rk, bhk, brk, size, item for an index.
Status VisitRows(Connection& c, sqlite3_stmt* s, bool index, ReadTxn* reader,
                 const RowVisitor& visit) {
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    RowView row;
    row.reader = reader;
    row.hash = ColumnBlob(s, 0);
    row.range = ColumnBlob(s, 1);
    int column = 2;
    if (index) {
      row.base_hash = ColumnBlob(s, 2);
      row.base_range = ColumnBlob(s, 3);
      column = 4;
    }
    row.size = static_cast<size_t>(sqlite3_column_int64(s, column));
    DYNAMO_ASSIGN_OR_RETURN(row.item, core::DecodeItem(ColumnBlob(s, column + 1)));
    DYNAMO_ASSIGN_OR_RETURN(bool more, visit(row));
    if (!more) return Status::Ok();
  }
  if (rc != SQLITE_DONE) return SqliteError(c.db(), "read rows");
  return Status::Ok();
}

// The SELECT of a Query or Scan: the table's rows, or one index's (?7).
std::string SelectRows(bool index) {
  return index ? "SELECT hk, rk, bhk, brk, size, item FROM index_items WHERE tid = ?1 AND ix = ?7"
               : "SELECT hk, rk, size, item FROM items WHERE tid = ?1";
}

// The bindings common to Query and Scan: the table (?1), the index (?7) and
// the table key of an index start position (?8, ?9).
void BindTableAndIndex(sqlite3_stmt* s, int64_t table, int64_t index,
                       const std::optional<Position>& start) {
  sqlite3_bind_int64(s, 1, table);
  if (index == 0) return;
  sqlite3_bind_int64(s, 7, index);
  if (start) {
    BindBlob(s, 8, start->base_hash);
    BindBlob(s, 9, start->base_range);
  }
}

Result<TableStats> StatsQuery(Connection& c, const char* sql, int64_t table, int64_t index) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(sql));
  Connection::Stmt stmt(s);
  sqlite3_bind_int64(s, 1, table);
  if (index) sqlite3_bind_int64(s, 2, index);
  if (sqlite3_step(s) != SQLITE_ROW) return SqliteError(c.db(), "stats");
  return TableStats{sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1)};
}

}  // namespace

Result<std::optional<Item>> GetItem(Connection& c, int64_t table, const EncodedKey& key) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kSelectItem));
  Connection::Stmt stmt(s);
  BindKey(s, table, key);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_DONE) return std::optional<Item>();
  if (rc != SQLITE_ROW) return SqliteError(c.db(), "get item");
  DYNAMO_ASSIGN_OR_RETURN(Item item, core::DecodeItem(ColumnBlob(s, 0)));
  return std::optional<Item>(std::move(item));
}

Status PutItem(Connection& c, int64_t table, const EncodedKey& key, const Item& item, size_t size) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kUpsertItem));
  Connection::Stmt stmt(s);
  BindKey(s, table, key);
  std::string blob;
  blob.reserve(size + 64);  // the stored form is about the DynamoDB size
  core::EncodeItem(item, &blob);
  sqlite3_bind_int64(s, 5, static_cast<int64_t>(size));
  BindBlob(s, 6, blob);
  return Step(c, s, "put item");
}

Status DeleteItem(Connection& c, int64_t table, const EncodedKey& key) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kDeleteItem));
  Connection::Stmt stmt(s);
  BindKey(s, table, key);
  return Step(c, s, "delete item");
}

Status PutIndexEntry(Connection& c, int64_t table, int64_t index, const EncodedKey& index_key,
                     const EncodedKey& base_key, const Item& projected, size_t size) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kUpsertIndexItem));
  Connection::Stmt stmt(s);
  std::string blob;
  blob.reserve(size + 64);
  core::EncodeItem(projected, &blob);
  BindIndexRowKey(s, table, index, index_key, base_key);
  sqlite3_bind_int64(s, 8, static_cast<int64_t>(size));
  BindBlob(s, 9, blob);
  return Step(c, s, "put index entry");
}

Status DeleteIndexEntry(Connection& c, int64_t table, int64_t index, const EncodedKey& index_key,
                        const EncodedKey& base_key) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kDeleteIndexItem));
  Connection::Stmt stmt(s);
  BindIndexRowKey(s, table, index, index_key, base_key);
  return Step(c, s, "delete index entry");
}

Status DropIndex(Connection& c, int64_t table, int64_t index) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kDeleteIndexItems));
  Connection::Stmt stmt(s);
  sqlite3_bind_int64(s, 1, table);
  sqlite3_bind_int64(s, 2, index);
  return Step(c, s, "drop index");
}

Status ScanTable(Connection& c, int64_t table,
                 const std::function<Status(const EncodedKey&, const Item&)>& fn) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kScanTable));
  Connection::Stmt stmt(s);
  sqlite3_bind_int64(s, 1, table);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    EncodedKey key{std::string(ColumnBlob(s, 0)), std::string(ColumnBlob(s, 1))};
    DYNAMO_ASSIGN_OR_RETURN(Item item, core::DecodeItem(ColumnBlob(s, 2)));
    DYNAMO_RETURN_IF_ERROR(fn(key, item));
  }
  if (rc != SQLITE_DONE) return SqliteError(c.db(), "scan table");
  return Status::Ok();
}

Result<std::vector<TableDef>> LoadTables(Connection& c) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kSelectTables));
  Connection::Stmt stmt(s);
  std::vector<TableDef> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    DYNAMO_ASSIGN_OR_RETURN(Item record, core::DecodeItem(ColumnBlob(s, 1)));
    DYNAMO_ASSIGN_OR_RETURN(TableDef def, TableDefFromItem(record));
    def.id = sqlite3_column_int64(s, 0);
    out.push_back(std::move(def));
  }
  if (rc != SQLITE_DONE) return SqliteError(c.db(), "load tables");
  return out;
}

Result<int64_t> InsertTable(Connection& c, const TableDef& def) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kInsertTable));
  Connection::Stmt stmt(s);
  std::string record = core::EncodeItem(TableDefToItem(def));
  BindText(s, 1, def.name);
  BindBlob(s, 2, record);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_CONSTRAINT) return core::TableAlreadyExists(def.name);
  if (rc != SQLITE_DONE) return SqliteError(c.db(), "insert table");
  return static_cast<int64_t>(sqlite3_last_insert_rowid(c.db()));
}

Status UpdateTableDef(Connection& c, const TableDef& def) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kUpdateTable));
  Connection::Stmt stmt(s);
  std::string record = core::EncodeItem(TableDefToItem(def));
  sqlite3_bind_int64(s, 1, def.id);
  BindBlob(s, 2, record);
  return Step(c, s, "update table");
}

Status DropTable(Connection& c, int64_t table) {
  for (const char* sql :
       {kDeleteTableItems, kDeleteTableIndexItems, kDeleteTableExpiries, kDeleteTable}) {
    DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(sql));
    Connection::Stmt stmt(s);
    sqlite3_bind_int64(s, 1, table);
    DYNAMO_RETURN_IF_ERROR(Step(c, s, "drop table"));
  }
  return Status::Ok();
}

Result<TableStats> Stats(Connection& c, int64_t table) {
  return StatsQuery(c, kTableStats, table, 0);
}

Result<TableStats> IndexStats(Connection& c, int64_t table, int64_t index) {
  return StatsQuery(c, kIndexStats, table, index);
}

Status QueryRows(Connection& c, ReadTxn* reader, int64_t table, int64_t index,
                 const std::string& hash, const RangeBounds& bounds, bool forward,
                 const std::optional<Position>& start, const RowVisitor& visit) {
  // ?1 tid ?2 hh ?3 hk ?4 lower ?5 upper ?6 start rk ?7 ix ?8 start bhk ?9 start brk
  const bool is_index = index != 0;
  std::string sql = SelectRows(is_index) + " AND hh = ?2 AND hk = ?3";
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
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.PrepareDynamic(sql));
  Connection::Stmt stmt(s);
  BindTableAndIndex(s, table, index, start);
  sqlite3_bind_int64(s, 2, PartitionHash(hash));
  BindBlob(s, 3, hash);
  if (bounds.lower) BindBlob(s, 4, *bounds.lower);
  if (bounds.upper) BindBlob(s, 5, *bounds.upper);
  if (start) BindBlob(s, 6, start->range);
  return VisitRows(c, s, is_index, reader, visit);
}

Status ScanRows(Connection& c, ReadTxn* reader, int64_t table, int64_t index, uint32_t hash_lo,
                uint32_t hash_hi, const std::optional<Position>& start, const RowVisitor& visit) {
  // ?1 tid ?2 hh lo ?3 hh hi ?4 start hh ?5 start hk ?6 start rk ?7 ix ?8 start bhk ?9 start brk
  const bool is_index = index != 0;
  std::string sql = SelectRows(is_index);
  // With a start position the scan seeks to its partition hash (hh >= ?4);
  // the row-value comparison then skips what was already returned.
  sql += start ? " AND hh >= ?4 AND hh <= ?3" : " AND hh BETWEEN ?2 AND ?3";
  if (start) {
    sql += is_index ? " AND (hh, hk, rk, bhk, brk) > (?4, ?5, ?6, ?8, ?9)"
                    : " AND (hh, hk, rk) > (?4, ?5, ?6)";
  }
  sql += is_index ? " ORDER BY hh, hk, rk, bhk, brk" : " ORDER BY hh, hk, rk";
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.PrepareDynamic(sql));
  Connection::Stmt stmt(s);
  BindTableAndIndex(s, table, index, start);
  if (!start) sqlite3_bind_int64(s, 2, hash_lo);
  sqlite3_bind_int64(s, 3, hash_hi);
  if (start) {
    sqlite3_bind_int64(s, 4, PartitionHash(start->hash));
    BindBlob(s, 5, start->hash);
    BindBlob(s, 6, start->range);
  }
  return VisitRows(c, s, is_index, reader, visit);
}

}  // namespace dynamo::storage::sqlite
