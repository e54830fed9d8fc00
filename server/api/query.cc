// Query and Scan: key conditions, filters, projections, Select, paging by
// Limit and by DynamoDB's 1 MB page, parallel Scan segments, table or index.

#include <cmath>
#include <map>

#include "core/item_codec.h"
#include "expr/evaluator.h"
#include "expr/projection.h"
#include "server/api/expressions.h"
#include "server/api/fields.h"
#include "server/api/keys.h"
#include "server/api/operations.h"
#include "server/api/values_json.h"
#include "storage/key_encoding.h"

namespace dynamo::server {

using core::AttributeValue;
using core::Item;
using core::ValidationError;
using core::ValueType;

namespace {

constexpr const char* kInvalid = "One or more parameter values were invalid: ";
constexpr size_t kPageBytes = 1024 * 1024;

enum class ReadKind { kQuery, kScan };

// The parameters Query and Scan share, after the JSON type pass.
struct ReadParams {
  std::optional<std::string_view> table_name, index_name, select, capacity;
  std::optional<std::string_view> filter_expression, key_condition_expression,
      projection_expression;
  std::optional<int64_t> limit, segment, total_segments;
  std::optional<bool> consistent, forward;
  const JsonValue* exclusive_start = nullptr;
  const JsonValue* names = nullptr;
  const JsonValue* values = nullptr;
  const JsonValue* attributes_to_get = nullptr;
  const JsonValue* key_conditions = nullptr;
  const JsonValue* legacy_filter = nullptr;  // QueryFilter or ScanFilter
  std::optional<std::string_view> conditional_operator;
};

Result<ReadParams> ReadReadParams(const JsonValue& req, ReadKind kind) {
  ReadParams p;
  DYNAMO_ASSIGN_OR_RETURN(p.table_name, GetString(req, "TableName"));
  DYNAMO_ASSIGN_OR_RETURN(p.index_name, GetString(req, "IndexName"));
  DYNAMO_ASSIGN_OR_RETURN(p.select, GetString(req, "Select"));
  DYNAMO_ASSIGN_OR_RETURN(p.attributes_to_get, GetArray(req, "AttributesToGet"));
  if (p.attributes_to_get) {
    for (const auto& e : p.attributes_to_get->GetArray())
      DYNAMO_RETURN_IF_ERROR(CheckStringValue(e));
  }
  DYNAMO_ASSIGN_OR_RETURN(p.limit, GetInteger(req, "Limit"));
  DYNAMO_ASSIGN_OR_RETURN(p.consistent, GetBool(req, "ConsistentRead"));
  DYNAMO_ASSIGN_OR_RETURN(p.capacity, GetString(req, "ReturnConsumedCapacity"));
  DYNAMO_ASSIGN_OR_RETURN(p.exclusive_start,
                          GetObject(req, "ExclusiveStartKey", kAttributeValueMap));
  if (p.exclusive_start) DYNAMO_RETURN_IF_ERROR(CheckAttributeMapTypes(*p.exclusive_start));
  DYNAMO_ASSIGN_OR_RETURN(p.projection_expression, GetString(req, "ProjectionExpression"));
  DYNAMO_ASSIGN_OR_RETURN(p.filter_expression, GetString(req, "FilterExpression"));
  DYNAMO_ASSIGN_OR_RETURN(p.names, GetObject(req, "ExpressionAttributeNames", kStringMap));
  if (p.names) {
    for (const auto& m : p.names->GetObject()) DYNAMO_RETURN_IF_ERROR(CheckStringValue(m.value));
  }
  DYNAMO_ASSIGN_OR_RETURN(p.values,
                          GetObject(req, "ExpressionAttributeValues", kAttributeValueMap));
  if (p.values) DYNAMO_RETURN_IF_ERROR(CheckAttributeMapTypes(*p.values));
  DYNAMO_ASSIGN_OR_RETURN(p.conditional_operator, GetString(req, "ConditionalOperator"));
  const char* filter_name = kind == ReadKind::kQuery ? "QueryFilter" : "ScanFilter";
  DYNAMO_ASSIGN_OR_RETURN(
      p.legacy_filter,
      GetObject(req, filter_name,
                "java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.Condition>"));
  if (kind == ReadKind::kQuery) {
    DYNAMO_ASSIGN_OR_RETURN(p.key_condition_expression, GetString(req, "KeyConditionExpression"));
    DYNAMO_ASSIGN_OR_RETURN(
        p.key_conditions,
        GetObject(req, "KeyConditions",
                  "java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.Condition>"));
    DYNAMO_ASSIGN_OR_RETURN(p.forward, GetBool(req, "ScanIndexForward"));
  } else {
    DYNAMO_ASSIGN_OR_RETURN(p.segment, GetInteger(req, "Segment"));
    DYNAMO_ASSIGN_OR_RETURN(p.total_segments, GetInteger(req, "TotalSegments"));
  }
  for (const JsonValue* conditions : {p.key_conditions, p.legacy_filter}) {
    if (!conditions) continue;
    for (const auto& m : conditions->GetObject()) {
      DYNAMO_RETURN_IF_ERROR(
          CheckObjectValue(m.value, "class com.amazonaws.dynamodb.v20120810.Condition"));
      if (m.value.IsNull()) continue;
      DYNAMO_ASSIGN_OR_RETURN(const JsonValue* list, GetArray(m.value, "AttributeValueList"));
      if (list) {
        for (const auto& e : list->GetArray()) DYNAMO_RETURN_IF_ERROR(CheckAttributeValueTypes(e));
      }
      DYNAMO_ASSIGN_OR_RETURN(auto op, GetString(m.value, "ComparisonOperator"));
      (void)op;
    }
  }
  return p;
}

// A legacy Condition map ({attr: {ComparisonOperator, AttributeValueList}}) as
// the JSON of an Expected map, so the Expected converter handles both.
// (The two shapes are identical apart from Exists/Value, which Conditions lack.)

// The key condition, reduced to what storage needs.
struct KeyCondition {
  AttributeValue hash;
  storage::RangeBounds range;
};

std::string PrefixSuccessor(std::string p) {
  while (!p.empty() && static_cast<uint8_t>(p.back()) == 0xff) p.pop_back();
  if (p.empty()) return p;
  p.back() = static_cast<char>(static_cast<uint8_t>(p.back()) + 1);
  return p;
}

core::Error KeyConditionError(const std::string& detail) { return ValidationError(detail); }

// Analyses a KeyConditionExpression against the key schema being queried.
Result<KeyCondition> AnalyseKeyCondition(const expr::Condition& root, const expr::Bindings& b,
                                         const KeySchema& key) {
  std::vector<const expr::Condition*> leaves;
  std::vector<const expr::Condition*> stack{&root};
  while (!stack.empty()) {
    const expr::Condition* c = stack.back();
    stack.pop_back();
    if (c->kind == expr::Condition::Kind::kAnd) {
      stack.push_back(&c->children[1]);
      stack.push_back(&c->children[0]);
      continue;
    }
    if (c->kind == expr::Condition::Kind::kOr) {
      return KeyConditionError("Invalid operator used in KeyConditionExpression: OR");
    }
    if (c->kind == expr::Condition::Kind::kNot) {
      return KeyConditionError("Invalid operator used in KeyConditionExpression: NOT");
    }
    if (c->kind == expr::Condition::Kind::kIn) {
      return KeyConditionError("Invalid operator used in KeyConditionExpression: IN");
    }
    if (c->kind == expr::Condition::Kind::kCompare && c->op == expr::CompareOp::kNe) {
      return KeyConditionError("Invalid operator used in KeyConditionExpression: <>");
    }
    if (c->kind == expr::Condition::Kind::kFunction &&
        c->operands[0].function != expr::Function::kBeginsWith) {
      return KeyConditionError(std::string("Invalid operator used in KeyConditionExpression: ") +
                               expr::FunctionName(c->operands[0].function));
    }
    leaves.push_back(c);
  }
  if (leaves.size() > 2) {
    // Two conditions on one key attribute are reported as such; otherwise
    // there are simply more conditions than key attributes.
    std::map<std::string, int> per_name;
    for (const expr::Condition* c : leaves) {
      const auto& ops =
          c->kind == expr::Condition::Kind::kFunction ? c->operands[0].args : c->operands;
      for (const auto& o : ops) {
        if (o.kind != expr::Operand::Kind::kPath) continue;
        expr::Path rp = expr::ResolvePath(o.path, b);
        if (rp.size() == 1 && ++per_name[std::get<std::string>(rp[0])] > 1) {
          return KeyConditionError(
              "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one "
              "condition per key");
        }
      }
    }
    return ValidationError("The number of query conditions (" + std::to_string(leaves.size()) +
                           ") exceeds the number of key attributes defined in the schema (" +
                           std::to_string(key.range ? 2 : 1) + ")");
  }
  std::optional<KeyCondition> out_hash;
  KeyCondition out;
  bool have_hash = false, have_range = false;
  for (const expr::Condition* c : leaves) {
    const std::vector<expr::Operand>& ops =
        c->kind == expr::Condition::Kind::kFunction ? c->operands[0].args : c->operands;
    // The key attribute is the path operand; the others must be values.
    const expr::Operand* path = nullptr;
    size_t path_index = 0;
    for (size_t i = 0; i < ops.size(); ++i) {
      if (ops[i].kind == expr::Operand::Kind::kPath) {
        if (path) {
          return KeyConditionError(
              "Invalid condition in KeyConditionExpression: Multiple attribute names used in one "
              "condition");
        }
        path = &ops[i];
        path_index = i;
      } else if (ops[i].kind != expr::Operand::Kind::kValue) {
        return KeyConditionError("KeyConditionExpressions cannot contain nested operations");
      }
    }
    if (!path) {
      return KeyConditionError(
          "Invalid condition in KeyConditionExpression: No key attribute specified");
    }
    expr::Path resolved = expr::ResolvePath(path->path, b);
    if (resolved.size() != 1) {
      return KeyConditionError(
          "KeyConditionExpressions cannot have conditions on nested attributes");
    }
    const std::string& name = std::get<std::string>(resolved[0]);
    auto value_of = [&](size_t i) -> const AttributeValue& { return b.values->at(ops[i].value); };
    const bool is_hash = name == key.hash.name;
    const bool is_range = key.range && name == key.range->name;
    if (!is_hash && !is_range) {
      // Named after the key element left without a condition.
      const bool hash_covered =
          have_hash || std::any_of(leaves.begin(), leaves.end(), [&](const expr::Condition* other) {
            const auto& o = other->kind == expr::Condition::Kind::kFunction
                                ? other->operands[0].args
                                : other->operands;
            for (const auto& x : o) {
              if (x.kind == expr::Operand::Kind::kPath) {
                expr::Path rp = expr::ResolvePath(x.path, b);
                if (rp.size() == 1 && std::get<std::string>(rp[0]) == key.hash.name) return true;
              }
            }
            return false;
          });
      if (hash_covered && !key.range) return ValidationError("Query key condition not supported");
      return ValidationError("Query condition missed key schema element: " +
                             (hash_covered ? key.range->name : key.hash.name));
    }
    const KeyElement& element = is_hash ? key.hash : *key.range;
    for (size_t i = 0; i < ops.size(); ++i) {
      if (i != path_index && value_of(i).type() != element.type) {
        return ValidationError(std::string(kInvalid) +
                               "Condition parameter type does not match schema type");
      }
    }
    if (c->kind == expr::Condition::Kind::kBetween && path_index != 0) {
      return KeyConditionError(
          "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key "
          "attribute as its first operand");
    }
    if (is_hash) {
      if (have_hash) {
        return KeyConditionError(
            "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one "
            "condition per key");
      }
      if (c->kind != expr::Condition::Kind::kCompare || c->op != expr::CompareOp::kEq) {
        return ValidationError("Query key condition not supported");
      }
      out.hash = value_of(1 - path_index);
      have_hash = true;
      continue;
    }
    if (have_range) {
      return KeyConditionError(
          "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one "
          "condition per key");
    }
    have_range = true;
    storage::RangeBounds& r = out.range;
    if (c->kind == expr::Condition::Kind::kBetween) {
      r.lower = storage::EncodeKeyValue(value_of(1));
      r.upper = storage::EncodeKeyValue(value_of(2));
    } else if (c->kind == expr::Condition::Kind::kFunction) {
      if (element.type == ValueType::kN) {
        return ValidationError(
            "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
            "operator or function: begins_with, operand type: N");
      }
      std::string prefix = storage::EncodeKeyValue(value_of(1));
      r.lower = prefix;
      std::string next = PrefixSuccessor(prefix);
      if (!next.empty()) {
        r.upper = next;
        r.upper_inclusive = false;
      }
    } else {
      std::string v = storage::EncodeKeyValue(value_of(1 - path_index));
      expr::CompareOp op = c->op;
      if (path_index == 1) {  // ":v < k" is "k > :v"
        if (op == expr::CompareOp::kLt)
          op = expr::CompareOp::kGt;
        else if (op == expr::CompareOp::kLe)
          op = expr::CompareOp::kGe;
        else if (op == expr::CompareOp::kGt)
          op = expr::CompareOp::kLt;
        else if (op == expr::CompareOp::kGe)
          op = expr::CompareOp::kLe;
      }
      switch (op) {
        case expr::CompareOp::kEq:
          r.lower = v;
          r.upper = v;
          break;
        case expr::CompareOp::kLt:
          r.upper = v;
          r.upper_inclusive = false;
          break;
        case expr::CompareOp::kLe:
          r.upper = v;
          break;
        case expr::CompareOp::kGt:
          r.lower = v;
          r.lower_inclusive = false;
          break;
        case expr::CompareOp::kGe:
          r.lower = v;
          break;
        default:
          break;
      }
    }
  }
  if (!have_hash) {
    return ValidationError("Query condition missed key schema element: " + key.hash.name);
  }
  return out;
}

struct Target {
  std::shared_ptr<const TableInfo> table;
  const IndexInfo* index = nullptr;  // null: the table itself
  bool global = false;
  const KeySchema& key() const { return index ? index->key : table->key; }
  int64_t index_id() const { return index ? index->id : 0; }
};

// ExclusiveStartKey -> a storage position, with DynamoDB's checks.
Result<storage::Position> StartPosition(const Target& t, const Item& start) {
  auto invalid = [] {
    return ValidationError(
        "The provided starting key is invalid: The provided key element does "
        "not match the schema");
  };
  storage::Position pos;
  auto encode = [&](const KeyElement& k, std::string* out) -> core::Status {
    auto it = start.find(k.name);
    if (it == start.end() || it->second.type() != k.type) return invalid();
    *out = storage::EncodeKeyValue(it->second);
    return core::Status::Ok();
  };
  const KeySchema& tk = t.table->key;
  size_t expected = tk.range ? 2 : 1;
  if (t.index) {
    DYNAMO_RETURN_IF_ERROR(encode(t.index->key.hash, &pos.hash));
    if (t.index->key.range) DYNAMO_RETURN_IF_ERROR(encode(*t.index->key.range, &pos.range));
    DYNAMO_RETURN_IF_ERROR(encode(tk.hash, &pos.base_hash));
    if (tk.range) DYNAMO_RETURN_IF_ERROR(encode(*tk.range, &pos.base_range));
    Item keys = KeyAttributes(tk, start);
    Item index_keys = KeyAttributes(t.index->key, start);
    keys.insert(index_keys.begin(), index_keys.end());
    expected = keys.size();
  } else {
    DYNAMO_RETURN_IF_ERROR(encode(tk.hash, &pos.hash));
    if (tk.range) DYNAMO_RETURN_IF_ERROR(encode(*tk.range, &pos.range));
  }
  if (start.size() != expected) return invalid();
  return pos;
}

Result<std::string> RunRead(OpContext& ctx, const JsonValue& req, ReadKind kind) {
  DYNAMO_ASSIGN_OR_RETURN(ReadParams p, ReadReadParams(req, kind));
  const char* op_name = kind == ReadKind::kQuery ? "Query" : "Scan";

  ConstraintErrors errors;
  std::string table_name;
  if (!p.table_name) {
    errors.NotNull("tableName");
  } else {
    table_name = ResolveTableName(*p.table_name, errors);
  }
  if (p.index_name) {
    errors.CheckTableNamePattern(*p.index_name, "indexName");
    errors.CheckLength(*p.index_name, "indexName", 3, 255);
  }
  if (p.select) {
    errors.CheckEnum(
        *p.select, "select",
        {"SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"});
  }
  if (p.limit) errors.CheckRange(*p.limit, "limit", 1, INT32_MAX);
  if (p.capacity)
    errors.CheckEnum(*p.capacity, "returnConsumedCapacity", {"INDEXES", "TOTAL", "NONE"});
  if (p.conditional_operator)
    errors.CheckEnum(*p.conditional_operator, "conditionalOperator", {"OR", "AND"});
  if (p.segment) errors.CheckRange(*p.segment, "segment", 0, 999999);
  if (p.total_segments) errors.CheckRange(*p.total_segments, "totalSegments", 1, 1000000);
  if (p.attributes_to_get && p.attributes_to_get->Empty()) {
    errors.Add("[]", "attributesToGet", "Member must have length greater than or equal to 1");
  }
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());

