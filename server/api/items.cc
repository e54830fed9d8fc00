// Single-item operations: GetItem, PutItem, DeleteItem, UpdateItem.
//
// Each handler reads its request (JSON types), validates it in DynamoDB's
// order (constraints, then semantics, then the table), builds one mutation
// of the write path (mutations.h) and writes the response.

#include <algorithm>

#include "core/messages.h"
#include "expr/evaluator.h"
#include "expr/paths.h"
#include "expr/projection.h"
#include "server/api/capacity.h"
#include "server/api/expressions.h"
#include "server/api/fields.h"
#include "server/api/keys.h"
#include "server/api/mutations.h"
#include "server/api/operations.h"
#include "server/api/values_json.h"
#include "storage/index.h"

namespace dynamo::server {

using core::Item;
using core::ValidationError;

namespace {

// The members shared by PutItem, DeleteItem and UpdateItem after the JSON
// type pass.
struct WriteParams {
  std::optional<std::string_view> table_name;
  std::optional<std::string_view> return_values;
  std::optional<std::string_view> capacity;
  std::optional<std::string_view> metrics;
  std::optional<std::string_view> on_failure;
  RawExpressionParams expressions;

  bool returns(std::string_view what) const { return return_values && *return_values == what; }
  bool return_old_on_failure() const { return on_failure && *on_failure == "ALL_OLD"; }
};

Result<WriteParams> ReadWriteParams(const JsonValue& req, ItemOp op) {
  WriteParams p;
  DYNAMO_ASSIGN_OR_RETURN(p.table_name, GetString(req, "TableName"));
  DYNAMO_ASSIGN_OR_RETURN(p.return_values, GetString(req, "ReturnValues"));
  DYNAMO_ASSIGN_OR_RETURN(p.capacity, GetString(req, "ReturnConsumedCapacity"));
  DYNAMO_ASSIGN_OR_RETURN(p.metrics, GetString(req, "ReturnItemCollectionMetrics"));
  DYNAMO_ASSIGN_OR_RETURN(p.on_failure, GetString(req, "ReturnValuesOnConditionCheckFailure"));
  DYNAMO_ASSIGN_OR_RETURN(p.expressions, ReadExpressionParams(req, op));
  return p;
}

void CheckWriteEnums(const WriteParams& p, ConstraintErrors& errors) {
  if (p.return_values) {
    errors.CheckEnum(*p.return_values, "returnValues",
                     {"ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"});
  }
  if (p.metrics) errors.CheckEnum(*p.metrics, "returnItemCollectionMetrics", {"SIZE", "NONE"});
  if (p.on_failure) {
    errors.CheckEnum(*p.on_failure, "returnValuesOnConditionCheckFailure", {"ALL_OLD", "NONE"});
  }
  CheckExpressionConstraints(p.expressions, errors);
}

// The table name member, resolved (adds its constraint errors).
std::string CheckTableName(const std::optional<std::string_view>& name, ConstraintErrors& errors) {
  if (!name) {
    errors.NotNull("tableName");
    return "";
  }
  return ResolveTableName(*name, errors);
}

// The constraint checks of DeleteItem, in DynamoDB's member order; returns
// the table name.
Result<std::string> CheckDeleteConstraints(const WriteParams& p, const JsonValue* key_json) {
  ConstraintErrors errors;
  std::string table = CheckTableName(p.table_name, errors);
  if (!key_json) errors.NotNull("key");
  CheckCapacityEnum(p.capacity, errors);
  CheckWriteEnums(p, errors);
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());
  return table;
}

// The constraint checks of UpdateItem (eu-west-2 and us-east-1, 2026): with
// the Key left out, every member error is joined in the order
// returnConsumedCapacity, tableName, returnValues, ..., conditionalOperator,
// key; with a Key, only the first of tableName, returnValues, ...,
// returnConsumedCapacity is reported.
Result<std::string> CheckUpdateConstraints(const WriteParams& p, const JsonValue* key_json) {
  ConstraintErrors errors;
  if (!key_json) CheckCapacityEnum(p.capacity, errors);
  std::string table = CheckTableName(p.table_name, errors);
  CheckWriteEnums(p, errors);
  if (!key_json) {
    errors.NotNull("key");
  } else {
    CheckCapacityEnum(p.capacity, errors);
    errors.KeepFirst();
  }
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());
  return table;
}

