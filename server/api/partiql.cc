// ExecuteStatement: PartiQL (expr/partiql.h) on the same machinery as the
// expression API. A statement is parsed into condition, update and
// projection trees; its literals and parameters are bound as expression
// values; then
//   SELECT  runs as a Query when its WHERE fixes the partition key with an
//           equality (the WHERE filters the rows, and a sort-key condition
//           narrows them), else as a Scan; Limit counts the items read and
//           a page stops at 1 MB (reads.h), continued by NextToken
//   INSERT  is a put conditioned on the key not existing (an existing key is
//           DuplicateItemException, not an upsert)
//   UPDATE  is an update of the item the WHERE names by its full key,
//           conditioned on it existing and on the rest of the WHERE
//   DELETE  is a delete of that item, conditioned on the rest of the WHERE
//           when the item exists (a missing item is no error)
// through the one write path (mutations.h).
#include <cstdio>
#include <functional>

#include "core/messages.h"
#include "expr/evaluator.h"
#include "expr/key_condition.h"
#include "expr/partiql.h"
#include "expr/projection.h"
#include "server/api/capacity.h"
#include "server/api/fields.h"
#include "server/api/json_parse.h"
#include "server/api/keys.h"
#include "server/api/mutations.h"
#include "server/api/operations.h"
#include "server/api/reads.h"
#include "server/api/values_json.h"
#include "storage/index.h"

namespace dynamo::server {

using core::AttributeValue;
using core::Item;
using core::Result;
using core::Status;
using core::ValidationError;
using expr::Condition;
using expr::Operand;
namespace partiql = expr::partiql;

namespace {

struct StatementRequest {
  std::string_view statement;
  std::vector<AttributeValue> parameters;
  bool consistent = false;
  std::optional<std::string_view> next_token, capacity, return_on_failure;
  std::optional<int64_t> limit;
};

Result<StatementRequest> ReadStatementRequest(const JsonValue& req) {
  StatementRequest r;
  DYNAMO_ASSIGN_OR_RETURN(std::optional<std::string_view> statement, GetString(req, "Statement"));
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* parameters, GetArray(req, "Parameters"));
  if (parameters) {
    for (const JsonValue& v : parameters->GetArray()) {
      DYNAMO_RETURN_IF_ERROR(CheckAttributeValueTypes(v));
    }
  }
  DYNAMO_ASSIGN_OR_RETURN(std::optional<bool> consistent, GetBool(req, "ConsistentRead"));
  DYNAMO_ASSIGN_OR_RETURN(r.next_token, GetString(req, "NextToken"));
  DYNAMO_ASSIGN_OR_RETURN(r.capacity, GetString(req, "ReturnConsumedCapacity"));
  DYNAMO_ASSIGN_OR_RETURN(r.limit, GetInteger(req, "Limit"));
  DYNAMO_ASSIGN_OR_RETURN(r.return_on_failure,
                          GetString(req, "ReturnValuesOnConditionCheckFailure"));
  ConstraintErrors errors;
  if (!statement) {
    errors.NotNull("statement");
  } else {
    errors.CheckLength(*statement, "statement", 1, 8192);
  }
  if (parameters && parameters->Empty()) {
    errors.Add(std::string("[]"), "parameters",
               "Member must have length greater than or equal to 1");
  }
  CheckCapacityEnum(r.capacity, errors);
  if (r.limit) errors.CheckRange(*r.limit, "limit", 1, INT32_MAX);
  if (r.next_token) errors.CheckLength(*r.next_token, "nextToken", 1, 32768);
  if (r.return_on_failure) {
    errors.CheckEnum(*r.return_on_failure, "returnValuesOnConditionCheckFailure",
                     {"ALL_OLD", "NONE"});
  }
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());
  r.statement = *statement;
  r.consistent = consistent.value_or(false);
  if (parameters) {
    for (const JsonValue& v : parameters->GetArray()) {
      DYNAMO_ASSIGN_OR_RETURN(AttributeValue value, DecodeAttributeValue(v, ValueLayer::kCurrent));
      r.parameters.push_back(std::move(value));
    }
  }
  return r;
}

