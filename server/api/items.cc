// Single-item operations: GetItem, PutItem, DeleteItem.

#include <cmath>

#include "expr/projection.h"
#include "server/api/fields.h"
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

std::string_view EmptyKind(const AttributeValue& v) {
  return v.type() == ValueType::kB ? "binary" : "string";
}

bool IsEmptyKey(const AttributeValue& v) {
  return (v.type() == ValueType::kS && v.s().empty()) ||
         (v.type() == ValueType::kB && v.b().empty());
}

size_t KeyBytes(const AttributeValue& v) {
  if (v.type() == ValueType::kS) return v.s().size();
  if (v.type() == ValueType::kB) return v.b().size();
  return 0;  // numbers are not size-checked
}

core::Status CheckKeySizes(const TableInfo& t, const AttributeValue& hash,
                           const AttributeValue* range) {
  if (KeyBytes(hash) > core::kMaxHashKeySize) {
    return ValidationError(std::string(kInvalid) +
                           "Size of hashkey has exceeded the maximum size limit of2048 bytes");
  }
  if (range && KeyBytes(*range) > core::kMaxRangeKeySize) {
    return ValidationError(std::string(kInvalid) +
                           "Aggregated size of all range keys has exceeded the size limit of "
                           "1024 bytes");
  }
  return core::Status::Ok();
}

storage::EncodedKey Encode(const AttributeValue& hash, const AttributeValue* range) {
  storage::EncodedKey key;
  storage::EncodeKeyValue(hash, &key.hash);
  if (range) storage::EncodeKeyValue(*range, &key.range);
  return key;
}

// The Key parameter of GetItem/DeleteItem: exactly the table's key attributes.
// empty_prefix differs by operation, as DynamoDB's messages do.
Result<storage::EncodedKey> KeyFromKeyMap(const TableInfo& t, const Item& key,
                                          std::string_view empty_prefix) {
  const size_t expected = t.key.range ? 2 : 1;
  auto mismatch = [] { return ValidationError("The provided key element does not match the schema"); };
  if (key.size() != expected) return mismatch();
  auto h = key.find(t.key.hash.name);
  if (h == key.end() || h->second.type() != t.key.hash.type) return mismatch();
  const AttributeValue* range = nullptr;
  if (t.key.range) {
    auto r = key.find(t.key.range->name);
    if (r == key.end() || r->second.type() != t.key.range->type) return mismatch();
    range = &r->second;
  }
  for (const auto& [name, v] : key) {
    if (IsEmptyKey(v)) {
      return ValidationError(std::string(empty_prefix) +
                             "The AttributeValue for a key attribute cannot contain an empty " +
                             std::string(EmptyKind(v)) + " value. Key: " + name);
    }
  }
  DYNAMO_RETURN_IF_ERROR(CheckKeySizes(t, h->second, range));
  return Encode(h->second, range);
}

// The key attributes of a PutItem Item.
Result<storage::EncodedKey> KeyFromItem(const TableInfo& t, const Item& item) {
  const AttributeValue* values[2] = {nullptr, nullptr};
  const KeyElement* elements[2] = {&t.key.hash, t.key.range ? &*t.key.range : nullptr};
  for (int i = 0; i < 2; ++i) {
    if (!elements[i]) continue;
    auto it = item.find(elements[i]->name);
    if (it == item.end()) {
      return ValidationError(std::string(kInvalid) + "Missing the key " + elements[i]->name +
                             " in the item");
    }
    if (it->second.type() != elements[i]->type) {
      return ValidationError(std::string(kInvalid) + "Type mismatch for key " + elements[i]->name +
                             " expected: " + std::string(core::TypeName(elements[i]->type)) +
                             " actual: " + std::string(core::TypeName(it->second.type())));
    }
    values[i] = &it->second;
  }
  for (int i = 0; i < 2; ++i) {
    if (values[i] && IsEmptyKey(*values[i])) {
      return ValidationError(
          "One or more parameter values are not valid. The AttributeValue for a key attribute "
          "cannot contain an empty " +
          std::string(EmptyKind(*values[i])) + " value. Key: " + elements[i]->name);
    }
  }
  DYNAMO_RETURN_IF_ERROR(CheckKeySizes(t, *values[0], values[1]));
  return Encode(*values[0], values[1]);
}

