// Control-plane operations: CreateTable, DescribeTable, ListTables,
// DeleteTable, UpdateTable, DescribeEndpoints, DescribeLimits.
//
// Validation runs in DynamoDB's order: JSON types (SerializationException),
// then shape constraints collected into one "N validation errors detected"
// message, then semantic checks where the first failure wins, then existence.

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "core/item_codec.h"
#include "server/api/fields.h"
#include "server/api/keys.h"
#include "server/api/operations.h"
#include "storage/database.h"

namespace dynamo::server {

using core::ErrorCode;
using core::ValidationError;
using core::ValueType;

namespace {

constexpr const char* kInvalid = "One or more parameter values were invalid: ";
constexpr int64_t kMaxCapacityUnits = 1000000000000;  // "out of bounds" above this

std::string NewUuid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t a = rng(), b = rng();
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 1
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xffff),
                static_cast<unsigned>(b >> 48),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

std::string Sv(std::string_view v) { return std::string(v); }

// ---- Parsed request pieces (after the JSON type pass) ----

struct RawKeyElement {
  std::optional<std::string> name, key_type;
};
struct RawThroughput {
  bool present = false;
  std::optional<int64_t> read, write;
};
struct RawProjection {
  bool present = false;
  std::optional<std::string> type;
  std::optional<std::vector<std::string>> non_key;
};
struct RawIndex {
  std::optional<std::string> name;
  std::optional<std::vector<RawKeyElement>> key_schema;
  RawProjection projection;
  RawThroughput throughput;
};
struct RawAttributeDefinition {
  std::optional<std::string> name, type;
};

Result<std::optional<std::string>> OptString(const JsonValue& o, std::string_view name) {
  DYNAMO_ASSIGN_OR_RETURN(auto v, GetString(o, name));
  if (!v) return std::optional<std::string>();
  return std::optional<std::string>(Sv(*v));
}

Status CheckStructElement(const JsonValue& v) {
  if (v.IsObject()) return Status::Ok();
  if (v.IsArray()) return Serialization("Unrecognized collection type class java.lang.Object");
  return Serialization("Unexpected value type in payload");
}

Result<std::optional<std::vector<RawKeyElement>>> ReadKeySchema(const JsonValue& o) {
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* arr, GetArray(o, "KeySchema"));
  if (!arr) return std::optional<std::vector<RawKeyElement>>();
  std::vector<RawKeyElement> out;
  for (const auto& e : arr->GetArray()) {
    if (e.IsNull()) {
      out.push_back({});
      continue;
    }
    DYNAMO_RETURN_IF_ERROR(CheckStructElement(e));
    RawKeyElement k;
    DYNAMO_ASSIGN_OR_RETURN(k.name, OptString(e, "AttributeName"));
    DYNAMO_ASSIGN_OR_RETURN(k.key_type, OptString(e, "KeyType"));
    out.push_back(std::move(k));
  }
  return std::optional<std::vector<RawKeyElement>>(std::move(out));
}

Result<RawThroughput> ReadThroughput(const JsonValue& o) {
  RawThroughput t;
  DYNAMO_ASSIGN_OR_RETURN(
      const JsonValue* pt,
      GetObject(o, "ProvisionedThroughput",
                "class com.amazonaws.dynamodb.v20120810.ProvisionedThroughput"));
  if (!pt) return t;
  t.present = true;
  DYNAMO_ASSIGN_OR_RETURN(t.read, GetInteger(*pt, "ReadCapacityUnits", "Long"));
  DYNAMO_ASSIGN_OR_RETURN(t.write, GetInteger(*pt, "WriteCapacityUnits", "Long"));
  return t;
}

Result<RawProjection> ReadProjection(const JsonValue& o) {
  RawProjection p;
  DYNAMO_ASSIGN_OR_RETURN(
      const JsonValue* pj,
      GetObject(o, "Projection", "class com.amazonaws.dynamodb.v20120810.Projection"));
  if (!pj) return p;
  p.present = true;
  DYNAMO_ASSIGN_OR_RETURN(p.type, OptString(*pj, "ProjectionType"));
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* nk, GetArray(*pj, "NonKeyAttributes"));
  if (nk) {
    std::vector<std::string> names;
    for (const auto& e : nk->GetArray()) {
      DYNAMO_RETURN_IF_ERROR(CheckStringValue(e));
      names.push_back(e.IsString() ? e.GetString() : "");
    }
    p.non_key = std::move(names);
  }
  return p;
}

Result<RawIndex> ReadIndex(const JsonValue& e) {
  RawIndex ix;
  DYNAMO_RETURN_IF_ERROR(CheckStructElement(e));
  DYNAMO_ASSIGN_OR_RETURN(ix.name, OptString(e, "IndexName"));
  DYNAMO_ASSIGN_OR_RETURN(ix.key_schema, ReadKeySchema(e));
  DYNAMO_ASSIGN_OR_RETURN(ix.projection, ReadProjection(e));
  DYNAMO_ASSIGN_OR_RETURN(ix.throughput, ReadThroughput(e));
  return ix;
}

Result<std::optional<std::vector<RawIndex>>> ReadIndexes(const JsonValue& o,
                                                         std::string_view member) {
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* arr, GetArray(o, member));
  if (!arr) return std::optional<std::vector<RawIndex>>();
  std::vector<RawIndex> out;
  for (const auto& e : arr->GetArray()) {
    RawIndex ix;
    if (!e.IsNull()) {
      DYNAMO_RETURN_IF_ERROR(CheckStructElement(e));
      DYNAMO_ASSIGN_OR_RETURN(ix.name, OptString(e, "IndexName"));
      DYNAMO_ASSIGN_OR_RETURN(ix.key_schema, ReadKeySchema(e));
      DYNAMO_ASSIGN_OR_RETURN(ix.projection, ReadProjection(e));
      DYNAMO_ASSIGN_OR_RETURN(ix.throughput, ReadThroughput(e));
    }
    out.push_back(std::move(ix));
  }
  return std::optional<std::vector<RawIndex>>(std::move(out));
}

// ---- Constraint checks ----

void CheckThroughputConstraints(const RawThroughput& t, const std::string& prefix,
                                ConstraintErrors& errors) {
  if (!t.present) return;
  // DynamoDB lists writeCapacityUnits before readCapacityUnits.
  if (!t.write) {
    errors.NotNull(prefix + "provisionedThroughput.writeCapacityUnits");
  } else if (*t.write < 1) {
    errors.Add(std::to_string(*t.write), prefix + "provisionedThroughput.writeCapacityUnits",
               "Member must have value greater than or equal to 1");
  }
  if (!t.read) {
    errors.NotNull(prefix + "provisionedThroughput.readCapacityUnits");
  } else if (*t.read < 1) {
    errors.Add(std::to_string(*t.read), prefix + "provisionedThroughput.readCapacityUnits",
               "Member must have value greater than or equal to 1");
  }
}

