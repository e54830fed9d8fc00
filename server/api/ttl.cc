// Time to Live settings: UpdateTimeToLive and DescribeTimeToLive. The items
// themselves expire through the sweeper (Api::SweepExpiredItems, storage/ttl.h).
//
// DynamoDB's behaviour, as AWS was recorded answering (2026): the settings
// take effect at once (no ENABLING or DISABLING status is ever seen); the
// Update echoes its TimeToLiveSpecification; a disabled table forgets its
// attribute; TTL may name a key attribute. Not emulated: the cooldown of
// about half an hour between two changes of a table's TTL ("Time to live
// has been modified multiple times within a fixed interval"), which would
// only make test suites wait.
#include "core/messages.h"
#include "server/api/fields.h"
#include "server/api/operations.h"

namespace dynamo::server {

using core::Result;
using core::Status;
using core::ValidationError;
using storage::TableDef;

namespace {

struct TtlRequest {
  std::string table;
  bool enabled = false;
  std::string attribute;
};

Result<TtlRequest> ReadTtlRequest(const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(std::optional<std::string_view> name, GetString(req, "TableName"));
  DYNAMO_ASSIGN_OR_RETURN(
      const JsonValue* spec,
      GetObject(req, "TimeToLiveSpecification",
                "class com.amazonaws.dynamodb.v20120810.TimeToLiveSpecification"));
  std::optional<bool> enabled;
  std::optional<std::string_view> attribute;
  if (spec) {
    DYNAMO_ASSIGN_OR_RETURN(enabled, GetBool(*spec, "Enabled"));
    DYNAMO_ASSIGN_OR_RETURN(attribute, GetString(*spec, "AttributeName"));
  }
  ConstraintErrors errors;
  TtlRequest r;
  if (!name) {
    errors.NotNull("tableName");
  } else {
    r.table = ResolveTableName(*name, errors);
  }
  if (!spec) {
    errors.NotNull("timeToLiveSpecification");
  } else {
    if (!enabled) errors.NotNull("timeToLiveSpecification.enabled");
    if (!attribute) {
      errors.NotNull("timeToLiveSpecification.attributeName");
    } else {
      errors.CheckLength(*attribute, "timeToLiveSpecification.attributeName", 1, 255);
    }
  }
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());
  r.enabled = *enabled;
  r.attribute = std::string(*attribute);
  return r;
}

// The new definition, or DynamoDB's refusal of a change that changes nothing
// or names another attribute than the one in force.
Result<TableDef> ChangeTtl(const TableDef& current, const TtlRequest& r) {
  const std::string& in_force = current.ttl_attribute;
  if (in_force.empty() && !r.enabled) return ValidationError("TimeToLive is already disabled");
  if (!in_force.empty() && in_force != r.attribute) {
    return ValidationError(
        "TimeToLive is active on a different AttributeName: current AttributeName is " + in_force);
  }
  if (!in_force.empty() && r.enabled) return ValidationError("TimeToLive is already enabled");
  TableDef next = current;
  next.ttl_attribute = r.enabled ? r.attribute : "";
  return next;
}

}  // namespace

Result<std::string> UpdateTimeToLive(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(TtlRequest r, ReadTtlRequest(req));
  // Enabling builds the table's expiry index in the same transaction.
  DYNAMO_RETURN_IF_ERROR(ctx.ns->db->UpdateTable(
      r.table, [&](const TableDef& current) { return ChangeTtl(current, r); }));
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("TimeToLiveSpecification");
  w.StartObject();
  w.Key("Enabled");
  w.Bool(r.enabled);
  w.Key("AttributeName");
  w.String(r.attribute);
  w.EndObject();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Result<std::string> DescribeTimeToLive(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(std::string table, RequiredTableName(req));
  std::shared_ptr<const TableDef> def = ctx.ns->db->FindTable(table);
  if (!def) return core::TableNotFound(table);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("TimeToLiveDescription");
  w.StartObject();
  w.Key("TimeToLiveStatus");
  w.String(def->ttl_attribute.empty() ? "DISABLED" : "ENABLED");
  if (!def->ttl_attribute.empty()) {
    w.Key("AttributeName");
    w.String(def->ttl_attribute);
  }
  w.EndObject();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace dynamo::server