// The expression validator's errors without its "Invalid <Kind>: " prefix:
// PartiQL words them bare.
Status Bare(Status status) {
  if (status.ok()) return status;
  core::Error e = std::move(status).error();
  for (std::string_view prefix : {"Invalid FilterExpression: ", "Invalid ConditionExpression: ",
                                  "Invalid UpdateExpression: "}) {
    if (e.message.rfind(prefix, 0) == 0) e.message.erase(0, prefix.size());
  }
  return e;
}

// ---- The WHERE and the key ----

void Conjuncts(const Condition& c, std::vector<const Condition*>& out) {
  if (c.kind == Condition::Kind::kAnd) {
    for (const Condition& child : c.children) Conjuncts(child, out);
  } else {
    out.push_back(&c);
  }
}

// "attr = value" (either way round) on a top-level attribute: its name and
// the value's placeholder.
std::optional<std::pair<std::string, std::string>> Equality(const Condition& c) {
  if (c.kind != Condition::Kind::kCompare || c.op != expr::CompareOp::kEq) return std::nullopt;
  const Operand* path = &c.operands[0];
  const Operand* value = &c.operands[1];
  if (path->kind != Operand::Kind::kPath) std::swap(path, value);
  if (path->kind != Operand::Kind::kPath || value->kind != Operand::Kind::kValue ||
      path->path.elements.size() != 1) {
    return std::nullopt;
  }
  return std::make_pair(path->path.elements[0].name, value->value);
}

Condition AndOf(std::vector<Condition> parts) {
  Condition c = std::move(parts[0]);
  for (size_t i = 1; i < parts.size(); ++i) {
    Condition both;
    both.kind = Condition::Kind::kAnd;
    both.children.push_back(std::move(c));
    both.children.push_back(std::move(parts[i]));
    c = std::move(both);
  }
  return c;
}

// attribute_exists(name) or attribute_not_exists(name).
Condition Exists(const std::string& name, bool exists) {
  Operand path;
  path.kind = Operand::Kind::kPath;
  path.path.elements.push_back({expr::PathElementAst::Kind::kName, name, 0});
  Operand call;
  call.kind = Operand::Kind::kFunction;
  call.function = exists ? expr::Function::kAttributeExists : expr::Function::kAttributeNotExists;
  call.args.push_back(std::move(path));
  Condition c;
  c.kind = Condition::Kind::kFunction;
  c.operands.push_back(std::move(call));
  return c;
}

// The full primary key a write's WHERE names, and the rest of the WHERE.
struct KeyedWhere {
  Item key;
  std::vector<Condition> rest;
};

Result<KeyedWhere> SplitKey(const Condition& where, const core::ValueMap& values,
                            const core::KeySchema& key) {
  std::vector<const Condition*> parts;
  Conjuncts(where, parts);
  KeyedWhere out;
  for (const Condition* c : parts) {
    auto eq = Equality(*c);
    if (eq && key.Contains(eq->first) && !out.key.count(eq->first)) {
      out.key.emplace(eq->first, values.at(eq->second));
    } else {
      out.rest.push_back(*c);
    }
  }
  if (out.key.size() != key.Names().size()) {
    return ValidationError(
        "Where clause does not contain a mandatory equality on all key attributes");
  }
  return out;
}

Status CheckKeyTypes(const storage::TableDef& t, const Item& key) {
  Status status = Status::Ok();
  t.key.ForEachElement([&](const core::KeyElement& k, bool) {
    if (status.ok() && key.at(k.name).type() != k.type) {
      status = ValidationError(
          "Key attribute's data type should match its data type in table's schema: Key " + k.name);
    }
  });
  return status;
}

std::string ItemsResponse(const std::vector<Item>& items, const std::string* next_token,
                          CapacityMode mode, const Consumed* consumed) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("Items");
  w.StartArray();
  for (const Item& item : items) WriteAttributeMap(item, w);
  w.EndArray();
  if (next_token) {
    w.Key("NextToken");
    w.String(*next_token);
  }
  if (consumed) WriteConsumedCapacity(w, mode, *consumed);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

// ---- Writes ----

