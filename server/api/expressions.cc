#include "server/api/expressions.h"

#include <set>

#include "core/messages.h"
#include "server/api/values_json.h"

namespace dynamo::server {

using core::AttributeValue;
using core::ValidationError;
using core::ValueType;
using expr::Condition;
using expr::Operand;
using expr::PathAst;
using expr::PathElementAst;

namespace {

std::string_view Str(const JsonValue& v) { return {v.GetString(), v.GetStringLength()}; }

bool ValidPlaceholderKey(std::string_view k, char sigil) {
  if (k.size() < 2 || k[0] != sigil) return false;
  for (size_t i = 1; i < k.size(); ++i) {
    char c = k[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

// ---- Legacy conversion helpers: build ASTs with private placeholders ----

class LegacyBuilder {
 public:
  // layer: how the legacy parameters' values are checked.
  LegacyBuilder(ItemExpressions* out, ValueLayer layer) : out_(out), layer_(layer) {
    if (!out_->names) out_->names.emplace();
    if (!out_->values) out_->values.emplace();
  }
  ValueLayer layer() const { return layer_; }

  // Placeholders numbered by map size stay unique across several builders;
  // the '~' keeps them apart from the request's own (#[A-Za-z0-9_]+), which a
  // Query may also carry (KeyConditions with a FilterExpression).
  PathAst Name(const std::string& attribute) {
    std::string key = "#~" + std::to_string(out_->names->size());
    out_->names->emplace(key, attribute);
    PathAst p;
    p.elements.push_back(PathElementAst{PathElementAst::Kind::kPlaceholder, key, 0});
    return p;
  }
  Operand Path(const std::string& attribute) {
    Operand o;
    o.kind = Operand::Kind::kPath;
    o.path = Name(attribute);
    return o;
  }
  Operand Value(AttributeValue v) {
    std::string key = ":~" + std::to_string(out_->values->size());
    out_->values->emplace(key, std::move(v));
    Operand o;
    o.kind = Operand::Kind::kValue;
    o.value = key;
    return o;
  }
  static Operand Call(expr::Function f, std::vector<Operand> args) {
    Operand o;
    o.kind = Operand::Kind::kFunction;
    o.function = f;
    o.args = std::move(args);
    return o;
  }
  static Condition FunctionCondition(Operand call) {
    Condition c;
    c.kind = Condition::Kind::kFunction;
    c.operands.push_back(std::move(call));
    return c;
  }

 private:
  ItemExpressions* out_;
  ValueLayer layer_;
};

// One Expected (or KeyConditions/QueryFilter/ScanFilter) entry, decoded.
struct LegacyEntry {
  std::optional<bool> exists;
  std::optional<AttributeValue> value;
  std::optional<std::string_view> op;
  bool has_list = false;
  std::vector<AttributeValue> args;  // AttributeValueList, then Value
};

Result<LegacyEntry> ReadLegacyEntry(const JsonValue& spec, ValueLayer layer) {
  LegacyEntry e;
  DYNAMO_ASSIGN_OR_RETURN(e.exists, GetBool(spec, "Exists"));
  DYNAMO_ASSIGN_OR_RETURN(
      const JsonValue* value_json,
      GetObject(spec, "Value", "class com.amazonaws.dynamodb.v20120810.AttributeValue"));
  DYNAMO_ASSIGN_OR_RETURN(e.op, GetString(spec, "ComparisonOperator"));
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* list, GetArray(spec, "AttributeValueList"));
  if (value_json) {
    DYNAMO_ASSIGN_OR_RETURN(AttributeValue v, DecodeAttributeValue(*value_json, layer));
    e.value = std::move(v);
  }
  e.has_list = list != nullptr;
  if (list) {
    for (const auto& x : list->GetArray()) {
      DYNAMO_ASSIGN_OR_RETURN(AttributeValue v, DecodeAttributeValue(x, layer));
      e.args.push_back(std::move(v));
    }
  }
  return e;
}

// An entry without ComparisonOperator: Exists/Value.
Result<Condition> ExistsCondition(LegacyBuilder& b, const std::string& attr, LegacyEntry& e) {
  if (e.has_list) {
    return core::InvalidParameter(
        "AttributeValueList can only be used with a ComparisonOperator for Attribute: " + attr);
  }
  if (e.exists && !*e.exists) {
    if (e.value) {
      return core::InvalidParameter("Value cannot be used when Exists is false for Attribute: " +
                                    attr);
    }
    return LegacyBuilder::FunctionCondition(
        LegacyBuilder::Call(expr::Function::kAttributeNotExists, {b.Path(attr)}));
  }
  if (!e.value) {
    return core::InvalidParameter(std::string("Value must be provided when Exists is ") +
                                  (e.exists ? "true" : "null") + " for Attribute: " + attr);
  }
  Condition c;
  c.kind = Condition::Kind::kCompare;
  c.op = expr::CompareOp::kEq;
  c.operands.push_back(b.Path(attr));
  c.operands.push_back(b.Value(std::move(*e.value)));
  return c;
}

struct OpInfo {
  const char* name;
  int min_args, max_args;
};

// The ComparisonOperator's arity, and the types each operator accepts, as
// DynamoDB checks them for legacy conditions.
core::Status CheckComparisonArguments(const std::string& op, const std::string& attr,
                                      const LegacyEntry& e) {
  static const OpInfo kOps[] = {
      {"EQ", 1, 1},       {"NE", 1, 1},           {"LE", 1, 1},          {"LT", 1, 1},
      {"GE", 1, 1},       {"GT", 1, 1},           {"NOT_NULL", 0, 0},    {"NULL", 0, 0},
      {"CONTAINS", 1, 1}, {"NOT_CONTAINS", 1, 1}, {"BEGINS_WITH", 1, 1}, {"IN", 1, 1000},
      {"BETWEEN", 2, 2},
  };
  const OpInfo* info = nullptr;
  for (const auto& o : kOps) {
    if (op == o.name) info = &o;
  }
  // Every caller has checked the enum in its constraint pass
  // (CheckComparisonOperators); this only keeps a bad one from going further.
  if (!info) return core::InvalidParameter("Unsupported ComparisonOperator: " + op);
  const std::vector<AttributeValue>& args = e.args;
  if (info->min_args > 0 && args.empty() && !e.has_list) {
    return core::InvalidParameter(
        "Value or AttributeValueList must be used with ComparisonOperator: " + op +
        " for Attribute: " + attr);
  }
  if (static_cast<int>(args.size()) < info->min_args ||
      static_cast<int>(args.size()) > info->max_args) {
    return core::InvalidParameter("Invalid number of argument(s) for the " + op +
                                  " ComparisonOperator");
  }
  auto scalar = [](ValueType t) {
    return t == ValueType::kS || t == ValueType::kN || t == ValueType::kB;
  };
  for (const auto& a : args) {
    bool ok;
    if (op == "EQ" || op == "NE") {
      ok = true;  // every type, compared by value (lists, maps, BOOL, NULL and sets too)
    } else if (op == "BEGINS_WITH") {
      ok = a.type() == ValueType::kS || a.type() == ValueType::kB;
    } else {
      ok = scalar(a.type());
    }
    if (!ok) {
      return core::InvalidParameter("ComparisonOperator " + op + " is not valid for " +
                                    std::string(core::TypeName(a.type())) + " AttributeValue type");
    }
  }
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i].type() != args[0].type()) {
      return core::InvalidParameter(
          "AttributeValues inside AttributeValueList must be of same type");
    }
  }
  return core::Status::Ok();
}

// BETWEEN lo AND hi, with DynamoDB's check of the bounds' order.
Result<Condition> BetweenCondition(LegacyBuilder& b, const std::string& attr,
                                   std::vector<AttributeValue>& args) {
  int order = 0;
  const AttributeValue& lo = args[0];
  const AttributeValue& hi = args[1];
  if (lo.type() == ValueType::kN) {
    order = lo.n().Compare(hi.n());
  } else if (lo.type() == ValueType::kS) {
    order = lo.s().compare(hi.s());
  } else {
    order = lo.b().compare(hi.b());
  }
  if (order > 0) {
    return ValidationError(
        "The BETWEEN condition was provided a range where the lower bound is greater than the "
        "upper bound");
  }
  Condition c;
  c.kind = Condition::Kind::kBetween;
  c.operands.push_back(b.Path(attr));
  c.operands.push_back(b.Value(std::move(args[0])));
  c.operands.push_back(b.Value(std::move(args[1])));
  return c;
}

// CONTAINS, or NOT_CONTAINS, which holds only for an attribute that exists.
Condition ContainsCondition(LegacyBuilder& b, const std::string& attr, bool negated,
                            AttributeValue value) {
  Condition contains = LegacyBuilder::FunctionCondition(
      LegacyBuilder::Call(expr::Function::kContains, {b.Path(attr), b.Value(std::move(value))}));
  if (!negated) return contains;
  Condition c;
  Condition not_contains;
  not_contains.kind = Condition::Kind::kNot;
  not_contains.children.push_back(std::move(contains));
  c.kind = Condition::Kind::kAnd;
  c.children.push_back(LegacyBuilder::FunctionCondition(
      LegacyBuilder::Call(expr::Function::kAttributeExists, {b.Path(attr)})));
  c.children.push_back(std::move(not_contains));
  return c;
}

// The condition of a checked ComparisonOperator.
Result<Condition> ComparisonCondition(LegacyBuilder& b, const std::string& attr,
                                      const std::string& op, std::vector<AttributeValue>& args) {
  static const std::pair<const char*, expr::CompareOp> kCompare[] = {
      {"EQ", expr::CompareOp::kEq}, {"NE", expr::CompareOp::kNe}, {"LE", expr::CompareOp::kLe},
      {"LT", expr::CompareOp::kLt}, {"GE", expr::CompareOp::kGe}, {"GT", expr::CompareOp::kGt}};
  for (const auto& [name, cmp] : kCompare) {
    if (op != name) continue;
    Condition c;
    c.kind = Condition::Kind::kCompare;
    c.op = cmp;
    c.operands.push_back(b.Path(attr));
    c.operands.push_back(b.Value(std::move(args[0])));
    return c;
  }
  if (op == "NULL" || op == "NOT_NULL") {
    return LegacyBuilder::FunctionCondition(LegacyBuilder::Call(
        op == "NULL" ? expr::Function::kAttributeNotExists : expr::Function::kAttributeExists,
        {b.Path(attr)}));
  }
  if (op == "CONTAINS" || op == "NOT_CONTAINS") {
    return ContainsCondition(b, attr, op == "NOT_CONTAINS", std::move(args[0]));
  }
  if (op == "BEGINS_WITH") {
    return LegacyBuilder::FunctionCondition(LegacyBuilder::Call(
        expr::Function::kBeginsWith, {b.Path(attr), b.Value(std::move(args[0]))}));
  }
  if (op == "IN") {
    Condition c;
    c.kind = Condition::Kind::kIn;
    c.operands.push_back(b.Path(attr));
    for (auto& a : args) c.operands.push_back(b.Value(std::move(a)));
    return c;
  }
  return BetweenCondition(b, attr, args);
}

// One Expected entry -> a condition.
Result<Condition> ExpectedEntry(LegacyBuilder& b, const std::string& attr, const JsonValue& spec) {
  DYNAMO_ASSIGN_OR_RETURN(LegacyEntry e, ReadLegacyEntry(spec, b.layer()));
  if (!e.op) return ExistsCondition(b, attr, e);
  const std::string op(*e.op);
  if (e.exists) {
    return core::InvalidParameter(
        "Exists and ComparisonOperator cannot be used together for Attribute: " + attr);
  }
  if (e.value && e.has_list) {
    return core::InvalidParameter(
        "Value and AttributeValueList cannot be used together for Attribute: " + attr);
  }
  if (e.value) e.args.push_back(std::move(*e.value));
  DYNAMO_RETURN_IF_ERROR(CheckComparisonArguments(op, attr, e));
  return ComparisonCondition(b, attr, op, e.args);
}

Result<std::shared_ptr<const expr::ParsedCondition>> ConvertExpected(
    const JsonValue& expected, std::optional<std::string_view> conditional_operator,
    LegacyBuilder& b) {
  auto parsed = std::make_shared<expr::ParsedCondition>();
  bool first = true;
  const bool use_or = conditional_operator && *conditional_operator == "OR";
  for (const auto& m : expected.GetObject()) {
    std::string attr(Str(m.name));
    DYNAMO_ASSIGN_OR_RETURN(Condition c, ExpectedEntry(b, attr, m.value));
    if (first) {
      parsed->root = std::move(c);
      first = false;
      continue;
    }
    Condition node;
    node.kind = use_or ? Condition::Kind::kOr : Condition::Kind::kAnd;
    node.children.push_back(std::move(parsed->root));
    node.children.push_back(std::move(c));
    parsed->root = std::move(node);
  }
  if (first) return std::shared_ptr<const expr::ParsedCondition>();  // Expected: {}
  return std::shared_ptr<const expr::ParsedCondition>(std::move(parsed));
}

Result<std::shared_ptr<const expr::ParsedUpdate>> ConvertAttributeUpdates(const JsonValue& updates,
                                                                          LegacyBuilder& b) {
  auto parsed = std::make_shared<expr::ParsedUpdate>();
  for (const auto& m : updates.GetObject()) {
    std::string attr(Str(m.name));
    DYNAMO_ASSIGN_OR_RETURN(auto action_text, GetString(m.value, "Action"));
    DYNAMO_ASSIGN_OR_RETURN(
        const JsonValue* value_json,
        GetObject(m.value, "Value", "class com.amazonaws.dynamodb.v20120810.AttributeValue"));
    std::string action = action_text ? std::string(*action_text) : "PUT";
    std::optional<AttributeValue> value;
    if (value_json) {
      DYNAMO_ASSIGN_OR_RETURN(AttributeValue v, DecodeAttributeValue(*value_json, b.layer()));
      value = std::move(v);
    }
    expr::UpdateAction a;
    a.path = b.Name(attr);
    if (!value) {
      if (action != "DELETE") {
        return core::InvalidParameter(
            "Only DELETE action is allowed when no attribute value is specified");
      }
      a.kind = expr::UpdateAction::Kind::kRemove;
    } else if (action == "PUT") {
      a.kind = expr::UpdateAction::Kind::kSet;
      a.value = b.Value(std::move(*value));
    } else if (action == "DELETE") {
      ValueType t = value->type();
      if (t != ValueType::kSS && t != ValueType::kNS && t != ValueType::kBS) {
        return core::InvalidParameter("DELETE action with value is not supported for the type " +
                                      std::string(core::TypeName(t)));
      }
      a.kind = expr::UpdateAction::Kind::kDelete;
      a.value = b.Value(std::move(*value));
    } else {  // ADD
      ValueType t = value->type();
      if (t == ValueType::kL) {
        // Legacy ADD appends to a list: SET a = list_append(if_not_exists(a, []), :v).
        a.kind = expr::UpdateAction::Kind::kSet;
        Operand existing = LegacyBuilder::Call(expr::Function::kIfNotExists,
                                               {b.Path(attr), b.Value(AttributeValue::L({}))});
        a.value = LegacyBuilder::Call(expr::Function::kListAppend,
                                      {std::move(existing), b.Value(std::move(*value))});
      } else if (t == ValueType::kN || t == ValueType::kSS || t == ValueType::kNS ||
                 t == ValueType::kBS) {
        a.kind = expr::UpdateAction::Kind::kAdd;
        a.value = b.Value(std::move(*value));
      } else {
        return core::InvalidParameter("ADD action is not supported for the type " +
                                      std::string(core::TypeName(t)));
      }
    }
    parsed->actions.push_back(std::move(a));
  }
  return std::shared_ptr<const expr::ParsedUpdate>(std::move(parsed));
}

void Merge(expr::Placeholders* into, const expr::Placeholders& from) {
  into->names.insert(from.names.begin(), from.names.end());
  into->values.insert(from.values.begin(), from.values.end());
}

}  // namespace

