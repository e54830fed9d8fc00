// TransactWriteItems and TransactGetItems: all-or-nothing writes with
// DynamoDB's cancellation reasons, item locks held while a transaction is in
// flight (conflicts are reported, never waited on), idempotency tokens, and
// snapshot reads.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>
#include <thread>

#include "core/error_details.h"
#include "expr/evaluator.h"
#include "expr/projection.h"
#include "server/api/expressions.h"
#include "server/api/fields.h"
#include "server/api/keys.h"
#include "server/api/operations.h"
#include "server/api/values_json.h"

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

Error Cancelled(std::vector<CancellationReason> reasons) {
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

enum class ActionKind { kConditionCheck, kPut, kDelete, kUpdate };

struct Action {
  ActionKind kind;
  const JsonValue* spec = nullptr;
  std::optional<std::string_view> table_name;
  const JsonValue* key_json = nullptr;   // ConditionCheck/Delete/Update
  const JsonValue* item_json = nullptr;  // Put
  std::optional<std::string_view> on_failure;
  RawExpressionParams raw;
  // Prepared:
  std::string table;
  std::shared_ptr<const TableInfo> info;
  ItemExpressions e;
  Item value;  // the Put item, or the Key
  std::optional<storage::EncodedKey> key;
  std::optional<std::string> key_error;  // a ValidationError found for this action
};

const char* ActionName(ActionKind k) {
  switch (k) {
    case ActionKind::kConditionCheck:
      return "ConditionCheck";
    case ActionKind::kPut:
      return "Put";
    case ActionKind::kDelete:
      return "Delete";
    case ActionKind::kUpdate:
      return "Update";
  }
  return "?";
}

}  // namespace