core::Status CheckReturnValuesOldOrNone(const WriteParams& p) {
  if (p.return_values && *p.return_values != "NONE" && *p.return_values != "ALL_OLD") {
    return ValidationError("ReturnValues can only be ALL_OLD or NONE");
  }
  return core::Status::Ok();
}

// A write request as its own checks leave it: the Item (PutItem) or the Key
// (UpdateItem, DeleteItem) decoded, and its expressions built.
struct CheckedWrite {
  Item values;
  ItemExpressions e;
};

// The checks of a write request itself, before its table is read:
// parameter combinations, values, ReturnValues, expressions. DynamoDB
// (current layer, values_json.h) reports each of their failures inside the
// "1 validation error detected: " envelope (eu-west-2 and us-east-1,
// 2026-10-09); the checks against the table that follow stay bare.
Result<CheckedWrite> CheckWriteRequest(OpContext& ctx, const WriteParams& p,
                                       const JsonValue& values_json, ItemOp op) {
  constexpr ValueLayer kLayer = ValueLayer::kCurrent;
  CheckedWrite w;
  DYNAMO_RETURN_IF_ERROR(CheckExpressionUsage(p.expressions, op, kLayer));
  if (op == ItemOp::kPut) DYNAMO_RETURN_IF_ERROR(CheckItemAttributeNames(values_json));
  DYNAMO_ASSIGN_OR_RETURN(w.values, DecodeAttributeMap(values_json, kLayer));
  if (op != ItemOp::kUpdate) DYNAMO_RETURN_IF_ERROR(CheckReturnValuesOldOrNone(p));
  DYNAMO_ASSIGN_OR_RETURN(w.e, BuildExpressions(ctx.api->expressions(), p.expressions, op, kLayer));
  return w;
}

Result<CheckedWrite> CheckWriteRequestEnveloped(OpContext& ctx, const WriteParams& p,
                                                const JsonValue& values_json, ItemOp op) {
  auto checked = CheckWriteRequest(ctx, p, values_json, op);
  if (!checked.ok()) return InValidationEnvelope(std::move(checked).error());
  return checked;
}

Result<std::shared_ptr<const storage::TableDef>> FindTable(OpContext& ctx,
                                                           const std::string& name) {
  auto t = ctx.ns->db->FindTable(name);
  if (!t) return core::ResourceNotFound();
  return t;
}

// {"pk": <hash key>} when the table has LSIs and SIZE metrics were asked.
std::optional<Item> CollectionKey(const WriteParams& p, const storage::TableDef& t,
                                  const Item& item) {
  if (!p.metrics || *p.metrics != "SIZE" || t.local_indexes.empty()) return std::nullopt;
  auto it = item.find(t.key.hash.name);
  if (it == item.end()) return std::nullopt;
  return Item{{it->first, it->second}};
}

// The response of an item operation: the item under `key` (if any), the
// consumed capacity, and the item collection metrics (if asked).
std::string ItemResponse(const char* key, const Item* item, CapacityMode mode,
                         const Consumed& consumed, const std::optional<Item>& collection_key) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  if (item) {
    w.Key(key);
    WriteAttributeMap(*item, w);
  }
  WriteConsumedCapacity(w, mode, consumed);
  if (collection_key) {
    w.Key("ItemCollectionMetrics");
    WriteItemCollectionMetrics(*collection_key, w);
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

// A write's response: Attributes as ReturnValues asks, capacity, metrics.
std::string WriteResponse(const WriteParams& p, const Consumed& consumed, const Item* attributes,
                          const std::optional<Item>& collection_key) {
  return ItemResponse("Attributes", attributes, ParseCapacityMode(p.capacity), consumed,
                      collection_key);
}

// UPDATED_OLD / UPDATED_NEW: what the update touched, from the old or the
// new item; for a nested path only that part ("SET a.b = :v" returns
// {"a": {"M": {"b": ...}}}), as DynamoDB does.
std::optional<Item> UpdatedAttributes(const ItemExpressions& e, const Item* source) {
  if (!source || !e.update) return std::nullopt;
  std::vector<expr::Path> touched = expr::UpdatedPaths(*e.update, e.bindings());
  if (touched.empty()) return std::nullopt;
  Item projected = expr::ApplyProjection(*source, touched);
  if (projected.empty()) return std::nullopt;
  return projected;
}

// UpdateItem sizes an UpdateExpression by what it writes as well as by the
// finished item; the legacy AttributeUpdates has no such recording.
UpdateSizing UpdateSizingOf(const WriteParams& p) {
  return p.expressions.update_expression ? UpdateSizing::kStatement : UpdateSizing::kFinishedItem;
}

}  // namespace