Result<std::shared_ptr<const expr::ParsedCondition>> ConvertLegacyConditions(
    const JsonValue& conditions, std::optional<std::string_view> conditional_operator,
    ItemExpressions* e, ValueLayer layer) {
  LegacyBuilder b(e, layer);
  return ConvertExpected(conditions, conditional_operator, b);
}

Result<RawExpressionParams> ReadExpressionParams(const JsonValue& req, ItemOp op) {
  RawExpressionParams p;
  DYNAMO_ASSIGN_OR_RETURN(p.names, GetObject(req, "ExpressionAttributeNames", kStringMap));
  if (p.names) {
    for (const auto& m : p.names->GetObject()) DYNAMO_RETURN_IF_ERROR(CheckStringValue(m.value));
  }
  if (op == ItemOp::kGet) {
    DYNAMO_ASSIGN_OR_RETURN(p.projection_expression, GetString(req, "ProjectionExpression"));
    DYNAMO_ASSIGN_OR_RETURN(p.attributes_to_get, GetArray(req, "AttributesToGet"));
    if (p.attributes_to_get) {
      for (const auto& e : p.attributes_to_get->GetArray())
        DYNAMO_RETURN_IF_ERROR(CheckStringValue(e));
    }
    return p;
  }
  DYNAMO_ASSIGN_OR_RETURN(p.values,
                          GetObject(req, "ExpressionAttributeValues", kAttributeValueMap));
  if (p.values) DYNAMO_RETURN_IF_ERROR(CheckAttributeMapTypes(*p.values));
  DYNAMO_ASSIGN_OR_RETURN(p.condition_expression, GetString(req, "ConditionExpression"));
  DYNAMO_ASSIGN_OR_RETURN(p.conditional_operator, GetString(req, "ConditionalOperator"));
  DYNAMO_ASSIGN_OR_RETURN(p.expected,
                          GetObject(req, "Expected",
                                    "java.util.Map<java.lang.String, "
                                    "com.amazonaws.dynamodb.v20120810.ExpectedAttributeValue>"));
  if (p.expected) {
    for (const auto& m : p.expected->GetObject()) {
      DYNAMO_RETURN_IF_ERROR(CheckObjectValue(
          m.value, "class com.amazonaws.dynamodb.v20120810.ExpectedAttributeValue"));
      if (m.value.IsNull()) continue;
      if (const JsonValue* v = Member(m.value, "Value"))
        DYNAMO_RETURN_IF_ERROR(CheckAttributeValueTypes(*v));
      DYNAMO_ASSIGN_OR_RETURN(auto op, GetString(m.value, "ComparisonOperator"));
      (void)op;  // typed here, checked against the enum with the constraints
      DYNAMO_ASSIGN_OR_RETURN(const JsonValue* list, GetArray(m.value, "AttributeValueList"));
      if (list) {
        for (const auto& e : list->GetArray()) DYNAMO_RETURN_IF_ERROR(CheckAttributeValueTypes(e));
      }
    }
  }
  if (op == ItemOp::kUpdate) {
    DYNAMO_ASSIGN_OR_RETURN(p.update_expression, GetString(req, "UpdateExpression"));
    DYNAMO_ASSIGN_OR_RETURN(p.attribute_updates,
                            GetObject(req, "AttributeUpdates",
                                      "java.util.Map<java.lang.String, "
                                      "com.amazonaws.dynamodb.v20120810.AttributeValueUpdate>"));
    if (p.attribute_updates) {
      for (const auto& m : p.attribute_updates->GetObject()) {
        DYNAMO_RETURN_IF_ERROR(CheckObjectValue(
            m.value, "class com.amazonaws.dynamodb.v20120810.AttributeValueUpdate"));
        if (const JsonValue* v = Member(m.value, "Value"))
          DYNAMO_RETURN_IF_ERROR(CheckAttributeValueTypes(*v));
      }
    }
  }
  return p;
}

