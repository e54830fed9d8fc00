// BatchExecuteStatement: up to 25 PartiQL statements, all reads (each a
// SELECT by full primary key) or all writes, each answered on its own
// ({"TableName", "Item"} or {"Error": {"Code", "Message"}}): one failed
// statement does not fail the others, and the batch is no transaction.
#include "core/error_details.h"
#include "core/messages.h"
#include "expr/evaluator.h"
#include "server/api/capacity.h"
#include "server/api/fields.h"
#include "server/api/keys.h"
#include "server/api/partiql_statements.h"
#include "server/api/values_json.h"

namespace dynamo::server {
namespace pql {
namespace {

using core::Item;
using core::Result;
using core::ValidationError;

// One member of a BatchExecuteStatement; error: its own refusal (a
// constraint or a parameter), answered in its place.
struct BatchMember {
  StatementRequest request;
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
      members.push_back(BatchMember{{}, one.error()});
      continue;
    }
    members.push_back(BatchMember{std::move(one).value(), std::nullopt});
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

// A batch SELECT reads one item by its full primary key; the units its read
// cost are added to units.
Result<std::optional<Item>> BatchSelect(OpContext& ctx, const BatchMember& m,
                                        const partiql::Statement& s, const core::ValueMap& values,
                                        const storage::TableDef& t, double* units) {
  auto refuse = [] {
    return ValidationError(
        "Select statements within BatchExecuteStatement must specify the primary key in the "
        "where clause.");
  };
  if (s.index) {
    bool global = false;
    if (const storage::IndexDef* index = t.FindIndex(*s.index, &global)) {
      DYNAMO_RETURN_IF_ERROR(CheckPartiqlIndex(*index));
    }
    return refuse();
  }
  if (s.projection_error) return ValidationError(*s.projection_error);
  if (!s.where) return refuse();
  const expr::Bindings bindings{nullptr, &values};
  DYNAMO_RETURN_IF_ERROR(Bare(expr::ValidateCondition(expr::ParsedCondition{*s.where, {}}, bindings,
                                                      expr::ExpressionKind::kFilter)));
  // A read by key alone (BatchGetItem's), with no other condition.
  auto where = SplitKey(*s.where, values, t.key);
  if (!where.ok() || !where->rest.empty()) return refuse();
  DYNAMO_RETURN_IF_ERROR(CheckKeyTypes(t, where->key));
  DYNAMO_ASSIGN_OR_RETURN(storage::EncodedKey key, KeyFromKeyMap(t, where->key, ""));
  DYNAMO_ASSIGN_OR_RETURN(std::optional<Item> item, ctx.ns->db->GetItem(t.id, key));
  *units = ReadUnits(item ? core::ItemSize(*item) : 0, m.request.consistent);
  if (item && !s.select_all) {
    DYNAMO_ASSIGN_OR_RETURN(std::vector<expr::Path> paths, Projection(s, bindings));
    item = Project(*item, paths);
  }
  return item;
}

// A batch write: the item RETURNING asks for, if any; its units are added
// to the tally.
Result<std::optional<Item>> BatchWrite(OpContext& ctx, const BatchMember& m,
                                       const partiql::Statement& s, core::ValueMap values,
                                       const std::shared_ptr<const storage::TableDef>& t,
                                       CapacityTally& tally) {
  DYNAMO_ASSIGN_OR_RETURN(std::unique_ptr<PreparedWrite> p,
                          PrepareWrite(s, std::move(values), t, /*defer_key_errors=*/false));
  DYNAMO_ASSIGN_OR_RETURN(storage::MutationResult applied,
                          ApplyWrite(ctx, *p, m.request.return_old_on_failure()));
  tally.Add(*t, WriteUnits(std::max(applied.old_size, applied.new_size)), &applied.index_writes);
  std::vector<Item> returned = Returned(s, applied, p->e);
  if (returned.empty()) return std::optional<Item>();
  return std::optional<Item>(std::move(returned.front()));
}

void WriteBatchError(JsonWriter& w, const core::Error& e, const std::string* table) {
  w.Key("Error");
  w.StartObject();
  w.Key("Code");
  const std::string_view code = BatchCode(e.code);
  w.String(code.data(), static_cast<rapidjson::SizeType>(code.size()));
  w.Key("Message");
  w.String(e.message);
  // The item a failed condition saw, when the statement asked for it
  // (ReturnValuesOnConditionCheckFailure ALL_OLD).
  if (e.details && e.details->item) {
    w.Key("Item");
    WriteAttributeMap(*e.details->item, w);
  }
  w.EndObject();
  // The table is named when the statement ran and failed on the item.
  if (table && e.code != core::ErrorCode::kValidation) {
    w.Key("TableName");
    w.String(*table);
  }
}

// Runs one member; writes its response entry.
void RunBatchMember(OpContext& ctx, const BatchMember& m,
                    const Result<std::shared_ptr<const partiql::Statement>>& parsed,
                    CapacityTally& tally, JsonWriter& w) {
  w.StartObject();
  auto fail = [&](const core::Error& e, const std::string* table) {
    WriteBatchError(w, e, table);
    w.EndObject();
  };
  if (m.error) return fail(*m.error, nullptr);
  if (!parsed.ok()) return fail(parsed.error(), nullptr);
  const partiql::Statement& s = **parsed;
  if (s.kind == partiql::Statement::Kind::kExists) return fail(ExistsOutsideTransaction(), nullptr);
  auto values = partiql::BindLiterals(s, m.request.parameters);
  if (!values.ok()) return fail(values.error(), nullptr);
  auto t = ctx.ns->db->FindTable(s.table);
  if (!t) return fail(core::ResourceNotFound(), nullptr);
  std::optional<Item> item;
  if (s.kind == partiql::Statement::Kind::kSelect) {
    double units = 0;
    auto read = BatchSelect(ctx, m, s, *values, *t, &units);
    if (!read.ok()) return fail(read.error(), &s.table);
    tally.Add(*t, units);
    item = std::move(read).value();
  } else {
    auto written = BatchWrite(ctx, m, s, std::move(values).value(), t, tally);
    if (!written.ok()) return fail(written.error(), &s.table);
    item = std::move(written).value();
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
}  // namespace pql

core::Result<std::string> BatchExecuteStatement(OpContext& ctx, const JsonValue& req) {
  using pql::partiql::Statement;
  std::optional<std::string_view> capacity;
  DYNAMO_ASSIGN_OR_RETURN(std::vector<pql::BatchMember> members,
                          pql::ReadBatchRequest(req, &capacity));
  std::vector<core::Result<std::shared_ptr<const Statement>>> parsed;
  bool reads = false, writes = false;
  for (const pql::BatchMember& m : members) {
    parsed.push_back(m.error ? core::Result<std::shared_ptr<const Statement>>(*m.error)
                             : pql::ParseStatement(ctx, m.request.statement));
    if (parsed.back().ok()) {
      ((*parsed.back())->kind == Statement::Kind::kSelect ? reads : writes) = true;
    }
  }
  if (reads && writes) {
    return core::ValidationError(
        "Read and write requests together in the same batch is not supported.");
  }
  CapacityTally tally;
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("Responses");
  w.StartArray();
  for (size_t i = 0; i < members.size(); ++i) {
    pql::RunBatchMember(ctx, members[i], parsed[i], tally, w);
  }
  w.EndArray();
  // No entry at all when no statement consumed anything.
  if (std::vector<Consumed> consumed = tally.List(); !consumed.empty()) {
    WriteConsumedCapacityList(w, ParseCapacityMode(capacity), consumed);
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace dynamo::server
