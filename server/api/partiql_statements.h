// What PartiQL's three operations share: ExecuteStatement (partiql.cc),
// BatchExecuteStatement (partiql_batch.cc) and ExecuteTransaction
// (partiql_transaction.cc). A statement (expr/partiql.h, parsed once and
// cached) has its literals bound as expression values; a write is then
// prepared against its table as one mutation of the write path, with the
// conditions PartiQL implies:
//   INSERT  a put conditioned on the key not existing (an existing key is
//           DuplicateItemException, not an upsert)
//   UPDATE  an update of the item the WHERE names by its full key,
//           conditioned on it existing and on the rest of the WHERE
//   DELETE  a delete of that item, conditioned on the rest of the WHERE when
//           the item exists (a missing item is no error)
//   EXISTS  a condition check: the item exists and matches the rest
// Private to server/api.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/attribute_value.h"
#include "expr/partiql.h"
#include "server/api/expressions.h"
#include "server/api/json.h"
#include "server/api/operations.h"
#include "storage/database.h"

namespace dynamo::server::pql {

namespace partiql = expr::partiql;

// One statement of a request, its members read and checked.
struct StatementRequest {
  std::string_view statement;
  std::vector<core::AttributeValue> parameters;
  bool consistent = false;
  std::optional<std::string_view> next_token, capacity, return_on_failure;
  std::optional<int64_t> limit;
  bool return_old_on_failure() const { return return_on_failure == "ALL_OLD"; }
};

core::Result<StatementRequest> ReadStatementRequest(const JsonValue& req);

// The statement parsed, from the process-wide cache.
core::Result<std::shared_ptr<const partiql::Statement>> ParseStatement(OpContext& ctx,
                                                                       std::string_view text);

// PartiQL cannot read an index whose key has several partition or sort key
// attributes.
core::Status CheckPartiqlIndex(const storage::IndexDef& index);

// EXISTS outside a write transaction.
core::Error ExistsOutsideTransaction();

// The expression validator's errors without its "Invalid <Kind>: " prefix:
// PartiQL words them bare.
core::Status Bare(core::Status status);

// The full primary key a WHERE names by equalities, and the rest of it.
struct KeyedWhere {
  core::Item key;
  std::vector<expr::Condition> rest;
};
core::Result<KeyedWhere> SplitKey(const expr::Condition& where, const core::ValueMap& values,
                                  const core::KeySchema& key);
core::Status CheckKeyTypes(const storage::TableDef& t, const core::Item& key);
expr::Condition AndOf(std::vector<expr::Condition> parts);

// SELECT paths: their resolved paths ("Duplicate identifiers in select
// clause" when two come back under one name), and an item projected on them.
core::Result<std::vector<expr::Path>> Projection(const partiql::Statement& s,
                                                 const expr::Bindings& bindings);
core::Item Project(const core::Item& item, const std::vector<expr::Path>& paths);

// A write statement prepared against its table.
struct PreparedWrite {
  const partiql::Statement* s = nullptr;
  std::shared_ptr<const storage::TableDef> table;
  ItemExpressions e;  // its condition and update, the values bound
  std::optional<storage::EncodedKey> key;
  core::Item item;                       // INSERT: the item; UPDATE: the key
  std::optional<std::string> key_error;  // a key refused, when deferred
};

// defer_key_errors: a key that is missing or of the wrong type is recorded
// in key_error (a transaction answers it as the statement's cancellation
// reason) instead of failing the preparation.
core::Result<std::unique_ptr<PreparedWrite>> PrepareWrite(
    const partiql::Statement& s, core::ValueMap values,
    std::shared_ptr<const storage::TableDef> table, bool defer_key_errors);

// The mutation; takes the key and the item.
storage::Mutation WriteMutation(PreparedWrite& p, bool return_old_on_failure);

// A failed condition of an INSERT is a duplicate key.
core::Error DuplicateItem();

// One write on its own, through the write path (an INSERT's failed
// condition answered as DuplicateItem).
core::Result<storage::MutationResult> ApplyWrite(OpContext& ctx, PreparedWrite& p,
                                                 bool return_old_on_failure);

// What RETURNING asks of an applied UPDATE or DELETE.
std::vector<core::Item> Returned(const partiql::Statement& s, const storage::MutationResult& r,
                                 const ItemExpressions& e);

}  // namespace dynamo::server::pql