void CheckComparisonOperators(const JsonValue* conditions, std::string_view parameter,
                              bool required, ConstraintErrors& errors) {
  if (!conditions) return;
  for (const auto& m : conditions->GetObject()) {
    if (!m.value.IsObject()) continue;
    const std::string path =
        std::string(parameter) + "." + std::string(Str(m.name)) + ".member.comparisonOperator";
    const JsonValue* op = Member(m.value, "ComparisonOperator");
    if (!op) {
      if (required) errors.NotNull(path);
      continue;
    }
    errors.CheckEnum(Str(*op), path,
                     {"IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS", "EQ", "GT", "NOT_NULL", "NE",
                      "LE", "BEGINS_WITH", "GE", "CONTAINS"});
  }
}

void CheckExpressionConstraints(const RawExpressionParams& p, ConstraintErrors& errors) {
  if (p.conditional_operator) {
    errors.CheckEnum(*p.conditional_operator, "conditionalOperator", {"OR", "AND"});
  }
  CheckComparisonOperators(p.expected, "expected", false, errors);
  if (p.attributes_to_get && p.attributes_to_get->Empty()) {
    errors.Add("[]", "attributesToGet", "Member must have length greater than or equal to 1");
  }
}

Status CheckMixedParameters(const std::vector<std::string>& legacy,
                            const std::vector<std::string>& modern) {
  if (legacy.empty() || modern.empty()) return Status::Ok();
  auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
    return out;
  };
  return ValidationError(
      "Can not use both expression and non-expression parameters in the same request: "
      "Non-expression parameters: {" +
      join(legacy) + "} Expression parameters: {" + join(modern) + "}");
}

