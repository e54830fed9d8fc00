// Single-item operations: GetItem, PutItem, DeleteItem.

#include <cmath>

#include "core/error_details.h"
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
using core::ErrorCode;
using core::Item;
using core::ValidationError;
using core::ValueType;

namespace {

constexpr const char* kInvalid = "One or more parameter values were invalid: ";

enum class CapacityMode { kNone, kTotal, kIndexes };

CapacityMode ParseCapacityMode(const std::optional<std::string_view>& v) {
  if (!v || *v == "NONE") return CapacityMode::kNone;
  return *v == "INDEXES" ? CapacityMode::kIndexes : CapacityMode::kTotal;
}

void WriteConsumedCapacity(JsonWriter& w, CapacityMode mode, const std::string& table,
                           double units) {
  if (mode == CapacityMode::kNone) return;
  w.Key("ConsumedCapacity");
  w.StartObject();
  w.Key("TableName");
  w.String(table);
  w.Key("CapacityUnits");
  w.Double(units);
  if (mode == CapacityMode::kIndexes) {
    w.Key("Table");
    w.StartObject();
    w.Key("CapacityUnits");
    w.Double(units);
    w.EndObject();
  }
  w.EndObject();
}

// DynamoDB capacity arithmetic: reads in 4 KB units (halved when eventually
// consistent), writes in 1 KB units; never less than one unit.
double ReadUnits(size_t size, bool consistent) {
  double units = std::max<double>(1, std::ceil(static_cast<double>(size) / 4096.0));
  return consistent ? units : units / 2;
}
double WriteUnits(size_t size) {
  return std::max<double>(1, std::ceil(static_cast<double>(size) / 1024.0));
}

// collection_key: the item collection's key for ItemCollectionMetrics (tables
// with local secondary indexes, when SIZE was asked), or null.
std::string ResponseWithItem(const char* key, const Item* item, CapacityMode mode,
                             const std::string& table, double units,
                             const Item* collection_key = nullptr) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  if (item) {
    w.Key(key);
    WriteAttributeMap(*item, w);
  }
  WriteConsumedCapacity(w, mode, table, units);
  if (collection_key) {
    w.Key("ItemCollectionMetrics");
    WriteItemCollectionMetrics(*collection_key, w);
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Result<std::shared_ptr<const TableInfo>> FindTable(OpContext& ctx, const std::string& name) {
  auto t = ctx.ns->Find(name);
  if (!t) return TableNotFound();
  return t;
}

}  // namespace

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

// Evaluates the request's condition against the current item (empty when
// absent); on failure the error carries the old item when ALL_OLD was asked.
core::Status CheckCondition(const ItemExpressions& e, const WriteParams& p,
                            const std::optional<Item>& current) {
  if (!e.condition) return core::Status::Ok();
  static const Item kEmpty;
  if (expr::EvaluateCondition(e.condition->root, e.bindings(), current ? *current : kEmpty)) {
    return core::Status::Ok();
  }
  const bool want_item = p.on_failure && *p.on_failure == "ALL_OLD" && current;
  return core::ConditionalCheckFailed(want_item ? current : std::nullopt);
}

// {"pk": <hash key>} when the table has LSIs and SIZE metrics were asked.
std::optional<Item> CollectionKey(const WriteParams& p, const TableInfo& t, const Item& item) {
  if (!p.metrics || *p.metrics != "SIZE" || t.local_indexes.empty()) return std::nullopt;
  auto it = item.find(t.key.hash.name);
  if (it == item.end()) return std::nullopt;
  return Item{{it->first, it->second}};
}

// The constraint checks of DeleteItem and UpdateItem, in DynamoDB's member
// order; returns the table name.
Result<std::string> CheckKeyedWriteConstraints(const WriteParams& p, const JsonValue* key_json) {
  ConstraintErrors errors;
  std::string table;
  if (!p.table_name) {
    errors.NotNull("tableName");
  } else {
    table = ResolveTableName(*p.table_name, errors);
  }
  if (!key_json) errors.NotNull("key");
  if (p.capacity) {
    errors.CheckEnum(*p.capacity, "returnConsumedCapacity", {"INDEXES", "TOTAL", "NONE"});
  }
  CheckWriteEnums(p, errors);
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());
  return table;
}

