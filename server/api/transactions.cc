// TransactWriteItems and TransactGetItems: all-or-nothing writes with
// DynamoDB's cancellation reasons, item locks held while a transaction is in
// flight (conflicts are reported, never waited on), idempotency tokens, and
// snapshot reads.
//
// TransactWriteItems runs in DynamoDB's two phases: lock every item (all or
// none; storage/item_locks.h), then apply every action as one batch of the
// write path, which evaluates every condition before it writes anything.

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "core/error_details.h"
#include "core/messages.h"
#include "expr/projection.h"
#include "server/api/capacity.h"
#include "server/api/expressions.h"
#include "server/api/fields.h"
#include "server/api/keys.h"
#include "server/api/mutations.h"
#include "server/api/operations.h"
#include "server/api/transact.h"
#include "server/api/values_json.h"
#include "storage/database.h"
#include "storage/index.h"

namespace dynamo::server {

using core::CancellationReason;
using core::Error;
using core::ErrorCode;
using core::Item;
using core::ValidationError;

namespace {

constexpr size_t kMaxTransactItems = 100;
constexpr size_t kMaxTransactRequestBytes = 4 * 1024 * 1024;

std::string_view Str(const JsonValue& v) { return {v.GetString(), v.GetStringLength()}; }

// JSON with object keys sorted, so two requests that mean the same compare equal.
void Canonical(const JsonValue& v, std::string* out) {
  if (v.IsObject()) {
    std::vector<const JsonValue::Member*> members;
    for (const auto& m : v.GetObject()) members.push_back(&m);
    std::sort(members.begin(), members.end(),
              [](const auto* a, const auto* b) { return Str(a->name) < Str(b->name); });
    out->push_back('{');
    for (size_t i = 0; i < members.size(); ++i) {
      if (i) out->push_back(',');
      Canonical(members[i]->name, out);
      out->push_back(':');
      Canonical(members[i]->value, out);
    }
    out->push_back('}');
  } else if (v.IsArray()) {
    out->push_back('[');
    bool first = true;
    for (const auto& e : v.GetArray()) {
      if (!first) out->push_back(',');
      first = false;
      Canonical(e, out);
    }
    out->push_back(']');
  } else {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    v.Accept(w);
    out->append(buf.GetString(), buf.GetSize());
  }
}

// TransactItems: present, 1..100 elements.
void CheckTransactItemsLength(const JsonValue* items, size_t count, ConstraintErrors& errors) {
  if (!items) {
    errors.NotNull("transactItems");
  } else if (count == 0) {
    errors.Add("[]", "transactItems", "Member must have length greater than or equal to 1");
  } else if (count > kMaxTransactItems) {
    errors.Add("[" + std::to_string(count) + " items]", "transactItems",
               "Member must have length less than or equal to 100");
  }
}

// ---- TransactWriteItems ----

enum class ActionKind { kConditionCheck, kPut, kDelete, kUpdate };

constexpr ActionKind kActionKinds[] = {ActionKind::kConditionCheck, ActionKind::kPut,
                                       ActionKind::kDelete, ActionKind::kUpdate};

// The member name of an action, and its path in constraint messages.
struct ActionNames {
  const char* member;
  const char* path;
};

ActionNames NamesOf(ActionKind k) {
  static constexpr ActionNames kNames[] = {{"ConditionCheck", "conditionCheck"},
                                           {"Put", "put"},
                                           {"Delete", "delete"},
                                           {"Update", "update"}};
  return kNames[static_cast<size_t>(k)];
}

ItemOp ExpressionOp(ActionKind k) {
  return k == ActionKind::kUpdate ? ItemOp::kUpdate : ItemOp::kPut;
}

struct Action {
  ActionKind kind = ActionKind::kPut;
  const JsonValue* spec = nullptr;
  std::optional<std::string_view> table_name;
  const JsonValue* key_json = nullptr;   // ConditionCheck/Delete/Update
  const JsonValue* item_json = nullptr;  // Put
  std::optional<std::string_view> on_failure;
  RawExpressionParams raw;
  // Prepared:
  std::string table;
  std::shared_ptr<const storage::TableDef> info;
  ItemExpressions e;
  Item value;  // the Put item, or the Key
  std::optional<storage::EncodedKey> key;
  std::optional<std::string> key_error;  // a ValidationError found for this action
};

struct TransactWriteRequest {
  const JsonValue* items = nullptr;
  std::optional<std::string_view> token, capacity, metrics;
  std::vector<Action> actions;
};

Result<Action> ReadAction(const JsonValue& element) {
  DYNAMO_RETURN_IF_ERROR(
      CheckObjectValue(element, "class com.amazonaws.dynamodb.v20120810.TransactWriteItem"));
  int kinds = 0;
  Action a;
  for (ActionKind k : kActionKinds) {
    DYNAMO_ASSIGN_OR_RETURN(const JsonValue* spec,
                            GetObject(element, NamesOf(k).member,
                                      "class com.amazonaws.dynamodb.v20120810.TransactWriteItem"));
    if (!spec) continue;
    ++kinds;
    a.kind = k;
    a.spec = spec;
  }
  if (kinds != 1) {
    return ValidationError("TransactItems can only contain one of Check, Put, Update or Delete");
  }
  DYNAMO_ASSIGN_OR_RETURN(a.table_name, GetString(*a.spec, "TableName"));
  DYNAMO_ASSIGN_OR_RETURN(a.on_failure, GetString(*a.spec, "ReturnValuesOnConditionCheckFailure"));
  if (a.kind == ActionKind::kPut) {
    DYNAMO_ASSIGN_OR_RETURN(a.item_json, GetObject(*a.spec, "Item", kAttributeValueMap));
    if (a.item_json) DYNAMO_RETURN_IF_ERROR(CheckAttributeMapTypes(*a.item_json));
  } else {
    DYNAMO_ASSIGN_OR_RETURN(a.key_json, GetObject(*a.spec, "Key", kAttributeValueMap));
    if (a.key_json) DYNAMO_RETURN_IF_ERROR(CheckAttributeMapTypes(*a.key_json));
  }
  DYNAMO_ASSIGN_OR_RETURN(a.raw, ReadExpressionParams(*a.spec, ExpressionOp(a.kind)));
  return a;
}

Result<TransactWriteRequest> ReadTransactWriteRequest(const JsonValue& req) {
  TransactWriteRequest r;
  DYNAMO_ASSIGN_OR_RETURN(r.items, GetArray(req, "TransactItems"));
  DYNAMO_ASSIGN_OR_RETURN(r.token, GetString(req, "ClientRequestToken"));
  DYNAMO_ASSIGN_OR_RETURN(r.capacity, GetString(req, "ReturnConsumedCapacity"));
  DYNAMO_ASSIGN_OR_RETURN(r.metrics, GetString(req, "ReturnItemCollectionMetrics"));
  if (!r.items) return r;
  for (const auto& element : r.items->GetArray()) {
    DYNAMO_ASSIGN_OR_RETURN(Action a, ReadAction(element));
    r.actions.push_back(std::move(a));
  }
  return r;
}

// Shape constraints, collected into one message.
core::Status CheckTransactWriteConstraints(TransactWriteRequest& r) {
  ConstraintErrors errors;
  CheckTransactItemsLength(r.items, r.actions.size(), errors);
  if (r.token) errors.CheckLength(*r.token, "clientRequestToken", 1, 36);
  CheckCapacityEnum(r.capacity, errors);
  if (r.metrics) errors.CheckEnum(*r.metrics, "returnItemCollectionMetrics", {"SIZE", "NONE"});
  for (size_t i = 0; i < r.actions.size(); ++i) {
    Action& a = r.actions[i];
    std::string path = "transactItems." + std::to_string(i + 1) + ".member." + NamesOf(a.kind).path;
    if (!a.table_name) {
      errors.NotNull(path + ".tableName");
    } else {
      a.table = ResolveTableName(*a.table_name, errors, path + ".tableName");
    }
    if (a.kind == ActionKind::kPut && !a.item_json) errors.NotNull(path + ".item");
    if (a.kind != ActionKind::kPut && !a.key_json) errors.NotNull(path + ".key");
    if (a.kind == ActionKind::kUpdate && !a.raw.update_expression) {
      errors.NotNull(path + ".updateExpression");
    }
    if (a.kind == ActionKind::kConditionCheck && !a.raw.condition_expression) {
      errors.NotNull(path + ".conditionExpression");
    }
    if (a.on_failure) {
      errors.CheckEnum(*a.on_failure, path + ".returnValuesOnConditionCheckFailure",
                       {"ALL_OLD", "NONE"});
    }
  }
  return errors.ToStatus();
}

core::Status CheckRequestSize(const JsonValue& req) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  req.Accept(w);
  if (buf.GetSize() > kMaxTransactRequestBytes) {
    return ValidationError("Transaction request size cannot exceed 4194304 bytes; request size: " +
                           std::to_string(buf.GetSize()));
  }
  return core::Status::Ok();
}

// Expressions and values of every action (request-wide errors), one action
// at a time. A Put's item is read before its expressions; a keyed action's
// expressions before its key (a Delete's condition syntax error or size
// comes before a key nested too deep, recorded 2026).
core::Status BuildActionExpressions(OpContext& ctx, std::vector<Action>& actions) {
  for (Action& a : actions) {
    DYNAMO_RETURN_IF_ERROR(CheckExpressionUsage(a.raw, ExpressionOp(a.kind)));
    if (a.kind == ActionKind::kPut) {
      DYNAMO_RETURN_IF_ERROR(CheckItemAttributeNames(*a.item_json));
      DYNAMO_ASSIGN_OR_RETURN(a.value, DecodeAttributeMap(*a.item_json));
      if (core::ItemSize(a.value) > core::kMaxItemSize) return core::ItemTooLarge();
    }
    DYNAMO_ASSIGN_OR_RETURN(a.e,
                            BuildExpressions(ctx.api->expressions(), a.raw, ExpressionOp(a.kind)));
    if (a.kind != ActionKind::kPut) {
      DYNAMO_ASSIGN_OR_RETURN(a.value, DecodeAttributeMap(*a.key_json));
    }
  }
  return core::Status::Ok();
}

// The table and key of one action. Empty key values fail the whole request
// (in PutItem's wording for every kind of action, recorded); other key
// errors become the action's ValidationError reason.
core::Status PrepareActionKey(OpContext& ctx, Action& a) {
  a.info = ctx.ns->db->FindTable(a.table);
  if (!a.info) return core::ResourceNotFound();
  KeyErrorKind kind;
  auto key = a.kind == ActionKind::kPut
                 ? KeyFromItem(*a.info, a.value, &kind)
                 : KeyFromKeyMap(*a.info, a.value, core::kNotValidParameters, &kind);
  if (!key.ok()) {
    if (kind == KeyErrorKind::kEmptyValue) return std::move(key).error();
    a.key_error = key.error().message;
    return core::Status::Ok();
  }
  a.key = std::move(key).value();
  if (a.kind == ActionKind::kPut) {
    if (auto violation = storage::FindIndexKeyViolation(*a.info, a.value)) {
      if (violation->kind != storage::IndexKeyViolation::Kind::kTypeMismatch) {
        return std::move(violation->error);
      }
      a.key_error = violation->error.message;
    }
  }
  if (a.kind == ActionKind::kUpdate) DYNAMO_RETURN_IF_ERROR(CheckUpdateAgainstTable(*a.info, a.e));
  return core::Status::Ok();
}

// The same item twice among the actions of TransactWriteItems or the gets of
// TransactGetItems (those whose key is valid): one message for both.
template <typename ActionOrGet>
core::Status CheckOneActionPerItem(const std::vector<ActionOrGet>& actions) {
  std::vector<std::string> keys;
  for (const ActionOrGet& a : actions) {
    if (a.key) keys.push_back(storage::ItemLockKey(a.info->id, *a.key));
  }
  return CheckDistinctItems(keys);
}

// The action as a mutation; takes the action's key and Put item.
storage::Mutation ActionMutation(Action& a) {
  if (a.key_error) return storage::Mutation::Invalid(ValidationError(*a.key_error));
  const bool return_old = a.on_failure && *a.on_failure == "ALL_OLD";
  WriteTarget target{a.info, std::move(*a.key), &a.e, return_old};
  switch (a.kind) {
    case ActionKind::kPut:
      return PutMutation(std::move(target), std::move(a.value), /*needs_old=*/true);
    case ActionKind::kUpdate:
      return UpdateMutation(std::move(target), a.value);
    case ActionKind::kDelete:
      return DeleteMutation(std::move(target));
    case ActionKind::kConditionCheck:
      break;
  }
  return ConditionCheckMutation(std::move(target));
}

// Phase one: every item locked (all or none); a held item is a conflict.
Result<std::unique_ptr<storage::ItemLockGuard>> LockActionItems(
    OpContext& ctx, const std::vector<Action>& actions) {
  std::vector<std::string> lock_keys;
  std::vector<size_t> lock_action;
  for (size_t i = 0; i < actions.size(); ++i) {
    if (!actions[i].key) continue;
    lock_keys.push_back(storage::ItemLockKey(actions[i].info->id, *actions[i].key));
    lock_action.push_back(i);
  }
  return LockTransactionItems(ctx, "TransactWriteItems", actions.size(), std::move(lock_keys),
                              lock_action);
}

// Phase two: every condition checked, then every write applied, in one
// batch of the write path. Returns the units consumed per table.
Result<CapacityTally> ApplyActions(OpContext& ctx, std::vector<Action>& actions, uint64_t owner) {
  std::vector<storage::Mutation> batch;
  batch.reserve(actions.size());
  for (Action& a : actions) batch.push_back(ActionMutation(a));
  DYNAMO_ASSIGN_OR_RETURN(storage::BatchResult applied,
                          ctx.ns->db->Apply(std::move(batch), ctx.ApplyOptions(owner)));
  if (!applied.committed) {
    std::vector<CancellationReason> reasons(actions.size(), NoneReason());
    for (const auto& f : applied.failures) reasons[f.index] = ReasonFor(f.error);
    return TransactionCancelled(std::move(reasons));
  }
  CapacityTally tally;
  for (size_t i = 0; i < actions.size(); ++i) {
    const storage::MutationResult& r = applied.results[i];
    // Transactions cost twice the units of the equivalent plain operation;
    // a ConditionCheck is billed as a write too.
    tally.Add(*actions[i].info, WriteUnits(std::max(r.old_size, r.new_size)), &r.index_writes,
              kTransactionFactor);
  }
  return tally;
}

std::string TransactWriteResponse(CapacityMode mode, const std::vector<Consumed>& consumed) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  WriteConsumedCapacityList(w, mode, consumed);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

// A replay reports what reading the transaction's items back costs now: a
// transactional read of each item as stored, not the first call's write
// units (recorded from DynamoDB: a 1.5 KB Put reports 4 write units, its
// replay 2 read units).
Result<std::string> ReplayResponse(OpContext& ctx, const TransactWriteRequest& r) {
  const CapacityMode mode = ParseCapacityMode(r.capacity);
  CapacityTally tally;
  if (mode != CapacityMode::kNone) {
    DYNAMO_RETURN_IF_ERROR(ctx.ns->db->Read([&](storage::ReadTxn& txn) -> core::Status {
      for (const Action& a : r.actions) {
        if (!a.key) continue;
        DYNAMO_ASSIGN_OR_RETURN(std::optional<Item> item, txn.Get(a.info->id, *a.key));
        const size_t size = item ? core::ItemSize(*item) : 0;
        tally.Add(*a.info, kTransactionFactor * ReadUnits(size, /*consistent=*/true));
      }
      return core::Status::Ok();
    }));
  }
  return TransactWriteResponse(mode, tally.List(Consumed::Kind::kTransactionRead));
}

// ---- TransactGetItems ----

struct GetAction {
  std::optional<std::string_view> table_name;
  const JsonValue* key_json = nullptr;
  RawExpressionParams raw;
  std::string table;
  std::shared_ptr<const storage::TableDef> info;
  ItemExpressions e;
  Item key_item;
  std::optional<storage::EncodedKey> key;
  std::optional<std::string> key_error;
};

struct TransactGetRequest {
  const JsonValue* items = nullptr;
  std::optional<std::string_view> capacity;
  std::vector<GetAction> gets;
};

Result<TransactGetRequest> ReadTransactGetRequest(const JsonValue& req) {
  TransactGetRequest r;
  DYNAMO_ASSIGN_OR_RETURN(r.items, GetArray(req, "TransactItems"));
  DYNAMO_ASSIGN_OR_RETURN(r.capacity, GetString(req, "ReturnConsumedCapacity"));
  if (!r.items) return r;
  for (const auto& element : r.items->GetArray()) {
    DYNAMO_RETURN_IF_ERROR(
        CheckObjectValue(element, "class com.amazonaws.dynamodb.v20120810.TransactGetItem"));
    DYNAMO_ASSIGN_OR_RETURN(
        const JsonValue* get,
        GetObject(element, "Get", "class com.amazonaws.dynamodb.v20120810.Get"));
    GetAction g;
    if (get) {
      DYNAMO_ASSIGN_OR_RETURN(g.table_name, GetString(*get, "TableName"));
      DYNAMO_ASSIGN_OR_RETURN(g.key_json, GetObject(*get, "Key", kAttributeValueMap));
      if (g.key_json) DYNAMO_RETURN_IF_ERROR(CheckAttributeMapTypes(*g.key_json));
      DYNAMO_ASSIGN_OR_RETURN(g.raw, ReadExpressionParams(*get, ItemOp::kGet));
    }
    r.gets.push_back(std::move(g));
  }
  return r;
}

core::Status CheckTransactGetConstraints(TransactGetRequest& r) {
  ConstraintErrors errors;
  CheckTransactItemsLength(r.items, r.gets.size(), errors);
  CheckCapacityEnum(r.capacity, errors);
  for (size_t i = 0; i < r.gets.size(); ++i) {
    std::string path = "transactItems." + std::to_string(i + 1) + ".member.get";
    if (!r.gets[i].table_name) {
      errors.NotNull(path + ".tableName");
    } else {
      r.gets[i].table = ResolveTableName(*r.gets[i].table_name, errors, path + ".tableName");
    }
    if (!r.gets[i].key_json) errors.NotNull(path + ".key");
  }
  return errors.ToStatus();
}

core::Status PrepareGets(OpContext& ctx, std::vector<GetAction>& gets) {
  for (auto& g : gets) {
    DYNAMO_RETURN_IF_ERROR(CheckExpressionUsage(g.raw, ItemOp::kGet));
    DYNAMO_ASSIGN_OR_RETURN(g.key_item, DecodeAttributeMap(*g.key_json));
    DYNAMO_ASSIGN_OR_RETURN(g.e, BuildExpressions(ctx.api->expressions(), g.raw, ItemOp::kGet));
  }
  for (auto& g : gets) {
    g.info = ctx.ns->db->FindTable(g.table);
    if (!g.info) return core::ResourceNotFound();
    auto key = KeyFromKeyMap(*g.info, g.key_item, core::kInvalidParameters);
    if (key.ok()) {
      g.key = std::move(key).value();
    } else {
      g.key_error = key.error().message;
    }
  }
  return core::Status::Ok();
}

// A key error stops at its Get; reading an item that an in-flight write
// transaction holds is a conflict.
core::Status CheckGetsCanRun(OpContext& ctx, const std::vector<GetAction>& gets) {
  std::vector<TransactionRead> reads(gets.size());
  for (size_t i = 0; i < gets.size(); ++i) {
    if (gets[i].key_error) {
      reads[i].key_error = &gets[i].key_error;
    } else {
      reads[i].lock_key = storage::ItemLockKey(gets[i].info->id, *gets[i].key);
    }
  }
  return CheckTransactionReads(ctx, reads);
}

std::string TransactGetResponse(const TransactGetRequest& r,
                                const std::vector<std::optional<Item>>& found) {
  CapacityTally tally;
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("Responses");
  w.StartArray();
  for (size_t i = 0; i < r.gets.size(); ++i) {
    const GetAction& g = r.gets[i];
    const size_t size = found[i] ? core::ItemSize(*found[i]) : 0;
    tally.Add(*g.info, kTransactionFactor * ReadUnits(size, /*consistent=*/true));
    w.StartObject();
    if (found[i]) {
      // A projection that selects nothing of a present item leaves no Item
      // at all, as for a missing item (recorded from DynamoDB). Without a
      // projection the item is written as read, uncopied.
      std::optional<Item> projected;
      if (g.e.projection) projected = expr::ApplyProjection(*found[i], *g.e.projection);
      const Item& item = projected ? *projected : *found[i];
      if (!item.empty()) {
        w.Key("Item");
        WriteAttributeMap(item, w);
      }
    }
    w.EndObject();
  }
  w.EndArray();
  WriteConsumedCapacityList(w, ParseCapacityMode(r.capacity),
                            tally.List(Consumed::Kind::kTransactionRead));
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace

Error TransactionCancelled(std::vector<CancellationReason> reasons) {
  std::string codes;
  for (size_t i = 0; i < reasons.size(); ++i) codes += (i ? ", " : "") + reasons[i].code;
  Error e{ErrorCode::kTransactionCanceled,
          "Transaction cancelled, please refer cancellation reasons for specific reasons [" +
              codes + "]"};
  auto d = std::make_shared<core::ErrorDetails>();
  d->cancellation_reasons = std::move(reasons);
  e.details = std::move(d);
  return e;
}

CancellationReason NoneReason() { return CancellationReason{"None", std::nullopt, std::nullopt}; }
CancellationReason ConflictReason() {
  return CancellationReason{"TransactionConflict", "Transaction is ongoing for the item.",
                            std::nullopt};
}
CancellationReason ValidationReason(std::string message) {
  return CancellationReason{"ValidationError", std::move(message), std::nullopt};
}

CancellationReason ReasonFor(const Error& error) {
  if (error.code != ErrorCode::kConditionalCheckFailed) return ValidationReason(error.message);
  CancellationReason r{"ConditionalCheckFailed", "The conditional request failed", std::nullopt};
  if (error.details && error.details->item) r.item = error.details->item;
  return r;
}

core::Status CheckTransactionReads(OpContext& ctx, const std::vector<TransactionRead>& reads) {
  std::vector<CancellationReason> reasons(reads.size(), NoneReason());
  bool cancelled = false;
  for (size_t i = 0; i < reads.size(); ++i) {
    if (reads[i].key_error && *reads[i].key_error) {
      reasons[i] = ValidationReason(**reads[i].key_error);
      cancelled = true;
      break;
    }
    if (ctx.ns->db->locks().IsLocked(reads[i].lock_key)) {
      reasons[i] = ConflictReason();
      cancelled = true;
    }
  }
  if (cancelled) return TransactionCancelled(std::move(reasons));
  return core::Status::Ok();
}

core::Status CheckDistinctItems(const std::vector<std::string>& lock_keys) {
  std::set<std::string_view> seen;
  for (const std::string& k : lock_keys) {
    if (!seen.insert(k).second) {
      return ValidationError("Transaction request cannot include multiple operations on one item");
    }
  }
  return core::Status::Ok();
}

Result<std::unique_ptr<storage::ItemLockGuard>> LockTransactionItems(
    OpContext& ctx, const char* operation, size_t action_count, std::vector<std::string> lock_keys,
    const std::vector<size_t>& key_action) {
  storage::ItemLocks& locks = ctx.ns->db->locks();
  const uint64_t owner = locks.NewOwner();
  std::vector<size_t> conflicts = locks.TryLockAll(lock_keys, owner, operation);
  if (!conflicts.empty()) {
    std::vector<CancellationReason> reasons(action_count, NoneReason());
    for (size_t c : conflicts) reasons[key_action[c]] = ConflictReason();
    return TransactionCancelled(std::move(reasons));
  }
  return std::make_unique<storage::ItemLockGuard>(&locks, std::move(lock_keys), owner);
}

void HoldTransaction(OpContext& ctx) {
  if (ctx.api->options().transaction_hold_ms > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ctx.api->options().transaction_hold_ms));
  }
}