Result<std::shared_ptr<const expr::ParsedCondition>> PrepareCondition(
    expr::ExpressionCache& cache, std::string_view text, expr::ExpressionKind kind,
    const expr::Bindings& bindings, expr::Placeholders* used) {
  DYNAMO_ASSIGN_OR_RETURN(auto parsed, cache.Condition(text, kind));
  DYNAMO_RETURN_IF_ERROR(expr::ValidateCondition(*parsed, bindings, kind));
  Merge(used, parsed->placeholders);
  return parsed;
}

Result<std::vector<expr::Path>> PrepareProjection(expr::ExpressionCache& cache,
                                                  std::string_view text,
                                                  const expr::Bindings& bindings,
                                                  expr::Placeholders* used) {
  DYNAMO_ASSIGN_OR_RETURN(auto projection, cache.Projection(text));
  DYNAMO_RETURN_IF_ERROR(expr::ValidateProjection(*projection, bindings));
  Merge(used, projection->placeholders);
  std::vector<expr::Path> paths;
  paths.reserve(projection->paths.size());
  for (const auto& path : projection->paths) paths.push_back(expr::ResolvePath(path, bindings));
  DYNAMO_RETURN_IF_ERROR(expr::CheckProjectionPaths(paths));
  return paths;
}

Status CheckExpressionUsage(const RawExpressionParams& p, ItemOp op, ValueLayer layer) {
  std::vector<std::string> legacy, modern;
  if (p.attributes_to_get) legacy.push_back("AttributesToGet");
  if (p.attribute_updates) legacy.push_back("AttributeUpdates");
  if (p.expected) legacy.push_back("Expected");
  if (p.projection_expression) modern.push_back("ProjectionExpression");
  if (p.update_expression) modern.push_back("UpdateExpression");
  if (p.condition_expression) modern.push_back("ConditionExpression");
  DYNAMO_RETURN_IF_ERROR(CheckMixedParameters(legacy, modern));
  if (p.names && modern.empty()) {
    return ValidationError("ExpressionAttributeNames can only be specified when using expressions");
  }
  if (p.values && !p.update_expression && !p.condition_expression) {
    // The current layer names no null expressions (PutItem and DeleteItem, 2026-10-09).
    if (layer == ValueLayer::kCurrent) {
      return ValidationError(
          "ExpressionAttributeValues can only be specified when using expressions");
    }
    return ValidationError(
        std::string("ExpressionAttributeValues can only be specified when using expressions: ") +
        (op == ItemOp::kUpdate ? "UpdateExpression and ConditionExpression are null"
                               : "ConditionExpression is null"));
  }
  if (p.conditional_operator && !p.expected) {
    return ValidationError(
        "ConditionalOperator can only be used when Expected or QueryFilter or ScanFilter are "
        "present");
  }
  return Status::Ok();
}

