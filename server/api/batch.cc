// BatchGetItem and BatchWriteItem.

#include <cmath>
#include <map>
#include <set>

#include "expr/evaluator.h"
#include "expr/projection.h"
#include "server/api/expressions.h"
#include "server/api/fields.h"
#include "server/api/keys.h"
#include "server/api/operations.h"
#include "server/api/values_json.h"

namespace dynamo::server {

using core::Item;
using core::ValidationError;

namespace {

constexpr size_t kMaxBatchGetKeys = 100;
constexpr size_t kMaxBatchWriteRequests = 25;
constexpr size_t kMaxBatchGetResponseBytes = 16 * 1024 * 1024;

std::string_view Str(const JsonValue& v) { return {v.GetString(), v.GetStringLength()}; }

void WriteCapacityList(JsonWriter& w, std::string_view mode,
                       const std::vector<std::pair<std::string, double>>& per_table) {
  if (mode != "TOTAL" && mode != "INDEXES") return;
  w.Key("ConsumedCapacity");
  w.StartArray();
  for (const auto& [table, units] : per_table) {
    w.StartObject();
    w.Key("TableName");
    w.String(table);
    w.Key("CapacityUnits");
    w.Double(units);
    if (mode == "INDEXES") {
      w.Key("Table");
      w.StartObject();
      w.Key("CapacityUnits");
      w.Double(units);
      w.EndObject();
    }
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

Result<std::string> BatchGetItem(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(
      const JsonValue* request_items,
      GetObject(
          req, "RequestItems",
          "java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.KeysAndAttributes>"));
  DYNAMO_ASSIGN_OR_RETURN(auto capacity, GetString(req, "ReturnConsumedCapacity"));
  // JSON types of every table's request.
  struct TableRequest {
    std::string name;  // as given (name or ARN)
    std::string table;
    const JsonValue* keys = nullptr;
    const JsonValue* spec = nullptr;
    std::optional<bool> consistent;
    RawExpressionParams raw;
  };
  std::vector<TableRequest> tables;
  if (request_items) {
    for (const auto& m : request_items->GetObject()) {
      DYNAMO_RETURN_IF_ERROR(
          CheckObjectValue(m.value, "class com.amazonaws.dynamodb.v20120810.KeysAndAttributes"));
      TableRequest t;
      t.name = std::string(Str(m.name));
      t.spec = &m.value;
      if (!m.value.IsNull()) {
        DYNAMO_ASSIGN_OR_RETURN(t.keys, GetArray(m.value, "Keys"));
        if (t.keys) {
          for (const auto& k : t.keys->GetArray())
            DYNAMO_RETURN_IF_ERROR(CheckAttributeMapTypes(k));
        }
        DYNAMO_ASSIGN_OR_RETURN(t.consistent, GetBool(m.value, "ConsistentRead"));
        DYNAMO_ASSIGN_OR_RETURN(t.raw, ReadExpressionParams(m.value, ItemOp::kGet));
      }
      tables.push_back(std::move(t));
    }
  }
  ConstraintErrors errors;
  if (!request_items) {
    errors.NotNull("requestItems");
  }
  if (capacity) errors.CheckEnum(*capacity, "returnConsumedCapacity", {"INDEXES", "TOTAL", "NONE"});
  for (auto& t : tables) {
    t.table = ResolveTableName(t.name, errors);
    if (!t.keys) errors.NotNull("requestItems." + t.name + ".member.keys");
  }
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());
  // Length limits, in DynamoDB's current wording (no value echoed).
  if (request_items->ObjectEmpty()) {
    return ValidationError(
        "1 validation error detected: Value at 'RequestItems' failed to satisfy "
        "constraint: Member must have length greater than or equal to 1");
  }
  for (const auto& t : tables) {
    if (t.keys->Empty() || t.keys->Size() > kMaxBatchGetKeys) {
      return ValidationError(
          "1 validation error detected: Value at 'RequestItems." + t.name +
          ".member.Keys' failed to satisfy constraint: Member must have length " +
          (t.keys->Empty() ? "greater than or equal to 1" : "less than or equal to 100"));
    }
  }
  size_t total = 0;
  for (const auto& t : tables) total += t.keys->Size();
  if (total > kMaxBatchGetKeys)
    return ValidationError("Too many items requested for the BatchGetItem call");

  struct Prepared {
    const TableRequest* request;
    std::shared_ptr<const TableInfo> info;
    ItemExpressions e;
    std::vector<std::pair<Item, storage::EncodedKey>> keys;
  };
  std::vector<Prepared> prepared;
  for (const auto& t : tables) {
    Prepared pr;
    pr.request = &t;
    DYNAMO_RETURN_IF_ERROR(CheckExpressionUsage(t.raw, ItemOp::kGet));
    DYNAMO_ASSIGN_OR_RETURN(pr.e, BuildExpressions(ctx.api->expressions(), t.raw, ItemOp::kGet));
    std::vector<Item> decoded;
    for (const auto& k : t.keys->GetArray()) {
      DYNAMO_ASSIGN_OR_RETURN(Item key, DecodeAttributeMap(k));
      decoded.push_back(std::move(key));
    }
    pr.info = ctx.ns->Find(t.table);
    if (!pr.info) return TableNotFound();
    std::set<std::pair<std::string, std::string>> seen;
    for (auto& key : decoded) {
      DYNAMO_ASSIGN_OR_RETURN(
          storage::EncodedKey encoded,
          KeyFromKeyMap(*pr.info, key, "One or more parameter values were invalid: "));
      if (!seen.emplace(encoded.hash, encoded.range).second) {
        return ValidationError("Provided list of item keys contains duplicates");
      }
      pr.keys.emplace_back(std::move(key), std::move(encoded));
    }
    prepared.push_back(std::move(pr));
  }

  // Read; past 16 MB of results the rest becomes UnprocessedKeys.
  size_t response_bytes = 0;
  std::vector<std::pair<std::string, double>> consumed;
  std::map<std::string, std::vector<Item>> responses;
  std::map<std::string, std::vector<const Item*>> unprocessed;
  for (auto& pr : prepared) {
    double units = 0;
    auto& out = responses[pr.request->name];
    for (auto& [key, encoded] : pr.keys) {
      if (response_bytes > kMaxBatchGetResponseBytes) {
        unprocessed[pr.request->name].push_back(&key);
        continue;
      }
      DYNAMO_ASSIGN_OR_RETURN(auto item, ctx.ns->db()->GetItem(pr.info->storage_id, encoded));
      size_t size = item ? core::ItemSize(*item) : 0;
      double u = std::max(1.0, std::ceil(static_cast<double>(size) / 4096.0));
      units += pr.request->consistent.value_or(false) ? u : u / 2;
      if (!item) continue;
      response_bytes += size;
      out.push_back(pr.e.projection ? expr::ApplyProjection(*item, *pr.e.projection)
                                    : std::move(*item));
    }
    consumed.emplace_back(pr.info->name, units);
  }

  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("Responses");
  w.StartObject();
  for (const auto& [table, items] : responses) {
    w.Key(table.c_str());
    w.StartArray();
    for (const auto& item : items) WriteAttributeMap(item, w);
    w.EndArray();
  }
  w.EndObject();
  w.Key("UnprocessedKeys");
  w.StartObject();
  for (const auto& [table, keys] : unprocessed) {
    const TableRequest* tr = nullptr;
    for (const auto& t : tables) {
      if (t.name == table) tr = &t;
    }
    w.Key(table.c_str());
    w.StartObject();
    w.Key("Keys");
    w.StartArray();
    for (const Item* k : keys) WriteAttributeMap(*k, w);
    w.EndArray();
    // Carry the table's read options along with the keys.
    for (const char* member : {"ConsistentRead", "ProjectionExpression", "ExpressionAttributeNames",
                               "AttributesToGet"}) {
      if (const JsonValue* v = tr ? Member(*tr->spec, member) : nullptr) {
        w.Key(member);
        v->Accept(w);
      }
    }
    w.EndObject();
  }
  w.EndObject();
  WriteCapacityList(w, capacity.value_or("NONE"), consumed);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Result<std::string> BatchWriteItem(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(
      const JsonValue* request_items,
      GetObject(req, "RequestItems",
                "java.util.Map<java.lang.String, "
                "java.util.List<com.amazonaws.dynamodb.v20120810.WriteRequest>>"));
  DYNAMO_ASSIGN_OR_RETURN(auto capacity, GetString(req, "ReturnConsumedCapacity"));
  DYNAMO_ASSIGN_OR_RETURN(auto metrics, GetString(req, "ReturnItemCollectionMetrics"));
  struct Write {
    const JsonValue* put_item = nullptr;
    const JsonValue* delete_key = nullptr;
    bool has_put = false, has_delete = false;
  };
  struct TableWrites {
    std::string name, table;
    std::vector<Write> writes;
  };
  std::vector<TableWrites> tables;
  if (request_items) {
    for (const auto& m : request_items->GetObject()) {
      TableWrites tw;
      tw.name = std::string(Str(m.name));
      if (m.value.IsObject())
        return Serialization("Start of structure or map found where not expected");
      if (!m.value.IsArray() && !m.value.IsNull()) return Serialization("Unexpected field type");
      if (m.value.IsArray()) {
        for (const auto& wr : m.value.GetArray()) {
          DYNAMO_RETURN_IF_ERROR(
              CheckObjectValue(wr, "class com.amazonaws.dynamodb.v20120810.WriteRequest"));
          Write w;
          DYNAMO_ASSIGN_OR_RETURN(
              const JsonValue* put,
              GetObject(wr, "PutRequest", "class com.amazonaws.dynamodb.v20120810.PutRequest"));
          DYNAMO_ASSIGN_OR_RETURN(
              const JsonValue* del,
              GetObject(wr, "DeleteRequest",
                        "class com.amazonaws.dynamodb.v20120810.DeleteRequest"));
          if (put) {
            w.has_put = true;
            DYNAMO_ASSIGN_OR_RETURN(w.put_item, GetObject(*put, "Item", kAttributeValueMap));
            if (w.put_item) DYNAMO_RETURN_IF_ERROR(CheckAttributeMapTypes(*w.put_item));
          }
          if (del) {
            w.has_delete = true;
            DYNAMO_ASSIGN_OR_RETURN(w.delete_key, GetObject(*del, "Key", kAttributeValueMap));
            if (w.delete_key) DYNAMO_RETURN_IF_ERROR(CheckAttributeMapTypes(*w.delete_key));
          }
          tw.writes.push_back(w);
        }
      }
      tables.push_back(std::move(tw));
    }
  }
  ConstraintErrors errors;
  if (!request_items) errors.NotNull("requestItems");
  if (capacity) errors.CheckEnum(*capacity, "returnConsumedCapacity", {"INDEXES", "TOTAL", "NONE"});
  if (metrics) errors.CheckEnum(*metrics, "returnItemCollectionMetrics", {"SIZE", "NONE"});
  size_t total = 0;
  for (auto& t : tables) {
    t.table = ResolveTableName(t.name, errors);
    total += t.writes.size();
    for (size_t i = 0; i < t.writes.size(); ++i) {
      const Write& w = t.writes[i];
      std::string path = "requestItems." + t.name + ".member." + std::to_string(i + 1) + ".member";
      if (w.has_put && !w.put_item) errors.NotNull(path + ".putRequest.item");
      if (w.has_delete && !w.delete_key) errors.NotNull(path + ".deleteRequest.key");
    }
  }
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());
  if (request_items->ObjectEmpty()) {
    return ValidationError(
        "1 validation error detected: Value at 'RequestItems' failed to satisfy "
        "constraint: Member must have length greater than or equal to 1");
  }
  for (const auto& t : tables) {
    if (t.writes.size() > kMaxBatchWriteRequests) {
      return ValidationError("1 validation error detected: Value at 'RequestItems." + t.name +
                             ".member' failed to satisfy constraint: Member must have length less "
                             "than or equal to 25");
    }
  }
  if (total > kMaxBatchWriteRequests) {
    return ValidationError("Too many items requested for the BatchWriteItem call");
  }
  for (const auto& t : tables) {
    if (t.writes.empty()) {
      return ValidationError("1 validation error detected: Value '{" + t.name +
                             "=[]}' at 'requestItems' failed to satisfy constraint: Map value must "
                             "satisfy constraint: [Member must have length less than or equal to "
                             "25, Member must have length greater than or equal to 1]");
    }
    for (const auto& w : t.writes) {
      if (w.has_put == w.has_delete) {
        return ValidationError(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
            "the supported datatypes");
      }
    }
  }

  struct Op {
    std::shared_ptr<const TableInfo> info;
    storage::EncodedKey key;
    std::optional<Item> item;  // put
    Item delete_key;           // delete
    size_t size = 0;
  };
  std::vector<Op> ops;
  for (const auto& t : tables) {
    std::vector<std::pair<bool, Item>> decoded;
    for (const auto& w : t.writes) {
      DYNAMO_ASSIGN_OR_RETURN(Item v, DecodeAttributeMap(w.has_put ? *w.put_item : *w.delete_key));
      if (w.has_put && core::ItemSize(v) > core::kMaxItemSize) {
        return ValidationError("Item size has exceeded the maximum allowed size");
      }
      decoded.emplace_back(w.has_put, std::move(v));
    }
    auto info = ctx.ns->Find(t.table);
    if (!info) return TableNotFound();
    std::set<std::pair<std::string, std::string>> seen;
    for (auto& [is_put, v] : decoded) {
      Op op;
      op.info = info;
      if (is_put) {
        // BatchWriteItem reports any key problem of a Put as a schema mismatch.
        Item key_only = KeyAttributes(info->key, v);
        size_t expected = info->key.range ? 2 : 1;
        bool types_ok = key_only.size() == expected &&
                        key_only.at(info->key.hash.name).type() == info->key.hash.type &&
                        (!info->key.range ||
                         key_only.at(info->key.range->name).type() == info->key.range->type);
        if (!types_ok) return ValidationError("The provided key element does not match the schema");
        DYNAMO_ASSIGN_OR_RETURN(op.key, KeyFromItem(*info, v));
        DYNAMO_RETURN_IF_ERROR(CheckIndexKeys(*info, v));
        op.size = core::ItemSize(v);
        op.item = std::move(v);
      } else {
        DYNAMO_ASSIGN_OR_RETURN(
            op.key, KeyFromKeyMap(*info, v, "One or more parameter values are not valid. "));
        op.delete_key = v;
      }
      if (!seen.emplace(op.key.hash, op.key.range).second) {
        return ValidationError("Provided list of item keys contains duplicates");
      }
      ops.push_back(std::move(op));
    }
  }
  std::map<std::string, double> units;
  DYNAMO_RETURN_IF_ERROR(ctx.ns->db()->Write([&](storage::WriteTxn& txn) -> core::Status {
    units.clear();
    for (const auto& op : ops) {
      DYNAMO_RETURN_IF_ERROR(CheckNotLocked(*ctx.ns, *op.info, op.key));
    }
    for (const auto& op : ops) {
      DYNAMO_ASSIGN_OR_RETURN(auto old, txn.Get(op.info->storage_id, op.key));
      size_t old_size = old ? core::ItemSize(*old) : 0;
      if (op.item) {
        DYNAMO_RETURN_IF_ERROR(txn.Put(op.info->storage_id, op.key, *op.item, op.size));
      } else if (old) {
        DYNAMO_RETURN_IF_ERROR(txn.Delete(op.info->storage_id, op.key));
      }
      DYNAMO_ASSIGN_OR_RETURN(auto current, CurrentTable(*ctx.ns, *op.info));
      DYNAMO_RETURN_IF_ERROR(MaintainIndexes(txn, *current, op.key, old ? &*old : nullptr,
                                             op.item ? &*op.item : nullptr));
      units[op.info->name] +=
          std::max(1.0, std::ceil(static_cast<double>(std::max(old_size, op.size)) / 1024.0));
    }
    return core::Status::Ok();
  }));
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("UnprocessedItems");
  w.StartObject();
  w.EndObject();
  if (metrics && *metrics == "SIZE") {
    // One entry per write to a table with local secondary indexes.
    std::map<std::string, std::vector<Item>> collections;
    for (const auto& op : ops) {
      if (op.info->local_indexes.empty()) continue;
      collections[op.info->name].push_back(
          Item{{op.info->key.hash.name, op.item ? op.item->at(op.info->key.hash.name)
                                                : op.delete_key.at(op.info->key.hash.name)}});
    }
    if (!collections.empty()) {
      w.Key("ItemCollectionMetrics");
      w.StartObject();
      for (const auto& [table, keys] : collections) {
        w.Key(table.c_str());
        w.StartArray();
        for (const auto& k : keys) WriteItemCollectionMetrics(k, w);
        w.EndArray();
      }
      w.EndObject();
    }
  }
  WriteCapacityList(w, capacity.value_or("NONE"),
                    std::vector<std::pair<std::string, double>>(units.begin(), units.end()));
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace dynamo::server