// ExpressionAttributeNames: a map of "#name" -> attribute name.
Result<std::optional<expr::NameMap>> ReadNames(const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* m, GetObject(req, "ExpressionAttributeNames", kStringMap));
  if (!m) return std::optional<expr::NameMap>();
  expr::NameMap names;
  for (const auto& e : m->GetObject()) {
    DYNAMO_RETURN_IF_ERROR(CheckStringValue(e.value));
    if (e.value.IsNull()) continue;
    names.emplace(std::string(e.name.GetString(), e.name.GetStringLength()),
                  std::string(e.value.GetString(), e.value.GetStringLength()));
  }
  return std::optional<expr::NameMap>(std::move(names));
}

core::Status CheckNameKeys(const expr::NameMap& names) {
  if (names.empty()) return ValidationError("ExpressionAttributeNames must not be empty");
  for (const auto& [k, v] : names) {
    bool ok = k.size() > 1 && k[0] == '#';
    for (size_t i = 1; ok && i < k.size(); ++i) {
      char c = k[i];
      ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    }
    if (!ok) {
      return ValidationError("ExpressionAttributeNames contains invalid key: Syntax error; key: \"" +
                             k + "\"");
    }
  }
  return core::Status::Ok();
}

core::Status CheckUnusedNames(const expr::NameMap& names,
                              const std::set<std::string, std::less<>>& used) {
  std::string unused;
  for (const auto& [k, v] : names) {
    if (used.count(k)) continue;
    if (!unused.empty()) unused += ", ";
    unused += k;
  }
  if (unused.empty()) return core::Status::Ok();
  return ValidationError("Value provided in ExpressionAttributeNames unused in expressions: keys: {" +
                         unused + "}");
}

// Reads the TableName member of an item operation and checks constraints in
// the order DynamoDB lists them.
struct CommonItemParams {
  std::string table;
  CapacityMode capacity = CapacityMode::kNone;
};

std::string ResponseWithItem(const char* key, const Item* item, CapacityMode mode,
                             const std::string& table, double units) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  if (item) {
    w.Key(key);
    WriteAttributeMap(*item, w);
  }
  WriteConsumedCapacity(w, mode, table, units);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Result<std::shared_ptr<const TableInfo>> FindTable(OpContext& ctx, const std::string& name) {
  auto t = ctx.ns->Find(name);
  if (!t) return TableNotFound();
  return t;
}

// Rejects the conditional-write parameters until the expression language
// lands, rather than silently ignoring a condition the caller relies on.
core::Status RejectConditions(const JsonValue& req) {
  for (const char* p : {"ConditionExpression", "Expected", "ExpressionAttributeValues",
                        "ConditionalOperator"}) {
    if (Member(req, p)) {
      return ValidationError(std::string(p) + " is not supported by this emulator yet");
    }
  }
  return core::Status::Ok();
}

}  // namespace