std::string RenderKeySchema(const std::vector<RawKeyElement>& ks) {
  std::string out = "[";
  for (size_t i = 0; i < ks.size(); ++i) {
    if (i) out += ", ";
    out += "KeySchemaElement(attributeName=" + ks[i].name.value_or("null") +
           ", keyType=" + ks[i].key_type.value_or("null") + ")";
  }
  return out + "]";
}

void CheckKeySchemaConstraints(const std::optional<std::vector<RawKeyElement>>& ks,
                               const std::string& path, ConstraintErrors& errors) {
  if (!ks) {
    errors.NotNull(path);
    return;
  }
  if (ks->empty()) {
    errors.Add("[]", path, "Member must have length greater than or equal to 1");
  } else if (ks->size() > 2) {
    errors.Add(RenderKeySchema(*ks), path, "Member must have length less than or equal to 2");
  }
  for (size_t i = 0; i < ks->size(); ++i) {
    std::string p = path + "." + std::to_string(i + 1) + ".member.";
    const RawKeyElement& k = (*ks)[i];
    if (!k.name) {
      errors.NotNull(p + "attributeName");
    } else {
      errors.CheckLength(*k.name, p + "attributeName", 1, 255);
    }
    if (!k.key_type) {
      errors.NotNull(p + "keyType");
    } else {
      errors.CheckEnum(*k.key_type, p + "keyType", {"HASH", "RANGE"});
    }
  }
}

void CheckIndexNameConstraints(const std::optional<std::string>& name, const std::string& path,
                               ConstraintErrors& errors) {
  if (!name) {
    errors.NotNull(path);
    return;
  }
  errors.CheckTableNamePattern(*name, path);
  errors.CheckLength(*name, path, 3, 255);
}

void CheckIndexConstraints(const std::optional<std::vector<RawIndex>>& indexes,
                           const std::string& path, bool global, ConstraintErrors& errors) {
  if (!indexes) return;
  for (size_t i = 0; i < indexes->size(); ++i) {
    const RawIndex& ix = (*indexes)[i];
    std::string p = path + "." + std::to_string(i + 1) + ".member.";
    CheckKeySchemaConstraints(ix.key_schema, p + "keySchema", errors);
    if (!ix.projection.present) {
      errors.NotNull(p + "projection");
    } else {
      if (ix.projection.type) {
        errors.CheckEnum(*ix.projection.type, p + "projection.projectionType",
                         {"ALL", "INCLUDE", "KEYS_ONLY"});
      }
      if (ix.projection.non_key) {
        if (ix.projection.non_key->empty()) {
          errors.Add("[]", p + "projection.nonKeyAttributes",
                     "Member must have length greater than or equal to 1");
        } else if (ix.projection.non_key->size() > 20) {
          std::string v = "[";
          for (size_t j = 0; j < ix.projection.non_key->size(); ++j) {
            v += (j ? ", " : "") + (*ix.projection.non_key)[j];
          }
          errors.Add(v + "]", p + "projection.nonKeyAttributes",
                     "Member must have length less than or equal to 20");
        }
      }
    }
    CheckIndexNameConstraints(ix.name, p + "indexName", errors);
    if (global) CheckThroughputConstraints(ix.throughput, p, errors);
  }
}

// ---- Semantic checks ----

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += ", ";
    out += names[i];
  }
  return out + "]";
}

using AttrDefs = std::vector<std::pair<std::string, std::string>>;

const std::string* FindDef(const AttrDefs& defs, const std::string& name) {
  for (const auto& [n, t] : defs) {
    if (n == name) return &t;
  }
  return nullptr;
}

ValueType ScalarOf(const std::string& t) {
  return t == "N" ? ValueType::kN : (t == "B" ? ValueType::kB : ValueType::kS);
}

