// Analysis of a Query's key condition: which partition, and which slice of it.
//
// A KeyConditionExpression (or the legacy KeyConditions map, converted to the
// same AST) may only be an AND of at most two conditions: an equality on the
// partition key and, optionally, one of =, <, <=, >, >=, BETWEEN or
// begins_with on the sort key, each comparing the key attribute with
// ':value's of the key's declared type. AnalyseKeyCondition checks that
// against the key schema of the table or index being queried, with
// DynamoDB's messages, and returns the key values as typed AttributeValues.
// Turning them into storage ranges is the caller's job: expr knows nothing of
// the key encoding.
//
// Thread-safe: pure functions.
#pragma once

#include <optional>
#include <vector>

#include "core/attribute_value.h"
#include "core/error.h"
#include "core/key_schema.h"
#include "expr/ast.h"
#include "expr/evaluator.h"

namespace dynamo::expr {

// A condition on the sort key, normalised so the key attribute is the left
// operand (":v < k" becomes k > :v).
struct RangeKeyCondition {
  enum class Op { kEq, kLt, kLe, kGt, kGe, kBetween, kBeginsWith };
  Op op = Op::kEq;
  core::AttributeValue value;  // the operand; kBetween: the lower bound
  core::AttributeValue upper;  // kBetween only: the upper bound
};

struct KeyCondition {
  core::AttributeValue hash;               // the partition key value (always equality)
  std::optional<RangeKeyCondition> range;  // absent: the whole partition
  // Multi-attribute keys (GSIs): the values of the further partition key
  // attributes, and the values the leading sort key attributes equal; range
  // is then on the sort key attribute after those (and never kEq).
  std::vector<core::AttributeValue> more_hash;
  std::vector<core::AttributeValue> range_prefix;
};

// Checks a parsed KeyConditionExpression against the key schema being
// queried, with DynamoDB's messages, and extracts the key values.
//
// Precondition: root was validated (ValidateCondition with
// ExpressionKind::kKeyCondition) or built by the legacy KeyConditions
// converter, so every placeholder it uses is bound in bindings.
//
// Errors are ValidationErrors, checked leaf by leaf in document order:
// operators other than AND, =, <, <=, >, >=, BETWEEN and begins_with; more
// conditions than key attributes; two attribute names, nested operations, no
// attribute, or a nested path in one condition; a non-key attribute (reported
// as the key element left without a condition); a value whose type is not the
// key's; BETWEEN or begins_with without the key as the first operand; two
// conditions on one key; anything but equality on the partition key;
// begins_with on a number key; no partition key condition.
//
// On a multi-attribute key (a GSI with several partition or sort key
// attributes) every partition key attribute needs an equality, and the sort
// key attributes named must be leading ones in KeySchema order, all but the
// last with an equality (the clauses may come in any order).
core::Result<KeyCondition> AnalyseKeyCondition(const Condition& root, const Bindings& bindings,
                                               const core::KeySchema& key);

}  // namespace dynamo::expr