Result<std::string> GetItem(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(auto table_name, GetString(req, "TableName"));
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* key_json, GetObject(req, "Key", kAttributeValueMap));
  DYNAMO_ASSIGN_OR_RETURN(auto consistent, GetBool(req, "ConsistentRead"));
  DYNAMO_ASSIGN_OR_RETURN(auto capacity, GetString(req, "ReturnConsumedCapacity"));
  DYNAMO_ASSIGN_OR_RETURN(RawExpressionParams raw, ReadExpressionParams(req, ItemOp::kGet));
  if (key_json) DYNAMO_RETURN_IF_ERROR(CheckAttributeMapTypes(*key_json));

  ConstraintErrors errors;
  if (!key_json) errors.NotNull("key");
  std::string table = CheckTableName(table_name, errors);
  CheckCapacityEnum(capacity, errors);
  CheckExpressionConstraints(raw, errors);
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());

  // The current layer (values_json.h), without the envelope of the writes.
  DYNAMO_RETURN_IF_ERROR(CheckExpressionUsage(raw, ItemOp::kGet, ValueLayer::kCurrent));
  DYNAMO_ASSIGN_OR_RETURN(Item key, DecodeAttributeMap(*key_json, ValueLayer::kCurrent));
  DYNAMO_ASSIGN_OR_RETURN(ItemExpressions e, BuildExpressions(ctx.api->expressions(), raw,
                                                              ItemOp::kGet, ValueLayer::kCurrent));

  DYNAMO_ASSIGN_OR_RETURN(auto t, FindTable(ctx, table));
  DYNAMO_ASSIGN_OR_RETURN(storage::EncodedKey encoded,
                          KeyFromKeyMap(*t, key, core::kNotValidParameters));
  if (e.projection) DYNAMO_RETURN_IF_ERROR(CheckKeyPathsScalar(*t, *e.projection));
  DYNAMO_ASSIGN_OR_RETURN(std::optional<Item> item, ctx.ns->db->GetItem(t->id, encoded));
  const Consumed consumed{t->name,
                          ReadUnits(item ? core::ItemSize(*item) : 0, consistent.value_or(false))};
  if (item && e.projection) *item = expr::ApplyProjection(*item, *e.projection);
  return ItemResponse("Item", item ? &*item : nullptr, ParseCapacityMode(capacity), consumed,
                      std::nullopt);
}

Result<std::string> PutItem(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(WriteParams p, ReadWriteParams(req, ItemOp::kPut));
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* item_json, GetObject(req, "Item", kAttributeValueMap));
  if (item_json) DYNAMO_RETURN_IF_ERROR(CheckAttributeMapTypes(*item_json));

  ConstraintErrors errors;
  CheckCapacityEnum(p.capacity, errors);
  std::string table = CheckTableName(p.table_name, errors);
  if (!item_json) errors.NotNull("item");
  CheckWriteEnums(p, errors);
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());

  DYNAMO_ASSIGN_OR_RETURN(CheckedWrite w,
                          CheckWriteRequestEnveloped(ctx, p, *item_json, ItemOp::kPut));
  Item& item = w.values;
  const ItemExpressions& e = w.e;
  if (core::ItemSize(item) > core::kMaxItemSize) return core::ItemTooLarge();

  DYNAMO_ASSIGN_OR_RETURN(auto t, FindTable(ctx, table));
  DYNAMO_ASSIGN_OR_RETURN(storage::EncodedKey key, KeyFromItem(*t, item));
  if (auto violation = storage::FindIndexKeyViolation(*t, item)) return violation->error;
  std::optional<Item> collection = CollectionKey(p, *t, item);
  const bool return_old = p.returns("ALL_OLD");
  const bool needs_old = return_old || ParseCapacityMode(p.capacity) != CapacityMode::kNone;
  WriteTarget target{t, std::move(key), &e, p.return_old_on_failure()};
  DYNAMO_ASSIGN_OR_RETURN(
      storage::MutationResult r,
      ApplyOne(*ctx.ns->db, PutMutation(std::move(target), std::move(item), needs_old),
               ctx.ApplyOptions()));
  return WriteResponse(p, WriteConsumed(*t, r), return_old && r.old_item ? &*r.old_item : nullptr,
                       collection);
}