TokenFinisher::~TokenFinisher() {
  if (token) ctx.ns->tokens->Finish(std::string(*token), success, ctx.api->Now());
}

Result<bool> BeginToken(OpContext& ctx, const JsonValue& req, std::string_view token) {
  std::string canonical;
  Canonical(req, &canonical);
  switch (ctx.ns->tokens->Begin(std::string(token), canonical, ctx.api->Now())) {
    case IdempotencyTokens::Outcome::kReplay:
      return true;
    case IdempotencyTokens::Outcome::kMismatch:
      return Error{ErrorCode::kIdempotentParameterMismatch,
                   "Transaction with the same ClientRequestToken but different parameters has "
                   "already been submitted"};
    case IdempotencyTokens::Outcome::kInProgress:
      return Error{ErrorCode::kTransactionInProgress,
                   "Transaction from previous request is still in progress"};
    case IdempotencyTokens::Outcome::kNew:
      break;
  }
  return false;
}

Result<std::string> TransactWriteItems(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(TransactWriteRequest r, ReadTransactWriteRequest(req));
  DYNAMO_RETURN_IF_ERROR(CheckTransactWriteConstraints(r));
  DYNAMO_RETURN_IF_ERROR(CheckRequestSize(req));
  DYNAMO_RETURN_IF_ERROR(BuildActionExpressions(ctx, r.actions));
  for (Action& a : r.actions) DYNAMO_RETURN_IF_ERROR(PrepareActionKey(ctx, a));
  DYNAMO_RETURN_IF_ERROR(CheckOneActionPerItem(r.actions));

  TokenFinisher finisher{ctx, std::nullopt};
  if (r.token) {
    DYNAMO_ASSIGN_OR_RETURN(const bool replay, BeginToken(ctx, req, *r.token));
    if (replay) return ReplayResponse(ctx, r);
    finisher.token = r.token;
    // Its writes commit before the token is marked done (group commit
    // would commit them after): a retry must never replay a write that is
    // not durable, or one that was rolled back.
    ctx.deferred_commit = nullptr;
  }
  DYNAMO_ASSIGN_OR_RETURN(std::unique_ptr<storage::ItemLockGuard> guard,
                          LockActionItems(ctx, r.actions));
  HoldTransaction(ctx);
  DYNAMO_ASSIGN_OR_RETURN(CapacityTally tally, ApplyActions(ctx, r.actions, guard->owner()));
  finisher.success = true;
  return TransactWriteResponse(ParseCapacityMode(r.capacity),
                               tally.List(Consumed::Kind::kTransactionWrite));
}

Result<std::string> TransactGetItems(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(TransactGetRequest r, ReadTransactGetRequest(req));
  DYNAMO_RETURN_IF_ERROR(CheckTransactGetConstraints(r));
  DYNAMO_RETURN_IF_ERROR(PrepareGets(ctx, r.gets));
  DYNAMO_RETURN_IF_ERROR(CheckOneActionPerItem(r.gets));
  DYNAMO_RETURN_IF_ERROR(CheckGetsCanRun(ctx, r.gets));
  std::vector<std::optional<Item>> found(r.gets.size());
  DYNAMO_RETURN_IF_ERROR(ctx.ns->db->Read([&](storage::ReadTxn& txn) -> core::Status {
    for (size_t i = 0; i < r.gets.size(); ++i) {
      DYNAMO_ASSIGN_OR_RETURN(found[i], txn.Get(r.gets[i].info->id, *r.gets[i].key));
    }
    return core::Status::Ok();
  }));
  return TransactGetResponse(r, found);
}

}  // namespace dynamo::server