std::vector<std::string> KeyNames(const TableInfo& t) {
  std::vector<std::string> names{t.key.hash.name};
  if (t.key.range) names.push_back(t.key.range->name);
  return names;
}

// The top-level attributes an update touches, for UPDATED_OLD/UPDATED_NEW
// (DynamoDB returns whole top-level attributes).
std::vector<expr::Path> TouchedAttributes(const expr::ParsedUpdate& u, const expr::Bindings& b) {
  std::vector<expr::Path> out;
  for (const auto& path : expr::UpdatedPaths(u, b)) {
    expr::Path top{path[0]};
    if (std::find(out.begin(), out.end(), top) == out.end()) out.push_back(std::move(top));
  }
  return out;
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
  std::string table;
  if (!table_name) {
    errors.NotNull("tableName");
  } else {
    table = ResolveTableName(*table_name, errors);
  }
  if (capacity) errors.CheckEnum(*capacity, "returnConsumedCapacity", {"INDEXES", "TOTAL", "NONE"});
  CheckExpressionConstraints(raw, errors);
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());

  DYNAMO_RETURN_IF_ERROR(CheckExpressionUsage(raw, ItemOp::kGet));
  DYNAMO_ASSIGN_OR_RETURN(Item key, DecodeAttributeMap(*key_json));
  DYNAMO_ASSIGN_OR_RETURN(ItemExpressions e,
                          BuildExpressions(ctx.api->expressions(), raw, ItemOp::kGet));

  DYNAMO_ASSIGN_OR_RETURN(auto t, FindTable(ctx, table));
  DYNAMO_ASSIGN_OR_RETURN(storage::EncodedKey encoded, KeyFromKeyMap(*t, key, kInvalid));
  DYNAMO_ASSIGN_OR_RETURN(std::optional<Item> item, ctx.ns->db()->GetItem(t->storage_id, encoded));
  CapacityMode mode = ParseCapacityMode(capacity);
  double units = ReadUnits(item ? core::ItemSize(*item) : 0, consistent.value_or(false));
  if (item && e.projection) {
    Item projected = expr::ApplyProjection(*item, *e.projection);
    return ResponseWithItem("Item", &projected, mode, t->name, units);
  }
  return ResponseWithItem("Item", item ? &*item : nullptr, mode, t->name, units);
}

Result<std::string> PutItem(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(WriteParams p, ReadWriteParams(req, ItemOp::kPut));
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* item_json, GetObject(req, "Item", kAttributeValueMap));
  if (item_json) DYNAMO_RETURN_IF_ERROR(CheckAttributeMapTypes(*item_json));

  ConstraintErrors errors;
  if (p.capacity)
    errors.CheckEnum(*p.capacity, "returnConsumedCapacity", {"INDEXES", "TOTAL", "NONE"});
  std::string table;
  if (!p.table_name) {
    errors.NotNull("tableName");
  } else {
    table = ResolveTableName(*p.table_name, errors);
  }
  if (!item_json) errors.NotNull("item");
  CheckWriteEnums(p, errors);
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());

  DYNAMO_RETURN_IF_ERROR(CheckExpressionUsage(p.expressions, ItemOp::kPut));
  DYNAMO_ASSIGN_OR_RETURN(Item item, DecodeAttributeMap(*item_json));
  if (p.return_values && *p.return_values != "NONE" && *p.return_values != "ALL_OLD") {
    return ValidationError("ReturnValues can only be ALL_OLD or NONE");
  }
  const size_t size = core::ItemSize(item);
  if (size > core::kMaxItemSize) {
    return ValidationError("Item size has exceeded the maximum allowed size");
  }
  DYNAMO_ASSIGN_OR_RETURN(ItemExpressions e,
                          BuildExpressions(ctx.api->expressions(), p.expressions, ItemOp::kPut));

  DYNAMO_ASSIGN_OR_RETURN(auto t, FindTable(ctx, table));
  DYNAMO_ASSIGN_OR_RETURN(storage::EncodedKey key, KeyFromItem(*t, item));
  DYNAMO_RETURN_IF_ERROR(CheckIndexKeys(*t, item));
  CapacityMode mode = ParseCapacityMode(p.capacity);
  const bool want_old = (p.return_values && *p.return_values == "ALL_OLD") ||
                        mode != CapacityMode::kNone || e.condition || t->has_indexes();
  // (Index maintenance also needs the old item when an index appeared since
  // the lookup; the transaction reads it then.)
  std::optional<Item> old;
  // The condition check and the write are one storage transaction.
  DYNAMO_RETURN_IF_ERROR(ctx.ns->db()->Write([&](storage::WriteTxn& txn) -> core::Status {
    DYNAMO_ASSIGN_OR_RETURN(auto current, CurrentTable(*ctx.ns, *t));
    DYNAMO_RETURN_IF_ERROR(CheckNotLocked(*ctx.ns, *t, key));
    if (want_old || current->has_indexes()) {
      DYNAMO_ASSIGN_OR_RETURN(old, txn.Get(t->storage_id, key));
    }
    DYNAMO_RETURN_IF_ERROR(CheckCondition(e, p, old));
    DYNAMO_RETURN_IF_ERROR(txn.Put(t->storage_id, key, item, size));
    return MaintainIndexes(txn, *current, key, old ? &*old : nullptr, &item);
  }));
  double units = WriteUnits(std::max(size, old ? core::ItemSize(*old) : 0));
  const bool return_old = p.return_values && *p.return_values == "ALL_OLD" && old;
  auto collection = CollectionKey(p, *t, item);
  return ResponseWithItem("Attributes", return_old ? &*old : nullptr, mode, t->name, units,
                          collection ? &*collection : nullptr);
}