Status DecodeNamesAndValues(const JsonValue* names, const JsonValue* values, ItemExpressions* out,
                            ValueLayer layer) {
  if (names) {
    if (names->ObjectEmpty()) return ValidationError("ExpressionAttributeNames must not be empty");
    out->names.emplace();
    for (const auto& m : names->GetObject()) {
      std::string key(Str(m.name));
      if (!ValidPlaceholderKey(key, '#')) {
        return ValidationError(
            "ExpressionAttributeNames contains invalid key: Syntax error; key: \"" + key + "\"");
      }
      if (!m.value.IsString()) continue;
      // Checked even for an unused key, as DynamoDB does, before any expression is parsed.
      if (m.value.GetStringLength() == 0) {
        return ValidationError(
            "ExpressionAttributeNames contains invalid value: Empty attribute name for key " + key);
      }
      out->names->insert_or_assign(key, std::string(Str(m.value)));
    }
  }
  if (values) {
    if (values->ObjectEmpty())
      return ValidationError("ExpressionAttributeValues must not be empty");
    out->values.emplace();
    for (const auto& m : values->GetObject()) {
      std::string key(Str(m.name));
      if (!ValidPlaceholderKey(key, ':')) {
        return ValidationError(
            "ExpressionAttributeValues contains invalid key: Syntax error; key: \"" + key + "\"");
      }
      auto v = DecodeExpressionValue(m.value, layer);
      if (!v.ok() && layer == ValueLayer::kOlder) {
        return ValidationError("ExpressionAttributeValues contains invalid value: " +
                               v.error().message + " for key " + key);
      }
      if (!v.ok()) return std::move(v).error();
      out->values->insert_or_assign(key, std::move(v).value());
    }
  }
  return Status::Ok();
}

