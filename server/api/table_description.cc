#include "server/api/table_description.h"

#include "core/attribute_value.h"

namespace dynamo::server {

using storage::IndexDef;
using storage::TableDef;
using storage::TableStats;
using storage::Throughput;

namespace {

void WriteKeyElement(const core::KeyElement& k, const char* key_type, JsonWriter& w) {
  w.StartObject();
  w.Key("AttributeName");
  w.String(k.name);
  w.Key("KeyType");
  w.String(key_type);
  w.EndObject();
}

void WriteKeySchema(const core::KeySchema& k, JsonWriter& w) {
  w.StartArray();
  for (const core::KeyElement* e : k.HashElements()) WriteKeyElement(*e, "HASH", w);
  for (const core::KeyElement* e : k.RangeElements()) WriteKeyElement(*e, "RANGE", w);
  w.EndArray();
}

void WriteAttributeDefinitions(const TableDef& t, JsonWriter& w) {
  w.Key("AttributeDefinitions");
  w.StartArray();
  for (const auto& d : t.attribute_definitions) {
    w.StartObject();
    w.Key("AttributeName");
    w.String(d.name);
    w.Key("AttributeType");
    std::string_view type = core::TypeName(d.type);
    w.String(type.data(), static_cast<rapidjson::SizeType>(type.size()));
    w.EndObject();
  }
  w.EndArray();
}

void WriteProjection(const IndexDef& ix, JsonWriter& w) {
  w.StartObject();
  w.Key("ProjectionType");
  std::string_view type = storage::ProjectionTypeName(ix.projection);
  w.String(type.data(), static_cast<rapidjson::SizeType>(type.size()));
  if (ix.projection == storage::ProjectionType::kInclude) {
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

void WriteWarmThroughput(const TableDef& t, int64_t read, int64_t write, JsonWriter& w) {
  w.StartObject();
  w.Key("ReadUnitsPerSecond");
  w.Int64(t.pay_per_request ? 12000 : read);
  w.Key("WriteUnitsPerSecond");
  w.Int64(t.pay_per_request ? 4000 : write);
  w.Key("Status");
  w.String("ACTIVE");
  w.EndObject();
}

void WriteBillingSummary(const TableDef& t, JsonWriter& w) {
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

// IndexSizeBytes, ItemCount and IndexArn of one index. A statistics failure
// reports an empty index rather than failing the description.
void WriteIndexStatsAndArn(const OpContext& ctx, const TableDef& t, const IndexDef& ix,
                           const std::string& table_arn, JsonWriter& w) {
  auto s = ctx.ns->db->IndexStats(t.id, ix.id);
  TableStats st = s.ok() ? *s : TableStats{};
  w.Key("IndexSizeBytes");
  w.Int64(st.size_bytes);
  w.Key("ItemCount");
  w.Int64(st.item_count);
  w.Key("IndexArn");
  w.String(table_arn + "/index/" + ix.name);
}

// IndexName, KeySchema and Projection: the members every index description
// starts with.
void WriteIndexDefinition(const IndexDef& ix, JsonWriter& w) {
  w.Key("IndexName");
  w.String(ix.name);
  w.Key("KeySchema");
  WriteKeySchema(ix.key, w);
  w.Key("Projection");
  WriteProjection(ix, w);
}

void WriteLocalIndexes(const OpContext& ctx, const TableDef& t, const std::string& arn,
                       JsonWriter& w) {
  if (t.local_indexes.empty()) return;
  w.Key("LocalSecondaryIndexes");
  w.StartArray();
  for (const auto& ix : t.local_indexes) {
    w.StartObject();
    WriteIndexDefinition(ix, w);
    WriteIndexStatsAndArn(ctx, t, ix, arn, w);
    w.EndObject();
  }
  w.EndArray();
}

void WriteGlobalIndexes(const OpContext& ctx, const TableDef& t, const std::string& arn,
                        JsonWriter& w) {
  if (t.global_indexes.empty()) return;
  w.Key("GlobalSecondaryIndexes");
  w.StartArray();
  for (const auto& ix : t.global_indexes) {
    Throughput it = ix.throughput.value_or(Throughput{});
    w.StartObject();
    WriteIndexDefinition(ix, w);
    w.Key("IndexStatus");
    w.String("ACTIVE");
    w.Key("ProvisionedThroughput");
    WriteThroughputDescription(it, w);
    WriteIndexStatsAndArn(ctx, t, ix, arn, w);
    w.Key("WarmThroughput");
    WriteWarmThroughput(t, it.read, it.write, w);
    w.EndObject();
  }
  w.EndArray();
}

void WriteStream(const TableDef& t, const std::string& arn, JsonWriter& w) {
  if (!t.stream.enabled) return;
  w.Key("StreamSpecification");
  w.StartObject();
  w.Key("StreamEnabled");
  w.Bool(true);
  w.Key("StreamViewType");
  w.String(t.stream.view_type);
  w.EndObject();
  w.Key("LatestStreamLabel");
  w.String(t.stream.label);
  w.Key("LatestStreamArn");
  w.String(arn + "/stream/" + t.stream.label);
}

// A KMS key (SSESpecification Enabled) is described; the default AWS-owned
// key is not (DynamoDB leaves SSEDescription out).
void WriteSseDescription(const TableDef& t, JsonWriter& w) {
  if (t.sse_kms_key_arn.empty()) return;
  w.Key("SSEDescription");
  w.StartObject();
  w.Key("Status");
  w.String("ENABLED");
  w.Key("SSEType");
  w.String("KMS");
  w.Key("KMSMasterKeyArn");
  w.String(t.sse_kms_key_arn);
  w.EndObject();
}

void WriteOnDemandThroughput(const TableDef& t, JsonWriter& w) {
  if (!t.on_demand_maximum) return;
  w.Key("OnDemandThroughput");
  w.StartObject();
  w.Key("MaxReadRequestUnits");
  w.Int64(t.on_demand_maximum->read);
  w.Key("MaxWriteRequestUnits");
  w.Int64(t.on_demand_maximum->write);
  w.EndObject();
}

// The members after BillingModeSummary that only the full description has.
void WriteFullDescriptionTail(const OpContext& ctx, const TableDef& t, const std::string& arn,
                              JsonWriter& w) {
  WriteLocalIndexes(ctx, t, arn, w);
  WriteGlobalIndexes(ctx, t, arn, w);
  WriteStream(t, arn, w);
  WriteSseDescription(t, w);
  if (!t.table_class.empty()) {
    w.Key("TableClassSummary");
    w.StartObject();
    w.Key("TableClass");
    w.String(t.table_class);
    w.EndObject();
  }
  w.Key("DeletionProtectionEnabled");
  w.Bool(t.deletion_protection);
  WriteOnDemandThroughput(t, w);
  w.Key("WarmThroughput");
  WriteWarmThroughput(t, t.throughput.read, t.throughput.write, w);
}

}  // namespace

void WriteTableDescription(const OpContext& ctx, const TableDef& t, std::string_view status,
                           const TableStats& stats, DescriptionKind kind, JsonWriter& w) {
  const bool full = kind == DescriptionKind::kFull;
  const std::string arn = ctx.TableArn(t.name);
  w.StartObject();
  if (full) WriteAttributeDefinitions(t, w);
  w.Key("TableName");
  w.String(t.name);
  if (full) {
    w.Key("KeySchema");
    WriteKeySchema(t.key, w);
  }
  w.Key("TableStatus");
  w.String(status.data(), static_cast<rapidjson::SizeType>(status.size()));
  if (full) {
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
  if (full) WriteFullDescriptionTail(ctx, t, arn, w);
  w.EndObject();
}

std::string DescriptionResponse(const OpContext& ctx, std::string_view wrapper, const TableDef& t,
                                std::string_view status, const TableStats& stats,
                                DescriptionKind kind) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key(wrapper.data(), static_cast<rapidjson::SizeType>(wrapper.size()));
  WriteTableDescription(ctx, t, status, stats, kind, w);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

core::Result<std::string> DescriptionResponse(const OpContext& ctx, std::string_view wrapper,
                                              const TableDef& t, std::string_view status,
                                              DescriptionKind kind) {
  DYNAMO_ASSIGN_OR_RETURN(TableStats stats, ctx.ns->db->Stats(t.id));
  return DescriptionResponse(ctx, wrapper, t, status, stats, kind);
}

}  // namespace dynamo::server
