// PartiQL's ExecuteStatement, and what its batch and transaction forms
// share (partiql_statements.h): statements parsed into the condition, update
// and projection trees of the expression language, so that evaluation,
// validation and the write path are those of the expression API.
//
// A SELECT runs as a Query when its WHERE fixes the partition key (by an
// equality, an IN list or an OR of equalities: one Query per value, in the
// order written, or in the ORDER BY's), the rest of the WHERE filtering the
// rows and a sort-key condition narrowing them; else as a Scan. Limit
// counts the items read and a page stops at 1 MB (reads.h), continued by
// NextToken. Writes are one mutation each (PrepareWrite).
#include <algorithm>
#include <cstdio>
#include <functional>

#include "core/messages.h"
#include "expr/evaluator.h"
#include "expr/key_condition.h"
#include "expr/projection.h"
#include "server/api/capacity.h"
#include "server/api/fields.h"
#include "server/api/json_parse.h"
#include "server/api/keys.h"
#include "server/api/mutations.h"
#include "server/api/partiql_statements.h"
#include "server/api/reads.h"
#include "server/api/values_json.h"
#include "storage/index.h"

namespace dynamo::server {
namespace pql {

using core::AttributeValue;
using core::Item;
using core::Result;
using core::Status;
using core::ValidationError;
using expr::Condition;
using expr::Operand;

namespace {

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

// path = value, a top-level attribute's equality.
Condition EqualityOf(const std::string& name, const std::string& placeholder) {
  Operand path;
  path.kind = Operand::Kind::kPath;
  path.path.elements.push_back({expr::PathElementAst::Kind::kName, name, 0});
  Operand value;
  value.kind = Operand::Kind::kValue;
  value.value = placeholder;
  Condition c;
  c.kind = Condition::Kind::kCompare;
  c.op = expr::CompareOp::kEq;
  c.operands = {std::move(path), std::move(value)};
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

}  // namespace

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
      DYNAMO_ASSIGN_OR_RETURN(AttributeValue value, DecodeAttributeValue(v, ValueLayer::kPartiql));
      r.parameters.push_back(std::move(value));
    }
  }
  return r;
}

Result<std::shared_ptr<const partiql::Statement>> ParseStatement(OpContext& ctx,
                                                                 std::string_view text) {
  return ctx.api->expressions().PartiqlStatement(text);
}

Status CheckPartiqlIndex(const storage::IndexDef& index) {
  if (!index.key.multi_hash() && !index.key.multi_range()) return Status::Ok();
  return ValidationError(
      "PartiQL statements cannot be executed on tables with multi-attribute HASH keys or "
      "multi-attribute RANGE keys.");
}

core::Error ExistsOutsideTransaction() {
  return ValidationError("EXISTS can only be used in ExecuteTransaction write requests.");
}

