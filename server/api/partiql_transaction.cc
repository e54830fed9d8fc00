// ExecuteTransaction: up to 100 PartiQL statements, all writes (INSERT,
// UPDATE, DELETE and EXISTS condition checks) applied all or nothing, or all
// SELECTs by full primary key read in one snapshot. Writes run on
// TransactWriteItems' machinery (transact.h): every item locked (a held item
// is a TransactionConflict reason), the --transaction-hold-ms setting, one
// batch of the write path evaluating every condition before it writes
// anything, TransactionCanceledException with reasons in statement order,
// and ClientRequestToken idempotency.
#include "core/messages.h"
#include "server/api/capacity.h"
#include "server/api/fields.h"
#include "server/api/keys.h"
#include "server/api/mutations.h"
#include "server/api/partiql_statements.h"
#include "server/api/transact.h"
#include "server/api/values_json.h"

namespace dynamo::server {
namespace pql {
namespace {

using core::CancellationReason;
using core::Item;
using core::Result;
using core::ValidationError;

constexpr size_t kMaxTransactStatements = 100;

struct TxMember {
  StatementRequest request;
  std::shared_ptr<const partiql::Statement> s;
  core::ValueMap values;
  std::shared_ptr<const storage::TableDef> table;
};

struct TxRequest {
  std::optional<std::string_view> token, capacity;
  std::vector<TxMember> members;
};

Result<TxRequest> ReadTxRequest(const JsonValue& req) {
  TxRequest r;
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* statements, GetArray(req, "TransactStatements"));
  DYNAMO_ASSIGN_OR_RETURN(r.token, GetString(req, "ClientRequestToken"));
  DYNAMO_ASSIGN_OR_RETURN(r.capacity, GetString(req, "ReturnConsumedCapacity"));
  ConstraintErrors errors;
  if (!statements) {
    errors.NotNull("transactStatements");
  } else if (statements->Empty()) {
    errors.Add(std::string("[]"), "transactStatements",
               "Member must have length greater than or equal to 1");
  } else if (statements->Size() > kMaxTransactStatements) {
    errors.Add("[" + std::to_string(statements->Size()) + " items]", "transactStatements",
               "Member must have length less than or equal to 100");
  }
  if (r.token) errors.CheckLength(*r.token, "clientRequestToken", 1, 36);
  CheckCapacityEnum(r.capacity, errors);
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());
  for (const JsonValue& m : statements->GetArray()) {
    if (!m.IsObject()) return core::Error{core::ErrorCode::kSerialization, ""};
    DYNAMO_ASSIGN_OR_RETURN(StatementRequest one, ReadStatementRequest(m));
    r.members.push_back(TxMember{std::move(one), nullptr, {}, nullptr});
  }
  return r;
}

// A statement's validation error, named by its index.
core::Error MemberError(size_t i, core::Error e) {
  if (e.code != core::ErrorCode::kValidation) return e;
  return ValidationError("Validation failed in TransactStatements[" + std::to_string(i) +
                         "]: " + e.message);
}

// Parses and binds every statement; whether they are reads.
Result<bool> PrepareMembers(OpContext& ctx, std::vector<TxMember>& members) {
  for (TxMember& m : members) {
    DYNAMO_ASSIGN_OR_RETURN(m.s, ParseStatement(ctx, m.request.statement));
  }
  size_t reads = 0;
  for (size_t i = 0; i < members.size(); ++i) {
    if (members[i].s->returning != partiql::Returning::kNone) {
      return MemberError(
          i, ValidationError("RETURNING clause is not supported in ExecuteTransaction."));
    }
    if (members[i].s->kind == partiql::Statement::Kind::kSelect) ++reads;
  }
  if (reads != 0 && reads != members.size()) {
    return ValidationError(
        "ExecuteTransaction API does not support both read and write operations in the same "
        "request.");
  }
  for (size_t i = 0; i < members.size(); ++i) {
    auto values = partiql::BindLiterals(*members[i].s, members[i].request.parameters);
    if (!values.ok()) return MemberError(i, std::move(values).error());
    members[i].values = std::move(values).value();
  }
  for (TxMember& m : members) {
    m.table = ctx.ns->db->FindTable(m.s->table);
    if (!m.table) return core::ResourceNotFound();
  }
  return reads != 0;
}

std::string TransactionResponse(const std::vector<std::optional<Item>>* items, CapacityMode mode,
                                const std::vector<Consumed>& consumed) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("Responses");
  w.StartArray();
  for (size_t i = 0; items && i < items->size(); ++i) {
    w.StartObject();
    if ((*items)[i] && !(*items)[i]->empty()) {
      w.Key("Item");
      WriteAttributeMap(*(*items)[i], w);
    }
    w.EndObject();
  }
  w.EndArray();
  WriteConsumedCapacityList(w, mode, consumed);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

// ---- Writes ----

struct PreparedWrites {
  std::vector<std::unique_ptr<PreparedWrite>> writes;
  std::vector<std::string> lock_keys;
  std::vector<size_t> key_action;
};

Result<PreparedWrites> PrepareWrites(TxRequest& r) {
  PreparedWrites out;
  for (size_t i = 0; i < r.members.size(); ++i) {
    TxMember& m = r.members[i];
    auto p = PrepareWrite(*m.s, std::move(m.values), m.table, /*defer_key_errors=*/true);
    if (!p.ok()) return MemberError(i, std::move(p).error());
    if ((*p)->key) {
      out.lock_keys.push_back(storage::ItemLockKey(m.table->id, *(*p)->key));
      out.key_action.push_back(i);
    }
    out.writes.push_back(std::move(p).value());
  }
  DYNAMO_RETURN_IF_ERROR(CheckDistinctItems(out.lock_keys));
  return out;
}

// A replay reports what reading the statements' items back costs now, as
// TransactWriteItems' replay does.
Result<std::string> ReplayWrites(OpContext& ctx, const TxRequest& r, const PreparedWrites& p) {
  const CapacityMode mode = ParseCapacityMode(r.capacity);
  CapacityTally tally;
  if (mode != CapacityMode::kNone) {
    DYNAMO_RETURN_IF_ERROR(ctx.ns->db->Read([&](storage::ReadTxn& txn) -> core::Status {
      for (const auto& w : p.writes) {
        if (!w->key) continue;
        DYNAMO_ASSIGN_OR_RETURN(std::optional<Item> item, txn.Get(w->table->id, *w->key));
        const size_t size = item ? core::ItemSize(*item) : 0;
        tally.Add(*w->table, kTransactionFactor * ReadUnits(size, /*consistent=*/true));
      }
      return core::Status::Ok();
    }));
  }
  return TransactionResponse(nullptr, mode, tally.List(Consumed::Kind::kTransactionRead));
}

// Every condition checked, then every write applied, in one batch of the
// write path; the units consumed per table.
Result<CapacityTally> ApplyWrites(OpContext& ctx, const TxRequest& r, PreparedWrites& p,
                                  uint64_t owner) {
  std::vector<storage::Mutation> batch;
  batch.reserve(p.writes.size());
  for (size_t i = 0; i < p.writes.size(); ++i) {
    batch.push_back(WriteMutation(*p.writes[i], r.members[i].request.return_old_on_failure()));
  }
  DYNAMO_ASSIGN_OR_RETURN(storage::BatchResult applied,
                          ctx.ns->db->Apply(std::move(batch), ctx.ApplyOptions(owner)));
  if (!applied.committed) {
    std::vector<CancellationReason> reasons(p.writes.size(), NoneReason());
    for (const auto& f : applied.failures) {
      const bool duplicate = r.members[f.index].s->kind == partiql::Statement::Kind::kInsert &&
                             f.error.code == core::ErrorCode::kConditionalCheckFailed;
      reasons[f.index] =
          duplicate ? CancellationReason{"DuplicateItem", DuplicateItem().message, std::nullopt}
                    : ReasonFor(f.error);
    }
    return TransactionCancelled(std::move(reasons));
  }
  CapacityTally tally;
  for (size_t i = 0; i < p.writes.size(); ++i) {
    const storage::MutationResult& m = applied.results[i];
    tally.Add(*p.writes[i]->table, WriteUnits(std::max(m.old_size, m.new_size)), &m.index_writes,
              kTransactionFactor);
  }
  return tally;
}

Result<std::string> WriteTransaction(OpContext& ctx, const JsonValue& req, TxRequest& r) {
  DYNAMO_ASSIGN_OR_RETURN(PreparedWrites p, PrepareWrites(r));
  TokenFinisher finisher{ctx, std::nullopt};
  if (r.token) {
    DYNAMO_ASSIGN_OR_RETURN(const bool replay, BeginToken(ctx, req, *r.token));
    if (replay) return ReplayWrites(ctx, r, p);
    finisher.token = r.token;
    // Its writes commit before the token is marked done (group commit
    // would commit them after): a retry must never replay a write that is
    // not durable, or one that was rolled back.
    ctx.deferred_commit = nullptr;
  }
  DYNAMO_ASSIGN_OR_RETURN(
      std::unique_ptr<storage::ItemLockGuard> guard,
      LockTransactionItems(ctx, "ExecuteTransaction", p.writes.size(), p.lock_keys, p.key_action));
  HoldTransaction(ctx);
  DYNAMO_ASSIGN_OR_RETURN(CapacityTally tally, ApplyWrites(ctx, r, p, guard->owner()));
  finisher.success = true;
  return TransactionResponse(nullptr, ParseCapacityMode(r.capacity),
                             tally.List(Consumed::Kind::kTransactionWrite));
}

// ---- Reads ----

struct KeyedRead {
  std::optional<storage::EncodedKey> key;
  std::optional<std::string> key_error;
  std::optional<std::vector<expr::Path>> projection;
};

Result<KeyedRead> PrepareRead(const TxMember& m) {
  const partiql::Statement& s = *m.s;
  if (s.index) return ValidationError("Reads on indices are not supported within transactions.");
  if (s.projection_error) return ValidationError(*s.projection_error);
  auto where =
      s.where ? SplitKey(*s.where, m.values, m.table->key) : Result<KeyedWhere>(core::Error{});
  if (!where.ok() || !where->rest.empty()) {
    return ValidationError(
        "Select statements within ExecuteTransaction must specify the primary key in the where "
        "clause.");
  }
  KeyedRead read;
  const expr::Bindings bindings{nullptr, &m.values};
  if (!s.select_all) {
    DYNAMO_ASSIGN_OR_RETURN(read.projection, Projection(s, bindings));
  }
  core::Status types = CheckKeyTypes(*m.table, where->key);
  auto key = types.ok() ? KeyFromKeyMap(*m.table, where->key, "")
                        : Result<storage::EncodedKey>(std::move(types).error());
  if (key.ok()) {
    read.key = std::move(key).value();
  } else {
    read.key_error = std::move(key).error().message;
  }
  return read;
}

Result<std::string> ReadTransaction(OpContext& ctx, const TxRequest& r) {
  std::vector<KeyedRead> reads;
  std::vector<std::string> lock_keys;
  for (size_t i = 0; i < r.members.size(); ++i) {
    auto read = PrepareRead(r.members[i]);
    if (!read.ok()) return MemberError(i, std::move(read).error());
    if (read->key) lock_keys.push_back(storage::ItemLockKey(r.members[i].table->id, *read->key));
    reads.push_back(std::move(read).value());
  }
  DYNAMO_RETURN_IF_ERROR(CheckDistinctItems(lock_keys));
  std::vector<TransactionRead> checks(reads.size());
  for (size_t i = 0, locked = 0; i < reads.size(); ++i) {
    if (reads[i].key_error) {
      checks[i].key_error = &reads[i].key_error;
    } else {
      checks[i].lock_key = std::move(lock_keys[locked++]);
    }
  }
  DYNAMO_RETURN_IF_ERROR(CheckTransactionReads(ctx, checks));
  std::vector<std::optional<Item>> found(reads.size());
  DYNAMO_RETURN_IF_ERROR(ctx.ns->db->Read([&](storage::ReadTxn& txn) -> core::Status {
    for (size_t i = 0; i < reads.size(); ++i) {
      DYNAMO_ASSIGN_OR_RETURN(found[i], txn.Get(r.members[i].table->id, *reads[i].key));
    }
    return core::Status::Ok();
  }));
  CapacityTally tally;
  for (size_t i = 0; i < reads.size(); ++i) {
    const size_t size = found[i] ? core::ItemSize(*found[i]) : 0;
    tally.Add(*r.members[i].table, kTransactionFactor * ReadUnits(size, /*consistent=*/true));
    if (found[i] && reads[i].projection) found[i] = Project(*found[i], *reads[i].projection);
  }
  return TransactionResponse(&found, ParseCapacityMode(r.capacity),
                             tally.List(Consumed::Kind::kTransactionRead));
}

}  // namespace
}  // namespace pql

core::Result<std::string> ExecuteTransaction(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(pql::TxRequest r, pql::ReadTxRequest(req));
  DYNAMO_ASSIGN_OR_RETURN(const bool reads, pql::PrepareMembers(ctx, r.members));
  if (reads) return pql::ReadTransaction(ctx, r);
  return pql::WriteTransaction(ctx, req, r);
}

}  // namespace dynamo::server
