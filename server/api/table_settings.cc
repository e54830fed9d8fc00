// Table settings that DynamoDB keeps beside the table and that tools read on
// every plan: point-in-time recovery (DescribeContinuousBackups,
// UpdateContinuousBackups: the setting is kept and described, no backups are
// taken), Contributor Insights (DescribeContributorInsights,
// UpdateContributorInsights: the setting is kept, no metrics are made), and
// Kinesis streaming destinations (DescribeKinesisStreamingDestination: a
// table has none). Messages follow DynamoDB's recorded answers.
#include <algorithm>

#include "core/messages.h"
#include "server/api/fields.h"
#include "server/api/operations.h"
#include "storage/database.h"

namespace dynamo::server {

using core::Error;
using core::ErrorCode;
using core::Result;
using core::Status;
using core::ValidationError;
using storage::TableDef;

namespace {

// ---- Point-in-time recovery ----

// The latest restorable time trails the present by five minutes, never
// before recovery was enabled.
constexpr double kRestoreLag = 300;

std::string BackupsDescription(const storage::PointInTimeRecovery& p, double now) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("ContinuousBackupsDescription");
  w.StartObject();
  w.Key("ContinuousBackupsStatus");
  w.String("ENABLED");
  w.Key("PointInTimeRecoveryDescription");
  w.StartObject();
  w.Key("PointInTimeRecoveryStatus");
  w.String(p.enabled ? "ENABLED" : "DISABLED");
  if (p.enabled) {
    w.Key("RecoveryPeriodInDays");
    w.Int64(p.recovery_period_days);
    w.Key("EarliestRestorableDateTime");
    w.Double(p.enabled_at);
    w.Key("LatestRestorableDateTime");
    w.Double(std::max(p.enabled_at, now - kRestoreLag));
  }
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Error TableNotFound(const std::string& table) {
  return Error{ErrorCode::kTableNotFound, "Table not found: " + table};
}

struct PitrRequest {
  std::string table;
  bool enabled = false;
  std::optional<int64_t> days;
};

Result<PitrRequest> ReadPitrRequest(const JsonValue& req) {
  PitrRequest r;
  DYNAMO_ASSIGN_OR_RETURN(r.table, RequiredTableName(req));
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* spec, GetObject(req, "PointInTimeRecoverySpecification",
                                                           "class com.amazonaws.dynamodb.v20120810."
                                                           "PointInTimeRecoverySpecification"));
  std::optional<bool> enabled;
  if (spec) {
    DYNAMO_ASSIGN_OR_RETURN(enabled, GetBool(*spec, "PointInTimeRecoveryEnabled"));
    DYNAMO_ASSIGN_OR_RETURN(r.days, GetInteger(*spec, "RecoveryPeriodInDays"));
  }
  ConstraintErrors errors;
  const std::string path = "pointInTimeRecoverySpecification";
  if (!spec) errors.NotNull(path);
  if (spec && !enabled) errors.NotNull(path + ".pointInTimeRecoveryEnabled");
  if (r.days) errors.CheckRange(*r.days, path + ".recoveryPeriodInDays", 1, 35);
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());
  r.enabled = *enabled;
  if (!r.enabled && r.days) {
    return ValidationError(
        "Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time "
        "recovery.");
  }
  return r;
}

// ---- Contributor Insights ----

// Where Contributor Insights applies: the table, or one of its global
// indexes (a local one has none).
Result<std::shared_ptr<const TableDef>> InsightsTarget(
    OpContext& ctx, const std::string& table, const std::optional<std::string_view>& index) {
  if (index && (index->size() < 3 || index->size() > 255)) {
    return ValidationError(
        "IndexName must be at least 3 characters long and at most 255 characters long");
  }
  std::shared_ptr<const TableDef> def = ctx.ns->db->FindTable(table);
  if (!def) {
    return Error{ErrorCode::kResourceNotFound,
                 "Requested resource not found: Table: " + table + " not found"};
  }
  bool global = false;
  if (index && (!def->FindIndex(*index, &global) || !global)) {
    return Error{ErrorCode::kResourceNotFound,
                 "Requested resource not found: Index: " + std::string(*index) +
                     " not found for table: " + table};
  }
  return def;
}

const std::pair<std::string, std::string>* InsightsOf(const TableDef& t, std::string_view where) {
  for (const auto& entry : t.contributor_insights) {
    if (entry.first == where) return &entry;
  }
  return nullptr;
}