struct WriteContext {
  OpContext& ctx;
  bool return_old_on_failure;  // ReturnValuesOnConditionCheckFailure ALL_OLD
  const partiql::Statement& s;
  std::shared_ptr<const storage::TableDef> table;
  core::ValueMap values;
};

// What a write did: the items RETURNING asks for, and its capacity.
struct WriteOutcome {
  std::vector<Item> returned;
  Consumed consumed;
};

Result<WriteOutcome> Insert(WriteContext& w) {
  const AttributeValue& value = w.values.at(":" + std::to_string(*w.s.insert_item));
  Item item = value.m();
  for (const std::string& name : w.table->key.Names()) {
    if (!item.count(name)) {
      return ValidationError("Key attribute should be present in the item: Key " + name);
    }
  }
  DYNAMO_RETURN_IF_ERROR(CheckKeyTypes(*w.table, item));
  if (core::ExceedsNestingLimit(value)) {
    return ValidationError(
        "Nesting Levels have exceeded supported limits: Attributes in the item have nested "
        "levels beyond supported limit");
  }
  if (core::ItemSize(item) > core::kMaxItemSize) return core::ItemTooLarge();
  DYNAMO_ASSIGN_OR_RETURN(storage::EncodedKey key, KeyFromItem(*w.table, item));
  if (auto violation = storage::FindIndexKeyViolation(*w.table, item)) return violation->error;
  ItemExpressions e;
  e.condition = std::make_shared<const expr::ParsedCondition>(
      expr::ParsedCondition{Exists(w.table->key.hash.name, false), {}});
  WriteTarget target{w.table, std::move(key), &e, false};
  auto applied = ApplyOne(*w.ctx.ns->db, PutMutation(std::move(target), std::move(item), false));
  if (!applied.ok() && applied.error().code == core::ErrorCode::kConditionalCheckFailed) {
    return core::Error{core::ErrorCode::kDuplicateItem, "Duplicate primary key exists in table"};
  }
  if (!applied.ok()) return applied.error();
  return WriteOutcome{{}, WriteConsumed(*w.table, *applied)};
}

// What RETURNING asks of an applied update or delete.
std::vector<Item> Returned(const partiql::Statement& s, const storage::MutationResult& r,
                           const ItemExpressions& e) {
  using partiql::Returning;
  if (s.returning == Returning::kNone) return {};
  const bool old = s.returning == Returning::kAllOld || s.returning == Returning::kModifiedOld;
  const Item* source =
      old ? (r.old_item ? &*r.old_item : nullptr) : (r.new_item ? &*r.new_item : nullptr);
  if (!source) return {};
  if (s.returning == Returning::kAllOld || s.returning == Returning::kAllNew) return {*source};
  Item projected = expr::ApplyProjection(*source, expr::UpdatedPaths(*e.update, e.bindings()));
  if (projected.empty()) return {};
  return {std::move(projected)};
}

Result<WriteOutcome> UpdateOrDelete(WriteContext& w) {
  DYNAMO_ASSIGN_OR_RETURN(KeyedWhere where, SplitKey(*w.s.where, w.values, w.table->key));
  DYNAMO_RETURN_IF_ERROR(CheckKeyTypes(*w.table, where.key));
  DYNAMO_ASSIGN_OR_RETURN(storage::EncodedKey key, KeyFromKeyMap(*w.table, where.key, ""));
  ItemExpressions e;
  e.values = w.values;
  const bool update = w.s.kind == partiql::Statement::Kind::kUpdate;
  std::vector<Condition> condition = std::move(where.rest);
  if (update) {
    // Never an upsert: the item must exist.
    condition.insert(condition.begin(), Exists(w.table->key.hash.name, true));
    e.update = std::make_shared<const expr::ParsedUpdate>(expr::ParsedUpdate{w.s.actions, {}});
    DYNAMO_RETURN_IF_ERROR(Bare(expr::ValidateUpdate(*e.update, e.bindings())));
    DYNAMO_RETURN_IF_ERROR(CheckUpdateAgainstTable(*w.table, e));
  } else if (!condition.empty()) {
    // A missing item is deleted without a word, whatever else the WHERE says.
    Condition either;
    either.kind = Condition::Kind::kOr;
    either.children.push_back(Exists(w.table->key.hash.name, false));
    either.children.push_back(AndOf(std::move(condition)));
    condition.clear();
    condition.push_back(std::move(either));
  }
  if (!condition.empty()) {
    e.condition = std::make_shared<const expr::ParsedCondition>(
        expr::ParsedCondition{AndOf(std::move(condition)), {}});
    DYNAMO_RETURN_IF_ERROR(Bare(
        expr::ValidateCondition(*e.condition, e.bindings(), expr::ExpressionKind::kCondition)));
  }
  WriteTarget target{w.table, std::move(key), &e, w.return_old_on_failure};
  storage::Mutation m =
      update ? UpdateMutation(std::move(target), where.key) : DeleteMutation(std::move(target));
  DYNAMO_ASSIGN_OR_RETURN(storage::MutationResult r, ApplyOne(*w.ctx.ns->db, std::move(m)));
  return WriteOutcome{Returned(w.s, r, e), WriteConsumed(*w.table, r)};
}