  // Parameter combinations.
  if (kind == ReadKind::kScan) {
    if (p.segment && !p.total_segments) {
      return ValidationError(
          "The TotalSegments parameter is required but was not present in the request when "
          "Segment parameter is present");
    }
    if (p.total_segments && !p.segment) {
      return ValidationError(
          "The Segment parameter is required but was not present in the request when parameter "
          "TotalSegments is present");
    }
    if (p.segment && *p.segment >= *p.total_segments) {
      return ValidationError(
          "The Segment parameter is zero-based and must be less than parameter "
          "TotalSegments: Segment: " +
          std::to_string(*p.segment) +
          " is not less than TotalSegments: " + std::to_string(*p.total_segments));
    }
  }
  {
    std::vector<std::string> legacy, modern;
    if (p.attributes_to_get) legacy.push_back("AttributesToGet");
    if (p.key_conditions) legacy.push_back("KeyConditions");
    if (p.legacy_filter) legacy.push_back(kind == ReadKind::kQuery ? "QueryFilter" : "ScanFilter");
    if (p.projection_expression) modern.push_back("ProjectionExpression");
    if (p.filter_expression) modern.push_back("FilterExpression");
    if (p.key_condition_expression) modern.push_back("KeyConditionExpression");
    DYNAMO_RETURN_IF_ERROR(CheckMixedParameters(legacy, modern));
    if (p.names && modern.empty()) {
      return ValidationError(
          "ExpressionAttributeNames can only be specified when using expressions");
    }
    if (p.values && !p.filter_expression && !p.key_condition_expression) {
      return ValidationError(
          std::string("ExpressionAttributeValues can only be specified when using expressions: ") +
          (kind == ReadKind::kQuery ? "KeyConditionExpression and FilterExpression are null"
                                    : "FilterExpression is null"));
    }
    if (kind == ReadKind::kQuery && !p.key_conditions && !p.key_condition_expression) {
      return ValidationError(
          "Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
          "request.");
    }
    if (p.conditional_operator && !p.legacy_filter) {
      return ValidationError(
          "ConditionalOperator can only be used when Expected or QueryFilter or ScanFilter are "
          "present");
    }
  }
  // Select rules (Query wraps these in the constraint envelope, Scan does not).
  std::string select(p.select.value_or(""));
  const std::string envelope = kind == ReadKind::kQuery ? "1 validation error detected: " : "";
  if (select == "SPECIFIC_ATTRIBUTES" && !p.projection_expression && !p.attributes_to_get) {
    return ValidationError(envelope +
                           "Must specify the AttributesToGet or ProjectionExpression when choosing "
                           "to get SPECIFIC_ATTRIBUTES");
  }
  if (!select.empty() && select != "SPECIFIC_ATTRIBUTES" &&
      (p.projection_expression || p.attributes_to_get)) {
    std::string what = select == "COUNT" ? "only the Count" : select;
    return ValidationError(envelope + "Cannot specify the " +
                           (p.attributes_to_get ? "AttributesToGet" : "ProjectionExpression") +
                           " when choosing to get " + what);
  }
  if (select == "ALL_PROJECTED_ATTRIBUTES" && !p.index_name) {
    return ValidationError(
        envelope + "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
  }

  // Expressions (cached parses) and their bindings.
  ItemExpressions e;
  std::shared_ptr<const expr::ParsedCondition> key_condition, filter;
  if (p.attributes_to_get) {
    RawExpressionParams raw;
    raw.attributes_to_get = p.attributes_to_get;
    DYNAMO_ASSIGN_OR_RETURN(e, BuildExpressions(ctx.api->expressions(), raw, ItemOp::kGet));
  } else {
    // Names and values are checked against every expression of the request at once.
    DYNAMO_RETURN_IF_ERROR(DecodeNamesAndValues(p.names, p.values, &e));
    const expr::Bindings b = e.bindings();
    expr::Placeholders used;
    expr::ExpressionCache& cache = ctx.api->expressions();
    if (p.key_condition_expression) {
      DYNAMO_ASSIGN_OR_RETURN(key_condition,
                              PrepareCondition(cache, *p.key_condition_expression,
                                               expr::ExpressionKind::kKeyCondition, b, &used));
    }
    if (p.filter_expression) {
      DYNAMO_ASSIGN_OR_RETURN(filter, PrepareCondition(cache, *p.filter_expression,
                                                       expr::ExpressionKind::kFilter, b, &used));
    }
    if (p.projection_expression) {
      DYNAMO_ASSIGN_OR_RETURN(e.projection,
                              PrepareProjection(cache, *p.projection_expression, b, &used));
    }
    DYNAMO_RETURN_IF_ERROR(expr::CheckUnused(b, used));
  }
  std::optional<Item> exclusive_start;
  if (p.exclusive_start) {
    DYNAMO_ASSIGN_OR_RETURN(Item s, DecodeAttributeMap(*p.exclusive_start));
    exclusive_start = std::move(s);
  }

  // The table and index.
  Target target;
  target.table = ctx.ns->Find(table_name);
  if (!target.table) return TableNotFound();
  if (p.index_name) {
    target.index = target.table->FindIndex(*p.index_name, &target.global);
    if (!target.index) {
      return ValidationError("The table does not have the specified index: " +
                             std::string(*p.index_name));
    }
    if (target.global && p.consistent.value_or(false)) {
      return ValidationError("Consistent reads are not supported on global secondary indexes");
    }
    if (select == "ALL_ATTRIBUTES" && target.global && target.index->projection_type != "ALL") {
      return ValidationError(
          "One or more parameter values were invalid: Select type ALL_ATTRIBUTES "
          "is not supported for global secondary index " +
          target.index->name + " because its projection type is not ALL");
    }
    // A GSI can only return what it projects.
    if (target.global && target.index->projection_type != "ALL" && e.projection) {
      std::vector<std::string> projected{target.table->key.hash.name, target.index->key.hash.name};
      if (target.table->key.range) projected.push_back(target.table->key.range->name);
      if (target.index->key.range) projected.push_back(target.index->key.range->name);
      projected.insert(projected.end(), target.index->non_key_attributes.begin(),
                       target.index->non_key_attributes.end());
      std::string missing;
      for (const auto& path : *e.projection) {
        const std::string& top = std::get<std::string>(path[0]);
        if (std::find(projected.begin(), projected.end(), top) == projected.end()) {
          missing += (missing.empty() ? "" : ", ") + top;
        }
      }
      if (!missing.empty()) {
        return ValidationError(std::string(kInvalid) + "Global secondary index " +
                               target.index->name + " does not project [" + missing + "]");
      }
    }
  }
  if (p.key_conditions) {
    DYNAMO_ASSIGN_OR_RETURN(key_condition,
                            ConvertLegacyConditions(*p.key_conditions, std::nullopt, &e));
  }
  if (p.legacy_filter) {
    DYNAMO_ASSIGN_OR_RETURN(filter,
                            ConvertLegacyConditions(*p.legacy_filter, p.conditional_operator, &e));
  }
  const expr::Bindings bindings = e.bindings();
  std::optional<KeyCondition> key_cond;
  if (kind == ReadKind::kQuery && key_condition) {
    DYNAMO_ASSIGN_OR_RETURN(KeyCondition kc,
                            AnalyseKeyCondition(key_condition->root, bindings, target.key()));
    key_cond = std::move(kc);
  }
  if (filter) {
    // A filter may not dig into a key attribute; a Query filter may not test
    // the key attributes of what is queried at all.
    std::vector<std::string> keys{target.table->key.hash.name};
    if (target.table->key.range) keys.push_back(target.table->key.range->name);
    std::vector<std::string> queried{target.key().hash.name};
    if (target.key().range) queried.push_back(target.key().range->name);
    std::vector<const expr::Condition*> stack{&filter->root};
    std::vector<const expr::Operand*> operands;
    while (!stack.empty()) {
      const expr::Condition* c = stack.back();
      stack.pop_back();
      for (const auto& child : c->children) stack.push_back(&child);
      for (const auto& o : c->operands) operands.push_back(&o);
    }
    std::optional<std::string> key_used;
    while (!operands.empty()) {
      const expr::Operand* o = operands.back();
      operands.pop_back();
      for (const auto& a : o->args) operands.push_back(&a);
      if (o->kind != expr::Operand::Kind::kPath) continue;
      expr::Path path = expr::ResolvePath(o->path, bindings);
      const std::string& top = std::get<std::string>(path[0]);
      const bool is_key = std::find(keys.begin(), keys.end(), top) != keys.end();
      const bool is_index_key = std::find(queried.begin(), queried.end(), top) != queried.end();
      if ((is_key || is_index_key) && path.size() > 1) {
        return ValidationError(
            "Key attributes must be scalars; list random access '[]' and map "
            "lookup '.' are not allowed: " +
            std::string(is_key ? "Key: " : "IndexKey: ") + top);
      }
      if (kind == ReadKind::kQuery && is_index_key && !key_used) key_used = top;
    }
    if (key_used) {
      return ValidationError(
          std::string(p.legacy_filter ? "QueryFilter" : "Filter Expression") +
          " can only contain non-primary key attributes: Primary key attribute: " + *key_used);
    }
  }
  std::optional<storage::Position> start_pos;
  if (exclusive_start) {
    DYNAMO_ASSIGN_OR_RETURN(storage::Position pos, StartPosition(target, *exclusive_start));
    if (key_cond) {
      if (pos.hash != storage::EncodeKeyValue(key_cond->hash)) {
        return ValidationError(
            "The provided starting key is outside query boundaries based on provided conditions");
      }
      const storage::RangeBounds& r = key_cond->range;
      auto below = [](const std::string& a, const std::string& b) { return a < b; };
      bool ok = true;
      if (r.lower)
        ok = ok && (r.lower_inclusive ? !below(pos.range, *r.lower) : below(*r.lower, pos.range));
      if (r.upper)
        ok = ok && (r.upper_inclusive ? !below(*r.upper, pos.range) : below(pos.range, *r.upper));
      if (!ok)
        return ValidationError("The provided starting key does not match the range key predicate");
    }
    start_pos = std::move(pos);
  }

  // Run the page.
  const int64_t limit = p.limit.value_or(INT64_MAX);
  const bool count_only = select == "COUNT";
  const bool consistent = p.consistent.value_or(false);
  // An LSI read of attributes it does not project fetches them from the
  // table (in the same snapshot); a filter sees the whole item then too.
  const bool lsi_partial = target.index && !target.global && target.index->projection_type != "ALL";
  const bool fetch_from_table =
      lsi_partial && (select == "ALL_ATTRIBUTES" || e.projection || filter);
  int64_t scanned = 0;
  size_t bytes = 0;
  bool stopped = false;
  Item last_item;
  std::vector<Item> results;
  int64_t count = 0;
  auto visit = [&](const storage::RowView& row) -> Result<bool> {
    DYNAMO_ASSIGN_OR_RETURN(Item item, core::DecodeItem(row.item));
    ++scanned;
    bytes += row.size;
    std::optional<Item> full;
    if (fetch_from_table) {
      storage::EncodedKey base{std::string(row.base_hash), std::string(row.base_range)};
      DYNAMO_ASSIGN_OR_RETURN(full, row.reader->Get(target.table->storage_id, base));
    }
    const Item& seen = full ? *full : item;
    bool keep = !filter || expr::EvaluateCondition(filter->root, bindings, seen);
    last_item = KeyAttributes(target.table->key, item);
    if (target.index) {
      Item ik = KeyAttributes(target.index->key, item);
      last_item.insert(ik.begin(), ik.end());
    }
    if (keep) {
      ++count;
      if (!count_only) {
        if (e.projection) {
          results.push_back(expr::ApplyProjection(seen, *e.projection));
        } else if (select == "ALL_ATTRIBUTES" && full) {
          results.push_back(std::move(*full));
        } else {
          results.push_back(std::move(item));
        }
      }
    }
    if (scanned >= limit || bytes >= kPageBytes) {
      stopped = true;
      return false;
    }
    return true;
  };
  const int64_t table_id = target.table->storage_id;
  if (kind == ReadKind::kQuery) {
    if (!key_cond) return ValidationError("Query key condition not supported");
    DYNAMO_RETURN_IF_ERROR(
        ctx.ns->db()->Query(table_id, target.index_id(), storage::EncodeKeyValue(key_cond->hash),
                            key_cond->range, p.forward.value_or(true), start_pos, visit));
  } else {
    uint32_t lo = 0, hi = UINT32_MAX;
    if (p.segment) {
      const uint64_t total = static_cast<uint64_t>(*p.total_segments);
      const uint64_t seg = static_cast<uint64_t>(*p.segment);
      lo = static_cast<uint32_t>((seg << 32) / total);
      hi = static_cast<uint32_t>((((seg + 1) << 32) / total) - 1);
      if (start_pos) {
        uint32_t h = storage::PartitionHash(start_pos->hash);
        if (h < lo || h > hi) {
          return ValidationError(
              "The provided starting key is invalid: Invalid ExclusiveStartKey. "
              "Please use ExclusiveStartKey with correct Segment. TotalSegments: " +
              std::to_string(total) + " Segment: " + std::to_string(seg));
        }
      }
    }
    DYNAMO_RETURN_IF_ERROR(
        ctx.ns->db()->Scan(table_id, target.index_id(), lo, hi, start_pos, visit));
  }

  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  if (!count_only) {
    w.Key("Items");
    w.StartArray();
    for (const auto& item : results) WriteAttributeMap(item, w);
    w.EndArray();
  }
  w.Key("Count");
  w.Int64(count);
  w.Key("ScannedCount");
  w.Int64(scanned);
  if (stopped) {
    w.Key("LastEvaluatedKey");
    WriteAttributeMap(last_item, w);
  }
  if (p.capacity && *p.capacity != "NONE") {
    double units = std::max(1.0, std::ceil(static_cast<double>(bytes) / 4096.0));
    if (!consistent) units /= 2;
    w.Key("ConsumedCapacity");
    w.StartObject();
    w.Key("TableName");
    w.String(target.table->name);
    w.Key("CapacityUnits");
    w.Double(units);
    if (*p.capacity == "INDEXES") {
      if (target.index) {
        w.Key("Table");
        w.StartObject();
        w.Key("CapacityUnits");
        w.Double(0);
        w.EndObject();
        w.Key(target.global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
        w.StartObject();
        w.Key(target.index->name.c_str());
        w.StartObject();
        w.Key("CapacityUnits");
        w.Double(units);
        w.EndObject();
        w.EndObject();
      } else {
        w.Key("Table");
        w.StartObject();
        w.Key("CapacityUnits");
        w.Double(units);
        w.EndObject();
      }
    }
    w.EndObject();
  }
  w.EndObject();
  (void)op_name;
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace

Result<std::string> Query(OpContext& ctx, const JsonValue& req) {
  return RunRead(ctx, req, ReadKind::kQuery);
}

Result<std::string> Scan(OpContext& ctx, const JsonValue& req) {
  return RunRead(ctx, req, ReadKind::kScan);
}

}  // namespace dynamo::server
