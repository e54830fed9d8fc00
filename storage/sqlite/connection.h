// Private to storage: one SQLite connection and its prepared statements.
//
// Not thread-safe: a connection is used by one thread at a time (the writer
// under the database's write mutex, readers taken from the pool). Statements
// are prepared once per connection and cached (by the address of a constant
// SQL string, or by the text of SQL built at run time).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/error.h"

namespace dynamo::storage::sqlite {

// Storage failures become InternalServerError at storage's boundary.
core::Error SqliteError(sqlite3* db, std::string_view what);

void BindBlob(sqlite3_stmt* s, int index, std::string_view bytes);
void BindText(sqlite3_stmt* s, int index, std::string_view text);
std::string_view ColumnBlob(sqlite3_stmt* s, int column);

class Connection {
 public:
  // Opens path (":memory:" for an in-memory database) and applies pragmas.
  static core::Result<std::unique_ptr<Connection>> Open(const std::string& path, bool in_memory,
                                                        bool sync_full);
  explicit Connection(sqlite3* db) : db_(db) {}
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* db() { return db_; }

  // A cached statement; reset with bindings cleared when the Stmt goes out of scope.
  class Stmt {
   public:
    explicit Stmt(sqlite3_stmt* s) : s_(s) {}
    ~Stmt() {
      sqlite3_reset(s_);
      sqlite3_clear_bindings(s_);
    }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    sqlite3_stmt* get() const { return s_; }

   private:
    sqlite3_stmt* s_;
  };

  // sql must be a string constant: the cache is keyed by its address.
  core::Result<sqlite3_stmt*> Prepare(const char* sql);
  // SQL built at run time, cached by its text.
  core::Result<sqlite3_stmt*> PrepareDynamic(const std::string& sql);
  // Runs one cached statement without bindings (BEGIN, COMMIT, ...).
  core::Status Exec(const char* sql);
  // Runs a script of statements (not cached).
  core::Status ExecScript(const std::string& sql);

 private:
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> stmts_;
  std::unordered_map<std::string, sqlite3_stmt*> dynamic_;
};

// Runs a prepared statement that returns no rows; what names it in the error.
core::Status Step(Connection& c, sqlite3_stmt* s, const char* what);

// A transaction on a connection, rolled back when it goes out of scope
// without a commit: on an error return and when an exception passes alike,
// so a connection is never left inside a transaction.
class Transaction {
 public:
  explicit Transaction(Connection& c) : c_(c) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // "BEGIN" or "BEGIN IMMEDIATE".
  core::Status Begin(const char* begin_sql);
  core::Status Commit();

 private:
  Connection& c_;
  bool open_ = false;
};

}  // namespace dynamo::storage::sqlite
