// PartiQL statements as DynamoDB accepts them (ExecuteStatement and its
// batch and transaction forms), parsed into the trees of the expression
// language (ast.h), so that evaluation, validation and the write path are
// shared with the expression API rather than written twice:
//
//   SELECT * | path, ... FROM "T"[."Index"] [WHERE condition]
//       [ORDER BY key [ASC | DESC], ...]
//   INSERT INTO "T" VALUE {'k': value, ...}
//   UPDATE "T" SET path = term [, ...] | REMOVE path [, ...] ... WHERE condition
//       [RETURNING ALL OLD * | MODIFIED OLD * | ALL NEW * | MODIFIED NEW *]
//   FROM "T" WHERE condition SET ... | REMOVE ... [RETURNING ...]   (an UPDATE)
//   DELETE FROM "T" WHERE condition [RETURNING ALL OLD *]
//   EXISTS(SELECT * FROM "T" WHERE condition)   (ExecuteTransaction's check)
//
// A WHERE is a Condition; SET and REMOVE are UpdateActions (set_add and
// set_delete become ADD and DELETE); the projection is paths. Literals and
// `?` parameters become value placeholders ":0", ":1", ... (literals[i] is
// ":i"), bound per request by BindLiterals. Keywords and function names are
// case-insensitive; identifiers are bare or "double-quoted"; strings are
// 'single-quoted' ('' inside is a quote); -- and /* */ are comments.
//
// Errors are DynamoDB's ValidationException texts ("Statement wasn't well
// formed, can't be processed: ..." for syntax).
//
// Thread-safe: a parsed Statement is an immutable value.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/attribute_value.h"
#include "core/error.h"
#include "expr/ast.h"

namespace dynamo::expr::partiql {

// A literal value as written: a scalar, a `?` parameter, or a list, map or
// set (bag) of literals.
struct Literal {
  enum class Kind { kScalar, kParameter, kList, kMap, kSet };
  Kind kind = Kind::kScalar;
  core::AttributeValue scalar = core::AttributeValue::MakeNull();  // kScalar: S, N, BOOL, NULL
  size_t parameter = 0;                                            // kParameter: 0-based
  std::vector<Literal> items;      // kList, kSet; kMap: the members' values, in order written
  std::vector<std::string> names;  // kMap: the members' names (names[i] is items[i]'s)
};

enum class Returning { kNone, kAllOld, kModifiedOld, kAllNew, kModifiedNew };

// One ORDER BY term: an attribute name and its direction.
struct OrderKey {
  std::string name;
  bool descending = false;
};

struct Statement {
  enum class Kind { kSelect, kInsert, kUpdate, kDelete, kExists };
  Kind kind = Kind::kSelect;
  std::string table;
  std::optional<std::string> index;  // SELECT FROM "T"."Index"
  bool has_order_by = false;
  std::vector<OrderKey> order_by;  // SELECT ... ORDER BY

  bool select_all = false;          // SELECT *
  std::vector<PathAst> projection;  // SELECT paths
  // SELECT of a function (COUNT(*)): refused once the table is known.
  std::optional<std::string> projection_error;

  std::optional<Condition> where;     // SELECT, UPDATE, DELETE, EXISTS
  std::vector<UpdateAction> actions;  // UPDATE, in the order written
  std::optional<size_t> insert_item;  // INSERT: the literal (a kMap) in literals
  Returning returning = Returning::kNone;

  std::vector<Literal> literals;  // ":i" is literals[i]
  size_t parameter_count = 0;     // the `?`s, in order
};

// The prefix of every syntax error.
inline constexpr std::string_view kMalformed = "Statement wasn't well formed, can't be processed: ";

core::Result<Statement> Parse(std::string_view text);

// The value of every literal of the statement, as ":i" -> value, with the
// `?` parameters bound in order. Fails when the parameters do not match the
// statement, or a set literal is empty, mixes types or repeats a member.
core::Result<core::ValueMap> BindLiterals(const Statement& s,
                                          const std::vector<core::AttributeValue>& parameters);

}  // namespace dynamo::expr::partiql
