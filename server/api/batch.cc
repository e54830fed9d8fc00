// BatchGetItem and BatchWriteItem.
//
// Both follow the same phases: read the request (JSON types), check its
// constraints and length limits in DynamoDB's order, prepare (expressions,
// tables, keys, duplicates), execute, write the response. BatchWriteItem's
// writes are one batch of the write path: all of them or none.

#include <algorithm>
#include <map>
#include <set>

#include "core/messages.h"
#include "expr/projection.h"
#include "server/api/capacity.h"
#include "server/api/expressions.h"
#include "server/api/fields.h"
#include "server/api/keys.h"
#include "server/api/mutations.h"
#include "server/api/operations.h"
#include "server/api/request_echo.h"
#include "server/api/values_json.h"
#include "storage/database.h"
#include "storage/index.h"

namespace dynamo::server {

using core::Item;
using core::ValidationError;

namespace {

constexpr size_t kMaxBatchGetKeys = 100;
constexpr size_t kMaxBatchWriteRequests = 25;
constexpr size_t kMaxBatchGetResponseBytes = 16 * 1024 * 1024;

std::string_view Str(const JsonValue& v) { return {v.GetString(), v.GetStringLength()}; }

// An empty RequestItems map. BatchGetItem answers in the validation
// framework's wording everywhere but me-central-1 (2026-09-02 sweep);
// BatchWriteItem's rollout has not settled (eu-west-2 has given both), so it
// keeps the older sentence.
core::Error EmptyBatchGetRequestItems() {
  ConstraintErrors errors;
  errors.AddUnechoed("RequestItems", "Member must have length greater than or equal to 1");
  return errors.ToStatus().error();
}
core::Error EmptyBatchWriteRequestItems() {
  return ValidationError("The requestItems parameter is required for BatchWriteItem");
}

// RequestItems' keys are table names or ARNs. A malformed name breaks a
// constraint on the map's keys, which DynamoDB reports at 'requestItems' with
// the whole map echoed (us-east-1 and eu-west-2, 2026-10-09). An ARN is
// checked as one by ResolveTableName.
bool IsMalformedTableKey(std::string_view name) {
  if (name.substr(0, 4) == "arn:") return false;
  return name.size() < 3 || name.size() > 255 || !MatchesTableNamePattern(name);
}

void AddMalformedTableKey(std::string echo, ConstraintErrors& errors) {
  errors.Add(std::move(echo), "requestItems",
             "Map keys must satisfy constraint: [Member must have length less than or equal to "
             "255, Member must have length greater than or equal to 3, Member must satisfy "
             "regular expression pattern: [a-zA-Z0-9_.-]+]");
}

// ---- BatchGetItem ----

// One table's KeysAndAttributes, after the JSON type pass.
struct GetTableRequest {
  std::string name;   // as given (name or ARN)
  std::string table;  // resolved
  const JsonValue* keys = nullptr;
  const JsonValue* spec = nullptr;
  std::optional<bool> consistent;
  RawExpressionParams raw;
};

struct BatchGetRequest {
  const JsonValue* request_items = nullptr;
  std::optional<std::string_view> capacity;
  std::vector<GetTableRequest> tables;
};

Result<BatchGetRequest> ReadBatchGetRequest(const JsonValue& req) {
  BatchGetRequest r;
  DYNAMO_ASSIGN_OR_RETURN(
      r.request_items,
      GetObject(
          req, "RequestItems",
          "java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.KeysAndAttributes>"));
  DYNAMO_ASSIGN_OR_RETURN(r.capacity, GetString(req, "ReturnConsumedCapacity"));
  if (!r.request_items) return r;
  for (const auto& m : r.request_items->GetObject()) {
    DYNAMO_RETURN_IF_ERROR(
        CheckObjectValue(m.value, "class com.amazonaws.dynamodb.v20120810.KeysAndAttributes"));
    GetTableRequest t;
    t.name = std::string(Str(m.name));
    t.spec = &m.value;
    if (!m.value.IsNull()) {
      DYNAMO_ASSIGN_OR_RETURN(t.keys, GetArray(m.value, "Keys"));
      if (t.keys) {
        for (const auto& k : t.keys->GetArray()) DYNAMO_RETURN_IF_ERROR(CheckAttributeMapTypes(k));
      }
      DYNAMO_ASSIGN_OR_RETURN(t.consistent, GetBool(m.value, "ConsistentRead"));
      DYNAMO_ASSIGN_OR_RETURN(t.raw, ReadExpressionParams(m.value, ItemOp::kGet));
    }
    r.tables.push_back(std::move(t));
  }
  return r;
}

// BatchGetItem echoes RequestItems as the JSON it was sent as.
std::string EchoBatchGetRequestItems(const JsonValue& request_items) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  request_items.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

core::Status CheckBatchGetConstraints(BatchGetRequest& r) {
  ConstraintErrors errors;
  if (!r.request_items) errors.NotNull("requestItems");
  auto malformed = [](const GetTableRequest& t) { return IsMalformedTableKey(t.name); };
  if (std::any_of(r.tables.begin(), r.tables.end(), malformed)) {
    AddMalformedTableKey(EchoBatchGetRequestItems(*r.request_items), errors);
  }
  CheckCapacityEnum(r.capacity, errors);
  for (auto& t : r.tables) {
    if (malformed(t)) continue;
    t.table = ResolveTableName(t.name, errors);
    if (!t.keys) errors.NotNull("requestItems." + t.name + ".member.keys");
  }
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());
  // Length limits, in DynamoDB's current wording (no value echoed).
  if (r.request_items->ObjectEmpty()) return EmptyBatchGetRequestItems();
  size_t total = 0;
  for (const auto& t : r.tables) {
    if (t.keys->Empty() || t.keys->Size() > kMaxBatchGetKeys) {
      return ValidationError(
          "1 validation error detected: Value at 'RequestItems." + t.name +
          ".member.Keys' failed to satisfy constraint: Member must have length " +
          (t.keys->Empty() ? "greater than or equal to 1" : "less than or equal to 100"));
    }
    total += t.keys->Size();
  }
  if (total > kMaxBatchGetKeys) {
    return ValidationError("Too many items requested for the BatchGetItem call");
  }
  return core::Status::Ok();
}

// One table's reads, ready to run.
struct PreparedGet {
  const GetTableRequest* request;
  std::shared_ptr<const storage::TableDef> table;
  ItemExpressions e;
  std::vector<std::pair<Item, storage::EncodedKey>> keys;
};

// One request may not mix ProjectionExpression and AttributesToGet, even on
// different tables (each table's own mix is CheckExpressionUsage's).
core::Status CheckProjectionsAcrossTables(const BatchGetRequest& r) {
  bool legacy = false, modern = false;
  for (const auto& t : r.tables) {
    legacy = legacy || t.raw.attributes_to_get != nullptr;
    modern = modern || t.raw.projection_expression.has_value();
  }
  if (!legacy || !modern) return core::Status::Ok();
  return CheckMixedParameters({"AttributesToGet"}, {"ProjectionExpression"});
}

// BatchGetItem checks values in DynamoDB's current layer (values_json.h).
Result<PreparedGet> PrepareGet(OpContext& ctx, const GetTableRequest& t) {
  constexpr ValueLayer kLayer = ValueLayer::kCurrent;
  PreparedGet pr;
  pr.request = &t;
  DYNAMO_RETURN_IF_ERROR(CheckExpressionUsage(t.raw, ItemOp::kGet, kLayer));
  DYNAMO_ASSIGN_OR_RETURN(pr.e,
                          BuildExpressions(ctx.api->expressions(), t.raw, ItemOp::kGet, kLayer));
  std::vector<Item> decoded;
  for (const auto& k : t.keys->GetArray()) {
    DYNAMO_ASSIGN_OR_RETURN(Item key, DecodeAttributeMap(k, kLayer));
    decoded.push_back(std::move(key));
  }
  pr.table = ctx.ns->db->FindTable(t.table);
  if (!pr.table) return core::ResourceNotFound();
  std::set<std::pair<std::string, std::string>> seen;
  for (auto& key : decoded) {
    DYNAMO_ASSIGN_OR_RETURN(storage::EncodedKey encoded,
                            KeyFromKeyMap(*pr.table, key, core::kNotValidParameters));
    if (!seen.emplace(encoded.hash, encoded.range).second) return core::DuplicateKeys();
    pr.keys.emplace_back(std::move(key), std::move(encoded));
  }
  return pr;
}

// What the reads found; past 16 MB of results the rest becomes UnprocessedKeys.
struct BatchGetResults {
  std::vector<Consumed> consumed;  // per table, in request order
  std::map<std::string, std::vector<Item>> responses;
  std::map<std::string, std::vector<const Item*>> unprocessed;
};

Result<BatchGetResults> RunBatchGet(OpContext& ctx, std::vector<PreparedGet>& prepared) {
  BatchGetResults out;
  size_t response_bytes = 0;
  for (auto& pr : prepared) {
    const std::string& name = pr.request->name;
    double units = 0;
    auto& items = out.responses[name];
    for (auto& [key, encoded] : pr.keys) {
      if (response_bytes > kMaxBatchGetResponseBytes) {
        out.unprocessed[name].push_back(&key);
        continue;
      }
      DYNAMO_ASSIGN_OR_RETURN(auto item, ctx.ns->db->GetItem(pr.table->id, encoded));
      const size_t size = item ? core::ItemSize(*item) : 0;
      units += ReadUnits(size, pr.request->consistent.value_or(false));
      if (!item) continue;
      response_bytes += size;
      items.push_back(pr.e.projection ? expr::ApplyProjection(*item, *pr.e.projection)
                                      : std::move(*item));
    }
    out.consumed.push_back(Consumed{pr.table->name, units});
  }
  return out;
}

std::string BatchGetResponse(const BatchGetRequest& r, const BatchGetResults& results) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("Responses");
  w.StartObject();
  for (const auto& [table, items] : results.responses) {
    w.Key(table.c_str());
    w.StartArray();
    for (const auto& item : items) WriteAttributeMap(item, w);
    w.EndArray();
  }
  w.EndObject();
  w.Key("UnprocessedKeys");
  w.StartObject();
  for (const auto& [table, keys] : results.unprocessed) {
    const GetTableRequest* tr = nullptr;
    for (const auto& t : r.tables) {
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
  WriteConsumedCapacityList(w, ParseCapacityMode(r.capacity), results.consumed);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

// ---- BatchWriteItem ----

struct WriteRequest {
  const JsonValue* raw = nullptr;  // as given, for echoes in messages
  const JsonValue* put_item = nullptr;
  const JsonValue* delete_key = nullptr;
  bool has_put = false, has_delete = false;
};

struct TableWrites {
  std::string name, table;  // as given; resolved
  std::vector<WriteRequest> writes;
};

struct BatchWriteRequest {
  const JsonValue* request_items = nullptr;
  std::optional<std::string_view> capacity, metrics;
  std::vector<TableWrites> tables;
};

Result<WriteRequest> ReadWriteRequest(const JsonValue& wr) {
  DYNAMO_RETURN_IF_ERROR(
      CheckObjectValue(wr, "class com.amazonaws.dynamodb.v20120810.WriteRequest"));
  WriteRequest w;
  w.raw = &wr;
  DYNAMO_ASSIGN_OR_RETURN(
      const JsonValue* put,
      GetObject(wr, "PutRequest", "class com.amazonaws.dynamodb.v20120810.PutRequest"));
  DYNAMO_ASSIGN_OR_RETURN(
      const JsonValue* del,
      GetObject(wr, "DeleteRequest", "class com.amazonaws.dynamodb.v20120810.DeleteRequest"));
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
  return w;
}

Result<BatchWriteRequest> ReadBatchWriteRequest(const JsonValue& req) {
  BatchWriteRequest r;
  DYNAMO_ASSIGN_OR_RETURN(
      r.request_items, GetObject(req, "RequestItems",
                                 "java.util.Map<java.lang.String, "
                                 "java.util.List<com.amazonaws.dynamodb.v20120810.WriteRequest>>"));
  DYNAMO_ASSIGN_OR_RETURN(r.capacity, GetString(req, "ReturnConsumedCapacity"));
  DYNAMO_ASSIGN_OR_RETURN(r.metrics, GetString(req, "ReturnItemCollectionMetrics"));
  if (!r.request_items) return r;
  for (const auto& m : r.request_items->GetObject()) {
    TableWrites tw;
    tw.name = std::string(Str(m.name));
    if (m.value.IsObject()) {
      return Serialization("Start of structure or map found where not expected");
    }
    if (!m.value.IsArray() && !m.value.IsNull()) return Serialization("Unexpected field type");
    if (m.value.IsArray()) {
      for (const auto& wr : m.value.GetArray()) {
        DYNAMO_ASSIGN_OR_RETURN(WriteRequest w, ReadWriteRequest(wr));
        tw.writes.push_back(w);
      }
    }
    r.tables.push_back(std::move(tw));
  }
  return r;
}

// RequestItems as BatchWriteItem echoes it in a constraint message: Java's
// toString of its model (see request_echo.h).
std::string EchoBatchWriteRequestItems(const BatchWriteRequest& r) {
  std::string echo = "{";
  for (size_t t = 0; t < r.tables.size(); ++t) {
    if (t > 0) echo += ", ";
    echo += r.tables[t].name + "=[";
    for (size_t i = 0; i < r.tables[t].writes.size(); ++i) {
      if (i > 0) echo += ", ";
      echo += EchoWriteRequest(*r.tables[t].writes[i].raw);
    }
    echo += "]";
  }
  echo += "}";
  return echo;
}

// DynamoDB's message for a table with no writes or more than 25.
core::Error BatchWriteLengthError(const BatchWriteRequest& r) {
  ConstraintErrors errors;
  errors.Add(EchoBatchWriteRequestItems(r), "requestItems",
             "Map value must satisfy constraint: [Member must have length less than or equal to "
             "25, Member must have length greater than or equal to 1]");
  return errors.ToStatus().error();
}

core::Status CheckBatchWriteLimits(const BatchWriteRequest& r, size_t total) {
  if (r.request_items->ObjectEmpty()) return EmptyBatchWriteRequestItems();
  for (const auto& t : r.tables) {
    if (t.writes.empty() || t.writes.size() > kMaxBatchWriteRequests) {
      return BatchWriteLengthError(r);
    }
  }
  if (total > kMaxBatchWriteRequests) {
    return ValidationError("Too many items requested for the BatchWriteItem call");
  }
  for (const auto& t : r.tables) {
    for (const auto& w : t.writes) {
      if (w.has_put == w.has_delete) {
        return ValidationError(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
            "the supported datatypes");
      }
    }
  }
  return core::Status::Ok();
}

core::Status CheckBatchWriteConstraints(BatchWriteRequest& r) {
  ConstraintErrors errors;
  if (!r.request_items) errors.NotNull("requestItems");
  auto malformed = [](const TableWrites& t) { return IsMalformedTableKey(t.name); };
  ConstraintErrors enums;
  CheckCapacityEnum(r.capacity, enums);
  if (r.metrics) enums.CheckEnum(*r.metrics, "returnItemCollectionMetrics", {"SIZE", "NONE"});
  // A malformed table name gives way to an enum error, which is then
  // reported without it (us-east-1 and eu-west-2, 2026-10-09).
  if (enums.empty() && std::any_of(r.tables.begin(), r.tables.end(), malformed)) {
    AddMalformedTableKey(EchoBatchWriteRequestItems(r), errors);
  }
  CheckCapacityEnum(r.capacity, errors);
  if (r.metrics) errors.CheckEnum(*r.metrics, "returnItemCollectionMetrics", {"SIZE", "NONE"});
  size_t total = 0;
  for (auto& t : r.tables) {
    total += t.writes.size();
    if (malformed(t)) continue;
    t.table = ResolveTableName(t.name, errors);
    for (size_t i = 0; i < t.writes.size(); ++i) {
      const WriteRequest& w = t.writes[i];
      std::string path = "requestItems." + t.name + ".member." + std::to_string(i + 1) + ".member";
      if (w.has_put && !w.put_item) errors.NotNull(path + ".putRequest.item");
      if (w.has_delete && !w.delete_key) errors.NotNull(path + ".deleteRequest.key");
    }
  }
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());
  return CheckBatchWriteLimits(r, total);
}

// One write, ready for the write path.
struct PreparedWrite {
  std::shared_ptr<const storage::TableDef> table;
  storage::EncodedKey key;
  Item item;  // the Put item, or the Delete key
  bool is_put = false;
  // {hash key attribute} on tables with local secondary indexes, for
  // ItemCollectionMetrics.
  std::optional<Item> collection_key;
};

// A Put's item: BatchWriteItem reports any key problem as a schema mismatch
// first, then the item's own key and index key checks.
Result<storage::EncodedKey> PutKey(const storage::TableDef& table, const Item& item) {
  if (!storage::EncodeItemKey(table.key, item)) return core::KeySchemaMismatch();
  DYNAMO_ASSIGN_OR_RETURN(storage::EncodedKey key, KeyFromItem(table, item));
  if (auto violation = storage::FindIndexKeyViolation(table, item)) {
    return std::move(violation->error);
  }
  return key;
}

Result<std::vector<PreparedWrite>> PrepareTableWrites(OpContext& ctx, const TableWrites& t) {
  std::vector<PreparedWrite> out;
  for (const auto& w : t.writes) {
    PreparedWrite pw;
    pw.is_put = w.has_put;
    // BatchWriteItem checks values in DynamoDB's older layer (values_json.h).
    if (pw.is_put) DYNAMO_RETURN_IF_ERROR(CheckItemAttributeNames(*w.put_item));
    DYNAMO_ASSIGN_OR_RETURN(
        pw.item, DecodeAttributeMap(w.has_put ? *w.put_item : *w.delete_key, ValueLayer::kOlder));
    if (pw.is_put && core::ItemSize(pw.item) > core::kMaxItemSize) return core::ItemTooLarge();
    out.push_back(std::move(pw));
  }
  auto table = ctx.ns->db->FindTable(t.table);
  if (!table) return core::ResourceNotFound();
  std::set<std::pair<std::string, std::string>> seen;
  for (auto& pw : out) {
    pw.table = table;
    if (pw.is_put) {
      DYNAMO_ASSIGN_OR_RETURN(pw.key, PutKey(*table, pw.item));
    } else {
      DYNAMO_ASSIGN_OR_RETURN(pw.key, KeyFromKeyMap(*table, pw.item, core::kNotValidParameters));
    }
    if (!seen.emplace(pw.key.hash, pw.key.range).second) return core::DuplicateKeys();
    if (!table->local_indexes.empty()) {
      const std::string& hash = table->key.hash.name;
      pw.collection_key = Item{{hash, pw.item.at(hash)}};
    }
  }
  return out;
}

// One table can be named twice (by name and by ARN): an item may still be
// written only once per request, as DynamoDB requires. (Within one name
// PrepareTableWrites has checked already.)
core::Status CheckOneWritePerItem(const std::vector<PreparedWrite>& writes, size_t entries) {
  std::set<int64_t> tables;
  for (const auto& pw : writes) tables.insert(pw.table->id);
  if (tables.size() == entries) return core::Status::Ok();
  std::set<std::string> seen;
  for (const auto& pw : writes) {
    if (!seen.insert(storage::ItemLockKey(pw.table->id, pw.key)).second) {
      return core::DuplicateKeys();
    }
  }
  return core::Status::Ok();
}

// ItemCollectionMetrics of BatchWriteItem: one entry per write to a table
// with local secondary indexes.
void WriteBatchCollectionMetrics(const std::vector<PreparedWrite>& writes, JsonWriter& w) {
  std::map<std::string, std::vector<Item>> collections;
  for (const auto& pw : writes) {
    if (pw.collection_key) collections[pw.table->name].push_back(*pw.collection_key);
  }
  if (collections.empty()) return;
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

std::string BatchWriteResponse(const BatchWriteRequest& r, const std::vector<PreparedWrite>& writes,
                               const CapacityTally& tally) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("UnprocessedItems");
  w.StartObject();
  w.EndObject();
  if (r.metrics && *r.metrics == "SIZE") WriteBatchCollectionMetrics(writes, w);
  WriteConsumedCapacityList(w, ParseCapacityMode(r.capacity), tally.List());
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace

Result<std::string> BatchGetItem(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(BatchGetRequest r, ReadBatchGetRequest(req));
  DYNAMO_RETURN_IF_ERROR(CheckBatchGetConstraints(r));
  DYNAMO_RETURN_IF_ERROR(CheckProjectionsAcrossTables(r));
  std::vector<PreparedGet> prepared;
  for (const auto& t : r.tables) {
    DYNAMO_ASSIGN_OR_RETURN(PreparedGet pr, PrepareGet(ctx, t));
    prepared.push_back(std::move(pr));
  }
  DYNAMO_ASSIGN_OR_RETURN(BatchGetResults results, RunBatchGet(ctx, prepared));
  return BatchGetResponse(r, results);
}

Result<std::string> BatchWriteItem(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(BatchWriteRequest r, ReadBatchWriteRequest(req));
  DYNAMO_RETURN_IF_ERROR(CheckBatchWriteConstraints(r));
  std::vector<PreparedWrite> writes;
  for (const auto& t : r.tables) {
    DYNAMO_ASSIGN_OR_RETURN(std::vector<PreparedWrite> table_writes, PrepareTableWrites(ctx, t));
    for (auto& pw : table_writes) writes.push_back(std::move(pw));
  }
  DYNAMO_RETURN_IF_ERROR(CheckOneWritePerItem(writes, r.tables.size()));
  std::vector<storage::Mutation> batch;
  batch.reserve(writes.size());
  for (auto& pw : writes) {
    WriteTarget target{pw.table, std::move(pw.key), nullptr, false};
    batch.push_back(pw.is_put ? PutMutation(std::move(target), std::move(pw.item), true)
                              : DeleteMutation(std::move(target)));
  }
  DYNAMO_ASSIGN_OR_RETURN(storage::BatchResult applied,
                          ctx.ns->db->Apply(std::move(batch), ctx.ApplyOptions()));
  if (!applied.committed) return std::move(applied.failures.front().error);
  CapacityTally tally;
  for (size_t i = 0; i < writes.size(); ++i) {
    const storage::MutationResult& mr = applied.results[i];
    tally.Add(*writes[i].table, WriteUnits(std::max(mr.old_size, mr.new_size)), &mr.index_writes);
  }
  return BatchWriteResponse(r, writes, tally);
}

}  // namespace dynamo::server
