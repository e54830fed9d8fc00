// Binding and evaluation of parsed expressions against an item.
//
// Bindings hold the request's ExpressionAttributeNames and decoded
// ExpressionAttributeValues. Validate* check a parsed expression against its
// bindings the way DynamoDB does before touching any item (undefined or
// unused placeholders, function arity and operand types, update path
// overlaps, key attributes). Evaluation itself never fails: DynamoDB type
// mismatches make a comparison false. ApplyUpdate fails only with DynamoDB's
// runtime update errors (wrong operand types, invalid document paths).
//
// Thread-safe: all functions are pure; the parsed expressions are shared and
// never mutated.
#pragma once

#include <string>
#include <vector>

#include "core/attribute_value.h"
#include "core/key_schema.h"
#include "expr/ast.h"
#include "expr/parser.h"
#include "expr/projection.h"

namespace dynamo::expr {

struct Bindings {
  const NameMap* names = nullptr;          // "#n" -> attribute name
  const core::ValueMap* values = nullptr;  // ":v" -> value
};

// The document path with placeholders replaced. Precondition: validated.
Path ResolvePath(const PathAst& path, const Bindings& b);

// Checks names/values used by a condition-like expression are defined and
// that functions and operands are used as DynamoDB allows.
core::Status ValidateCondition(const ParsedCondition& c, const Bindings& b, ExpressionKind kind);
core::Status ValidateUpdate(const ParsedUpdate& u, const Bindings& b);
core::Status ValidateProjection(const ParsedProjection& p, const Bindings& b);

// "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}"
// (and the Values twin) given every placeholder used by the request.
core::Status CheckUnused(const Bindings& b, const Placeholders& used);

bool EvaluateCondition(const Condition& c, const Bindings& b, const core::Item& item);

// Applies the update to item (the current item, or just its key when it did
// not exist: item_exists false). Updating an attribute of the table's key is
// an error.
core::Status ApplyUpdate(const ParsedUpdate& u, const Bindings& b, const core::KeySchema& key,
                         bool item_exists, core::Item* item);

// "Cannot update attribute X. This attribute is part of the key" when the
// update writes to one of the key attributes.
core::Status CheckUpdateSparesKey(const ParsedUpdate& u, const Bindings& b,
                                  const core::KeySchema& key);

// The resolved paths an update writes to (for UPDATED_OLD / UPDATED_NEW).
std::vector<Path> UpdatedPaths(const ParsedUpdate& u, const Bindings& b);

// Looks up a document path in an item; nullptr when absent.
const core::AttributeValue* FindPath(const core::Item& item, const Path& path);

}  // namespace dynamo::expr
