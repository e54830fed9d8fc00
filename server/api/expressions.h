// The expression parameters of item operations, turned into parsed, validated
// and bound expressions.
//
// DynamoDB's order is kept by splitting the work in three steps that the
// operation calls at the right points:
//   ReadExpressionParams   JSON types (SerializationException), before any validation
//   CheckExpressionUsage   mixing legacy and expression parameters; names or
//                          values given without an expression
//   BuildExpressions       legacy conversion (Expected, AttributeUpdates),
//                          ExpressionAttributeNames/Values, parse (cached),
//                          validation, unused placeholders
// Legacy parameters become ordinary ASTs with private placeholders, so one
// evaluator serves both.
#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "expr/ast.h"
#include "expr/evaluator.h"
#include "expr/expression_cache.h"
#include "server/api/fields.h"
#include "server/api/json.h"
#include "server/api/values_json.h"

namespace dynamo::server {

enum class ItemOp { kGet, kPut, kDelete, kUpdate };

struct RawExpressionParams {
  std::optional<std::string_view> condition_expression;
  std::optional<std::string_view> update_expression;
  std::optional<std::string_view> projection_expression;
  const JsonValue* names = nullptr;
  const JsonValue* values = nullptr;
  const JsonValue* expected = nullptr;
  std::optional<std::string_view> conditional_operator;
  const JsonValue* attribute_updates = nullptr;
  const JsonValue* attributes_to_get = nullptr;
};

struct ItemExpressions {
  std::optional<expr::NameMap> names;
  std::optional<core::ValueMap> values;
  std::shared_ptr<const expr::ParsedCondition> condition;
  std::shared_ptr<const expr::ParsedUpdate> update;
  std::optional<std::vector<expr::Path>> projection;  // ProjectionExpression or AttributesToGet

  expr::Bindings bindings() const {
    return expr::Bindings{names ? &*names : nullptr, values ? &*values : nullptr};
  }
};

// A legacy Condition map (KeyConditions, QueryFilter, ScanFilter) as a
// condition over private placeholders added to e's names and values.
Result<std::shared_ptr<const expr::ParsedCondition>> ConvertLegacyConditions(
    const JsonValue& conditions, std::optional<std::string_view> conditional_operator,
    ItemExpressions* e, ValueLayer layer);

// The ComparisonOperator of each entry of a legacy condition map must be in
// the enum, reported at "<parameter>.<attribute>.member.comparisonOperator".
// required: a missing one is an error too (KeyConditions, QueryFilter,
// ScanFilter; an Expected entry may stand on Exists and Value alone).
void CheckComparisonOperators(const JsonValue* conditions, std::string_view parameter,
                              bool required, ConstraintErrors& errors);

Result<RawExpressionParams> ReadExpressionParams(const JsonValue& req, ItemOp op);
// Enum constraints of the legacy parameters.
void CheckExpressionConstraints(const RawExpressionParams& p, ConstraintErrors& errors);
// The transaction operations run the older layer, the default here and below.
Status CheckExpressionUsage(const RawExpressionParams& p, ItemOp op,
                            ValueLayer layer = ValueLayer::kOlder);
// "Can not use both expression and non-expression parameters in the same
// request: ..." when both lists are non-empty (each in DynamoDB's order).
Status CheckMixedParameters(const std::vector<std::string>& legacy,
                            const std::vector<std::string>& modern);

// Parses (through the cache) and validates one condition-like expression,
// adding its placeholders to *used.
Result<std::shared_ptr<const expr::ParsedCondition>> PrepareCondition(
    expr::ExpressionCache& cache, std::string_view text, expr::ExpressionKind kind,
    const expr::Bindings& bindings, expr::Placeholders* used);
// The same for a ProjectionExpression, resolved into paths.
Result<std::vector<expr::Path>> PrepareProjection(expr::ExpressionCache& cache,
                                                  std::string_view text,
                                                  const expr::Bindings& bindings,
                                                  expr::Placeholders* used);

// ExpressionAttributeNames / ExpressionAttributeValues (either may be null):
// DynamoDB's checks on the maps, keys and values, decoded into out.
Status DecodeNamesAndValues(const JsonValue* names, const JsonValue* values, ItemExpressions* out,
                            ValueLayer layer);

Result<ItemExpressions> BuildExpressions(expr::ExpressionCache& cache, const RawExpressionParams& p,
                                         ItemOp op, ValueLayer layer = ValueLayer::kOlder);

}  // namespace dynamo::server