std::string InsightsResponse(const std::string& table, const std::optional<std::string_view>& index,
                             std::string_view status, const std::string* mode) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("TableName");
  w.String(table);
  if (index) {
    w.Key("IndexName");
    w.String(index->data(), static_cast<rapidjson::SizeType>(index->size()));
  }
  w.Key("ContributorInsightsStatus");
  w.String(status.data(), static_cast<rapidjson::SizeType>(status.size()));
  if (mode) {
    w.Key("ContributorInsightsMode");
    w.String(*mode);
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace

Result<std::string> DescribeContinuousBackups(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(std::string table, RequiredTableName(req));
  std::shared_ptr<const TableDef> def = ctx.ns->db->FindTable(table);
  if (!def) return TableNotFound(table);
  return BackupsDescription(def->point_in_time_recovery, ctx.api->Now());
}

Result<std::string> UpdateContinuousBackups(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(PitrRequest r, ReadPitrRequest(req));
  if (!ctx.ns->db->FindTable(r.table)) return TableNotFound(r.table);
  const double now = ctx.api->Now();
  auto updated = ctx.ns->db->UpdateTable(r.table, [&](const TableDef& current) -> Result<TableDef> {
    TableDef next = current;
    storage::PointInTimeRecovery& p = next.point_in_time_recovery;
    if (!r.enabled) {
      p = storage::PointInTimeRecovery{};
    } else if (!p.enabled) {
      p = storage::PointInTimeRecovery{true, r.days.value_or(35), now};
    } else if (r.days) {
      p.recovery_period_days = *r.days;
    }
    return next;
  });
  if (!updated.ok() && updated.error().code == ErrorCode::kResourceNotFound) {
    return TableNotFound(r.table);
  }
  if (!updated.ok()) return updated.error();
  return BackupsDescription((*updated)->point_in_time_recovery, now);
}

Result<std::string> DescribeContributorInsights(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(std::string table, RequiredTableName(req));
  DYNAMO_ASSIGN_OR_RETURN(std::optional<std::string_view> index, GetString(req, "IndexName"));
  DYNAMO_ASSIGN_OR_RETURN(std::shared_ptr<const TableDef> def, InsightsTarget(ctx, table, index));
  const auto* entry = InsightsOf(*def, index.value_or(""));
  return InsightsResponse(table, index, entry ? "ENABLED" : "DISABLED",
                          entry ? &entry->second : nullptr);
}

Result<std::string> UpdateContributorInsights(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(std::string table, RequiredTableName(req));
  DYNAMO_ASSIGN_OR_RETURN(std::optional<std::string_view> index, GetString(req, "IndexName"));
  DYNAMO_ASSIGN_OR_RETURN(std::optional<std::string_view> action,
                          GetString(req, "ContributorInsightsAction"));
  DYNAMO_ASSIGN_OR_RETURN(std::optional<std::string_view> mode,
                          GetString(req, "ContributorInsightsMode"));
  ConstraintErrors errors;
  if (!action) {
    errors.NotNull("contributorInsightsAction");
  } else {
    errors.CheckEnum(*action, "contributorInsightsAction", {"ENABLE", "DISABLE"});
  }
  if (mode) {
    errors.CheckEnum(*mode, "contributorInsightsMode",
                     {"THROTTLED_KEYS", "ACCESSED_AND_THROTTLED_KEYS"});
  }
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());
  DYNAMO_RETURN_IF_ERROR(InsightsTarget(ctx, table, index));
  const bool enable = *action == "ENABLE";
  const std::string wanted(mode.value_or("ACCESSED_AND_THROTTLED_KEYS"));
  std::string status;
  DYNAMO_RETURN_IF_ERROR(
      ctx.ns->db->UpdateTable(table, [&](const TableDef& current) -> Result<TableDef> {
        TableDef next = current;
        const std::string where(index.value_or(""));
        auto& list = next.contributor_insights;
        auto it =
            std::find_if(list.begin(), list.end(), [&](const auto& e) { return e.first == where; });
        if (!enable) {
          status = it == list.end() ? "DISABLED" : "DISABLING";
          if (it != list.end()) list.erase(it);
        } else if (it != list.end() && it->second == wanted) {
          status = "ENABLED";
        } else {
          status = "ENABLING";
          if (it == list.end()) it = list.insert(list.end(), {where, ""});
          it->second = wanted;
        }
        return next;
      }));
  return InsightsResponse(table, index, status, enable ? &wanted : nullptr);
}

// Every table and index where Contributor Insights is on, in one page.
Result<std::string> ListContributorInsights(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(std::optional<std::string_view> name, GetString(req, "TableName"));
  DYNAMO_RETURN_IF_ERROR(GetString(req, "NextToken"));
  std::vector<std::string> tables;
  if (name) {
    DYNAMO_ASSIGN_OR_RETURN(std::string table, RequiredTableName(req));
    DYNAMO_RETURN_IF_ERROR(InsightsTarget(ctx, table, std::nullopt));
    tables.push_back(std::move(table));
  } else {
    tables = ctx.ns->db->TableNames();
  }
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("ContributorInsightsSummaries");
  w.StartArray();
  for (const std::string& table : tables) {
    std::shared_ptr<const TableDef> def = ctx.ns->db->FindTable(table);
    if (!def) continue;
    for (const auto& [where, mode] : def->contributor_insights) {
      w.StartObject();
      w.Key("TableName");
      w.String(table);
      if (!where.empty()) {
        w.Key("IndexName");
        w.String(where);
      }
      w.Key("ContributorInsightsStatus");
      w.String("ENABLED");
      w.Key("ContributorInsightsMode");
      w.String(mode);
      w.EndObject();
    }
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Result<std::string> DescribeKinesisStreamingDestination(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(std::string table, RequiredTableName(req));
  if (!ctx.ns->db->FindTable(table)) {
    return Error{ErrorCode::kResourceNotFound,
                 "Requested resource not found: Table: " + table + " not found"};
  }
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("KinesisDataStreamDestinations");
  w.StartArray();
  w.EndArray();
  w.Key("TableName");
  w.String(table);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace dynamo::server
