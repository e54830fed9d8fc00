#include "storage/sqlite/ttl_rows.h"

namespace dynamo::storage::sqlite {

using core::Result;
using core::Status;

namespace {

constexpr const char* kPutExpiry =
    "INSERT OR REPLACE INTO ttl_expiry(tid, hk, rk, expires) VALUES (?1, ?2, ?3, ?4)";
constexpr const char* kDeleteExpiry =
    "DELETE FROM ttl_expiry WHERE tid = ?1 AND hk = ?2 AND rk = ?3";
constexpr const char* kDropExpiries = "DELETE FROM ttl_expiry WHERE tid = ?1";
constexpr const char* kExpiring =
    "SELECT hk, rk FROM ttl_expiry WHERE tid = ?1 AND expires >= ?2 AND expires < ?3 "
    "ORDER BY expires LIMIT ?4";

}  // namespace

Status PutExpiry(Connection& c, int64_t table, const EncodedKey& key, double expires) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kPutExpiry));
  Connection::Stmt stmt(s);
  sqlite3_bind_int64(s, 1, table);
  BindBlob(s, 2, key.hash);
  BindBlob(s, 3, key.range);
  sqlite3_bind_double(s, 4, expires);
  return Step(c, s, "put expiry");
}

Status DeleteExpiry(Connection& c, int64_t table, const EncodedKey& key) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kDeleteExpiry));
  Connection::Stmt stmt(s);
  sqlite3_bind_int64(s, 1, table);
  BindBlob(s, 2, key.hash);
  BindBlob(s, 3, key.range);
  return Step(c, s, "delete expiry");
}

Status DropExpiries(Connection& c, int64_t table) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kDropExpiries));
  Connection::Stmt stmt(s);
  sqlite3_bind_int64(s, 1, table);
  return Step(c, s, "drop expiries");
}

Result<std::vector<EncodedKey>> ExpiringKeys(Connection& c, int64_t table, double from,
                                             double before, size_t limit) {
  DYNAMO_ASSIGN_OR_RETURN(sqlite3_stmt * s, c.Prepare(kExpiring));
  Connection::Stmt stmt(s);
  sqlite3_bind_int64(s, 1, table);
  sqlite3_bind_double(s, 2, from);
  sqlite3_bind_double(s, 3, before);
  sqlite3_bind_int64(s, 4, static_cast<int64_t>(limit));
  std::vector<EncodedKey> keys;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    keys.push_back(EncodedKey{std::string(ColumnBlob(s, 0)), std::string(ColumnBlob(s, 1))});
  }
  if (rc != SQLITE_DONE) return SqliteError(c.db(), "read expiring items");
  return keys;
}

}  // namespace dynamo::storage::sqlite