Result<std::string> DeleteItem(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(WriteParams p, ReadWriteParams(req, ItemOp::kDelete));
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* key_json, GetObject(req, "Key", kAttributeValueMap));
  if (key_json) DYNAMO_RETURN_IF_ERROR(CheckAttributeMapTypes(*key_json));

  DYNAMO_ASSIGN_OR_RETURN(std::string table, CheckDeleteConstraints(p, key_json));
  // Read in the older form, ReturnValues is checked first and reported bare.
  if (ctx.read_in_older_form()) DYNAMO_RETURN_IF_ERROR(CheckReturnValuesOldOrNone(p));

  DYNAMO_ASSIGN_OR_RETURN(CheckedWrite w,
                          CheckWriteRequestEnveloped(ctx, p, *key_json, ItemOp::kDelete));
  const Item& key_item = w.values;
  const ItemExpressions& e = w.e;
  DYNAMO_ASSIGN_OR_RETURN(auto t, FindTable(ctx, table));
  DYNAMO_ASSIGN_OR_RETURN(storage::EncodedKey key,
                          KeyFromKeyMap(*t, key_item, core::kNotValidParameters));
  WriteTarget target{t, std::move(key), &e, p.return_old_on_failure()};
  DYNAMO_ASSIGN_OR_RETURN(
      storage::MutationResult r,
      ApplyOne(*ctx.ns->db, DeleteMutation(std::move(target)), ctx.ApplyOptions()));
  const bool return_old = p.returns("ALL_OLD") && r.old_item;
  return WriteResponse(p, WriteConsumed(*t, r), return_old ? &*r.old_item : nullptr,
                       CollectionKey(p, *t, key_item));
}

Result<std::string> UpdateItem(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(WriteParams p, ReadWriteParams(req, ItemOp::kUpdate));
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* key_json, GetObject(req, "Key", kAttributeValueMap));
  if (key_json) DYNAMO_RETURN_IF_ERROR(CheckAttributeMapTypes(*key_json));

  DYNAMO_ASSIGN_OR_RETURN(std::string table, CheckUpdateConstraints(p, key_json));

  DYNAMO_ASSIGN_OR_RETURN(CheckedWrite w,
                          CheckWriteRequestEnveloped(ctx, p, *key_json, ItemOp::kUpdate));
  const Item& key_item = w.values;
  const ItemExpressions& e = w.e;
  DYNAMO_ASSIGN_OR_RETURN(auto t, FindTable(ctx, table));
  DYNAMO_ASSIGN_OR_RETURN(storage::EncodedKey key,
                          KeyFromKeyMap(*t, key_item, core::kNotValidParameters));
  DYNAMO_RETURN_IF_ERROR(CheckUpdateAgainstTable(*t, e));
  WriteTarget target{t, std::move(key), &e, p.return_old_on_failure()};
  DYNAMO_ASSIGN_OR_RETURN(
      storage::MutationResult r,
      ApplyOne(*ctx.ns->db, UpdateMutation(std::move(target), key_item, UpdateSizingOf(p)),
               ctx.ApplyOptions()));
  const Consumed consumed = WriteConsumed(*t, r);
  const std::optional<Item> collection = CollectionKey(p, *t, key_item);
  const Item* old_item = r.old_item ? &*r.old_item : nullptr;
  const Item* new_item = r.new_item ? &*r.new_item : nullptr;
  if (p.returns("ALL_OLD")) return WriteResponse(p, consumed, old_item, collection);
  if (p.returns("ALL_NEW")) return WriteResponse(p, consumed, new_item, collection);
  if (p.returns("UPDATED_OLD") || p.returns("UPDATED_NEW")) {
    std::optional<Item> touched =
        UpdatedAttributes(e, p.returns("UPDATED_OLD") ? old_item : new_item);
    return WriteResponse(p, consumed, touched ? &*touched : nullptr, collection);
  }
  return WriteResponse(p, consumed, nullptr, collection);
}

}  // namespace dynamo::server