// ---- SELECT ----

// The name a projected path comes back under: its last attribute name, with
// the list indexes after it ("m.k[1]" is "k[1]").
std::string ProjectedName(const expr::Path& path) {
  size_t last = 0;
  for (size_t i = 0; i < path.size(); ++i) {
    if (std::holds_alternative<std::string>(path[i])) last = i;
  }
  std::string name = std::get<std::string>(path[last]);
  for (size_t i = last + 1; i < path.size(); ++i) {
    name += "[" + std::to_string(std::get<size_t>(path[i])) + "]";
  }
  return name;
}

Result<std::vector<expr::Path>> Projection(const partiql::Statement& s,
                                           const expr::Bindings& bindings) {
  std::vector<expr::Path> paths;
  std::vector<std::string> names;
  for (const expr::PathAst& p : s.projection) {
    paths.push_back(expr::ResolvePath(p, bindings));
    std::string name = ProjectedName(paths.back());
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      return ValidationError("Duplicate identifiers in select clause: " + name);
    }
    names.push_back(std::move(name));
  }
  return paths;
}

// SELECT a, m.b: the values found, each under its projected name.
Item Project(const Item& item, const std::vector<expr::Path>& paths) {
  Item out;
  for (const expr::Path& path : paths) {
    if (const AttributeValue* v = expr::FindPath(item, path)) out.emplace(ProjectedName(path), *v);
  }
  return out;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::optional<std::string> Unhex(std::string_view hex) {
  if (hex.size() % 2) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

// NextToken: the statement's fingerprint, then the last key read as JSON,
// hex-encoded; a token of another statement does not match.
std::string Fingerprint(std::string_view statement) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016zx", std::hash<std::string_view>{}(statement));
  return buf;
}

std::string EncodeToken(std::string_view statement, const Item& last_key) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  WriteAttributeMap(last_key, w);
  return Fingerprint(statement) + Hex(std::string_view(buf.GetString(), buf.GetSize()));
}

Result<Item> DecodeToken(std::string_view statement, std::string_view token) {
  const std::string fingerprint = Fingerprint(statement);
  std::optional<std::string> json;
  if (token.size() > fingerprint.size() && Unhex(token.substr(0, fingerprint.size()))) {
    json = Unhex(token.substr(fingerprint.size()));
  }
  JsonDocument doc;
  if (!json || !ParseRequestBody(*json, 8, &doc) || !doc.IsObject()) {
    return ValidationError("Invalid NextToken");
  }
  if (token.substr(0, fingerprint.size()) != fingerprint) {
    return ValidationError("NextToken does not match request");
  }
  auto key = DecodeAttributeMap(doc, ValueLayer::kCurrent);
  if (!key.ok()) return ValidationError("Invalid NextToken");
  return std::move(key).value();
}