Status Bare(Status status) {
  if (status.ok()) return status;
  core::Error e = std::move(status).error();
  for (std::string_view prefix : {"Invalid FilterExpression: ", "Invalid ConditionExpression: ",
                                  "Invalid UpdateExpression: "}) {
    if (e.message.rfind(prefix, 0) == 0) e.message.erase(0, prefix.size());
  }
  return e;
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

Result<KeyedWhere> SplitKey(const Condition& where, const core::ValueMap& values,
                            const core::KeySchema& key) {
  std::vector<const Condition*> parts;
  Conjuncts(where, parts);
  KeyedWhere out;
  for (const Condition* c : parts) {
    auto eq = Equality(*c);
    if (eq && key.Contains(eq->first)) {
      if (out.key.count(eq->first)) {
        return ValidationError("Multiple conditions on same key " + eq->first +
                               ". Only single item Update/Insert/Delete are supported");
      }
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

namespace {

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

}  // namespace

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

Item Project(const Item& item, const std::vector<expr::Path>& paths) {
  Item out;
  for (const expr::Path& path : paths) {
    if (const AttributeValue* v = expr::FindPath(item, path)) out.emplace(ProjectedName(path), *v);
  }
  return out;
}

// ---- Writes ----

core::Error DuplicateItem() {
  return core::Error{core::ErrorCode::kDuplicateItem, "Duplicate primary key exists in table"};
}

namespace {

// A refused key: failed at once, or recorded for the transaction to answer.
struct KeyRefusal {
  PreparedWrite& p;
  bool defer;
  Status operator()(core::Error e) const {
    if (!defer) return e;
    if (!p.key_error) p.key_error = std::move(e.message);
    return Status::Ok();
  }
};

Status PrepareInsert(PreparedWrite& p, const KeyRefusal& refuse) {
  const AttributeValue& value = p.e.values->at(":" + std::to_string(*p.s->insert_item));
  p.item = value.m();
  for (const std::string& name : p.table->key.Names()) {
    if (!p.item.count(name)) {
      return refuse(ValidationError("Key attribute should be present in the item: Key " + name));
    }
  }
  Status types = CheckKeyTypes(*p.table, p.item);
  if (!types.ok()) return refuse(std::move(types).error());
  if (core::ExceedsNestingLimit(value)) {
    return ValidationError(
        "Nesting Levels have exceeded supported limits: Attributes in the item have nested "
        "levels beyond supported limit");
  }
  if (core::ItemSize(p.item) > core::kMaxItemSize) return core::ItemTooLarge();
  auto key = KeyFromItem(*p.table, p.item);
  if (!key.ok()) return refuse(std::move(key).error());
  p.key = std::move(key).value();
  if (auto violation = storage::FindIndexKeyViolation(*p.table, p.item)) return violation->error;
  p.e.condition = std::make_shared<const expr::ParsedCondition>(
      expr::ParsedCondition{Exists(p.table->key.hash.name, false), {}});
  return Status::Ok();
}

// The condition of an UPDATE, DELETE or EXISTS beyond its key.
Result<std::vector<Condition>> KeyedCondition(const PreparedWrite& p, std::vector<Condition> rest) {
  const std::string& hash = p.table->key.hash.name;
  switch (p.s->kind) {
    case partiql::Statement::Kind::kUpdate:
      // Never an upsert: the item must exist.
      rest.insert(rest.begin(), Exists(hash, true));
      break;
    case partiql::Statement::Kind::kExists:
      if (rest.empty()) {
        return ValidationError(
            "EXISTS() must contain a single item read with additional condition");
      }
      rest.insert(rest.begin(), Exists(hash, true));
      break;
    default:
      if (!rest.empty()) {
        // A missing item is deleted without a word, whatever else the WHERE says.
        Condition either;
        either.kind = Condition::Kind::kOr;
        either.children.push_back(Exists(hash, false));
        either.children.push_back(AndOf(std::move(rest)));
        rest.clear();
        rest.push_back(std::move(either));
      }
  }
  return rest;
}

Status PrepareKeyed(PreparedWrite& p, const KeyRefusal& refuse) {
  const partiql::Statement& s = *p.s;
  if (s.kind == partiql::Statement::Kind::kExists && s.index) {
    return ValidationError("Reads on indices are not supported within transactions.");
  }
  if (!s.where) {  // EXISTS(SELECT * FROM "T"); UPDATE and DELETE parse one
    return ValidationError("EXISTS() must contain a single item read with additional condition");
  }
  auto where = SplitKey(*s.where, *p.e.values, p.table->key);
  if (!where.ok()) return refuse(std::move(where).error());
  Status types = CheckKeyTypes(*p.table, where->key);
  if (!types.ok()) return refuse(std::move(types).error());
  auto key = KeyFromKeyMap(*p.table, where->key, "");
  if (!key.ok()) return refuse(std::move(key).error());
  p.key = std::move(key).value();
  p.item = std::move(where->key);
  if (s.kind == partiql::Statement::Kind::kUpdate) {
    p.e.update = std::make_shared<const expr::ParsedUpdate>(expr::ParsedUpdate{s.actions, {}});
    DYNAMO_RETURN_IF_ERROR(Bare(expr::ValidateUpdate(*p.e.update, p.e.bindings())));
    DYNAMO_RETURN_IF_ERROR(CheckUpdateAgainstTable(*p.table, p.e));
  }
  DYNAMO_ASSIGN_OR_RETURN(std::vector<Condition> condition,
                          KeyedCondition(p, std::move(where->rest)));
  if (!condition.empty()) {
    p.e.condition = std::make_shared<const expr::ParsedCondition>(
        expr::ParsedCondition{AndOf(std::move(condition)), {}});
    DYNAMO_RETURN_IF_ERROR(Bare(
        expr::ValidateCondition(*p.e.condition, p.e.bindings(), expr::ExpressionKind::kCondition)));
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<PreparedWrite>> PrepareWrite(const partiql::Statement& s,
                                                    core::ValueMap values,
                                                    std::shared_ptr<const storage::TableDef> table,
                                                    bool defer_key_errors) {
  auto p = std::make_unique<PreparedWrite>();
  p->s = &s;
  p->table = std::move(table);
  p->e.values = std::move(values);
  const KeyRefusal refuse{*p, defer_key_errors};
  if (s.kind == partiql::Statement::Kind::kInsert) {
    DYNAMO_RETURN_IF_ERROR(PrepareInsert(*p, refuse));
  } else {
    DYNAMO_RETURN_IF_ERROR(PrepareKeyed(*p, refuse));
  }
  return p;
}

storage::Mutation WriteMutation(PreparedWrite& p, bool return_old_on_failure) {
  if (p.key_error) return storage::Mutation::Invalid(ValidationError(*p.key_error));
  WriteTarget target{p.table, std::move(*p.key), &p.e, return_old_on_failure};
  switch (p.s->kind) {
    case partiql::Statement::Kind::kInsert:
      return PutMutation(std::move(target), std::move(p.item), /*needs_old=*/false);
    case partiql::Statement::Kind::kUpdate:
      return UpdateMutation(std::move(target), p.item);
    case partiql::Statement::Kind::kDelete:
      return DeleteMutation(std::move(target));
    default:
      break;
  }
  return ConditionCheckMutation(std::move(target));
}

Result<storage::MutationResult> ApplyWrite(OpContext& ctx, PreparedWrite& p,
                                           bool return_old_on_failure) {
  const bool insert = p.s->kind == partiql::Statement::Kind::kInsert;
  auto applied = ApplyOne(*ctx.ns->db, WriteMutation(p, return_old_on_failure), ctx.ApplyOptions());
  if (!applied.ok() && insert && applied.error().code == core::ErrorCode::kConditionalCheckFailed) {
    return DuplicateItem();
  }
  return applied;
}

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

namespace {

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

// ---- SELECT ----

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

// NextToken: the fingerprint of the statement and its parameters, the
// partition being read (the index of its value; 0 for a Scan), then the last
// key read as JSON (empty at a partition's start), hex-encoded. A token of
// another statement, or of other parameters, does not match.
struct TokenPosition {
  uint32_t partition = 0;
  Item last_key;
};

// The statement with its parameters.
std::string Fingerprint(const StatementRequest& r) {
  rapidjson::StringBuffer params;
  JsonWriter w(params);
  w.StartArray();
  for (const AttributeValue& v : r.parameters) WriteAttributeValue(v, w);
  w.EndArray();
  const size_t hash =
      std::hash<std::string_view>{}(r.statement) * 31 +
      std::hash<std::string_view>{}(std::string_view(params.GetString(), params.GetSize()));
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016zx", hash);
  return buf;
}

std::string EncodeToken(const StatementRequest& r, const TokenPosition& at) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  WriteAttributeMap(at.last_key, w);
  char partition[12];
  std::snprintf(partition, sizeof partition, "%08x", at.partition);
  return Fingerprint(r) + partition + Hex(std::string_view(buf.GetString(), buf.GetSize()));
}

Result<TokenPosition> DecodeToken(const StatementRequest& r, std::string_view token) {
  const std::string fingerprint = Fingerprint(r);
  constexpr size_t kPartitionDigits = 8;
  const size_t head = fingerprint.size() + kPartitionDigits;
  std::optional<std::string> json;
  if (token.size() > head && Unhex(token.substr(0, head))) json = Unhex(token.substr(head));
  JsonDocument doc;
  if (!json || !ParseRequestBody(*json, 8, &doc) || !doc.IsObject()) {
    return ValidationError("Invalid NextToken");
  }
  if (token.substr(0, fingerprint.size()) != fingerprint) {
    return ValidationError("NextToken does not match request");
  }
  TokenPosition at;
  at.partition = static_cast<uint32_t>(
      std::stoul(std::string(token.substr(fingerprint.size(), kPartitionDigits)), nullptr, 16));
  auto key = DecodeAttributeMap(doc, ValueLayer::kCurrent);
  if (!key.ok()) return ValidationError("Invalid NextToken");
  at.last_key = std::move(key).value();
  return at;
}

// Whether c fixes the partition key: "pk = v", "pk IN [v, ...]" or an OR of
// such; the values' placeholders are added to out, in the order written.
bool FixesPartition(const Condition& c, const std::string& hash, std::vector<std::string>& out) {
  if (c.kind == Condition::Kind::kOr) {
    for (const Condition& child : c.children) {
      if (!FixesPartition(child, hash, out)) return false;
    }
    return true;
  }
  if (auto eq = Equality(c)) {
    if (eq->first != hash) return false;
    out.push_back(eq->second);
    return true;
  }
  if (c.kind != Condition::Kind::kIn || c.operands[0].kind != Operand::Kind::kPath ||
      c.operands[0].path.elements.size() != 1 || c.operands[0].path.elements[0].name != hash) {
    return false;
  }
  for (size_t i = 1; i < c.operands.size(); ++i) {
    if (c.operands[i].kind != Operand::Kind::kValue) return false;
    out.push_back(c.operands[i].value);
  }
  return true;
}

// One partition a SELECT queries: the partition key's value and the key
// range read.
struct Partition {
  const AttributeValue* value;
  KeyRange range;
};

// The key range of one partition: its equality and, when one of the WHERE's
// conjuncts fits, a condition on the sort key.
std::optional<KeyRange> PartitionRange(const std::string& placeholder,
                                       const std::vector<const Condition*>& parts,
                                       const expr::Bindings& bindings, const core::KeySchema& key) {
  const Condition hash = EqualityOf(key.hash.name, placeholder);
  auto partition_only = expr::AnalyseKeyCondition(hash, bindings, key);
  if (!partition_only.ok()) return std::nullopt;
  if (key.range) {
    for (const Condition* c : parts) {
      if (c->operands.empty()) continue;
      auto both = expr::AnalyseKeyCondition(AndOf({hash, *c}), bindings, key);
      if (both.ok() && both->range) return KeyRangeOf(*both, key);
    }
  }
  return KeyRangeOf(*partition_only, key);
}

// Orders partition key values of one type (S, N or B).
bool ValueLess(const AttributeValue& a, const AttributeValue& b) {
  if (a.type() == core::ValueType::kN) return a.n().Compare(b.n()) < 0;
  if (a.type() == core::ValueType::kS) return a.s() < b.s();
  return a.b() < b.b();
}

// The partitions the WHERE fixes, without repeats; none: a Scan.
std::vector<Partition> Partitions(const Condition& where, const expr::Bindings& bindings,
                                  const core::KeySchema& key) {
  if (key.multi_hash() || key.multi_range()) return {};
  std::vector<const Condition*> parts;
  Conjuncts(where, parts);
  std::vector<std::string> values;
  for (const Condition* c : parts) {
    std::vector<std::string> fixed;
    if (FixesPartition(*c, key.hash.name, fixed)) {
      values = std::move(fixed);
      break;
    }
  }
  // DynamoDB queries at most 50 partitions for an IN; more are scanned.
  constexpr size_t kMaxPartitions = 50;
  if (values.size() > kMaxPartitions) return {};
  std::vector<Partition> out;
  for (const std::string& v : values) {
    auto range = PartitionRange(v, parts, bindings, key);
    if (!range) return {};
    const bool repeated = std::any_of(
        out.begin(), out.end(), [&](const Partition& p) { return p.range.hash == range->hash; });
    if (!repeated) out.push_back(Partition{&bindings.values->at(v), std::move(*range)});
  }
  return out;
}

// ORDER BY: only key attributes, and only with a WHERE fixing the partition
// key. The sort key's term sets the direction (the partition key's, when it
// is the only one); the partition key's term orders the partitions.
Status ApplyOrderBy(const partiql::Statement& s, const core::KeySchema& key,
                    std::vector<Partition>& partitions, bool* forward) {
  if (!s.has_order_by) return Status::Ok();
  if (!s.where) {
    return ValidationError("Must have WHERE clause in the statement when using ORDER BY clause.");
  }
  for (const partiql::OrderKey& k : s.order_by) {
    if (!key.Contains(k.name)) {
      return ValidationError("Variable reference " + k.name +
                             " in ORDER BY clause must be part of the primary key");
    }
  }
  if (partitions.empty()) {
    return ValidationError(
        "Must have at least one non-optional hash key condition in WHERE clause when using ORDER "
        "BY clause.");
  }
  std::optional<bool> hash_descending, range_descending;
  for (const partiql::OrderKey& k : s.order_by) {
    auto& slot = k.name == key.hash.name ? hash_descending : range_descending;
    if (!slot) slot = k.descending;
  }
  if (hash_descending) {
    std::stable_sort(
        partitions.begin(), partitions.end(), [&](const Partition& a, const Partition& b) {
          return *hash_descending ? ValueLess(*b.value, *a.value) : ValueLess(*a.value, *b.value);
        });
  }
  *forward = !range_descending.value_or(hash_descending.value_or(false));
  return Status::Ok();
}

Result<Target> SelectTarget(OpContext& ctx, const partiql::Statement& s, bool consistent) {
  Target target;
  target.table = ctx.ns->db->FindTable(s.table);
  if (!target.table) return core::ResourceNotFound();
  if (!s.index) {
    if (s.projection_error) return ValidationError(*s.projection_error);
    return target;
  }
  target.index = target.table->FindIndex(*s.index, &target.global);
  if (!target.index) return ValidationError("The table does not have the specified index");
  DYNAMO_RETURN_IF_ERROR(CheckPartiqlIndex(*target.index));
  if (s.projection_error) return ValidationError(*s.projection_error);
  if (target.global && consistent) {
    return ValidationError("Strongly consistent read is not supported on Global Secondary Indexes");
  }
  return target;
}

// A SELECT ready to read: the plan of its first page, and its partitions.
struct SelectPlan {
  ReadPlan plan{ReadKind::kScan};
  std::vector<Partition> partitions;  // empty: a Scan
  std::optional<std::vector<expr::Path>> projection;
  TokenPosition at;
};

void OperandNames(const Operand& o, std::vector<std::string>& out) {
  if (o.kind == Operand::Kind::kPath) {
    const std::string& top = o.path.elements[0].name;
    if (std::find(out.begin(), out.end(), top) == out.end()) out.push_back(top);
  }
  for (const Operand& arg : o.args) OperandNames(arg, out);
}

// The top-level attributes a WHERE filters on outside any OR.
void FilterNames(const Condition& c, std::vector<std::string>& out) {
  if (c.kind == Condition::Kind::kOr) return;
  for (const Operand& o : c.operands) OperandNames(o, out);
  for (const Condition& child : c.children) FilterNames(child, out);
}

// A Query of an index that does not project everything cannot filter on
// what it does not project (a Scan of it sees such attributes as absent).
Status CheckIndexFilter(const Target& target, const Condition& where) {
  std::vector<std::string> names;
  FilterNames(where, names);
  std::string missing;
  for (const std::string& name : names) {
    if (!IndexProjects(target, name)) missing += (missing.empty() ? "" : ", ") + name;
  }
  if (missing.empty()) return Status::Ok();
  return core::InvalidParameter("Secondary index " + target.index->name +
                                " does not project one or more filter attributes: [" + missing +
                                "]");
}

Status PlanWhere(const partiql::Statement& s, SelectPlan& p) {
  const expr::Bindings bindings = p.plan.x.e.bindings();
  if (s.where) {
    p.plan.x.filter =
        std::make_shared<const expr::ParsedCondition>(expr::ParsedCondition{*s.where, {}});
    DYNAMO_RETURN_IF_ERROR(
        Bare(expr::ValidateCondition(*p.plan.x.filter, bindings, expr::ExpressionKind::kFilter)));
    p.partitions = Partitions(*s.where, bindings, p.plan.target.key());
    if (!p.partitions.empty()) p.plan.kind = ReadKind::kQuery;
    if (!p.partitions.empty() && p.plan.target.partial_index()) {
      DYNAMO_RETURN_IF_ERROR(CheckIndexFilter(p.plan.target, *s.where));
    }
  }
  return ApplyOrderBy(s, p.plan.target.key(), p.partitions, &p.plan.forward);
}

// A token names a partition of the statement, and a position within what it
// reads there.
Status PlanStart(const StatementRequest& r, SelectPlan& p) {
  if (!r.next_token) return Status::Ok();
  DYNAMO_ASSIGN_OR_RETURN(p.at, DecodeToken(r, *r.next_token));
  const size_t partitions = std::max<size_t>(p.partitions.size(), 1);
  if (p.at.partition >= partitions) return ValidationError("Invalid NextToken");
  if (p.at.last_key.empty()) {
    if (p.plan.kind == ReadKind::kScan) return ValidationError("Invalid NextToken");
    return Status::Ok();
  }
  const Target& target = p.plan.target;
  if (!CheckStartShape(target, p.plan.kind, p.at.last_key).ok()) {
    return ValidationError("Invalid NextToken");
  }
  auto position = StartPosition(target, p.plan.kind, p.at.last_key);
  if (!position.ok() ||
      (p.plan.kind == ReadKind::kQuery &&
       !CheckStartWithinKeyRange(*position, p.partitions[p.at.partition].range).ok())) {
    return ValidationError("Invalid NextToken");
  }
  p.plan.start = std::move(position).value();
  return Status::Ok();
}

Result<SelectPlan> PlanSelect(OpContext& ctx, const StatementRequest& r,
                              const partiql::Statement& s, core::ValueMap values) {
  SelectPlan p;
  DYNAMO_ASSIGN_OR_RETURN(p.plan.target, SelectTarget(ctx, s, r.consistent));
  const Target& target = p.plan.target;
  p.plan.x.e.values = std::move(values);
  if (!s.select_all) {
    DYNAMO_ASSIGN_OR_RETURN(p.projection, Projection(s, p.plan.x.e.bindings()));
    // A GSI can only return what it projects.
    if (target.global && target.partial_index()) {
      DYNAMO_RETURN_IF_ERROR(CheckGsiProjection(target, *p.projection));
    }
    // An LSI fetches from the table what it does not project: whole items
    // then, projected below.
    if (target.index && !target.global) {
      for (const expr::Path& path : *p.projection) {
        if (!IndexProjects(target, std::get<std::string>(path[0]))) {
          p.plan.select = "ALL_ATTRIBUTES";
        }
      }
    }
  }
  p.plan.filter_on_index_item = target.index != nullptr;
  DYNAMO_RETURN_IF_ERROR(PlanWhere(s, p));
  DYNAMO_RETURN_IF_ERROR(PlanStart(r, p));
  p.plan.limit = r.limit.value_or(INT64_MAX);
  p.plan.consistent = r.consistent;
  return p;
}

// One page: of the Scan, or of the partitions in turn from the token's,
// within one Limit and one 1 MB page.
// units: what the reads cost on the table or index read, each Query rounded
// on its own.
Result<Page> ReadPages(OpContext& ctx, SelectPlan& p, std::optional<TokenPosition>* next,
                       double* units) {
  if (p.partitions.empty()) {
    DYNAMO_ASSIGN_OR_RETURN(Page page, RunPage(ctx, p.plan));
    if (page.stopped) *next = TokenPosition{0, page.last_key};
    *units = ReadUnits(page.bytes, p.plan.consistent);
    return page;
  }
  Page total;
  *units = 0;
  for (uint32_t i = p.at.partition; i < p.partitions.size(); ++i) {
    p.plan.key_range = p.partitions[i].range;
    DYNAMO_ASSIGN_OR_RETURN(Page page, RunPage(ctx, p.plan));
    *units += ReadUnits(page.bytes, p.plan.consistent);
    total.bytes += page.bytes;
    total.scanned += page.scanned;
    total.fetched_units += page.fetched_units;
    std::move(page.items.begin(), page.items.end(), std::back_inserter(total.items));
    if (page.stopped) {
      *next = TokenPosition{i, std::move(page.last_key)};
      break;
    }
    p.plan.start.reset();
    p.plan.limit -= page.scanned;
    p.plan.page_bytes -= std::min(p.plan.page_bytes, page.bytes);
  }
  return total;
}

Result<std::string> Select(OpContext& ctx, const StatementRequest& r, const partiql::Statement& s,
                           core::ValueMap values) {
  DYNAMO_ASSIGN_OR_RETURN(SelectPlan p, PlanSelect(ctx, r, s, std::move(values)));
  std::optional<TokenPosition> next;
  double units = 0;
  DYNAMO_ASSIGN_OR_RETURN(Page page, ReadPages(ctx, p, &next, &units));
  if (p.projection) {
    for (Item& item : page.items) item = Project(item, *p.projection);
  }
  std::optional<std::string> token;
  if (next) token = EncodeToken(r, *next);
  const Target& target = p.plan.target;
  Consumed consumed{target.table->name, units};
  if (target.index) {
    // The index is read; the table only for what an LSI fetched from it.
    consumed.indexes.push_back(IndexUnits{target.index->name, target.global, consumed.units});
    consumed.units = page.fetched_units;
  }
  return ItemsResponse(page.items, token ? &*token : nullptr, ParseCapacityMode(r.capacity),
                       &consumed);
}

// An INSERT, UPDATE or DELETE on its own.
Result<std::string> Write(OpContext& ctx, const StatementRequest& r, const partiql::Statement& s,
                          core::ValueMap values) {
  auto table = ctx.ns->db->FindTable(s.table);
  if (!table) return core::ResourceNotFound();
  DYNAMO_ASSIGN_OR_RETURN(std::unique_ptr<PreparedWrite> p,
                          PrepareWrite(s, std::move(values), table, /*defer_key_errors=*/false));
  DYNAMO_ASSIGN_OR_RETURN(storage::MutationResult applied,
                          ApplyWrite(ctx, *p, r.return_old_on_failure()));
  const Consumed consumed = WriteConsumed(*table, applied);
  return ItemsResponse(Returned(s, applied, p->e), nullptr, ParseCapacityMode(r.capacity),
                       &consumed);
}

}  // namespace
}  // namespace pql

Result<std::string> ExecuteStatement(OpContext& ctx, const JsonValue& req) {
  using pql::partiql::Statement;
  DYNAMO_ASSIGN_OR_RETURN(pql::StatementRequest r, pql::ReadStatementRequest(req));
  DYNAMO_ASSIGN_OR_RETURN(std::shared_ptr<const Statement> s,
                          pql::ParseStatement(ctx, r.statement));
  if (s->kind == Statement::Kind::kExists) return pql::ExistsOutsideTransaction();
  DYNAMO_ASSIGN_OR_RETURN(core::ValueMap values, pql::partiql::BindLiterals(*s, r.parameters));
  if (s->kind == Statement::Kind::kSelect) return pql::Select(ctx, r, *s, std::move(values));
  return pql::Write(ctx, r, *s, std::move(values));
}

}  // namespace dynamo::server