Result<std::string> GetItem(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(auto table_name, GetString(req, "TableName"));
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* key_json, GetObject(req, "Key", kAttributeValueMap));
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* attrs_to_get, GetArray(req, "AttributesToGet"));
  if (attrs_to_get) {
    for (const auto& e : attrs_to_get->GetArray()) DYNAMO_RETURN_IF_ERROR(CheckStringValue(e));
  }
  DYNAMO_ASSIGN_OR_RETURN(auto consistent, GetBool(req, "ConsistentRead"));
  DYNAMO_ASSIGN_OR_RETURN(auto capacity, GetString(req, "ReturnConsumedCapacity"));
  DYNAMO_ASSIGN_OR_RETURN(auto projection_text, GetString(req, "ProjectionExpression"));
  DYNAMO_ASSIGN_OR_RETURN(auto names, ReadNames(req));
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
  if (attrs_to_get && attrs_to_get->Empty()) {
    errors.Add("[]", "attributesToGet", "Member must have length greater than or equal to 1");
  }
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());

  if (attrs_to_get && projection_text) {
    return ValidationError(
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributesToGet} Expression parameters: "
        "{ProjectionExpression}");
  }
  if (names && !projection_text) {
    return ValidationError("ExpressionAttributeNames can only be specified when using expressions");
  }
  DYNAMO_ASSIGN_OR_RETURN(Item key, DecodeAttributeMap(*key_json));
  std::optional<std::vector<expr::Path>> paths;
  if (attrs_to_get) {
    std::set<std::string> seen;
    paths.emplace();
    for (const auto& e : attrs_to_get->GetArray()) {
      std::string a(e.GetString(), e.GetStringLength());
      if (!seen.insert(a).second) {
        return ValidationError(std::string(kInvalid) + "Duplicate value in attribute name: " + a);
      }
      paths->push_back(expr::Path{a});
    }
  }
  if (projection_text) {
    static const expr::NameMap kNoNames;
    if (names) DYNAMO_RETURN_IF_ERROR(CheckNameKeys(*names));
    DYNAMO_ASSIGN_OR_RETURN(expr::Projection projection,
                            expr::ParseProjection(*projection_text, names ? *names : kNoNames));
    if (names) DYNAMO_RETURN_IF_ERROR(CheckUnusedNames(*names, projection.used_names));
    paths = std::move(projection.paths);
  }

  DYNAMO_ASSIGN_OR_RETURN(auto t, FindTable(ctx, table));
  DYNAMO_ASSIGN_OR_RETURN(storage::EncodedKey encoded,
                          KeyFromKeyMap(*t, key, kInvalid));
  DYNAMO_ASSIGN_OR_RETURN(std::optional<Item> item, ctx.ns->db()->GetItem(t->storage_id, encoded));
  CapacityMode mode = ParseCapacityMode(capacity);
  double units = ReadUnits(item ? core::ItemSize(*item) : 0, consistent.value_or(false));
  if (item && paths) {
    Item projected = expr::ApplyProjection(*item, *paths);
    return ResponseWithItem("Item", &projected, mode, t->name, units);
  }
  return ResponseWithItem("Item", item ? &*item : nullptr, mode, t->name, units);
}

Result<std::string> PutItem(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(auto table_name, GetString(req, "TableName"));
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* item_json, GetObject(req, "Item", kAttributeValueMap));
  DYNAMO_ASSIGN_OR_RETURN(auto return_values, GetString(req, "ReturnValues"));
  DYNAMO_ASSIGN_OR_RETURN(auto capacity, GetString(req, "ReturnConsumedCapacity"));
  DYNAMO_ASSIGN_OR_RETURN(auto metrics, GetString(req, "ReturnItemCollectionMetrics"));
  DYNAMO_ASSIGN_OR_RETURN(auto on_failure, GetString(req, "ReturnValuesOnConditionCheckFailure"));
  if (item_json) DYNAMO_RETURN_IF_ERROR(CheckAttributeMapTypes(*item_json));

  ConstraintErrors errors;
  if (capacity) errors.CheckEnum(*capacity, "returnConsumedCapacity", {"INDEXES", "TOTAL", "NONE"});
  std::string table;
  if (!table_name) {
    errors.NotNull("tableName");
  } else {
    table = ResolveTableName(*table_name, errors);
  }
  if (!item_json) errors.NotNull("item");
  if (return_values) {
    errors.CheckEnum(*return_values, "returnValues",
                     {"ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"});
  }
  if (metrics) errors.CheckEnum(*metrics, "returnItemCollectionMetrics", {"SIZE", "NONE"});
  if (on_failure) {
    errors.CheckEnum(*on_failure, "returnValuesOnConditionCheckFailure", {"ALL_OLD", "NONE"});
  }
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());
  DYNAMO_RETURN_IF_ERROR(RejectConditions(req));

  DYNAMO_ASSIGN_OR_RETURN(Item item, DecodeAttributeMap(*item_json));
  if (return_values && *return_values != "NONE" && *return_values != "ALL_OLD") {
    return ValidationError("ReturnValues can only be ALL_OLD or NONE");
  }
  const size_t size = core::ItemSize(item);
  if (size > core::kMaxItemSize) {
    return ValidationError("Item size has exceeded the maximum allowed size");
  }

  DYNAMO_ASSIGN_OR_RETURN(auto t, FindTable(ctx, table));
  DYNAMO_ASSIGN_OR_RETURN(storage::EncodedKey key, KeyFromItem(*t, item));
  CapacityMode mode = ParseCapacityMode(capacity);
  const bool want_old = (return_values && *return_values == "ALL_OLD") || mode != CapacityMode::kNone;
  std::optional<Item> old;
  DYNAMO_RETURN_IF_ERROR(ctx.ns->db()->Write([&](storage::WriteTxn& txn) -> core::Status {
    if (want_old) {
      DYNAMO_ASSIGN_OR_RETURN(old, txn.Get(t->storage_id, key));
    }
    return txn.Put(t->storage_id, key, item, size);
  }));
  double units = WriteUnits(std::max(size, old ? core::ItemSize(*old) : 0));
  const bool return_old = return_values && *return_values == "ALL_OLD" && old;
  return ResponseWithItem("Attributes", return_old ? &*old : nullptr, mode, t->name, units);
}