// The key condition a SELECT's WHERE gives the target: an equality on the
// partition key and, when one fits, a condition on the sort key.
std::optional<expr::KeyCondition> KeyConditionOf(const Condition& where,
                                                 const expr::Bindings& bindings,
                                                 const core::KeySchema& key) {
  if (key.multi_hash() || key.multi_range()) return std::nullopt;
  std::vector<const Condition*> parts;
  Conjuncts(where, parts);
  std::optional<Condition> hash;
  for (const Condition* c : parts) {
    auto eq = Equality(*c);
    if (eq && eq->first == key.hash.name && !hash) hash = *c;
  }
  if (!hash) return std::nullopt;
  auto partition_only = expr::AnalyseKeyCondition(*hash, bindings, key);
  if (!partition_only.ok()) return std::nullopt;
  if (key.range) {
    for (const Condition* c : parts) {
      if (c->operands.empty()) continue;
      auto both = expr::AnalyseKeyCondition(AndOf({*hash, *c}), bindings, key);
      if (both.ok() && both->range) return std::move(both).value();
    }
  }
  return std::move(partition_only).value();
}

Result<Target> SelectTarget(OpContext& ctx, const partiql::Statement& s, bool consistent) {
  Target target;
  target.table = ctx.ns->db->FindTable(s.table);
  if (!target.table) return core::ResourceNotFound();
  if (!s.index) return target;
  target.index = target.table->FindIndex(*s.index, &target.global);
  if (!target.index) return ValidationError("The table does not have the specified index");
  if (target.global && consistent) {
    return ValidationError("Strongly consistent read is not supported on Global Secondary Indexes");
  }
  return target;
}

Result<std::string> Select(OpContext& ctx, const StatementRequest& r, const partiql::Statement& s,
                           core::ValueMap values) {
  DYNAMO_ASSIGN_OR_RETURN(Target target, SelectTarget(ctx, s, r.consistent));
  ReadPlan plan{ReadKind::kScan};
  plan.target = target;
  plan.x.e.values = std::move(values);
  const expr::Bindings bindings = plan.x.e.bindings();
  std::optional<std::vector<expr::Path>> projection;
  if (!s.select_all) {
    DYNAMO_ASSIGN_OR_RETURN(projection, Projection(s, bindings));
    // A GSI can only return what it projects.
    if (target.global && target.partial_index()) {
      DYNAMO_RETURN_IF_ERROR(CheckGsiProjection(target, *projection));
    }
    // Whole items (an LSI fetches what it does not project from the table),
    // projected below.
    if (target.index && !target.global) plan.select = "ALL_ATTRIBUTES";
  }
  if (s.where) {
    plan.x.filter =
        std::make_shared<const expr::ParsedCondition>(expr::ParsedCondition{*s.where, {}});
    DYNAMO_RETURN_IF_ERROR(
        Bare(expr::ValidateCondition(*plan.x.filter, bindings, expr::ExpressionKind::kFilter)));
    if (auto kc = KeyConditionOf(*s.where, bindings, target.key())) {
      plan.kind = ReadKind::kQuery;
      plan.key_range = KeyRangeOf(*kc, target.key());
    }
  }
  if (r.next_token) {
    DYNAMO_ASSIGN_OR_RETURN(Item start, DecodeToken(r.statement, *r.next_token));
    // A token names a position within what the statement reads, or none.
    if (!CheckStartShape(target, plan.kind, start).ok())
      return ValidationError("Invalid NextToken");
    auto position = StartPosition(target, plan.kind, start);
    if (!position.ok() ||
        (plan.key_range && !CheckStartWithinKeyRange(*position, *plan.key_range).ok())) {
      return ValidationError("Invalid NextToken");
    }
    plan.start = std::move(position).value();
  }
  plan.limit = r.limit.value_or(INT64_MAX);
  plan.consistent = r.consistent;
  DYNAMO_ASSIGN_OR_RETURN(Page page, RunPage(ctx, plan));
  if (projection) {
    for (Item& item : page.items) item = Project(item, *projection);
  }
  std::optional<std::string> token;
  if (page.stopped) token = EncodeToken(r.statement, page.last_key);
  Consumed consumed{target.table->name, ReadUnits(page.bytes, plan.consistent)};
  if (target.index) {
    consumed.indexes.push_back(IndexUnits{target.index->name, target.global, consumed.units});
    consumed.units = 0;
  }
  return ItemsResponse(page.items, token ? &*token : nullptr, ParseCapacityMode(r.capacity),
                       &consumed);
}

}  // namespace