Result<std::string> DeleteItem(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(WriteParams p, ReadWriteParams(req, ItemOp::kDelete));
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* key_json, GetObject(req, "Key", kAttributeValueMap));
  if (key_json) DYNAMO_RETURN_IF_ERROR(CheckAttributeMapTypes(*key_json));

  DYNAMO_ASSIGN_OR_RETURN(std::string table, CheckKeyedWriteConstraints(p, key_json));

  DYNAMO_RETURN_IF_ERROR(CheckExpressionUsage(p.expressions, ItemOp::kDelete));
  DYNAMO_ASSIGN_OR_RETURN(Item key_item, DecodeAttributeMap(*key_json));
  if (p.return_values && *p.return_values != "NONE" && *p.return_values != "ALL_OLD") {
    return ValidationError("ReturnValues can only be ALL_OLD or NONE");
  }
  DYNAMO_ASSIGN_OR_RETURN(ItemExpressions e,
                          BuildExpressions(ctx.api->expressions(), p.expressions, ItemOp::kDelete));
  DYNAMO_ASSIGN_OR_RETURN(auto t, FindTable(ctx, table));
  DYNAMO_ASSIGN_OR_RETURN(
      storage::EncodedKey key,
      KeyFromKeyMap(*t, key_item, "One or more parameter values are not valid. "));
  CapacityMode mode = ParseCapacityMode(p.capacity);
  std::optional<Item> old;
  DYNAMO_RETURN_IF_ERROR(ctx.ns->db()->Write([&](storage::WriteTxn& txn) -> core::Status {
    DYNAMO_RETURN_IF_ERROR(CheckNotLocked(*ctx.ns, *t, key));
    DYNAMO_ASSIGN_OR_RETURN(old, txn.Get(t->storage_id, key));
    DYNAMO_RETURN_IF_ERROR(CheckCondition(e, p, old));
    if (!old) return core::Status::Ok();
    DYNAMO_ASSIGN_OR_RETURN(auto current, CurrentTable(*ctx.ns, *t));
    DYNAMO_RETURN_IF_ERROR(txn.Delete(t->storage_id, key));
    return MaintainIndexes(txn, *current, key, &*old, nullptr);
  }));
  double units = WriteUnits(old ? core::ItemSize(*old) : 0);
  const bool return_old = p.return_values && *p.return_values == "ALL_OLD" && old;
  auto collection = CollectionKey(p, *t, key_item);
  return ResponseWithItem("Attributes", return_old ? &*old : nullptr, mode, t->name, units,
                          collection ? &*collection : nullptr);
}