// Checks an index or table key schema against the definitions and its
// HASH/RANGE structure; fills `out`.
Status CheckKeySchemaSemantics(const std::vector<RawKeyElement>& ks, const AttrDefs& defs,
                               KeySchema* out) {
  std::vector<std::string> missing_keys;
  bool missing = false;
  for (const auto& k : ks) {
    missing_keys.push_back(*k.name);
    if (!FindDef(defs, *k.name)) missing = true;
  }
  if (missing) {
    std::vector<std::string> def_names;
    for (const auto& [n, t] : defs) def_names.push_back(n);
    return ValidationError(std::string(kInvalid) +
                           "Some index key attributes are not defined in AttributeDefinitions. "
                           "Keys: " +
                           JoinNames(missing_keys) +
                           ", AttributeDefinitions: " + JoinNames(def_names));
  }
  if (ks.size() == 2 && *ks[0].name == *ks[1].name) {
    return ValidationError(
        "Both the Hash Key and the Range Key element in the KeySchema have the same name");
  }
  if (*ks[0].key_type != "HASH") {
    return ValidationError("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  }
  if (ks.size() == 2 && *ks[1].key_type != "RANGE") {
    return ValidationError(
        "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
  }
  out->hash = KeyElement{*ks[0].name, ScalarOf(*FindDef(defs, *ks[0].name))};
  if (ks.size() == 2) out->range = KeyElement{*ks[1].name, ScalarOf(*FindDef(defs, *ks[1].name))};
  return Status::Ok();
}

Status CheckProjectionSemantics(const RawProjection& p, IndexInfo* out) {
  if (!p.type) return ValidationError(std::string(kInvalid) + "Unknown ProjectionType: null");
  if (*p.type == "INCLUDE") {
    if (!p.non_key) {
      return ValidationError(std::string(kInvalid) +
                             "ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
    }
    std::set<std::string> seen;
    for (const auto& a : *p.non_key) {
      if (!seen.insert(a).second) {
        return ValidationError(std::string(kInvalid) +
                               "Duplicate element in NonKeyAttributes: " + a);
      }
    }
    out->non_key_attributes = *p.non_key;
    std::sort(out->non_key_attributes.begin(), out->non_key_attributes.end());
  } else if (p.non_key) {
    return ValidationError(std::string(kInvalid) + "ProjectionType is " + *p.type +
                           ", but NonKeyAttributes is specified");
  }
  out->projection_type = *p.type;
  return Status::Ok();
}

// ---- Response rendering ----

void WriteKeySchema(const KeySchema& k, JsonWriter& w) {
  w.StartArray();
  w.StartObject();
  w.Key("AttributeName");
  w.String(k.hash.name);
  w.Key("KeyType");
  w.String("HASH");
  w.EndObject();
  if (k.range) {
    w.StartObject();
    w.Key("AttributeName");
    w.String(k.range->name);
    w.Key("KeyType");
    w.String("RANGE");
    w.EndObject();
  }
  w.EndArray();
}

void WriteProjection(const IndexInfo& ix, JsonWriter& w) {
  w.StartObject();
  w.Key("ProjectionType");
  w.String(ix.projection_type);
  if (ix.projection_type == "INCLUDE") {
    w.Key("NonKeyAttributes");
    w.StartArray();
    for (const auto& a : ix.non_key_attributes) w.String(a);
    w.EndArray();
  }
  w.EndObject();
}

void WriteThroughputDescription(const Throughput& t, JsonWriter& w) {
  w.StartObject();
  if (t.last_decrease > 0) {
    w.Key("LastDecreaseDateTime");
    w.Double(t.last_decrease);
  }
  if (t.last_increase > 0) {
    w.Key("LastIncreaseDateTime");
    w.Double(t.last_increase);
  }
  w.Key("NumberOfDecreasesToday");
  w.Int64(t.decreases_today);
  w.Key("ReadCapacityUnits");
  w.Int64(t.read);
  w.Key("WriteCapacityUnits");
  w.Int64(t.write);
  w.EndObject();
}

void WriteWarmThroughput(const TableInfo& t, int64_t read, int64_t write, JsonWriter& w) {
  w.StartObject();
  w.Key("ReadUnitsPerSecond");
  w.Int64(t.pay_per_request ? 12000 : read);
  w.Key("WriteUnitsPerSecond");
  w.Int64(t.pay_per_request ? 4000 : write);
  w.Key("Status");
  w.String("ACTIVE");
  w.EndObject();
}

void WriteBillingSummary(const TableInfo& t, JsonWriter& w) {
  if (!t.pay_per_request && t.last_update_to_pay_per_request == 0) return;
  w.Key("BillingModeSummary");
  w.StartObject();
  w.Key("BillingMode");
  w.String(t.pay_per_request ? "PAY_PER_REQUEST" : "PROVISIONED");
  if (t.last_update_to_pay_per_request > 0) {
    w.Key("LastUpdateToPayPerRequestDateTime");
    w.Double(t.last_update_to_pay_per_request);
  }
  w.EndObject();
}

enum class DescriptionKind { kFull, kDeleting };

void WriteTableDescription(const OpContext& ctx, const TableInfo& t, const std::string& status,
                           const storage::TableStats& stats, DescriptionKind kind, JsonWriter& w) {
  auto index_stats = [&](const IndexInfo& ix) {
    auto s = ctx.ns->db()->IndexStats(t.storage_id, ix.id);
    return s.ok() ? *s : storage::TableStats{};
  };
  const std::string arn = ctx.TableArn(t.name);
  w.StartObject();
  if (kind == DescriptionKind::kFull) {
    w.Key("AttributeDefinitions");
    w.StartArray();
    for (const auto& [name, type] : t.attribute_definitions) {
      w.StartObject();
      w.Key("AttributeName");
      w.String(name);
      w.Key("AttributeType");
      w.String(type);
      w.EndObject();
    }
    w.EndArray();
  }
  w.Key("TableName");
  w.String(t.name);
  if (kind == DescriptionKind::kFull) {
    w.Key("KeySchema");
    WriteKeySchema(t.key, w);
  }
  w.Key("TableStatus");
  w.String(status);
  if (kind == DescriptionKind::kFull) {
    w.Key("CreationDateTime");
    w.Double(t.creation_time);
  }
  w.Key("ProvisionedThroughput");
  WriteThroughputDescription(t.throughput, w);
  w.Key("TableSizeBytes");
  w.Int64(stats.size_bytes);
  w.Key("ItemCount");
  w.Int64(stats.item_count);
  w.Key("TableArn");
  w.String(arn);
  w.Key("TableId");
  w.String(t.table_id);
  WriteBillingSummary(t, w);
  if (kind == DescriptionKind::kFull) {
    if (!t.local_indexes.empty()) {
      w.Key("LocalSecondaryIndexes");
      w.StartArray();
      for (const auto& ix : t.local_indexes) {
        w.StartObject();
        w.Key("IndexName");
        w.String(ix.name);
        w.Key("KeySchema");
        WriteKeySchema(ix.key, w);
        w.Key("Projection");
        WriteProjection(ix, w);
        storage::TableStats st = index_stats(ix);
        w.Key("IndexSizeBytes");
        w.Int64(st.size_bytes);
        w.Key("ItemCount");
        w.Int64(st.item_count);
        w.Key("IndexArn");
        w.String(arn + "/index/" + ix.name);
        w.EndObject();
      }
      w.EndArray();
    }
    if (!t.global_indexes.empty()) {
      w.Key("GlobalSecondaryIndexes");
      w.StartArray();
      for (const auto& ix : t.global_indexes) {
        Throughput it = ix.throughput.value_or(Throughput{});
        w.StartObject();
        w.Key("IndexName");
        w.String(ix.name);
        w.Key("KeySchema");
        WriteKeySchema(ix.key, w);
        w.Key("Projection");
        WriteProjection(ix, w);
        w.Key("IndexStatus");
        w.String("ACTIVE");
        w.Key("ProvisionedThroughput");
        WriteThroughputDescription(it, w);
        storage::TableStats st = index_stats(ix);
        w.Key("IndexSizeBytes");
        w.Int64(st.size_bytes);
        w.Key("ItemCount");
        w.Int64(st.item_count);
        w.Key("IndexArn");
        w.String(arn + "/index/" + ix.name);
        w.Key("WarmThroughput");
        WriteWarmThroughput(t, it.read, it.write, w);
        w.EndObject();
      }
      w.EndArray();
    }
    if (t.stream_enabled) {
      w.Key("StreamSpecification");
      w.StartObject();
      w.Key("StreamEnabled");
      w.Bool(true);
      w.Key("StreamViewType");
      w.String(t.stream_view_type);
      w.EndObject();
      w.Key("LatestStreamLabel");
      w.String(t.stream_label);
      w.Key("LatestStreamArn");
      w.String(arn + "/stream/" + t.stream_label);
    }
    if (!t.table_class.empty()) {
      w.Key("TableClassSummary");
      w.StartObject();
      w.Key("TableClass");
      w.String(t.table_class);
      w.EndObject();
    }
    w.Key("DeletionProtectionEnabled");
    w.Bool(t.deletion_protection);
    w.Key("WarmThroughput");
    WriteWarmThroughput(t, t.throughput.read, t.throughput.write, w);
  }
  w.EndObject();
}

std::string StreamLabel(double now) {
  std::time_t secs = static_cast<std::time_t>(now);
  int millis = static_cast<int>(std::llround((now - static_cast<double>(secs)) * 1000)) % 1000;
  std::tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

Result<std::string> DescriptionResponse(const OpContext& ctx, const char* wrapper,
                                        const TableInfo& t, const std::string& status,
                                        DescriptionKind kind) {
  DYNAMO_ASSIGN_OR_RETURN(storage::TableStats stats, ctx.ns->db()->Stats(t.storage_id));
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key(wrapper);
  WriteTableDescription(ctx, t, status, stats, kind, w);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

// TableName for the control-plane operations other than CreateTable.
Result<std::string> RequiredTableName(const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(auto name, GetString(req, "TableName"));
  ConstraintErrors errors;
  if (!name) {
    errors.NotNull("tableName");
    return std::move(errors.ToStatus()).error();
  }
  std::string table = ResolveTableName(*name, errors);
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());
  return table;
}

}  // namespace

std::string ResolveTableName(std::string_view value, ConstraintErrors& errors,
                             const std::string& path) {
  // A table ARN: arn:aws:dynamodb:<region>:<account>:table/<name>
  if (value.substr(0, 4) == "arn:") {
    if (value.size() > 1024) {
      errors.CheckLength(value, path, 1, 1024);
      return "";
    }
    size_t slash = value.find(":table/");
    if (slash != std::string_view::npos) {
      std::string_view name = value.substr(slash + 7);
      if (!name.empty() && name.find('/') == std::string_view::npos) return std::string(name);
    }
    errors.Add(std::string(value), path,
               "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    return "";
  }
  // Empty and over-long names report only their length.
  if (value.empty() || value.size() > 255) {
    errors.CheckLength(value, path, 1, 255);
    return "";
  }
  errors.CheckTableNamePattern(value, path);
  return std::string(value);
}

core::Error TableNotFound() {
  return core::Error{ErrorCode::kResourceNotFound, "Requested resource not found"};
}

core::Error TableNotFoundNamed(const std::string& name) {
  return core::Error{ErrorCode::kResourceNotFound,
                     "Requested resource not found: Table: " + name + " not found"};
}

Result<std::string> CreateTable(OpContext& ctx, const JsonValue& req) {
  // Pass 1: JSON types.
  DYNAMO_ASSIGN_OR_RETURN(auto table_name, GetString(req, "TableName"));
  std::optional<std::vector<RawAttributeDefinition>> attr_defs;
  {
    DYNAMO_ASSIGN_OR_RETURN(const JsonValue* arr, GetArray(req, "AttributeDefinitions"));
    if (arr) {
      attr_defs.emplace();
      for (const auto& e : arr->GetArray()) {
        RawAttributeDefinition d;
        if (!e.IsNull()) {
          DYNAMO_RETURN_IF_ERROR(CheckStructElement(e));
          DYNAMO_ASSIGN_OR_RETURN(d.name, OptString(e, "AttributeName"));
          DYNAMO_ASSIGN_OR_RETURN(d.type, OptString(e, "AttributeType"));
        }
        attr_defs->push_back(std::move(d));
      }
    }
  }
  DYNAMO_ASSIGN_OR_RETURN(auto key_schema, ReadKeySchema(req));
  DYNAMO_ASSIGN_OR_RETURN(auto lsis, ReadIndexes(req, "LocalSecondaryIndexes"));
  DYNAMO_ASSIGN_OR_RETURN(auto gsis, ReadIndexes(req, "GlobalSecondaryIndexes"));
  DYNAMO_ASSIGN_OR_RETURN(auto billing_mode, GetString(req, "BillingMode"));
  DYNAMO_ASSIGN_OR_RETURN(RawThroughput throughput, ReadThroughput(req));
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* stream_spec,
                          GetObject(req, "StreamSpecification",
                                    "class com.amazonaws.dynamodb.v20120810.StreamSpecification"));
  std::optional<bool> stream_enabled;
  std::optional<std::string> stream_view;
  if (stream_spec) {
    DYNAMO_ASSIGN_OR_RETURN(stream_enabled, GetBool(*stream_spec, "StreamEnabled"));
    DYNAMO_ASSIGN_OR_RETURN(stream_view, OptString(*stream_spec, "StreamViewType"));
  }
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* sse,
                          GetObject(req, "SSESpecification",
                                    "class com.amazonaws.dynamodb.v20120810.SSESpecification"));
  (void)sse;
  DYNAMO_ASSIGN_OR_RETURN(auto table_class, GetString(req, "TableClass"));
  DYNAMO_ASSIGN_OR_RETURN(auto deletion_protection, GetBool(req, "DeletionProtectionEnabled"));
  std::vector<std::pair<std::optional<std::string>, std::optional<std::string>>> tags;
  {
    DYNAMO_ASSIGN_OR_RETURN(const JsonValue* arr, GetArray(req, "Tags"));
    if (arr) {
      for (const auto& e : arr->GetArray()) {
        DYNAMO_RETURN_IF_ERROR(CheckStructElement(e));
        DYNAMO_ASSIGN_OR_RETURN(auto k, OptString(e, "Key"));
        DYNAMO_ASSIGN_OR_RETURN(auto v, OptString(e, "Value"));
        tags.emplace_back(std::move(k), std::move(v));
      }
    }
  }

  if (!table_name) {
    return ValidationError(
        "The parameter 'TableName' is required but was not present in the request");
  }

  // Pass 2: shape constraints, in DynamoDB's member order.
  ConstraintErrors errors;
  if (!attr_defs) {
    errors.NotNull("attributeDefinitions");
  } else {
    for (size_t i = 0; i < attr_defs->size(); ++i) {
      std::string p = "attributeDefinitions." + std::to_string(i + 1) + ".member.";
      const auto& d = (*attr_defs)[i];
      if (!d.name) {
        errors.NotNull(p + "attributeName");
      } else {
        errors.CheckLength(*d.name, p + "attributeName", 1, 255);
      }
      if (!d.type) {
        errors.NotNull(p + "attributeType");
      } else {
        errors.CheckEnum(*d.type, p + "attributeType", {"B", "N", "S"});
      }
    }
  }
  std::string name(*table_name);
  if (name.substr(0, 4) == "arn:") {
    name = ResolveTableName(*table_name, errors);
  } else {
    errors.CheckLength(name, "tableName", 3, 255);
    errors.CheckTableNamePattern(name, "tableName");
  }
  if (billing_mode) {
    errors.CheckEnum(*billing_mode, "billingMode", {"PROVISIONED", "PAY_PER_REQUEST"});
  }
  CheckThroughputConstraints(throughput, "", errors);
  CheckKeySchemaConstraints(key_schema, "keySchema", errors);
  CheckIndexConstraints(lsis, "localSecondaryIndexes", false, errors);
  CheckIndexConstraints(gsis, "globalSecondaryIndexes", true, errors);
  if (stream_view) {
    errors.CheckEnum(*stream_view, "streamSpecification.streamViewType",
                     {"NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"});
  }
  if (table_class) {
    errors.CheckEnum(*table_class, "tableClass", {"STANDARD", "STANDARD_INFREQUENT_ACCESS"});
  }
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());

  // Pass 3: semantics, first failure wins.
  const bool pay_per_request = billing_mode && *billing_mode == "PAY_PER_REQUEST";
  if (pay_per_request) {
    if (throughput.present) {
      return ValidationError(std::string(kInvalid) +
                             "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified "
                             "when BillingMode is PAY_PER_REQUEST");
    }
  } else {
    if (!throughput.present) {
      return ValidationError(std::string(kInvalid) +
                             "ReadCapacityUnits and WriteCapacityUnits must both be specified "
                             "when BillingMode is PROVISIONED");
    }
    if (*throughput.read > kMaxCapacityUnits) {
      return ValidationError("Given value " + std::to_string(*throughput.read) +
                             " for ReadCapacityUnits is out of bounds");
    }
    if (*throughput.write > kMaxCapacityUnits) {
      return ValidationError("Given value " + std::to_string(*throughput.write) +
                             " for WriteCapacityUnits is out of bounds");
    }
  }

  AttrDefs defs;
  for (const auto& d : *attr_defs) {
    if (FindDef(defs, *d.name)) return ValidationError("Attribute Name is duplicated: " + *d.name);
    defs.emplace_back(*d.name, *d.type);
  }
  if (key_schema->size() > defs.size()) {
    return ValidationError("Invalid KeySchema: Some index key attribute have no definition");
  }
  TableInfo t;
  DYNAMO_RETURN_IF_ERROR(CheckKeySchemaSemantics(*key_schema, defs, &t.key));

  // Every definition must be used by the table key or an index key.
  {
    std::vector<std::string> used;
    auto use = [&used](const std::string& n) {
      if (std::find(used.begin(), used.end(), n) == used.end()) used.push_back(n);
    };
    for (const auto& k : *key_schema) use(*k.name);
    for (const auto* list : {&lsis, &gsis}) {
      if (!*list) continue;
      for (const auto& ix : **list) {
        for (const auto& k : *ix.key_schema) use(*k.name);
      }
    }
    bool unused = false;
    for (const auto& [n, type] : defs) {
      if (std::find(used.begin(), used.end(), n) == used.end()) unused = true;
    }
    if (unused) {
      if (!lsis && !gsis) {
        return ValidationError(std::string(kInvalid) +
                               "Number of attributes in KeySchema does not exactly match number "
                               "of attributes defined in AttributeDefinitions");
      }
      std::vector<std::string> def_names;
      for (const auto& [n, type] : defs) def_names.push_back(n);
      return ValidationError(std::string(kInvalid) +
                             "Some AttributeDefinitions are not used. AttributeDefinitions: " +
                             JoinNames(def_names) + ", keys used: " + JoinNames(used));
    }
  }

  std::set<std::string> index_names;
  if (lsis) {
    if (lsis->empty()) {
      return ValidationError(std::string(kInvalid) + "List of LocalSecondaryIndexes is empty");
    }
    if (!t.key.range) {
      return ValidationError(std::string(kInvalid) +
                             "Table KeySchema does not have a range key, which is required when "
                             "specifying a LocalSecondaryIndex");
    }
    for (const auto& raw : *lsis) {
      IndexInfo ix;
      ix.name = *raw.name;
      DYNAMO_RETURN_IF_ERROR(CheckKeySchemaSemantics(*raw.key_schema, defs, &ix.key));
      if (!ix.key.range) {
        return ValidationError(std::string(kInvalid) +
                               "Index KeySchema does not have a range key for index: " + ix.name);
      }
      if (ix.key.hash.name != t.key.hash.name) {
        return ValidationError(std::string(kInvalid) +
                               "Index KeySchema does not have the same leading hash key as table "
                               "KeySchema for index: " +
                               ix.name + ". index hash key: " + ix.key.hash.name +
                               ", table hash key: " + t.key.hash.name);
      }
      DYNAMO_RETURN_IF_ERROR(CheckProjectionSemantics(raw.projection, &ix));
      if (!index_names.insert(ix.name).second) {
        return ValidationError(std::string(kInvalid) + "Duplicate index name: " + ix.name);
      }
      ix.id = t.next_index_id++;
      t.local_indexes.push_back(std::move(ix));
    }
    if (t.local_indexes.size() > 5) {
      return ValidationError(std::string(kInvalid) +
                             "Number of LocalSecondaryIndexes exceeds per-table limit of 5");
    }
  }
  if (gsis) {
    if (gsis->empty()) {
      return ValidationError(std::string(kInvalid) + "List of GlobalSecondaryIndexes is empty");
    }
    for (const auto& raw : *gsis) {
      IndexInfo ix;
      ix.name = *raw.name;
      DYNAMO_RETURN_IF_ERROR(CheckKeySchemaSemantics(*raw.key_schema, defs, &ix.key));
      DYNAMO_RETURN_IF_ERROR(CheckProjectionSemantics(raw.projection, &ix));
      if (pay_per_request && raw.throughput.present) {
        return ValidationError(std::string(kInvalid) +
                               "ProvisionedThroughput should not be specified for index: " +
                               ix.name + " when BillingMode is PAY_PER_REQUEST");
      }
      if (!pay_per_request) {
        if (!raw.throughput.present) {
          return ValidationError(std::string(kInvalid) +
                                 "ProvisionedThroughput is not specified for index: " + ix.name);
        }
        ix.throughput = Throughput{*raw.throughput.read, *raw.throughput.write, 0, 0, 0};
      }
      if (!index_names.insert(ix.name).second) {
        return ValidationError(std::string(kInvalid) + "Duplicate index name: " + ix.name);
      }
      ix.id = t.next_index_id++;
      t.global_indexes.push_back(std::move(ix));
    }
    if (t.global_indexes.size() > 20) {
      return ValidationError(std::string(kInvalid) +
                             "GlobalSecondaryIndex count exceeds the per-table limit of 20");
    }
  }
  if (stream_spec) {
    if (!stream_enabled) {
      return ValidationError(
          "1 validation error detected: Value null at 'streamSpecification.streamEnabled' failed "
          "to satisfy constraint: Member must not be null");
    }
    if (!*stream_enabled && stream_view) {
      return ValidationError(std::string(kInvalid) +
                             "Table is being created with a stream disabled, UpdateViewType "
                             "should not be specified");
    }
    if (*stream_enabled && !stream_view) {
      return ValidationError(std::string(kInvalid) +
                             "StreamViewType is required when StreamEnabled is true");
    }
  }
  // Tags.
  {
    std::set<std::string> keys;
    if (tags.size() > 50) {
      return ValidationError(
          "Number of Tags exceed the current limit for the provided ResourceArn");
    }
    for (const auto& [k, v] : tags) {
      std::string key = k.value_or("");
      if (!k || key.empty() || key.size() > 128) {
        return ValidationError("The Tag Key provided is invalid, Key: " + key);
      }
      if (key.rfind("aws:", 0) == 0) {
        return ValidationError("Tag Key cannot be prefixed with aws:, Key: " + key);
      }
      if (!v || v->size() > 256) {
        return ValidationError("The Tag Value provided is invalid, Value: " + v.value_or("null"));
      }
      if (!keys.insert(key).second) {
        return ValidationError("Duplicate Tag Keys provided as input: Duplicate Tag Key found " +
                               key);
      }
      t.tags.emplace_back(key, *v);
    }
  }

  // Build and store.
  t.name = name;
  t.table_id = NewUuid();
  t.creation_time = ctx.api->Now();
  t.attribute_definitions = defs;
  std::sort(t.attribute_definitions.begin(), t.attribute_definitions.end());
  t.pay_per_request = pay_per_request;
  if (pay_per_request) {
    t.last_update_to_pay_per_request = t.creation_time;
  } else {
    t.throughput.read = *throughput.read;
    t.throughput.write = *throughput.write;
  }
  if (stream_enabled && *stream_enabled) {
    t.stream_enabled = true;
    t.stream_view_type = *stream_view;
    t.stream_label = StreamLabel(t.creation_time);
  }
  t.deletion_protection = deletion_protection.value_or(false);
  if (table_class) t.table_class = Sv(*table_class);

  std::lock_guard lock(ctx.ns->control_mutex());
  if (ctx.ns->Find(t.name)) {
    return core::Error{ErrorCode::kResourceInUse, "Table already exists: " + t.name};
  }
  DYNAMO_ASSIGN_OR_RETURN(t.storage_id, ctx.ns->db()->InsertTable(t.name, t.ToMeta()));
  auto published = std::make_shared<const TableInfo>(std::move(t));
  ctx.ns->Publish(published);
  return DescriptionResponse(ctx, "TableDescription", *published, "ACTIVE", DescriptionKind::kFull);
}

Result<std::string> DescribeTable(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(std::string name, RequiredTableName(req));
  auto table = ctx.ns->Find(name);
  if (!table) return TableNotFoundNamed(name);
  return DescriptionResponse(ctx, "Table", *table, "ACTIVE", DescriptionKind::kFull);
}

Result<std::string> ListTables(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(auto start, GetString(req, "ExclusiveStartTableName"));
  DYNAMO_ASSIGN_OR_RETURN(auto limit, GetInteger(req, "Limit"));
  ConstraintErrors errors;
  if (limit) errors.CheckRange(*limit, "limit", 1, 100);
  if (start) {
    errors.CheckTableNamePattern(*start, "exclusiveStartTableName");
    errors.CheckLength(*start, "exclusiveStartTableName", 3, 255);
  }
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());
  const size_t max = static_cast<size_t>(limit.value_or(100));
  std::vector<std::string> names = ctx.ns->TableNames();
  auto it = names.begin();
  if (start) it = std::upper_bound(names.begin(), names.end(), std::string(*start));
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("TableNames");
  w.StartArray();
  size_t n = 0;
  std::string last;
  for (; it != names.end() && n < max; ++it, ++n) {
    w.String(*it);
    last = *it;
  }
  w.EndArray();
  // Only when more tables remain after this page.
  if (it != names.end()) {
    w.Key("LastEvaluatedTableName");
    w.String(last);
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Result<std::string> DeleteTable(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(std::string name, RequiredTableName(req));
  std::lock_guard lock(ctx.ns->control_mutex());
  auto table = ctx.ns->Find(name);
  if (!table) return TableNotFoundNamed(name);
  if (table->deletion_protection) {
    return ValidationError(
        "Resource cannot be deleted as it is currently protected against deletion. Disable "
        "deletion protection first.");
  }
  DYNAMO_ASSIGN_OR_RETURN(
      std::string body,
      DescriptionResponse(ctx, "TableDescription", *table, "DELETING", DescriptionKind::kDeleting));
  // Unpublished inside the transaction, so no later write can use the table.
  DYNAMO_RETURN_IF_ERROR(ctx.ns->db()->Write([&](storage::WriteTxn& txn) -> core::Status {
    DYNAMO_RETURN_IF_ERROR(txn.DropTable(table->storage_id));
    ctx.ns->Remove(name);
    return core::Status::Ok();
  }));
  return body;
}

Result<std::string> UpdateTable(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(auto table_name, GetString(req, "TableName"));
  DYNAMO_ASSIGN_OR_RETURN(auto billing_mode, GetString(req, "BillingMode"));
  DYNAMO_ASSIGN_OR_RETURN(RawThroughput throughput, ReadThroughput(req));
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* gsi_updates,
                          GetArray(req, "GlobalSecondaryIndexUpdates"));
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* stream_spec,
                          GetObject(req, "StreamSpecification",
                                    "class com.amazonaws.dynamodb.v20120810.StreamSpecification"));
  std::optional<bool> stream_enabled;
  std::optional<std::string> stream_view;
  if (stream_spec) {
    DYNAMO_ASSIGN_OR_RETURN(stream_enabled, GetBool(*stream_spec, "StreamEnabled"));
    DYNAMO_ASSIGN_OR_RETURN(stream_view, OptString(*stream_spec, "StreamViewType"));
  }
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* sse,
                          GetObject(req, "SSESpecification",
                                    "class com.amazonaws.dynamodb.v20120810.SSESpecification"));
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* replicas, GetArray(req, "ReplicaUpdates"));
  DYNAMO_ASSIGN_OR_RETURN(auto table_class, GetString(req, "TableClass"));
  DYNAMO_ASSIGN_OR_RETURN(auto deletion_protection, GetBool(req, "DeletionProtectionEnabled"));

  ConstraintErrors errors;
  std::string name;
  if (!table_name) {
    errors.NotNull("tableName");
  } else {
    name = ResolveTableName(*table_name, errors);
  }
  if (billing_mode) {
    errors.CheckEnum(*billing_mode, "billingMode", {"PROVISIONED", "PAY_PER_REQUEST"});
  }
  CheckThroughputConstraints(throughput, "", errors);
  if (stream_view) {
    errors.CheckEnum(*stream_view, "streamSpecification.streamViewType",
                     {"NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"});
  }
  if (table_class) {
    errors.CheckEnum(*table_class, "tableClass", {"STANDARD", "STANDARD_INFREQUENT_ACCESS"});
  }
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());

  const bool has_gsi_updates = gsi_updates && !gsi_updates->Empty();
  if (!throughput.present && !billing_mode && !has_gsi_updates && !stream_spec && !sse &&
      !replicas && !table_class && !deletion_protection) {
    return ValidationError(
        "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
        "GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, "
        "ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, "
        "OnDemandThroughput, WarmThroughput or TableClass is required");
  }
  if (gsi_updates && gsi_updates->Empty()) {
    return ValidationError(std::string(kInvalid) + "List of GlobalSecondaryIndexUpdates is empty");
  }

  std::lock_guard lock(ctx.ns->control_mutex());
  auto current = ctx.ns->Find(name);
  if (!current) return TableNotFoundNamed(name);
  if (deletion_protection && (throughput.present || billing_mode || has_gsi_updates ||
                              stream_spec || sse || replicas || table_class)) {
    return ValidationError(
        "DeletionProtection modification must be the only operation in the request");
  }
  // GlobalSecondaryIndexUpdates: at most one Create or Delete, any Updates.
  std::optional<IndexInfo> create_index;
  std::optional<std::string> delete_index;
  std::vector<std::pair<std::string, RawThroughput>> index_throughput;
  AttrDefs merged_defs = current->attribute_definitions;
  if (has_gsi_updates) {
    DYNAMO_ASSIGN_OR_RETURN(const JsonValue* new_defs, GetArray(req, "AttributeDefinitions"));
    if (new_defs) {
      for (const auto& d : new_defs->GetArray()) {
        DYNAMO_RETURN_IF_ERROR(CheckStructElement(d));
        DYNAMO_ASSIGN_OR_RETURN(auto n, OptString(d, "AttributeName"));
        DYNAMO_ASSIGN_OR_RETURN(auto ty, OptString(d, "AttributeType"));
        if (!n || !ty) {
          return ValidationError(
              "1 validation error detected: Value null at 'attributeDefinitions' "
              "failed to satisfy constraint: Member must not be null");
        }
        if (!FindDef(merged_defs, *n)) merged_defs.emplace_back(*n, *ty);
      }
    }
    int creates_and_deletes = 0;
    for (const auto& u : gsi_updates->GetArray()) {
      DYNAMO_RETURN_IF_ERROR(CheckStructElement(u));
      DYNAMO_ASSIGN_OR_RETURN(
          const JsonValue* c,
          GetObject(u, "Create",
                    "class com.amazonaws.dynamodb.v20120810.CreateGlobalSecondaryIndexAction"));
      DYNAMO_ASSIGN_OR_RETURN(
          const JsonValue* up,
          GetObject(u, "Update",
                    "class com.amazonaws.dynamodb.v20120810.UpdateGlobalSecondaryIndexAction"));
      DYNAMO_ASSIGN_OR_RETURN(
          const JsonValue* d,
          GetObject(u, "Delete",
                    "class com.amazonaws.dynamodb.v20120810.DeleteGlobalSecondaryIndexAction"));
      int actions = (c ? 1 : 0) + (up ? 1 : 0) + (d ? 1 : 0);
      if (actions == 0) {
        return ValidationError(
            std::string(kInvalid) +
            "One of GlobalSecondaryIndexUpdate.Update, "
            "GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete "
            "must not be null");
      }
      if (actions > 1) {
        return ValidationError(
            "Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate "
            "object");
      }
      if (c || d) ++creates_and_deletes;
      if (creates_and_deletes > 1) {
        return core::Error{ErrorCode::kLimitExceeded,
                           "Subscriber limit exceeded: Only 1 online index can be created or "
                           "deleted simultaneously per table"};
      }
      if (c) {
        DYNAMO_ASSIGN_OR_RETURN(RawIndex raw, ReadIndex(*c));
        ConstraintErrors ce;
        std::optional<std::vector<RawIndex>> one{std::vector<RawIndex>{raw}};
        CheckIndexConstraints(one, "globalSecondaryIndexUpdates.1.member.create", true, ce);
        DYNAMO_RETURN_IF_ERROR(ce.ToStatus());
        if (current->FindIndex(*raw.name)) {
          return ValidationError("Attempting to create an index which already exists");
        }
        if (!new_defs) {
          return ValidationError(std::string(kInvalid) +
                                 "AttributeDefinitions is not specified for index: " + *raw.name);
        }
        IndexInfo ix;
        ix.name = *raw.name;
        DYNAMO_RETURN_IF_ERROR(CheckKeySchemaSemantics(*raw.key_schema, merged_defs, &ix.key));
        DYNAMO_RETURN_IF_ERROR(CheckProjectionSemantics(raw.projection, &ix));
        if (current->pay_per_request && raw.throughput.present) {
          return ValidationError(std::string(kInvalid) +
                                 "ProvisionedThroughput should not be specified for index: " +
                                 ix.name + " when BillingMode is PAY_PER_REQUEST");
        }
        if (!current->pay_per_request) {
          if (!raw.throughput.present) {
            return ValidationError(
                "Both ReadCapacityUnits and WriteCapacityUnits must be specified "
                "for index: " +
                ix.name);
          }
          ix.throughput = Throughput{*raw.throughput.read, *raw.throughput.write, 0, 0, 0};
        }
        if (current->global_indexes.size() >= 20) {
          return core::Error{ErrorCode::kLimitExceeded,
                             "Subscriber limit exceeded: Number of global secondary indexes "
                             "exceeds per-table limit of 20"};
        }
        create_index = std::move(ix);
      }
      if (d || up) {
        DYNAMO_ASSIGN_OR_RETURN(auto index_name, GetString(d ? *d : *up, "IndexName"));
        if (!index_name) {
          return ValidationError(
              "1 validation error detected: Value null at "
              "'globalSecondaryIndexUpdates.1.member.indexName' failed to "
              "satisfy constraint: Member must not be null");
        }
        bool global = false;
        const IndexInfo* existing = current->FindIndex(*index_name, &global);
        if (existing && !global) {
          return ValidationError("Cannot delete an index that is not a GlobalSecondaryIndex: " +
                                 std::string(*index_name));
        }
        if (!existing) {
          return core::Error{ErrorCode::kResourceNotFound, "Requested resource not found: Index " +
                                                               std::string(*index_name) +
                                                               " for table " + current->name};
        }
        if (d) {
          delete_index = std::string(*index_name);
        } else {
          DYNAMO_ASSIGN_OR_RETURN(RawThroughput rt, ReadThroughput(*up));
          if (current->pay_per_request) {
            return ValidationError("The only Updates for index: " + std::string(*index_name) +
                                   " when TableThroughputMode is PAY_PER_REQUEST can be to "
                                   "OnDemandThroughput, WarmThroughput");
          }
          if (!rt.present || !rt.read || !rt.write) {
            return ValidationError(
                "Both ReadCapacityUnits and WriteCapacityUnits must be "
                "specified for index: " +
                std::string(*index_name));
          }
          index_throughput.emplace_back(std::string(*index_name), rt);
        }
      }
    }
  }
  TableInfo t = *current;
  const double now = ctx.api->Now();
  const bool want_ppr = billing_mode ? *billing_mode == "PAY_PER_REQUEST" : t.pay_per_request;
  if (want_ppr) {
    if (throughput.present) {
      if (billing_mode && !t.pay_per_request) {
        return ValidationError(std::string(kInvalid) +
                               "ProvisionedThroughput cannot be specified when BillingMode is "
                               "PAY_PER_REQUEST");
      }
      return ValidationError(std::string(kInvalid) +
                             "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified "
                             "when BillingMode is PAY_PER_REQUEST");
    }
    if (!t.pay_per_request) {
      t.pay_per_request = true;
      t.last_update_to_pay_per_request = now;
      t.throughput = Throughput{};
      for (auto& ix : t.global_indexes) ix.throughput.reset();
    }
  } else {
    if (billing_mode && !throughput.present) {
      return ValidationError(std::string(kInvalid) +
                             "ProvisionedThroughput must be specified when BillingMode is "
                             "PROVISIONED");
    }
    if (throughput.present) {
      if (*throughput.read > kMaxCapacityUnits) {
        return ValidationError("Given value " + std::to_string(*throughput.read) +
                               " for ReadCapacityUnits is out of bounds");
      }
      if (*throughput.write > kMaxCapacityUnits) {
        return ValidationError("Given value " + std::to_string(*throughput.write) +
                               " for WriteCapacityUnits is out of bounds");
      }
      if (t.pay_per_request) {
        if (!t.global_indexes.empty()) {
          return ValidationError("ProvisionedThroughput must be specified for index: " +
                                 t.global_indexes.front().name);
        }
        t.pay_per_request = false;
        t.throughput = Throughput{*throughput.read, *throughput.write, 0, 0, 0};
      } else {
        if (*throughput.read == t.throughput.read && *throughput.write == t.throughput.write) {
          return ValidationError(
              "The provisioned throughput for the table will not change. The requested value "
              "equals the current value. Current ReadCapacityUnits provisioned for the table: " +
              std::to_string(t.throughput.read) +
              ". Requested ReadCapacityUnits: " + std::to_string(*throughput.read) +
              ". Current WriteCapacityUnits provisioned for the table: " +
              std::to_string(t.throughput.write) +
              ". Requested WriteCapacityUnits: " + std::to_string(*throughput.write) +
              ". Refer to the Amazon DynamoDB Developer Guide for current limits and how to "
              "request higher limits.");
        }
        if (*throughput.read > t.throughput.read || *throughput.write > t.throughput.write) {
          t.throughput.last_increase = now;
        }
        if (*throughput.read < t.throughput.read || *throughput.write < t.throughput.write) {
          t.throughput.last_decrease = now;
          ++t.throughput.decreases_today;
        }
        t.throughput.read = *throughput.read;
        t.throughput.write = *throughput.write;
      }
    }
  }
  if (stream_spec) {
    if (!stream_enabled) {
      return ValidationError(
          "1 validation error detected: Value null at 'streamSpecification.streamEnabled' failed "
          "to satisfy constraint: Member must not be null");
    }
    if (*stream_enabled) {
      if (!stream_view) {
        return ValidationError(std::string(kInvalid) +
                               "StreamViewType is required when StreamEnabled is true");
      }
      if (t.stream_enabled) {
        return ValidationError("Table already has an enabled stream: " + ctx.TableArn(t.name) +
                               "/stream/" + t.stream_label);
      }
      t.stream_enabled = true;
      t.stream_view_type = *stream_view;
      t.stream_label = StreamLabel(now);
    } else {
      if (!t.stream_enabled) {
        return ValidationError("Table already has stream disabled");
      }
      t.stream_enabled = false;
    }
  }
  if (table_class) t.table_class = Sv(*table_class);
  if (deletion_protection) t.deletion_protection = *deletion_protection;
  for (auto& [index_name, rt] : index_throughput) {
    for (auto& ix : t.global_indexes) {
      if (ix.name == index_name) ix.throughput = Throughput{*rt.read, *rt.write, 0, 0, 0};
    }
  }
  if (create_index) {
    create_index->id = t.next_index_id++;
    t.global_indexes.push_back(*create_index);
    t.attribute_definitions = merged_defs;
    std::sort(t.attribute_definitions.begin(), t.attribute_definitions.end());
  }
  std::optional<int64_t> dropped_id;
  if (delete_index) {
    auto it = std::find_if(t.global_indexes.begin(), t.global_indexes.end(),
                           [&](const IndexInfo& ix) { return ix.name == *delete_index; });
    dropped_id = it->id;
    t.global_indexes.erase(it);
  }

  auto published = std::make_shared<const TableInfo>(std::move(t));
  // One transaction: backfill or drop the index, store the definition and
  // publish it, so every later write maintains exactly the indexes that exist.
  core::Status written = ctx.ns->db()->Write([&](storage::WriteTxn& txn) -> core::Status {
    if (create_index) {
      const IndexInfo& ix = published->global_indexes.back();
      DYNAMO_RETURN_IF_ERROR(
          txn.ScanAll(published->storage_id, [&](const storage::RowView& row) -> Result<bool> {
            DYNAMO_ASSIGN_OR_RETURN(core::Item item, core::DecodeItem(row.item));
            std::optional<IndexEntry> entry = IndexEntryFor(*published, ix, item);
            if (!entry) return true;  // sparse: items without the index key are skipped
            storage::EncodedKey base{std::string(row.hash), std::string(row.range)};
            DYNAMO_RETURN_IF_ERROR(txn.PutIndexEntry(published->storage_id, ix.id, entry->key, base,
                                                     entry->projected, entry->size));
            return true;
          }));
    }
    if (dropped_id) DYNAMO_RETURN_IF_ERROR(txn.DropIndex(published->storage_id, *dropped_id));
    DYNAMO_RETURN_IF_ERROR(txn.UpdateTableMeta(published->storage_id, published->ToMeta()));
    ctx.ns->Publish(published);
    return core::Status::Ok();
  });
  if (!written.ok()) {
    ctx.ns->Publish(current);  // the transaction rolled back
    return std::move(written).error();
  }
  return DescriptionResponse(ctx, "TableDescription", *published, "ACTIVE", DescriptionKind::kFull);
}

Result<std::string> DescribeEndpoints(OpContext& ctx, const JsonValue& req) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("Endpoints");
  w.StartArray();
  w.StartObject();
  w.Key("Address");
  w.String(ctx.api->options().endpoint_address);
  w.Key("CachePeriodInMinutes");
  w.Int(1440);
  w.EndObject();
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Result<std::string> DescribeLimits(OpContext& ctx, const JsonValue& req) {
  return std::string(
      "{\"AccountMaxReadCapacityUnits\":80000,\"AccountMaxWriteCapacityUnits\":80000,"
      "\"TableMaxReadCapacityUnits\":40000,\"TableMaxWriteCapacityUnits\":40000}");
}

}  // namespace dynamo::server