Result<std::string> ExecuteStatement(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(StatementRequest r, ReadStatementRequest(req));
  DYNAMO_ASSIGN_OR_RETURN(partiql::Statement s, partiql::Parse(r.statement));
  DYNAMO_ASSIGN_OR_RETURN(core::ValueMap values, partiql::BindLiterals(s, r.parameters));
  if (s.kind == partiql::Statement::Kind::kSelect) return Select(ctx, r, s, std::move(values));
  auto table = ctx.ns->db->FindTable(s.table);
  if (!table) return core::ResourceNotFound();
  WriteContext w{ctx, r.return_on_failure == "ALL_OLD", s, std::move(table), std::move(values)};
  DYNAMO_ASSIGN_OR_RETURN(WriteOutcome done, s.kind == partiql::Statement::Kind::kInsert
                                                 ? Insert(w)
                                                 : UpdateOrDelete(w));
  return ItemsResponse(done.returned, nullptr, ParseCapacityMode(r.capacity), &done.consumed);
}

namespace {

// One member of a BatchExecuteStatement; error: its own refusal (a
// constraint or a parameter), answered in its place.
struct BatchMember {
  std::string_view statement;
  std::vector<AttributeValue> parameters;
  bool return_old_on_failure = false;
  std::optional<core::Error> error;
};

Result<std::vector<BatchMember>> ReadBatchRequest(const JsonValue& req,
                                                  std::optional<std::string_view>* capacity) {
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* statements, GetArray(req, "Statements"));
  DYNAMO_ASSIGN_OR_RETURN(*capacity, GetString(req, "ReturnConsumedCapacity"));
  std::vector<BatchMember> members;
  ConstraintErrors errors;
  if (!statements) {
    errors.NotNull("statements");
  } else if (statements->Empty() || statements->Size() > 25) {
    // AWS echoes an empty list as '[]' (recorded); a long one's echo is a guess.
    errors.Add(std::string(statements->Empty() ? "[]" : "[...]"), "statements",
               statements->Empty() ? "Member must have length greater than or equal to 1"
                                   : "Member must have length less than or equal to 25");
  }
  CheckCapacityEnum(*capacity, errors);
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());
  for (const JsonValue& m : statements->GetArray()) {
    if (!m.IsObject()) return core::Error{core::ErrorCode::kSerialization, ""};
    auto one = ReadStatementRequest(m);
    if (!one.ok() && one.error().code != core::ErrorCode::kValidation) return one.error();
    if (!one.ok()) {
      members.push_back(BatchMember{{}, {}, false, one.error()});
      continue;
    }
    members.push_back(BatchMember{one->statement, std::move(one->parameters),
                                  one->return_on_failure == "ALL_OLD", std::nullopt});
  }
  return members;
}

// The short code of an error in a batch response.
std::string_view BatchCode(core::ErrorCode code) {
  switch (code) {
    case core::ErrorCode::kConditionalCheckFailed:
      return "ConditionalCheckFailed";
    case core::ErrorCode::kDuplicateItem:
      return "DuplicateItem";
    case core::ErrorCode::kResourceNotFound:
      return "ResourceNotFound";
    case core::ErrorCode::kValidation:
      return "ValidationError";
    case core::ErrorCode::kTransactionConflict:
      return "TransactionConflict";
    case core::ErrorCode::kItemCollectionSizeLimitExceeded:
      return "ItemCollectionSizeLimitExceeded";
    default:
      return "InternalServerError";
  }
}