Result<std::string> UpdateItem(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(WriteParams p, ReadWriteParams(req, ItemOp::kUpdate));
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* key_json, GetObject(req, "Key", kAttributeValueMap));
  if (key_json) DYNAMO_RETURN_IF_ERROR(CheckAttributeMapTypes(*key_json));

  DYNAMO_ASSIGN_OR_RETURN(std::string table, CheckKeyedWriteConstraints(p, key_json));

  DYNAMO_RETURN_IF_ERROR(CheckExpressionUsage(p.expressions, ItemOp::kUpdate));
  DYNAMO_ASSIGN_OR_RETURN(Item key_item, DecodeAttributeMap(*key_json));
  DYNAMO_ASSIGN_OR_RETURN(ItemExpressions e,
                          BuildExpressions(ctx.api->expressions(), p.expressions, ItemOp::kUpdate));
  DYNAMO_ASSIGN_OR_RETURN(auto t, FindTable(ctx, table));
  DYNAMO_ASSIGN_OR_RETURN(storage::EncodedKey key, KeyFromKeyMap(*t, key_item, kInvalid));
  const std::vector<std::string> key_names = KeyNames(*t);
  const expr::Bindings bindings = e.bindings();
  if (e.update) {
    for (const auto& path : expr::UpdatedPaths(*e.update, bindings)) {
      const std::string& top = std::get<std::string>(path[0]);
      if (std::find(key_names.begin(), key_names.end(), top) != key_names.end()) {
        return ValidationError(std::string(kInvalid) + "Cannot update attribute " + top +
                               ". This attribute is part of the key");
      }
    }
  }
  CapacityMode mode = ParseCapacityMode(p.capacity);
  std::optional<Item> old;
  Item updated;
  size_t new_size = 0;
  DYNAMO_RETURN_IF_ERROR(ctx.ns->db()->Write([&](storage::WriteTxn& txn) -> core::Status {
    DYNAMO_RETURN_IF_ERROR(CheckNotLocked(*ctx.ns, *t, key));
    DYNAMO_ASSIGN_OR_RETURN(old, txn.Get(t->storage_id, key));
    DYNAMO_RETURN_IF_ERROR(CheckCondition(e, p, old));
    // UpdateItem creates the item when it does not exist.
    updated = old ? *old : key_item;
    if (e.update) {
      DYNAMO_RETURN_IF_ERROR(
          expr::ApplyUpdate(*e.update, bindings, key_names, old.has_value(), &updated));
    }
    new_size = core::ItemSize(updated);
    if (new_size > core::kMaxItemSize) {
      return ValidationError("Item size to update has exceeded the maximum allowed size");
    }
    DYNAMO_ASSIGN_OR_RETURN(auto current, CurrentTable(*ctx.ns, *t));
    DYNAMO_RETURN_IF_ERROR(CheckIndexKeys(*current, updated));
    DYNAMO_RETURN_IF_ERROR(txn.Put(t->storage_id, key, updated, new_size));
    return MaintainIndexes(txn, *current, key, old ? &*old : nullptr, &updated);
  }));
  double units = WriteUnits(std::max(new_size, old ? core::ItemSize(*old) : 0));
  const std::string_view rv = p.return_values.value_or("NONE");
  auto collection_opt = CollectionKey(p, *t, key_item);
  const Item* collection = collection_opt ? &*collection_opt : nullptr;
  if (rv == "ALL_OLD")
    return ResponseWithItem("Attributes", old ? &*old : nullptr, mode, t->name, units, collection);
  if (rv == "ALL_NEW")
    return ResponseWithItem("Attributes", &updated, mode, t->name, units, collection);
  if (rv == "UPDATED_OLD" || rv == "UPDATED_NEW") {
    std::vector<expr::Path> touched =
        e.update ? TouchedAttributes(*e.update, bindings) : std::vector<expr::Path>{};
    const Item* source = rv == "UPDATED_OLD" ? (old ? &*old : nullptr) : &updated;
    if (!source || touched.empty())
      return ResponseWithItem("Attributes", nullptr, mode, t->name, units, collection);
    Item projected = expr::ApplyProjection(*source, touched);
    return ResponseWithItem("Attributes", projected.empty() ? nullptr : &projected, mode, t->name,
                            units, collection);
  }
  return ResponseWithItem("Attributes", nullptr, mode, t->name, units, collection);
}

}  // namespace dynamo::server