Result<std::string> TransactWriteItems(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* items, GetArray(req, "TransactItems"));
  DYNAMO_ASSIGN_OR_RETURN(auto token, GetString(req, "ClientRequestToken"));
  DYNAMO_ASSIGN_OR_RETURN(auto capacity, GetString(req, "ReturnConsumedCapacity"));
  DYNAMO_ASSIGN_OR_RETURN(auto metrics, GetString(req, "ReturnItemCollectionMetrics"));
  std::vector<Action> actions;
  if (items) {
    for (const auto& element : items->GetArray()) {
      DYNAMO_RETURN_IF_ERROR(
          CheckObjectValue(element, "class com.amazonaws.dynamodb.v20120810.TransactWriteItem"));
      int kinds = 0;
      Action a;
      for (ActionKind k : {ActionKind::kConditionCheck, ActionKind::kPut, ActionKind::kDelete,
                           ActionKind::kUpdate}) {
        DYNAMO_ASSIGN_OR_RETURN(
            const JsonValue* spec,
            GetObject(element, ActionName(k),
                      "class com.amazonaws.dynamodb.v20120810.TransactWriteItem"));
        if (!spec) continue;
        ++kinds;
        a.kind = k;
        a.spec = spec;
      }
      if (kinds != 1) {
        return ValidationError(
            "TransactItems can only contain one of Check, Put, Update or Delete");
      }
      DYNAMO_ASSIGN_OR_RETURN(a.table_name, GetString(*a.spec, "TableName"));
      DYNAMO_ASSIGN_OR_RETURN(a.on_failure,
                              GetString(*a.spec, "ReturnValuesOnConditionCheckFailure"));
      if (a.kind == ActionKind::kPut) {
        DYNAMO_ASSIGN_OR_RETURN(a.item_json, GetObject(*a.spec, "Item", kAttributeValueMap));
        if (a.item_json) DYNAMO_RETURN_IF_ERROR(CheckAttributeMapTypes(*a.item_json));
      } else {
        DYNAMO_ASSIGN_OR_RETURN(a.key_json, GetObject(*a.spec, "Key", kAttributeValueMap));
        if (a.key_json) DYNAMO_RETURN_IF_ERROR(CheckAttributeMapTypes(*a.key_json));
      }
      DYNAMO_ASSIGN_OR_RETURN(
          a.raw, ReadExpressionParams(
                     *a.spec, a.kind == ActionKind::kUpdate ? ItemOp::kUpdate : ItemOp::kPut));
      actions.push_back(std::move(a));
    }
  }

  // Shape constraints.
  ConstraintErrors errors;
  CheckTransactItemsLength(items, actions.size(), errors);
  if (token) errors.CheckLength(*token, "clientRequestToken", 1, 36);
  if (capacity) errors.CheckEnum(*capacity, "returnConsumedCapacity", {"INDEXES", "TOTAL", "NONE"});
  if (metrics) errors.CheckEnum(*metrics, "returnItemCollectionMetrics", {"SIZE", "NONE"});
  for (size_t i = 0; i < actions.size(); ++i) {
    Action& a = actions[i];
    std::string path = "transactItems." + std::to_string(i + 1) + ".member." +
                       (a.kind == ActionKind::kConditionCheck ? "conditionCheck"
                        : a.kind == ActionKind::kPut          ? "put"
                        : a.kind == ActionKind::kDelete       ? "delete"
                                                              : "update");
    if (!a.table_name) {
      errors.NotNull(path + ".tableName");
    } else {
      a.table = ResolveTableName(*a.table_name, errors, path + ".tableName");
    }
    if (a.kind == ActionKind::kPut && !a.item_json) errors.NotNull(path + ".item");
    if (a.kind != ActionKind::kPut && !a.key_json) errors.NotNull(path + ".key");
    if (a.kind == ActionKind::kUpdate && !a.raw.update_expression)
      errors.NotNull(path + ".updateExpression");
    if (a.kind == ActionKind::kConditionCheck && !a.raw.condition_expression) {
      errors.NotNull(path + ".conditionExpression");
    }
    if (a.on_failure) {
      errors.CheckEnum(*a.on_failure, path + ".returnValuesOnConditionCheckFailure",
                       {"ALL_OLD", "NONE"});
    }
  }
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());

  // Whole-request checks: request size, expressions, values, tables.
  {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    req.Accept(w);
    if (buf.GetSize() > kMaxTransactRequestBytes) {
      return ValidationError(
          "Transaction request size cannot exceed 4194304 bytes; request size: " +
          std::to_string(buf.GetSize()));
    }
  }
  for (Action& a : actions) {
    DYNAMO_RETURN_IF_ERROR(CheckExpressionUsage(
        a.raw, a.kind == ActionKind::kUpdate ? ItemOp::kUpdate : ItemOp::kPut));
    DYNAMO_ASSIGN_OR_RETURN(
        a.value, DecodeAttributeMap(a.kind == ActionKind::kPut ? *a.item_json : *a.key_json));
    if (a.kind == ActionKind::kPut && core::ItemSize(a.value) > core::kMaxItemSize) {
      return ValidationError("Item size has exceeded the maximum allowed size");
    }
    DYNAMO_ASSIGN_OR_RETURN(
        a.e, BuildExpressions(ctx.api->expressions(), a.raw,
                              a.kind == ActionKind::kUpdate ? ItemOp::kUpdate : ItemOp::kPut));
  }
  for (Action& a : actions) {
    a.info = ctx.ns->Find(a.table);
    if (!a.info) return TableNotFound();
    auto key = a.kind == ActionKind::kPut
                   ? KeyFromItem(*a.info, a.value)
                   : KeyFromKeyMap(*a.info, a.value, "One or more parameter values were invalid: ");
    // Empty key values fail the whole request; other key errors cancel it.
    auto empty_value = [](const std::string& m) {
      return m.find("cannot contain an empty") != std::string::npos;
    };
    if (key.ok()) {
      a.key = std::move(key).value();
      if (a.kind == ActionKind::kPut) {
        core::Status ix = CheckIndexKeys(*a.info, a.value);
        if (!ix.ok()) {
          if (empty_value(ix.error().message)) return std::move(ix).error();
          a.key_error = ix.error().message;
        }
      }
      if (a.kind == ActionKind::kUpdate && a.e.update) {
        for (const auto& path : expr::UpdatedPaths(*a.e.update, a.e.bindings())) {
          const std::string& top = std::get<std::string>(path[0]);
          if (top == a.info->key.hash.name ||
              (a.info->key.range && top == a.info->key.range->name)) {
            return ValidationError(
                "One or more parameter values were invalid: Cannot update attribute " + top +
                ". This attribute is part of the key");
          }
        }
      }
    } else {
      if (empty_value(key.error().message)) return std::move(key).error();
      a.key_error = key.error().message;
    }
  }
  {
    std::set<std::string> seen;
    for (const Action& a : actions) {
      if (!a.key) continue;
      if (!seen.insert(ItemLockKey(a.info->storage_id, a.key->hash, a.key->range)).second) {
        return ValidationError(
            "Transaction request cannot include multiple operations on one item");
      }
    }
  }

  // Idempotency: the same token and the same request replay the first answer.
  std::string canonical;
  if (token) {
    Canonical(req, &canonical);
    auto lookup = ctx.ns->tokens().Begin(std::string(*token), canonical, ctx.api->Now());
    switch (lookup.outcome) {
      case IdempotencyTokens::Outcome::kReplay:
        return lookup.response;
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
  }
  struct TokenFinisher {
    OpContext& ctx;
    std::optional<std::string_view> token;
    bool success = false;
    std::string response;
    ~TokenFinisher() {
      if (token) ctx.ns->tokens().Finish(std::string(*token), success, response, ctx.api->Now());
    }
  } finisher{ctx, token};

  // Phase one: lock every item (all or none; a held item is a conflict).
  std::vector<std::string> lock_keys;
  std::vector<size_t> lock_action;
  for (size_t i = 0; i < actions.size(); ++i) {
    if (!actions[i].key) continue;
    lock_keys.push_back(
        ItemLockKey(actions[i].info->storage_id, actions[i].key->hash, actions[i].key->range));
    lock_action.push_back(i);
  }
  const uint64_t owner = ctx.ns->locks().NewOwner();
  std::vector<size_t> conflicts = ctx.ns->locks().TryLockAll(lock_keys, owner);
  if (!conflicts.empty()) {
    std::vector<CancellationReason> reasons(actions.size(), NoneReason());
    for (size_t c : conflicts) reasons[lock_action[c]] = ConflictReason();
    return Cancelled(std::move(reasons));
  }
  ItemLockGuard guard(&ctx.ns->locks(), lock_keys, owner);
  if (ctx.api->options().transaction_hold_ms > 0) {
    // Test setting: keep the transaction in flight so conflicts are reproducible.
    std::this_thread::sleep_for(std::chrono::milliseconds(ctx.api->options().transaction_hold_ms));
  }

  // Phase two: check every condition, then apply every write, in one storage transaction.
  std::map<std::string, double> units;
  DYNAMO_RETURN_IF_ERROR(ctx.ns->db()->Write([&](storage::WriteTxn& txn) -> core::Status {
    units.clear();
    std::vector<CancellationReason> reasons(actions.size(), NoneReason());
    bool cancelled = false;
    std::vector<std::optional<Item>> olds(actions.size());
    std::vector<std::optional<Item>> news(actions.size());
    for (size_t i = 0; i < actions.size(); ++i) {
      Action& a = actions[i];
      if (a.key_error) {
        // A validation error stops evaluation: the remaining actions stay None.
        reasons[i] = CancellationReason{"ValidationError", *a.key_error, std::nullopt};
        cancelled = true;
        break;
      }
      DYNAMO_ASSIGN_OR_RETURN(olds[i], txn.Get(a.info->storage_id, *a.key));
      const std::optional<Item>& old = olds[i];
      static const Item kEmpty;
      if (a.e.condition &&
          !expr::EvaluateCondition(a.e.condition->root, a.e.bindings(), old ? *old : kEmpty)) {
        CancellationReason r{"ConditionalCheckFailed", "The conditional request failed",
                             std::nullopt};
        if (a.on_failure && *a.on_failure == "ALL_OLD" && old) r.item = *old;
        reasons[i] = std::move(r);
        cancelled = true;
        continue;  // condition failures do not stop evaluation
      }
      if (a.kind == ActionKind::kPut) {
        news[i] = a.value;
      } else if (a.kind == ActionKind::kUpdate) {
        Item updated = old ? *old : a.value;
        std::vector<std::string> key_names{a.info->key.hash.name};
        if (a.info->key.range) key_names.push_back(a.info->key.range->name);
        core::Status applied =
            expr::ApplyUpdate(*a.e.update, a.e.bindings(), key_names, old.has_value(), &updated);
        if (applied.ok() && core::ItemSize(updated) > core::kMaxItemSize) {
          applied = ValidationError("Item size to update has exceeded the maximum allowed size");
        }
        if (applied.ok()) applied = CheckIndexKeys(*a.info, updated);
        if (!applied.ok()) {
          reasons[i] = CancellationReason{"ValidationError", applied.error().message, std::nullopt};
          cancelled = true;
          break;
        }
        news[i] = std::move(updated);
      }
    }
    if (cancelled) return Cancelled(std::move(reasons));
    for (size_t i = 0; i < actions.size(); ++i) {
      Action& a = actions[i];
      DYNAMO_ASSIGN_OR_RETURN(auto current, CurrentTable(*ctx.ns, *a.info));
      size_t old_size = olds[i] ? core::ItemSize(*olds[i]) : 0;
      size_t new_size = news[i] ? core::ItemSize(*news[i]) : 0;
      if (a.kind == ActionKind::kPut || a.kind == ActionKind::kUpdate) {
        DYNAMO_RETURN_IF_ERROR(txn.Put(a.info->storage_id, *a.key, *news[i], new_size));
        DYNAMO_RETURN_IF_ERROR(
            MaintainIndexes(txn, *current, *a.key, olds[i] ? &*olds[i] : nullptr, &*news[i]));
      } else if (a.kind == ActionKind::kDelete && olds[i]) {
        DYNAMO_RETURN_IF_ERROR(txn.Delete(a.info->storage_id, *a.key));
        DYNAMO_RETURN_IF_ERROR(MaintainIndexes(txn, *current, *a.key, &*olds[i], nullptr));
      }
      // Transactions cost twice the units of the equivalent plain operation.
      // A ConditionCheck is billed as a write too.
      double u =
          std::max(1.0, std::ceil(static_cast<double>(std::max(old_size, new_size)) / 1024.0));
      units[a.info->name] += 2 * u;
    }
    return core::Status::Ok();
  }));

  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  if (capacity && (*capacity == "TOTAL" || *capacity == "INDEXES")) {
    w.Key("ConsumedCapacity");
    w.StartArray();
    for (const auto& [table, u] : units) {
      w.StartObject();
      w.Key("TableName");
      w.String(table);
      w.Key("CapacityUnits");
      w.Double(u);
      w.Key("WriteCapacityUnits");
      w.Double(u);
      if (*capacity == "INDEXES") {
        w.Key("Table");
        w.StartObject();
        w.Key("CapacityUnits");
        w.Double(u);
        w.Key("WriteCapacityUnits");
        w.Double(u);
        w.EndObject();
      }
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  finisher.success = true;
  finisher.response.assign(buf.GetString(), buf.GetSize());
  return finisher.response;
}

Result<std::string> TransactGetItems(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* items, GetArray(req, "TransactItems"));
  DYNAMO_ASSIGN_OR_RETURN(auto capacity, GetString(req, "ReturnConsumedCapacity"));
  struct GetAction {
    std::optional<std::string_view> table_name;
    const JsonValue* key_json = nullptr;
    RawExpressionParams raw;
    std::string table;
    std::shared_ptr<const TableInfo> info;
    ItemExpressions e;
    Item key_item;
    std::optional<storage::EncodedKey> key;
    std::optional<std::string> key_error;
  };
  std::vector<GetAction> gets;
  if (items) {
    for (const auto& element : items->GetArray()) {
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
      gets.push_back(std::move(g));
    }
  }
  ConstraintErrors errors;
  CheckTransactItemsLength(items, gets.size(), errors);
  if (capacity) errors.CheckEnum(*capacity, "returnConsumedCapacity", {"INDEXES", "TOTAL", "NONE"});
  for (size_t i = 0; i < gets.size(); ++i) {
    std::string path = "transactItems." + std::to_string(i + 1) + ".member.get";
    if (!gets[i].table_name) {
      errors.NotNull(path + ".tableName");
    } else {
      gets[i].table = ResolveTableName(*gets[i].table_name, errors, path + ".tableName");
    }
    if (!gets[i].key_json) errors.NotNull(path + ".key");
  }
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());
  for (auto& g : gets) {
    DYNAMO_RETURN_IF_ERROR(CheckExpressionUsage(g.raw, ItemOp::kGet));
    DYNAMO_ASSIGN_OR_RETURN(g.key_item, DecodeAttributeMap(*g.key_json));
    DYNAMO_ASSIGN_OR_RETURN(g.e, BuildExpressions(ctx.api->expressions(), g.raw, ItemOp::kGet));
  }
  for (auto& g : gets) {
    g.info = ctx.ns->Find(g.table);
    if (!g.info) return TableNotFound();
    auto key = KeyFromKeyMap(*g.info, g.key_item, "One or more parameter values were invalid: ");
    if (key.ok()) {
      g.key = std::move(key).value();
    } else {
      g.key_error = key.error().message;
    }
  }
  std::vector<CancellationReason> reasons(gets.size(), NoneReason());
  bool cancelled = false;
  for (size_t i = 0; i < gets.size(); ++i) {
    if (gets[i].key_error) {
      reasons[i] = CancellationReason{"ValidationError", *gets[i].key_error, std::nullopt};
      cancelled = true;
      break;
    }
    // Reading an item that an in-flight write transaction holds is a conflict.
    if (ctx.ns->locks().IsLocked(
            ItemLockKey(gets[i].info->storage_id, gets[i].key->hash, gets[i].key->range))) {
      reasons[i] = ConflictReason();
      cancelled = true;
    }
  }
  if (cancelled) return Cancelled(std::move(reasons));

  std::vector<std::optional<Item>> found(gets.size());
  DYNAMO_RETURN_IF_ERROR(ctx.ns->db()->Read([&](storage::ReadTxn& txn) -> core::Status {
    for (size_t i = 0; i < gets.size(); ++i) {
      DYNAMO_ASSIGN_OR_RETURN(found[i], txn.Get(gets[i].info->storage_id, *gets[i].key));
    }
    return core::Status::Ok();
  }));
  std::map<std::string, double> units;
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("Responses");
  w.StartArray();
  for (size_t i = 0; i < gets.size(); ++i) {
    const GetAction& g = gets[i];
    size_t size = found[i] ? core::ItemSize(*found[i]) : 0;
    units[g.info->name] += 2 * std::max(1.0, std::ceil(static_cast<double>(size) / 4096.0));
    w.StartObject();
    if (found[i]) {
      w.Key("Item");
      WriteAttributeMap(
          g.e.projection ? expr::ApplyProjection(*found[i], *g.e.projection) : *found[i], w);
    }
    w.EndObject();
  }
  w.EndArray();
  if (capacity && (*capacity == "TOTAL" || *capacity == "INDEXES")) {
    w.Key("ConsumedCapacity");
    w.StartArray();
    for (const auto& [table, u] : units) {
      w.StartObject();
      w.Key("TableName");
      w.String(table);
      w.Key("CapacityUnits");
      w.Double(u);
      w.Key("ReadCapacityUnits");
      w.Double(u);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace dynamo::server