Result<std::string> DeleteItem(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(auto table_name, GetString(req, "TableName"));
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* key_json, GetObject(req, "Key", kAttributeValueMap));
  DYNAMO_ASSIGN_OR_RETURN(auto return_values, GetString(req, "ReturnValues"));
  DYNAMO_ASSIGN_OR_RETURN(auto capacity, GetString(req, "ReturnConsumedCapacity"));
  DYNAMO_ASSIGN_OR_RETURN(auto metrics, GetString(req, "ReturnItemCollectionMetrics"));
  DYNAMO_ASSIGN_OR_RETURN(auto on_failure, GetString(req, "ReturnValuesOnConditionCheckFailure"));
  if (key_json) DYNAMO_RETURN_IF_ERROR(CheckAttributeMapTypes(*key_json));

  ConstraintErrors errors;
  std::string table;
  if (!table_name) {
    errors.NotNull("tableName");
  } else {
    table = ResolveTableName(*table_name, errors);
  }
  if (!key_json) errors.NotNull("key");
  if (capacity) errors.CheckEnum(*capacity, "returnConsumedCapacity", {"INDEXES", "TOTAL", "NONE"});
  if (return_values) {
    errors.CheckEnum(*return_values, "returnValues",
                     {"ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"});
  }
  if (metrics) errors.CheckEnum(*metrics, "returnItemCollectionMetrics", {"SIZE", "NONE"});
  if (on_failure) {
    errors.CheckEnum(*on_failure, "returnValuesOnConditionCheckFailure", {"ALL_OLD", "NONE"});
  }
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());
  DYNAMO_RETURN_IF_ERROR(RejectConditions(req));

  DYNAMO_ASSIGN_OR_RETURN(Item key_item, DecodeAttributeMap(*key_json));
  if (return_values && *return_values != "NONE" && *return_values != "ALL_OLD") {
    return ValidationError("ReturnValues can only be ALL_OLD or NONE");
  }
  DYNAMO_ASSIGN_OR_RETURN(auto t, FindTable(ctx, table));
  DYNAMO_ASSIGN_OR_RETURN(storage::EncodedKey key,
                          KeyFromKeyMap(*t, key_item, "One or more parameter values are not valid. "));
  CapacityMode mode = ParseCapacityMode(capacity);
  std::optional<Item> old;
  DYNAMO_RETURN_IF_ERROR(ctx.ns->db()->Write([&](storage::WriteTxn& txn) -> core::Status {
    DYNAMO_ASSIGN_OR_RETURN(old, txn.Get(t->storage_id, key));
    if (!old) return core::Status::Ok();
    return txn.Delete(t->storage_id, key);
  }));
  double units = WriteUnits(old ? core::ItemSize(*old) : 0);
  const bool return_old = return_values && *return_values == "ALL_OLD" && old;
  return ResponseWithItem("Attributes", return_old ? &*old : nullptr, mode, t->name, units);
}

}  // namespace dynamo::server