// A batch SELECT reads one item by its full primary key.
Result<std::optional<Item>> BatchSelect(OpContext& ctx, const partiql::Statement& s,
                                        const core::ValueMap& values,
                                        const std::shared_ptr<const storage::TableDef>& t) {
  auto refuse = [] {
    return ValidationError(
        "Select statements within BatchExecuteStatement must specify the primary key in the "
        "where clause.");
  };
  if (s.index || !s.where) return refuse();
  const expr::Bindings bindings{nullptr, &values};
  DYNAMO_RETURN_IF_ERROR(Bare(expr::ValidateCondition(expr::ParsedCondition{*s.where, {}}, bindings,
                                                      expr::ExpressionKind::kFilter)));
  auto where = SplitKey(*s.where, values, t->key);
  if (!where.ok()) return refuse();
  DYNAMO_RETURN_IF_ERROR(CheckKeyTypes(*t, where->key));
  DYNAMO_ASSIGN_OR_RETURN(storage::EncodedKey key, KeyFromKeyMap(*t, where->key, ""));
  DYNAMO_ASSIGN_OR_RETURN(std::optional<Item> item, ctx.ns->db->GetItem(t->id, key));
  if (item && !where->rest.empty() &&
      !expr::EvaluateCondition(AndOf(std::move(where->rest)), bindings, *item)) {
    item.reset();
  }
  if (item && !s.select_all) {
    DYNAMO_ASSIGN_OR_RETURN(std::vector<expr::Path> paths, Projection(s, bindings));
    item = Project(*item, paths);
  }
  return item;
}

// Runs one member; writes its response entry.
void RunBatchMember(OpContext& ctx, const BatchMember& m, const Result<partiql::Statement>& parsed,
                    JsonWriter& w) {
  w.StartObject();
  auto fail = [&](const core::Error& e, const std::string* table) {
    w.Key("Error");
    w.StartObject();
    w.Key("Code");
    w.String(BatchCode(e.code).data(), static_cast<rapidjson::SizeType>(BatchCode(e.code).size()));
    w.Key("Message");
    w.String(e.message);
    w.EndObject();
    // The table is named when the statement ran and failed on the item.
    if (table && e.code != core::ErrorCode::kValidation) {
      w.Key("TableName");
      w.String(*table);
    }
    w.EndObject();
  };
  if (m.error) return fail(*m.error, nullptr);
  if (!parsed.ok()) return fail(parsed.error(), nullptr);
  const partiql::Statement& s = *parsed;
  auto values = partiql::BindLiterals(s, m.parameters);
  if (!values.ok()) return fail(values.error(), nullptr);
  auto t = ctx.ns->db->FindTable(s.table);
  if (!t) return fail(core::ResourceNotFound(), nullptr);
  std::optional<Item> item;
  if (s.kind == partiql::Statement::Kind::kSelect) {
    auto read = BatchSelect(ctx, s, *values, t);
    if (!read.ok()) return fail(read.error(), &s.table);
    item = std::move(read).value();
  } else {
    WriteContext wc{ctx, m.return_old_on_failure, s, t, std::move(values).value()};
    auto written = s.kind == partiql::Statement::Kind::kInsert ? Insert(wc) : UpdateOrDelete(wc);
    if (!written.ok()) return fail(written.error(), &s.table);
    if (!written->returned.empty()) item = std::move(written->returned.front());
  }
  w.Key("TableName");
  w.String(s.table);
  if (item) {
    w.Key("Item");
    WriteAttributeMap(*item, w);
  }
  w.EndObject();
}

}  // namespace

Result<std::string> BatchExecuteStatement(OpContext& ctx, const JsonValue& req) {
  std::optional<std::string_view> capacity;
  DYNAMO_ASSIGN_OR_RETURN(std::vector<BatchMember> members, ReadBatchRequest(req, &capacity));
  std::vector<Result<partiql::Statement>> parsed;
  bool reads = false, writes = false;
  for (const BatchMember& m : members) {
    parsed.push_back(m.error ? Result<partiql::Statement>(*m.error) : partiql::Parse(m.statement));
    if (parsed.back().ok()) {
      (parsed.back()->kind == partiql::Statement::Kind::kSelect ? reads : writes) = true;
    }
  }
  if (reads && writes) {
    return ValidationError("Read and write requests together in the same batch is not supported.");
  }
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("Responses");
  w.StartArray();
  for (size_t i = 0; i < members.size(); ++i) RunBatchMember(ctx, members[i], parsed[i], w);
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace dynamo::server