namespace {

// The older layer words an oversized UpdateExpression without the size:
// "Invalid UpdateExpression: Expression size has exceeded the maximum
// allowed size;" (a TransactWriteItems Update, recorded 2026).
core::Error InLayerWording(core::Error e, ValueLayer layer) {
  static constexpr std::string_view kOversized =
      "Invalid UpdateExpression: Expression size has exceeded the maximum allowed size;";
  if (layer == ValueLayer::kOlder && e.message.starts_with(kOversized)) {
    e.message.resize(kOversized.size());
  }
  return e;
}

}  // namespace

Result<ItemExpressions> BuildExpressions(expr::ExpressionCache& cache, const RawExpressionParams& p,
                                         ItemOp op, ValueLayer layer) {
  ItemExpressions out;
  // Legacy parameters (never mixed with expressions: CheckExpressionUsage).
  if (p.expected || p.attribute_updates || p.attributes_to_get) {
    LegacyBuilder b(&out, layer);
    if (p.expected) {
      DYNAMO_ASSIGN_OR_RETURN(out.condition,
                              ConvertExpected(*p.expected, p.conditional_operator, b));
    }
    if (p.attribute_updates) {
      DYNAMO_ASSIGN_OR_RETURN(out.update, ConvertAttributeUpdates(*p.attribute_updates, b));
    }
    if (p.attributes_to_get) {
      std::set<std::string> seen;
      out.projection.emplace();
      for (const auto& e : p.attributes_to_get->GetArray()) {
        std::string a(Str(e));
        if (!seen.insert(a).second) {
          return core::InvalidParameter("Duplicate value in attribute name: " + a);
        }
        out.projection->push_back(expr::Path{a});
      }
    }
    return out;
  }
  DYNAMO_RETURN_IF_ERROR(DecodeNamesAndValues(p.names, p.values, &out, layer));
  expr::Bindings bindings = out.bindings();
  expr::Placeholders used;
  if (p.update_expression) {
    auto update = cache.Update(*p.update_expression);
    if (!update.ok()) return InLayerWording(std::move(update).error(), layer);
    out.update = std::move(update).value();
    DYNAMO_RETURN_IF_ERROR(expr::ValidateUpdate(*out.update, bindings));
    Merge(&used, out.update->placeholders);
  }
  if (p.condition_expression) {
    DYNAMO_ASSIGN_OR_RETURN(out.condition,
                            PrepareCondition(cache, *p.condition_expression,
                                             expr::ExpressionKind::kCondition, bindings, &used));
  }
  if (p.projection_expression) {
    DYNAMO_ASSIGN_OR_RETURN(out.projection,
                            PrepareProjection(cache, *p.projection_expression, bindings, &used));
  }
  DYNAMO_RETURN_IF_ERROR(expr::CheckUnused(bindings, used));
  (void)op;
  return out;
}

}  // namespace dynamo::server
