// Query and Scan: key conditions, filters, projections, Select, paging by
// Limit and by DynamoDB's 1 MB page, parallel Scan segments, table or index.
//
// A request goes through the phases that the functions below are named
// after: read the parameters (JSON types), check constraints and parameter
// combinations, build the expressions, resolve the table or index, analyse
// the key condition (expr/key_condition.h), resolve the start key, run one
// page against storage, write the response.

#include <algorithm>
#include <map>

#include "core/messages.h"
#include "expr/evaluator.h"
#include "expr/key_condition.h"
#include "expr/paths.h"
#include "expr/projection.h"
#include "server/api/capacity.h"
#include "server/api/expressions.h"
#include "server/api/fields.h"
#include "server/api/keys.h"
#include "server/api/operations.h"
#include "server/api/reads.h"
#include "server/api/values_json.h"
#include "storage/database.h"
#include "storage/key_encoding.h"

namespace dynamo::server {

using core::AttributeValue;
using core::Item;
using core::ValidationError;
using core::ValueType;

namespace {

std::string_view Str(const JsonValue& v) { return {v.GetString(), v.GetStringLength()}; }

// Query checks values in DynamoDB's current layer, Scan in the older one
// (values_json.h).
ValueLayer LayerOf(ReadKind kind) {
  return kind == ReadKind::kQuery ? ValueLayer::kCurrent : ValueLayer::kOlder;
}

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

// ---- Constraints and parameter combinations ----

// Constraint errors of the parameters; returns the table name.
Result<std::string> CheckReadConstraints(const ReadParams& p, ReadKind kind) {
  // Query reports a ConditionalOperator outside its enum first, alone, bare
  // and in the newer wording (eu-west-2 and us-east-1, 2026-10-09). Scan has
  // no such recording and keeps the older joined form.
  if (kind == ReadKind::kQuery && p.conditional_operator && *p.conditional_operator != "OR" &&
      *p.conditional_operator != "AND") {
    return ValidationError(
        "Failed to satisfy constraint: Member must satisfy enum value set: [ALL, OR]");
  }
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
  if (p.limit && kind == ReadKind::kQuery && *p.limit < 1) {
    // Recorded from DynamoDB: Query names the member 'Limit' and echoes no
    // value; Scan still says "Value '0' at 'limit'".
    errors.AddUnechoed("Limit", "Member must have value greater than or equal to 1");
  } else if (p.limit) {
    errors.CheckRange(*p.limit, "limit", 1, INT32_MAX);
  }
  CheckCapacityEnum(p.capacity, errors);
  if (p.conditional_operator) {
    errors.CheckEnum(*p.conditional_operator, "conditionalOperator", {"OR", "AND"});
  }
  CheckComparisonOperators(p.key_conditions, "keyConditions", true, errors);
  CheckComparisonOperators(p.legacy_filter, kind == ReadKind::kQuery ? "queryFilter" : "scanFilter",
                           true, errors);
  if (p.segment) errors.CheckRange(*p.segment, "segment", 0, 999999);
  if (p.total_segments) errors.CheckRange(*p.total_segments, "totalSegments", 1, 1000000);
  if (p.attributes_to_get && p.attributes_to_get->Empty()) {
    errors.Add("[]", "attributesToGet", "Member must have length greater than or equal to 1");
  }
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());
  return table_name;
}

core::Status CheckScanSegments(const ReadParams& p) {
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
  return core::Status::Ok();
}

// Legacy and expression parameters mixed, placeholders without expressions,
// a Query without a key condition.
core::Status CheckParameterCombinations(const ReadParams& p, ReadKind kind) {
  std::vector<std::string> legacy, modern;
  if (p.attributes_to_get) legacy.push_back("AttributesToGet");
  // DynamoDB lets KeyConditions go with FilterExpression or ProjectionExpression
  // (and applies both); it conflicts only with KeyConditionExpression.
  if (p.key_conditions && p.key_condition_expression) legacy.push_back("KeyConditions");
  if (p.legacy_filter) legacy.push_back(kind == ReadKind::kQuery ? "QueryFilter" : "ScanFilter");
  if (p.projection_expression) modern.push_back("ProjectionExpression");
  if (p.filter_expression) modern.push_back("FilterExpression");
  if (p.key_condition_expression) modern.push_back("KeyConditionExpression");
  DYNAMO_RETURN_IF_ERROR(CheckMixedParameters(legacy, modern));
  if (p.names && modern.empty()) {
    return ValidationError("ExpressionAttributeNames can only be specified when using expressions");
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
  return core::Status::Ok();
}

// Select rules (Query wraps these in the constraint envelope, Scan does not).
core::Status CheckSelect(const ReadParams& p, ReadKind kind, const std::string& select) {
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
  return core::Status::Ok();
}

// ---- Expressions ----

// Expressions (cached parses) and their bindings. Names and values are
// checked against every expression of the request at once.
Result<ReadExpressions> BuildReadExpressions(OpContext& ctx, const ReadParams& p, ReadKind kind) {
  ReadExpressions out;
  if (p.attributes_to_get) {
    RawExpressionParams raw;
    raw.attributes_to_get = p.attributes_to_get;
    DYNAMO_ASSIGN_OR_RETURN(
        out.e, BuildExpressions(ctx.api->expressions(), raw, ItemOp::kGet, LayerOf(kind)));
    return out;
  }
  DYNAMO_RETURN_IF_ERROR(DecodeNamesAndValues(p.names, p.values, &out.e, LayerOf(kind)));
  const expr::Bindings b = out.e.bindings();
  expr::Placeholders used;
  expr::ExpressionCache& cache = ctx.api->expressions();
  if (p.key_condition_expression) {
    DYNAMO_ASSIGN_OR_RETURN(out.key_condition,
                            PrepareCondition(cache, *p.key_condition_expression,
                                             expr::ExpressionKind::kKeyCondition, b, &used));
  }
  if (p.filter_expression) {
    DYNAMO_ASSIGN_OR_RETURN(out.filter, PrepareCondition(cache, *p.filter_expression,
                                                         expr::ExpressionKind::kFilter, b, &used));
  }
  if (p.projection_expression) {
    DYNAMO_ASSIGN_OR_RETURN(out.e.projection,
                            PrepareProjection(cache, *p.projection_expression, b, &used));
  }
  DYNAMO_RETURN_IF_ERROR(expr::CheckUnused(b, used));
  return out;
}

// QueryFilter/ScanFilter, converted to the filter's AST. A Scan converts
// it before looking up its table: a ScanFilter value nested too deep is
// refused on a missing table (recorded 2026).
core::Status ConvertLegacyFilter(const ReadParams& p, ReadKind kind, ReadExpressions* x) {
  if (!p.legacy_filter) return core::Status::Ok();
  DYNAMO_ASSIGN_OR_RETURN(
      x->filter,
      ConvertLegacyConditions(*p.legacy_filter, p.conditional_operator, &x->e, LayerOf(kind)));
  return core::Status::Ok();
}

// KeyConditions and QueryFilter/ScanFilter, converted to the same ASTs.
// key: the queried one; a multi-attribute key takes a condition per attribute
// (AnalyseKeyCondition counts them).
core::Status ConvertLegacyParameters(const ReadParams& p, ReadKind kind, const core::KeySchema& key,
                                     ReadExpressions* x) {
  if (p.key_conditions) {
    DYNAMO_ASSIGN_OR_RETURN(
        x->key_condition,
        ConvertLegacyConditions(*p.key_conditions, std::nullopt, &x->e, LayerOf(kind)));
    // Counted after each entry's own checks, as DynamoDB does.
    const size_t n = p.key_conditions->MemberCount();
    if (n == 0 || (n > 2 && key.size() <= 2)) {
      return ValidationError("Conditions can be of length 1 or 2 only");
    }
  }
  if (kind == ReadKind::kQuery) return ConvertLegacyFilter(p, kind, x);
  return core::Status::Ok();
}

// KeyConditions against the queried key, key attribute by key attribute, as
// DynamoDB checks them before the conditions themselves: a key attribute
// without a condition, an operator that cannot select a key range, anything
// but EQ on the partition key. (The converted condition would otherwise be
// reported in terms of its expression translation, e.g. attribute_not_exists.)
core::Status CheckLegacyKeyConditions(const JsonValue& conditions, const core::KeySchema& key) {
  static constexpr std::string_view kNotIndexable[] = {"NULL",     "NOT_NULL",     "NE",
                                                       "CONTAINS", "NOT_CONTAINS", "IN"};
  // A multi-attribute key's missing or non-EQ conditions are reported by
  // AnalyseKeyCondition, in its own terms.
  const bool multi = key.multi_hash() || key.multi_range();
  std::vector<const core::KeyElement*> elements;
  key.ForEachElement([&](const core::KeyElement& k, bool) { elements.push_back(&k); });
  for (const core::KeyElement* k : elements) {
    const bool is_hash = k == &key.hash && !multi;
    auto entry = conditions.FindMember(k->name.c_str());
    if (entry == conditions.MemberEnd() || !entry->value.IsObject()) {
      if (!multi && (is_hash || conditions.MemberCount() > 1)) {
        return ValidationError("Query condition missed key schema element: " + k->name);
      }
      continue;
    }
    auto op_member = entry->value.FindMember("ComparisonOperator");
    if (op_member == entry->value.MemberEnd() || !op_member->value.IsString()) continue;
    const std::string_view op = Str(op_member->value);
    if (std::find(std::begin(kNotIndexable), std::end(kNotIndexable), op) !=
        std::end(kNotIndexable)) {
      return ValidationError("Attempted conditional constraint is not an indexable operation");
    }
    if (is_hash && op != "EQ") return ValidationError("Query key condition not supported");
  }
  return core::Status::Ok();
}

// ---- The table or index ----

Result<Target> ResolveTarget(OpContext& ctx, const ReadParams& p, const std::string& table_name,
                             const std::string& select, const ItemExpressions& e) {
  Target target;
  target.table = ctx.ns->db->FindTable(table_name);
  if (!target.table) return core::ResourceNotFound();
  if (!p.index_name) return target;
  target.index = target.table->FindIndex(*p.index_name, &target.global);
  if (!target.index) {
    return ValidationError("The table does not have the specified index: " +
                           std::string(*p.index_name));
  }
  if (!target.global) return target;
  if (p.consistent.value_or(false)) {
    return ValidationError("Consistent reads are not supported on global secondary indexes");
  }
  if (select == "ALL_ATTRIBUTES" && target.partial_index()) {
    return core::InvalidParameter(
        "Select type ALL_ATTRIBUTES is not supported for global "
        "secondary index " +
        target.index->name + " because its projection type is not ALL");
  }
  if (target.partial_index() && e.projection) {
    DYNAMO_RETURN_IF_ERROR(CheckGsiProjection(target, *e.projection));
  }
  return target;
}

// ---- Key condition and filter ----

std::string PrefixSuccessor(std::string p) {
  while (!p.empty() && static_cast<uint8_t>(p.back()) == 0xff) p.pop_back();
  if (p.empty()) return p;
  p.back() = static_cast<char>(static_cast<uint8_t>(p.back()) + 1);
  return p;
}

// The sort-key condition as bounds on the encoded sort key.
storage::RangeBounds ToRangeBounds(const std::optional<expr::RangeKeyCondition>& range) {
  using Op = expr::RangeKeyCondition::Op;
  storage::RangeBounds r;
  if (!range) return r;
  std::string v = storage::EncodeKeyValue(range->value);
  switch (range->op) {
    case Op::kEq:
      r.lower = v;
      r.upper = v;
      break;
    case Op::kLt:
    case Op::kLe:
      r.upper = v;
      r.upper_inclusive = range->op == Op::kLe;
      break;
    case Op::kGt:
    case Op::kGe:
      r.lower = v;
      r.lower_inclusive = range->op == Op::kGe;
      break;
    case Op::kBetween:
      r.lower = v;
      r.upper = storage::EncodeKeyValue(range->upper);
      break;
    case Op::kBeginsWith: {
      std::string next = PrefixSuccessor(v);
      r.lower = std::move(v);
      if (!next.empty()) {
        r.upper = std::move(next);
        r.upper_inclusive = false;
      }
      break;
    }
  }
  return r;
}

// The bounds on a multi-attribute sort key (see key_encoding.h): its
// encoding starts with the components of the leading attributes the query
// fixes (prefix); the condition, if any, is on the attribute after them.
storage::RangeBounds MultiAttributeRangeBounds(const expr::KeyCondition& kc) {
  using Op = expr::RangeKeyCondition::Op;
  std::string prefix;
  for (const core::AttributeValue& v : kc.range_prefix) storage::AppendKeyComponent(v, &prefix);
  auto with = [&prefix](const core::AttributeValue& v) {
    std::string out = prefix;
    storage::AppendKeyComponent(v, &out);
    return out;
  };
  storage::RangeBounds r;
  auto set_lower = [&r](std::string bound, bool inclusive) {
    r.lower = std::move(bound);
    r.lower_inclusive = inclusive;
  };
  // Every key that starts with bound is below (exclusive) its successor.
  auto set_upper_past = [&r](const std::string& bound) {
    std::string next = PrefixSuccessor(bound);
    if (next.empty()) return;
    r.upper = std::move(next);
    r.upper_inclusive = false;
  };
  if (!prefix.empty()) {
    set_lower(prefix, true);
    set_upper_past(prefix);
  }
  if (!kc.range) return r;
  const core::AttributeValue& v = kc.range->value;
  switch (kc.range->op) {
    case Op::kEq:  // folded into the prefix by AnalyseKeyCondition
      break;
    case Op::kLt:
      r.upper = with(v);
      r.upper_inclusive = false;
      break;
    case Op::kLe:
      set_upper_past(with(v));
      break;
    case Op::kGt:
      set_lower(PrefixSuccessor(with(v)), true);
      break;
    case Op::kGe:
      set_lower(with(v), true);
      break;
    case Op::kBetween:
      set_lower(with(v), true);
      set_upper_past(with(kc.range->upper));
      break;
    case Op::kBeginsWith: {
      std::string begins = prefix;
      storage::AppendKeyComponentPrefix(v, &begins);
      set_lower(begins, true);
      set_upper_past(begins);
      break;
    }
  }
  return r;
}

// A filter may not dig into a key attribute of the table or of any of its
// indexes; a Query filter may not test the key attributes of what is queried
// at all. Paths are examined leaf by leaf in document order, the operands of
// one leaf from the last to the first.
core::Status CheckFilterPaths(const ReadParams& p, ReadKind kind, const Target& target,
                              const expr::Condition& filter, const expr::Bindings& bindings) {
  const core::KeySchema& queried = target.key();
  std::optional<std::string> key_used;
  for (const expr::Condition* leaf : expr::LeafConditions(filter)) {
    std::vector<expr::Path> paths = expr::ConditionPaths(*leaf, bindings);
    for (auto it = paths.rbegin(); it != paths.rend(); ++it) {
      const std::string& top = std::get<std::string>((*it)[0]);
      const KeyRole role = KeyRoleOf(*target.table, top);
      if (role != KeyRole::kNone && it->size() > 1) return NonScalarKeyAccess(role, top);
      if (kind == ReadKind::kQuery && queried.Contains(top) && !key_used) key_used = top;
    }
  }
  if (!key_used) return core::Status::Ok();
  return ValidationError(
      std::string(p.legacy_filter ? "QueryFilter" : "Filter Expression") +
      " can only contain non-primary key attributes: Primary key attribute: " + *key_used);
}

// ---- Start key ----

// ExclusiveStartKey, checked in DynamoDB's order and with its messages (each
// recorded from the service):
//   a Scan of the table: any fault -> "The provided starting key is invalid:
//     The provided key element does not match the schema";
//   otherwise the queried key (the index's, or the table's for a Query) comes
//   first: a wrong attribute count or a missing key attribute -> "The provided
//   starting key is invalid", a key attribute of the wrong type -> "The
//   provided key element does not match the schema"; then an index read checks
//   the table key with the prefixed message. A Query checks the partition key
//   before its key condition and the sort key after it (CheckStartShape, then
//   StartPosition).
constexpr char kInvalidStartKey[] = "The provided starting key is invalid";

core::Error InvalidStartKey(std::string_view detail = {}) {
  if (detail.empty()) return ValidationError(kInvalidStartKey);
  return ValidationError(std::string(kInvalidStartKey) + ": " + std::string(detail));
}

bool ScansTable(const Target& t, ReadKind kind) { return kind == ReadKind::kScan && !t.index; }

// The attributes of a start key: the table key and the index key together.
size_t StartKeySize(const Target& t) {
  std::vector<std::string> names = t.table->key.Names();
  if (t.index) {
    for (const std::string& n : t.index->key.Names()) {
      if (!t.table->key.Contains(n)) names.push_back(n);
    }
  }
  return names.size();
}

// A key attribute of the queried key in the start key (bare messages).
core::Status CheckStartElement(const Item& start, const core::KeyElement& k) {
  auto it = start.find(k.name);
  if (it == start.end()) return InvalidStartKey();
  if (it->second.type() != k.type) return core::KeySchemaMismatch();
  return core::Status::Ok();
}

// The decoded ExclusiveStartKey, if any. The older layer (Scan) prefixes a
// bad value in it with "The provided starting key is invalid: "; the current
// one (Query) reports it as it is, as it does an expression value.
Result<std::optional<Item>> DecodeStartKey(const ReadParams& p, ReadKind kind) {
  if (!p.exclusive_start) return std::optional<Item>();
  auto start = DecodeAttributeMap(*p.exclusive_start, LayerOf(kind));
  if (!start.ok() && kind == ReadKind::kScan) {
    core::Error e = std::move(start).error();
    e.message = std::string(kInvalidStartKey) + ": " + e.message;
    return e;
  }
  if (!start.ok()) return std::move(start).error();
  return std::optional<Item>(std::move(start).value());
}

Result<HashRange> SegmentRange(const ReadParams& p, const std::optional<storage::Position>& start) {
  HashRange h;
  if (!p.segment) return h;
  const uint64_t total = static_cast<uint64_t>(*p.total_segments);
  const uint64_t seg = static_cast<uint64_t>(*p.segment);
  h.lo = static_cast<uint32_t>((seg << 32) / total);
  h.hi = static_cast<uint32_t>((((seg + 1) << 32) / total) - 1);
  if (start) {
    uint32_t hash = storage::PartitionHash(start->hash);
    if (hash < h.lo || hash > h.hi) {
      return ValidationError(
          "The provided starting key is invalid: Invalid ExclusiveStartKey. "
          "Please use ExclusiveStartKey with correct Segment. TotalSegments: " +
          std::to_string(total) + " Segment: " + std::to_string(seg));
    }
  }
  return h;
}

// ---- One page ----

std::string ReadResponse(const ReadParams& p, const ReadPlan& plan, const Page& page) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  if (plan.select != "COUNT") {
    w.Key("Items");
    w.StartArray();
    for (const auto& item : page.items) WriteAttributeMap(item, w);
    w.EndArray();
  }
  w.Key("Count");
  w.Int64(page.count);
  w.Key("ScannedCount");
  w.Int64(page.scanned);
  if (page.stopped) {
    w.Key("LastEvaluatedKey");
    WriteAttributeMap(page.last_key, w);
  }
  const Target& t = plan.target;
  Consumed consumed{t.table->name, ReadUnits(page.bytes, plan.consistent)};
  if (t.index) {
    consumed.indexes.push_back(IndexUnits{t.index->name, t.global, consumed.units});
    consumed.units = 0;
  }
  WriteConsumedCapacity(w, ParseCapacityMode(p.capacity), consumed);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

// Validates the request and resolves everything a page needs.
Result<ReadPlan> PlanRead(OpContext& ctx, const ReadParams& p, ReadKind kind) {
  DYNAMO_ASSIGN_OR_RETURN(std::string table_name, CheckReadConstraints(p, kind));
  if (kind == ReadKind::kScan) DYNAMO_RETURN_IF_ERROR(CheckScanSegments(p));
  DYNAMO_RETURN_IF_ERROR(CheckParameterCombinations(p, kind));
  ReadPlan plan{kind};
  plan.select = std::string(p.select.value_or(""));
  DYNAMO_RETURN_IF_ERROR(CheckSelect(p, kind, plan.select));
  DYNAMO_ASSIGN_OR_RETURN(plan.x, BuildReadExpressions(ctx, p, kind));
  if (kind == ReadKind::kScan) DYNAMO_RETURN_IF_ERROR(ConvertLegacyFilter(p, kind, &plan.x));
  DYNAMO_ASSIGN_OR_RETURN(std::optional<Item> exclusive_start, DecodeStartKey(p, kind));
  DYNAMO_ASSIGN_OR_RETURN(plan.target, ResolveTarget(ctx, p, table_name, plan.select, plan.x.e));
  DYNAMO_RETURN_IF_ERROR(ConvertLegacyParameters(p, kind, plan.target.key(), &plan.x));
  const expr::Bindings bindings = plan.x.e.bindings();
  if (exclusive_start) {
    DYNAMO_RETURN_IF_ERROR(CheckStartShape(plan.target, kind, *exclusive_start));
  }
  if (p.key_conditions) {
    DYNAMO_RETURN_IF_ERROR(CheckLegacyKeyConditions(*p.key_conditions, plan.target.key()));
  }
  if (kind == ReadKind::kQuery && plan.x.key_condition) {
    DYNAMO_ASSIGN_OR_RETURN(
        expr::KeyCondition kc,
        expr::AnalyseKeyCondition(plan.x.key_condition->root, bindings, plan.target.key()));
    plan.key_range = KeyRangeOf(kc, plan.target.key());
  }
  if (exclusive_start) {
    DYNAMO_ASSIGN_OR_RETURN(plan.start, StartPosition(plan.target, kind, *exclusive_start));
    if (plan.key_range)
      DYNAMO_RETURN_IF_ERROR(CheckStartWithinKeyRange(*plan.start, *plan.key_range));
  }
  if (plan.x.e.projection) {
    DYNAMO_RETURN_IF_ERROR(CheckKeyPathsScalar(*plan.target.table, *plan.x.e.projection));
  }
  if (plan.x.filter) {
    DYNAMO_RETURN_IF_ERROR(CheckFilterPaths(p, kind, plan.target, plan.x.filter->root, bindings));
  }
  plan.limit = p.limit.value_or(INT64_MAX);
  plan.consistent = p.consistent.value_or(false);
  plan.forward = p.forward.value_or(true);
  if (kind == ReadKind::kQuery && !plan.key_range) {
    return ValidationError("Query key condition not supported");
  }
  if (kind == ReadKind::kScan) {
    DYNAMO_ASSIGN_OR_RETURN(plan.segment, SegmentRange(p, plan.start));
  }
  return plan;
}

Result<std::string> RunRead(OpContext& ctx, const JsonValue& req, ReadKind kind) {
  DYNAMO_ASSIGN_OR_RETURN(ReadParams p, ReadReadParams(req, kind));
  DYNAMO_ASSIGN_OR_RETURN(ReadPlan plan, PlanRead(ctx, p, kind));
  DYNAMO_ASSIGN_OR_RETURN(Page page, RunPage(ctx, plan));
  return ReadResponse(p, plan, page);
}

}  // namespace

// The partition (encoded) and the sort-key bounds a Query reads.
// The encoded partition and sort-key bounds of an analysed key condition.
KeyRange KeyRangeOf(const expr::KeyCondition& kc, const core::KeySchema& key) {
  KeyRange range;
  if (key.multi_hash()) {
    storage::AppendKeyComponent(kc.hash, &range.hash);
    for (const core::AttributeValue& v : kc.more_hash) storage::AppendKeyComponent(v, &range.hash);
  } else {
    range.hash = storage::EncodeKeyValue(kc.hash);
  }
  range.bounds = key.multi_range() ? MultiAttributeRangeBounds(kc) : ToRangeBounds(kc.range);
  return range;
}

// The rest of the checks, then the start key as a storage position.
// Precondition: CheckStartShape passed.
Result<storage::Position> StartPosition(const Target& t, ReadKind kind, const Item& start) {
  const core::KeySchema& tk = t.table->key;
  auto table_element = [&](const core::KeyElement& k) -> core::Status {
    auto it = start.find(k.name);
    if (it == start.end() || it->second.type() != k.type) {
      return InvalidStartKey(core::KeySchemaMismatch().message);
    }
    return core::Status::Ok();
  };
  if (ScansTable(t, kind)) {
    if (start.size() != StartKeySize(t)) return InvalidStartKey(core::KeySchemaMismatch().message);
    DYNAMO_RETURN_IF_ERROR(table_element(tk.hash));
    if (tk.range) DYNAMO_RETURN_IF_ERROR(table_element(*tk.range));
  } else {
    for (const core::KeyElement* k : t.key().RangeElements()) {
      DYNAMO_RETURN_IF_ERROR(CheckStartElement(start, *k));
    }
    if (t.index) {
      DYNAMO_RETURN_IF_ERROR(table_element(tk.hash));
      if (tk.range) DYNAMO_RETURN_IF_ERROR(table_element(*tk.range));
    }
  }
  auto value = [&](const core::KeyElement& k) { return storage::EncodeKeyValue(start.at(k.name)); };
  // The queried key (of one attribute per part, or several), checked above.
  std::optional<storage::EncodedKey> key = storage::EncodeItemKey(t.key(), start);
  if (!key) return InvalidStartKey(core::KeySchemaMismatch().message);
  storage::Position pos;
  pos.hash = std::move(key->hash);
  pos.range = std::move(key->range);
  if (t.index) {
    pos.base_hash = value(tk.hash);
    if (tk.range) pos.base_range = value(*tk.range);
  }
  return pos;
}

// Limit counts items before the filter; the page stops at Limit or after the
// item that crosses 1 MB.
Result<Page> RunPage(OpContext& ctx, const ReadPlan& plan) {
  const Target& target = plan.target;
  const bool count_only = plan.select == "COUNT";
  const expr::Bindings bindings = plan.x.e.bindings();
  const auto& projection = plan.x.e.projection;
  // An LSI read of attributes it does not project fetches them from the
  // table (in the same snapshot); a filter sees the whole item then too.
  const bool fetch_from_table = target.partial_index() && !target.global &&
                                (plan.select == "ALL_ATTRIBUTES" || projection ||
                                 (plan.x.filter && !plan.filter_on_index_item));
  Page page;
  auto visit = [&](storage::RowView& row) -> Result<bool> {
    ++page.scanned;
    page.bytes += row.size;
    std::optional<Item> full;
    if (fetch_from_table) {
      storage::EncodedKey base{std::string(row.base_hash), std::string(row.base_range)};
      DYNAMO_ASSIGN_OR_RETURN(full, row.reader->Get(target.table->id, base));
      if (full) page.fetched_units += ReadUnits(core::ItemSize(*full), plan.consistent);
    }
    const Item& seen = full ? *full : row.item;
    const bool keep =
        !plan.x.filter || expr::EvaluateCondition(plan.x.filter->root, bindings,
                                                  plan.filter_on_index_item ? row.item : seen);
    page.last_key = core::KeyAttributes(target.table->key, row.item);
    if (target.index) page.last_key.merge(core::KeyAttributes(target.index->key, row.item));
    if (keep) {
      ++page.count;
      if (!count_only) {
        if (projection) {
          page.items.push_back(expr::ApplyProjection(seen, *projection));
        } else if (plan.select == "ALL_ATTRIBUTES" && full) {
          page.items.push_back(std::move(*full));
        } else {
          page.items.push_back(std::move(row.item));
        }
      }
    }
    page.stopped = page.scanned >= plan.limit || page.bytes >= plan.page_bytes;
    return !page.stopped;
  };
  storage::Database& db = *ctx.ns->db;
  if (plan.kind == ReadKind::kQuery) {
    DYNAMO_RETURN_IF_ERROR(db.Query(target.table->id, target.index_id(), plan.key_range->hash,
                                    plan.key_range->bounds, plan.forward, plan.start, visit));
  } else {
    DYNAMO_RETURN_IF_ERROR(db.Scan(target.table->id, target.index_id(), plan.segment.lo,
                                   plan.segment.hi, plan.start, visit));
  }
  return page;
}

// The checks that come before the key condition: the attribute count and the
// queried partition key.
core::Status CheckStartShape(const Target& t, ReadKind kind, const Item& start) {
  if (ScansTable(t, kind)) return core::Status::Ok();
  if (start.size() != StartKeySize(t)) return InvalidStartKey();
  for (const core::KeyElement* k : t.key().HashElements()) {
    DYNAMO_RETURN_IF_ERROR(CheckStartElement(start, *k));
  }
  return core::Status::Ok();
}

// A Query's ExclusiveStartKey must lie within its key condition.
core::Status CheckStartWithinKeyRange(const storage::Position& pos, const KeyRange& range) {
  if (pos.hash != range.hash) {
    return ValidationError(
        "The provided starting key is outside query boundaries based on provided conditions");
  }
  const storage::RangeBounds& r = range.bounds;
  bool ok = true;
  if (r.lower) ok = ok && (r.lower_inclusive ? !(pos.range < *r.lower) : *r.lower < pos.range);
  if (r.upper) ok = ok && (r.upper_inclusive ? !(*r.upper < pos.range) : pos.range < *r.upper);
  if (!ok) {
    return ValidationError("The provided starting key does not match the range key predicate");
  }
  return core::Status::Ok();
}

// A GSI can only return what it projects.
bool IndexProjects(const Target& target, std::string_view attribute) {
  if (!target.partial_index()) return true;
  const auto& extra = target.index->non_key_attributes;
  return target.table->key.Contains(attribute) || target.index->key.Contains(attribute) ||
         std::find(extra.begin(), extra.end(), attribute) != extra.end();
}

core::Status CheckGsiProjection(const Target& target, const std::vector<expr::Path>& projection) {
  std::string missing;
  for (const auto& path : projection) {
    const std::string& top = std::get<std::string>(path[0]);
    if (!IndexProjects(target, top)) missing += (missing.empty() ? "" : ", ") + top;
  }
  if (missing.empty()) return core::Status::Ok();
  return core::InvalidParameter("Global secondary index " + target.index->name +
                                " does not project [" + missing + "]");
}

Result<std::string> Query(OpContext& ctx, const JsonValue& req) {
  return RunRead(ctx, req, ReadKind::kQuery);
}

Result<std::string> Scan(OpContext& ctx, const JsonValue& req) {
  return RunRead(ctx, req, ReadKind::kScan);
}

}  // namespace dynamo::server
