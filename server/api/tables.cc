// Control-plane operations: CreateTable, DescribeTable, ListTables,
// DeleteTable, UpdateTable, DescribeEndpoints, DescribeLimits.
//
// Validation runs in DynamoDB's order: JSON types (SerializationException),
// then shape constraints collected into one "N validation errors detected"
// message, then semantic checks where the first failure wins, then existence.
// Table definitions are read and checked by table_definitions.h, described by
// table_description.h, and stored by the Database (which also backfills and
// drops indexes); checks that depend on the current definition run inside
// Database::UpdateTable's change function, against the definition it changes.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <random>
#include <set>
#include <tuple>

#include "core/messages.h"
#include "server/api/fields.h"
#include "server/api/operations.h"
#include "server/api/table_definitions.h"
#include "server/api/table_description.h"
#include "storage/database.h"

namespace dynamo::server {

using core::ErrorCode;
using core::ValidationError;
using storage::IndexDef;
using storage::TableDef;

namespace {

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

// A stream's label: the ISO-8601 time of its creation, in milliseconds.
std::string StreamLabel(double now) {
  const int64_t total_ms = std::llround(now * 1000);
  std::time_t secs = static_cast<std::time_t>(total_ms / 1000);
  int millis = static_cast<int>(total_ms % 1000);
  std::tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

// "1 validation error detected: Value null at '<path>' ...": a null member
// DynamoDB only notices after the constraint pass.
core::Error NullMember(std::string path) {
  ConstraintErrors errors;
  errors.NotNull(std::move(path));
  return std::move(errors.ToStatus()).error();
}

// ---- Settings shared by CreateTable and UpdateTable ----

// StreamSpecification after the JSON type pass.
struct RawStream {
  bool present = false;
  std::optional<bool> enabled;
  std::optional<std::string> view_type;
};

Result<RawStream> ReadStream(const JsonValue& req) {
  RawStream s;
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* spec,
                          GetObject(req, "StreamSpecification",
                                    "class com.amazonaws.dynamodb.v20120810.StreamSpecification"));
  if (!spec) return s;
  s.present = true;
  DYNAMO_ASSIGN_OR_RETURN(s.enabled, GetBool(*spec, "StreamEnabled"));
  DYNAMO_ASSIGN_OR_RETURN(s.view_type, GetStringCopy(*spec, "StreamViewType"));
  return s;
}

// SSESpecification after the JSON type pass.
struct RawSse {
  bool present = false;
  std::optional<bool> enabled;
  std::optional<std::string> kms_key_id;
};

Result<RawSse> ReadSse(const JsonValue& req) {
  RawSse s;
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* spec,
                          GetObject(req, "SSESpecification",
                                    "class com.amazonaws.dynamodb.v20120810.SSESpecification"));
  if (!spec) return s;
  s.present = true;
  DYNAMO_ASSIGN_OR_RETURN(s.enabled, GetBool(*spec, "Enabled"));
  DYNAMO_RETURN_IF_ERROR(GetString(*spec, "SSEType"));  // type-checked only: KMS is the one type
  DYNAMO_ASSIGN_OR_RETURN(s.kms_key_id, GetStringCopy(*spec, "KMSMasterKeyId"));
  return s;
}

// The emulator's stand-in for the id of DynamoDB's AWS-managed KMS key
// (alias/aws/dynamodb), one per account and region in AWS.
constexpr const char* kManagedKmsKeyId = "4d1c0a52-7b3e-4f86-9a21-d5e6c7b8a9f0";

// The KMS key ARN an SSESpecification asks for: empty for the AWS-owned key
// (Enabled false or absent), else the ARN of KMSMasterKeyId (a key id, an
// alias or an ARN) or of the AWS-managed key.
std::string SseKeyArn(const OpContext& ctx, const RawSse& sse) {
  if (!sse.enabled || !*sse.enabled) return "";
  const std::string prefix =
      "arn:aws:kms:" + ctx.request->region + ":" + ctx.api->options().account_id + ":";
  if (!sse.kms_key_id) return prefix + "key/" + kManagedKmsKeyId;
  const std::string& id = *sse.kms_key_id;
  if (id.rfind("arn:", 0) == 0) return id;
  if (id.rfind("alias/", 0) == 0) return prefix + id;
  return prefix + "key/" + id;
}

// OnDemandThroughput after the JSON type pass.
struct RawOnDemand {
  bool present = false;
  std::optional<int64_t> max_read, max_write;
};

Result<RawOnDemand> ReadOnDemand(const JsonValue& req) {
  RawOnDemand o;
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* spec,
                          GetObject(req, "OnDemandThroughput",
                                    "class com.amazonaws.dynamodb.v20120810.OnDemandThroughput"));
  if (!spec) return o;
  o.present = true;
  DYNAMO_ASSIGN_OR_RETURN(o.max_read, GetInteger(*spec, "MaxReadRequestUnits", "Long"));
  DYNAMO_ASSIGN_OR_RETURN(o.max_write, GetInteger(*spec, "MaxWriteRequestUnits", "Long"));
  return o;
}

// The request's maximums over the current ones (a member left out keeps its
// value): each -1 (no maximum) or at least 1, in DynamoDB's words otherwise.
Status MergeOnDemand(const RawOnDemand& o, storage::OnDemandMaximum& m) {
  const std::tuple<const std::optional<int64_t>*, int64_t*, const char*> members[] = {
      {&o.max_read, &m.read, "MaxReadRequestUnits"},
      {&o.max_write, &m.write, "MaxWriteRequestUnits"}};
  for (const auto& [requested, current, name] : members) {
    if (!*requested) continue;
    if (**requested < 1 && **requested != -1) {
      return core::InvalidParameter("Requested " + std::string(name) +
                                    " for OnDemandThroughput for table is outside of valid range");
    }
    *current = **requested;
  }
  return Status::Ok();
}

// SSESpecification and OnDemandThroughput of CreateTable or UpdateTable,
// over t's current settings.
Status ApplySseAndOnDemand(const OpContext& ctx, const RawSse& sse, const RawOnDemand& on_demand,
                           TableDef& t) {
  if (on_demand.present) {
    storage::OnDemandMaximum m = t.on_demand_maximum.value_or(storage::OnDemandMaximum{});
    DYNAMO_RETURN_IF_ERROR(MergeOnDemand(on_demand, m));
    t.on_demand_maximum = m;
  }
  if (sse.present) t.sse_kms_key_arn = SseKeyArn(ctx, sse);
  return Status::Ok();
}

void CheckBillingModeConstraint(const std::optional<std::string_view>& billing_mode,
                                ConstraintErrors& errors) {
  if (billing_mode) {
    errors.CheckEnum(*billing_mode, "billingMode", {"PROVISIONED", "PAY_PER_REQUEST"});
  }
}

// The last constraints of both requests: the stream view type and the table class.
void CheckStreamAndClassConstraints(const RawStream& stream,
                                    const std::optional<std::string_view>& table_class,
                                    ConstraintErrors& errors) {
  if (stream.view_type) {
    errors.CheckEnum(*stream.view_type, "streamSpecification.streamViewType",
                     {"NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"});
  }
  if (table_class) {
    errors.CheckEnum(*table_class, "tableClass", {"STANDARD", "STANDARD_INFREQUENT_ACCESS"});
  }
}

// A present StreamSpecification's StreamEnabled is required.
Status CheckStreamEnabledPresent(const RawStream& stream) {
  if (stream.present && !stream.enabled) return NullMember("streamSpecification.streamEnabled");
  return Status::Ok();
}

core::Error StreamViewTypeRequired() {
  return core::InvalidParameter("StreamViewType is required when StreamEnabled is true");
}

core::Error ThroughputWithPayPerRequest() {
  return core::InvalidParameter(
      "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is "
      "PAY_PER_REQUEST");
}

// ---- CreateTable ----

// CreateTable's members after the JSON type pass.
struct CreateTableRequest {
  std::optional<std::string_view> table_name;
  std::optional<std::vector<RawAttributeDefinition>> attribute_definitions;
  RawKeySchema key_schema;
  RawIndexes local_indexes, global_indexes;
  std::optional<std::string_view> billing_mode;
  RawThroughput throughput;
  RawStream stream;
  RawSse sse;
  std::optional<std::string_view> table_class;
  std::optional<bool> deletion_protection;
  std::vector<RawTag> tags;
  RawOnDemand on_demand;

  bool pay_per_request() const { return billing_mode && *billing_mode == "PAY_PER_REQUEST"; }
};

// The JSON type pass, in DynamoDB's member order.
Result<CreateTableRequest> ReadCreateTableRequest(const JsonValue& req) {
  CreateTableRequest r;
  DYNAMO_ASSIGN_OR_RETURN(r.table_name, GetString(req, "TableName"));
  DYNAMO_ASSIGN_OR_RETURN(r.attribute_definitions, ReadAttributeDefinitions(req));
  DYNAMO_ASSIGN_OR_RETURN(r.key_schema, ReadKeySchema(req));
  DYNAMO_ASSIGN_OR_RETURN(r.local_indexes, ReadIndexes(req, "LocalSecondaryIndexes"));
  DYNAMO_ASSIGN_OR_RETURN(r.global_indexes, ReadIndexes(req, "GlobalSecondaryIndexes"));
  DYNAMO_ASSIGN_OR_RETURN(r.billing_mode, GetString(req, "BillingMode"));
  DYNAMO_ASSIGN_OR_RETURN(r.throughput, ReadThroughput(req));
  DYNAMO_ASSIGN_OR_RETURN(r.stream, ReadStream(req));
  DYNAMO_ASSIGN_OR_RETURN(r.sse, ReadSse(req));
  DYNAMO_ASSIGN_OR_RETURN(r.table_class, GetString(req, "TableClass"));
  DYNAMO_ASSIGN_OR_RETURN(r.deletion_protection, GetBool(req, "DeletionProtectionEnabled"));
  DYNAMO_ASSIGN_OR_RETURN(r.tags, ReadTags(req));
  DYNAMO_ASSIGN_OR_RETURN(r.on_demand, ReadOnDemand(req));
  return r;
}

// The shape constraints, in DynamoDB's member order; returns the table name.
// Precondition: r.table_name is present.
Result<std::string> CheckCreateTableConstraints(const CreateTableRequest& r) {
  ConstraintErrors errors;
  CheckAttributeDefinitionConstraints(r.attribute_definitions, errors);
  std::string name(*r.table_name);
  if (name.substr(0, 4) == "arn:") {
    name = ResolveTableName(*r.table_name, errors);
  } else {
    errors.CheckLength(name, "tableName", 3, 255);
    errors.CheckTableNamePattern(name, "tableName");
  }
  CheckBillingModeConstraint(r.billing_mode, errors);
  CheckThroughputConstraints(r.throughput, "", errors);
  CheckKeySchemaConstraints(r.key_schema, "keySchema", errors);
  // Global index errors come before local ones, whatever the request's order
  // (recorded 2026).
  CheckIndexConstraints(r.global_indexes, "globalSecondaryIndexes", true, errors);
  CheckIndexConstraints(r.local_indexes, "localSecondaryIndexes", false, errors);
  CheckStreamAndClassConstraints(r.stream, r.table_class, errors);
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());
  return name;
}

Status CheckCreateTableThroughput(const CreateTableRequest& r) {
  if (r.pay_per_request()) {
    if (r.throughput.present) return ThroughputWithPayPerRequest();
    return Status::Ok();
  }
  if (!r.throughput.present) {
    return core::InvalidParameter(
        "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is "
        "PROVISIONED");
  }
  return CheckCapacityBounds(r.throughput);
}

// The definitions in request order, without duplicates.
Result<AttributeDefinitions> BuildAttributeDefinitions(
    const std::vector<RawAttributeDefinition>& raw) {
  AttributeDefinitions defs;
  for (const auto& d : raw) {
    if (FindDefinition(defs, *d.name)) {
      return ValidationError("Attribute Name is duplicated: " + *d.name);
    }
    defs.push_back({*d.name, ScalarTypeOf(*d.type)});
  }
  return defs;
}

// Every definition must be used by the table key or an index key.
Status CheckDefinitionsUsed(const CreateTableRequest& r, const AttributeDefinitions& defs) {
  std::vector<std::string> used;
  auto use = [&used](const std::string& n) {
    if (std::find(used.begin(), used.end(), n) == used.end()) used.push_back(n);
  };
  for (const auto& k : *r.key_schema) use(*k.name);
  for (const RawIndexes* list : {&r.local_indexes, &r.global_indexes}) {
    if (!*list) continue;
    for (const auto& ix : **list) {
      for (const auto& k : *ix.key_schema) use(*k.name);
    }
  }
  std::vector<std::string> def_names;
  for (const auto& d : defs) def_names.push_back(d.name);
  const bool unused = std::any_of(def_names.begin(), def_names.end(), [&](const std::string& n) {
    return std::find(used.begin(), used.end(), n) == used.end();
  });
  if (!unused) return Status::Ok();
  if (!r.local_indexes && !r.global_indexes) {
    return core::InvalidParameter(
        "Number of attributes in KeySchema does not exactly match number of attributes defined "
        "in AttributeDefinitions");
  }
  return core::InvalidParameter("Some AttributeDefinitions are not used. AttributeDefinitions: " +
                                JoinNames(def_names) + ", keys used: " + JoinNames(used));
}

core::Error DuplicateIndexName(const std::string& name) {
  return core::InvalidParameter("Duplicate index name: " + name);
}

// Adds the LocalSecondaryIndexes to t (whose key is set); index_names
// collects every index name of the request.
Status AddLocalIndexes(const RawIndexes& lsis, const AttributeDefinitions& defs, TableDef& t,
                       std::set<std::string>& index_names) {
  if (!lsis) return Status::Ok();
  if (lsis->empty()) return core::InvalidParameter("List of LocalSecondaryIndexes is empty");
  if (!t.key.range) {
    return core::InvalidParameter(
        "Table KeySchema does not have a range key, which is required when specifying a "
        "LocalSecondaryIndex");
  }
  for (const auto& raw : *lsis) {
    DYNAMO_ASSIGN_OR_RETURN(IndexDef ix, BuildLocalIndex(raw, defs, t.key));
    if (!index_names.insert(ix.name).second) return DuplicateIndexName(ix.name);
    ix.id = t.next_index_id++;
    t.local_indexes.push_back(std::move(ix));
  }
  if (t.local_indexes.size() > 5) {
    return core::InvalidParameter("Number of LocalSecondaryIndexes exceeds per-table limit of 5");
  }
  return Status::Ok();
}

Status AddGlobalIndexes(const RawIndexes& gsis, const AttributeDefinitions& defs,
                        bool pay_per_request, TableDef& t, std::set<std::string>& index_names) {
  if (!gsis) return Status::Ok();
  if (gsis->empty()) return core::InvalidParameter("List of GlobalSecondaryIndexes is empty");
  for (const auto& raw : *gsis) {
    DYNAMO_ASSIGN_OR_RETURN(
        IndexDef ix, BuildGlobalIndex(raw, defs, pay_per_request, GlobalIndexSource::kCreateTable));
    if (!index_names.insert(ix.name).second) return DuplicateIndexName(ix.name);
    ix.id = t.next_index_id++;
    t.global_indexes.push_back(std::move(ix));
  }
  if (t.global_indexes.size() > 20) {
    return core::InvalidParameter("GlobalSecondaryIndex count exceeds the per-table limit of 20");
  }
  return Status::Ok();
}

// The key schema, attribute definitions and indexes of the new table.
Result<TableDef> BuildTableKeysAndIndexes(const CreateTableRequest& r) {
  DYNAMO_ASSIGN_OR_RETURN(AttributeDefinitions defs,
                          BuildAttributeDefinitions(*r.attribute_definitions));
  if (r.key_schema->size() > defs.size()) {
    return ValidationError("Invalid KeySchema: Some index key attribute have no definition");
  }
  TableDef t;
  DYNAMO_ASSIGN_OR_RETURN(t.key, BuildKeySchema(*r.key_schema, defs));
  DYNAMO_RETURN_IF_ERROR(CheckDefinitionsUsed(r, defs));
  std::set<std::string> index_names;
  DYNAMO_RETURN_IF_ERROR(AddLocalIndexes(r.local_indexes, defs, t, index_names));
  DYNAMO_RETURN_IF_ERROR(
      AddGlobalIndexes(r.global_indexes, defs, r.pay_per_request(), t, index_names));
  t.attribute_definitions = std::move(defs);
  std::sort(t.attribute_definitions.begin(), t.attribute_definitions.end());
  return t;
}

Status CheckCreateTableStream(const RawStream& stream) {
  DYNAMO_RETURN_IF_ERROR(CheckStreamEnabledPresent(stream));
  if (!stream.present) return Status::Ok();
  if (!*stream.enabled && stream.view_type) {
    return core::InvalidParameter(
        "Table is being created with a stream disabled, UpdateViewType should not be specified");
  }
  if (*stream.enabled && !stream.view_type) return StreamViewTypeRequired();
  return Status::Ok();
}

// The settings of a new table besides its keys and indexes.
void SetNewTableSettings(const CreateTableRequest& r, std::string name, double now, TableDef& t) {
  t.name = std::move(name);
  t.table_id = NewUuid();
  t.creation_time = now;
  t.pay_per_request = r.pay_per_request();
  if (t.pay_per_request) {
    t.last_update_to_pay_per_request = t.creation_time;
  } else {
    t.throughput.read = *r.throughput.read;
    t.throughput.write = *r.throughput.write;
  }
  if (r.stream.enabled && *r.stream.enabled) {
    t.stream = storage::StreamSettings{true, *r.stream.view_type, StreamLabel(t.creation_time)};
  }
  t.deletion_protection = r.deletion_protection.value_or(false);
  if (r.table_class) t.table_class = std::string(*r.table_class);
}

// ---- UpdateTable ----

// UpdateTable's members after the JSON type pass.
struct UpdateTableRequest {
  std::optional<std::string_view> table_name;
  std::optional<std::string_view> billing_mode;
  RawThroughput throughput;
  const JsonValue* gsi_updates = nullptr;  // GlobalSecondaryIndexUpdates, read when applied
  RawStream stream;
  RawSse sse;
  const JsonValue* replicas = nullptr;
  std::optional<std::string_view> table_class;
  std::optional<bool> deletion_protection;
  RawOnDemand on_demand;

  bool has_gsi_updates() const { return gsi_updates && !gsi_updates->Empty(); }
  // Whether the request changes anything besides deletion protection.
  bool changes_besides_protection() const {
    return throughput.present || billing_mode || has_gsi_updates() || stream.present ||
           sse.present || replicas || table_class || on_demand.present;
  }
};

Result<UpdateTableRequest> ReadUpdateTableRequest(const JsonValue& req) {
  UpdateTableRequest r;
  DYNAMO_ASSIGN_OR_RETURN(r.table_name, GetString(req, "TableName"));
  DYNAMO_ASSIGN_OR_RETURN(r.billing_mode, GetString(req, "BillingMode"));
  DYNAMO_ASSIGN_OR_RETURN(r.throughput, ReadThroughput(req));
  DYNAMO_ASSIGN_OR_RETURN(r.gsi_updates, GetArray(req, "GlobalSecondaryIndexUpdates"));
  DYNAMO_ASSIGN_OR_RETURN(r.stream, ReadStream(req));
  DYNAMO_ASSIGN_OR_RETURN(r.sse, ReadSse(req));
  DYNAMO_ASSIGN_OR_RETURN(r.replicas, GetArray(req, "ReplicaUpdates"));
  DYNAMO_ASSIGN_OR_RETURN(r.table_class, GetString(req, "TableClass"));
  DYNAMO_ASSIGN_OR_RETURN(r.deletion_protection, GetBool(req, "DeletionProtectionEnabled"));
  DYNAMO_ASSIGN_OR_RETURN(r.on_demand, ReadOnDemand(req));
  return r;
}

// The shape constraints, then whether the request asks for anything;
// returns the table name.
Result<std::string> CheckUpdateTableRequest(const UpdateTableRequest& r) {
  ConstraintErrors errors;
  std::string name;
  if (!r.table_name) {
    errors.NotNull("tableName");
  } else {
    name = ResolveTableName(*r.table_name, errors);
  }
  CheckBillingModeConstraint(r.billing_mode, errors);
  CheckThroughputConstraints(r.throughput, "", errors);
  CheckStreamAndClassConstraints(r.stream, r.table_class, errors);
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());

  if (!r.changes_besides_protection() && !r.deletion_protection) {
    return ValidationError(
        "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
        "GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, "
        "ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, "
        "OnDemandThroughput, WarmThroughput or TableClass is required");
  }
  if (r.gsi_updates && r.gsi_updates->Empty()) {
    return core::InvalidParameter("List of GlobalSecondaryIndexUpdates is empty");
  }
  return name;
}

// What GlobalSecondaryIndexUpdates asks of the table: at most one Create or
// Delete, any number of throughput Updates.
struct IndexUpdatePlan {
  AttributeDefinitions attribute_definitions;  // the table's, then the request's new ones
  bool request_has_definitions = false;        // AttributeDefinitions is present
  AttributeDefinitions request_definitions;    // the request's own, in its order
  std::optional<IndexDef> create;              // id not assigned
  std::optional<std::string> drop;
  std::vector<std::pair<std::string, storage::Throughput>> throughput;
};

// Adds the request's AttributeDefinitions the table does not define yet
// (a name it defines keeps its type) to merged, and all of them to requested.
Status MergeAttributeDefinitions(const JsonValue& defs, AttributeDefinitions& merged,
                                 AttributeDefinitions& requested) {
  size_t position = 0;
  for (const auto& d : defs.GetArray()) {
    ++position;
    DYNAMO_RETURN_IF_ERROR(CheckStructElement(d));
    DYNAMO_ASSIGN_OR_RETURN(auto n, GetStringCopy(d, "AttributeName"));
    DYNAMO_ASSIGN_OR_RETURN(auto ty, GetStringCopy(d, "AttributeType"));
    if (!n || !ty) return NullMember("attributeDefinitions");
    // ScalarAttributeType, as CreateTable checks it.
    ConstraintErrors errors;
    errors.CheckEnum(*ty,
                     "attributeDefinitions." + std::to_string(position) + ".member.attributeType",
                     {"B", "N", "S"});
    DYNAMO_RETURN_IF_ERROR(errors.ToStatus());
    requested.push_back({*n, ScalarTypeOf(*ty)});
    if (!FindDefinition(merged, *n)) merged.push_back({*n, ScalarTypeOf(*ty)});
  }
  return Status::Ok();
}

// One GlobalSecondaryIndexUpdate: exactly one of its actions is present.
struct IndexAction {
  const JsonValue* create = nullptr;
  const JsonValue* update = nullptr;
  const JsonValue* remove = nullptr;  // Delete
};

Result<IndexAction> ReadIndexAction(const JsonValue& u) {
  DYNAMO_RETURN_IF_ERROR(CheckStructElement(u));
  IndexAction a;
  DYNAMO_ASSIGN_OR_RETURN(
      a.create,
      GetObject(u, "Create",
                "class com.amazonaws.dynamodb.v20120810.CreateGlobalSecondaryIndexAction"));
  DYNAMO_ASSIGN_OR_RETURN(
      a.update,
      GetObject(u, "Update",
                "class com.amazonaws.dynamodb.v20120810.UpdateGlobalSecondaryIndexAction"));
  DYNAMO_ASSIGN_OR_RETURN(
      a.remove,
      GetObject(u, "Delete",
                "class com.amazonaws.dynamodb.v20120810.DeleteGlobalSecondaryIndexAction"));
  const int actions = (a.create ? 1 : 0) + (a.update ? 1 : 0) + (a.remove ? 1 : 0);
  if (actions == 0) {
    return core::InvalidParameter(
        "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
        "GlobalSecondaryIndexUpdate.Delete must not be null");
  }
  if (actions > 1) {
    return ValidationError(
        "Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object");
  }
  return a;
}

core::Error SubscriberLimitExceeded(std::string_view detail) {
  return core::Error{ErrorCode::kLimitExceeded,
                     "Subscriber limit exceeded: " + std::string(detail)};
}

Status PlanIndexCreate(const JsonValue& create, const TableDef& current, IndexUpdatePlan& plan) {
  DYNAMO_ASSIGN_OR_RETURN(RawIndex raw, ReadIndex(create));
  ConstraintErrors errors;
  // DynamoDB reports the path as the first update's, whichever this is.
  CheckIndexConstraints(RawIndexes(std::vector<RawIndex>{raw}),
                        "globalSecondaryIndexUpdates.1.member.create", true, errors);
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());
  if (current.FindIndex(*raw.name)) {
    return ValidationError("Attempting to create an index which already exists");
  }
  if (!plan.request_has_definitions) {
    return core::InvalidParameter("AttributeDefinitions is not specified for index: " + *raw.name);
  }
  DYNAMO_ASSIGN_OR_RETURN(IndexDef ix,
                          BuildGlobalIndex(raw, plan.attribute_definitions, current.pay_per_request,
                                           GlobalIndexSource::kUpdateTableCreate));
  // Every key attribute of the new index must be in the request's own
  // AttributeDefinitions, even one the table defines already (recorded from
  // DynamoDB, 2026).
  DYNAMO_RETURN_IF_ERROR(CheckKeysDefined(*raw.key_schema, plan.request_definitions));
  if (current.global_indexes.size() >= 20) {
    return SubscriberLimitExceeded(
        "Number of global secondary indexes exceeds per-table limit of 20");
  }
  plan.create = std::move(ix);
  return Status::Ok();
}

// A Delete, or an Update of the index's provisioned throughput.
Status PlanIndexDeleteOrUpdate(const IndexAction& a, const TableDef& current,
                               IndexUpdatePlan& plan) {
  DYNAMO_ASSIGN_OR_RETURN(auto index_name,
                          GetString(a.remove ? *a.remove : *a.update, "IndexName"));
  if (!index_name) return NullMember("globalSecondaryIndexUpdates.1.member.indexName");
  const std::string name(*index_name);
  bool global = false;
  const IndexDef* existing = current.FindIndex(name, &global);
  if (existing && !global) {
    return ValidationError("Cannot delete an index that is not a GlobalSecondaryIndex: " + name);
  }
  if (!existing) {
    return core::Error{ErrorCode::kResourceNotFound, "Requested resource not found: Index " + name +
                                                         " for table " + current.name};
  }
  if (a.remove) {
    plan.drop = name;
    return Status::Ok();
  }
  DYNAMO_ASSIGN_OR_RETURN(RawThroughput rt, ReadThroughput(*a.update));
  if (current.pay_per_request) {
    return ValidationError("The only Updates for index: " + name +
                           " when TableThroughputMode is PAY_PER_REQUEST can be to "
                           "OnDemandThroughput, WarmThroughput");
  }
  if (!rt.present || !rt.read || !rt.write) return BothCapacityUnitsRequired(name);
  plan.throughput.emplace_back(name, storage::Throughput{*rt.read, *rt.write, 0, 0, 0});
  return Status::Ok();
}

// Reads and checks GlobalSecondaryIndexUpdates (and AttributeDefinitions)
// against the current definition.
Result<IndexUpdatePlan> PlanIndexUpdates(const JsonValue& req, const JsonValue& updates,
                                         const TableDef& current) {
  IndexUpdatePlan plan;
  plan.attribute_definitions = current.attribute_definitions;
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* new_defs, GetArray(req, "AttributeDefinitions"));
  if (new_defs) {
    plan.request_has_definitions = true;
    DYNAMO_RETURN_IF_ERROR(
        MergeAttributeDefinitions(*new_defs, plan.attribute_definitions, plan.request_definitions));
  }
  int creates_and_deletes = 0;
  std::set<std::string> named;
  for (const auto& u : updates.GetArray()) {
    DYNAMO_ASSIGN_OR_RETURN(IndexAction a, ReadIndexAction(u));
    // Reported before the limit on creates and deletes (recorded from DynamoDB).
    const JsonValue& action = a.create ? *a.create : a.update ? *a.update : *a.remove;
    DYNAMO_ASSIGN_OR_RETURN(auto index_name, GetString(action, "IndexName"));
    if (index_name && !named.insert(std::string(*index_name)).second) {
      return core::InvalidParameter(
          "Only one global secondary index update per index is allowed simultaneously. Index: " +
          std::string(*index_name));
    }
    if (a.create || a.remove) ++creates_and_deletes;
    if (creates_and_deletes > 1) {
      return SubscriberLimitExceeded(
          "Only 1 online index can be created or deleted simultaneously per table");
    }
    if (a.create) DYNAMO_RETURN_IF_ERROR(PlanIndexCreate(*a.create, current, plan));
    if (a.remove || a.update) DYNAMO_RETURN_IF_ERROR(PlanIndexDeleteOrUpdate(a, current, plan));
  }
  return plan;
}

// An index Create or Delete cannot share the request with a change of the
// table's provisioned throughput or of its stream (recorded from DynamoDB;
// a BillingMode switch or index throughput Updates may go with it).
Status CheckIndexCreateOrDeleteAlone(const UpdateTableRequest& r) {
  bool create_or_delete = false;
  for (const auto& u : r.gsi_updates->GetArray()) {
    if (!u.IsObject()) continue;
    for (const char* action : {"Create", "Delete"}) {
      auto m = u.FindMember(action);
      if (m != u.MemberEnd() && !m->value.IsNull()) create_or_delete = true;
    }
  }
  if (!create_or_delete) return Status::Ok();
  if (r.throughput.present) {
    return ValidationError("You cannot create or delete index while updating table IOPS");
  }
  if (r.stream.present) {
    return ValidationError("You cannot create or delete index while changing stream status");
  }
  return Status::Ok();
}

// BillingMode PAY_PER_REQUEST requested, or kept.
Status UpdateToOnDemand(const UpdateTableRequest& r, double now, TableDef& t) {
  if (r.throughput.present) {
    if (r.billing_mode && !t.pay_per_request) {
      return core::InvalidParameter(
          "ProvisionedThroughput cannot be specified when BillingMode is PAY_PER_REQUEST");
    }
    return ThroughputWithPayPerRequest();
  }
  if (!t.pay_per_request) {
    t.pay_per_request = true;
    t.last_update_to_pay_per_request = now;
    t.throughput = storage::Throughput{};
    for (auto& ix : t.global_indexes) ix.throughput.reset();
  }
  return Status::Ok();
}

// New provisioned throughput of a provisioned table.
Status ChangeProvisionedThroughput(const RawThroughput& throughput, double now, TableDef& t) {
  const int64_t read = *throughput.read, write = *throughput.write;
  storage::Throughput& current = t.throughput;
  if (read == current.read && write == current.write) {
    return ValidationError(
        "The provisioned throughput for the table will not change. The requested value equals "
        "the current value. Current ReadCapacityUnits provisioned for the table: " +
        std::to_string(current.read) + ". Requested ReadCapacityUnits: " + std::to_string(read) +
        ". Current WriteCapacityUnits provisioned for the table: " + std::to_string(current.write) +
        ". Requested WriteCapacityUnits: " + std::to_string(write) +
        ". Refer to the Amazon DynamoDB Developer Guide for current limits and how to request "
        "higher limits.");
  }
  if (read > current.read || write > current.write) current.last_increase = now;
  if (read < current.read || write < current.write) {
    current.last_decrease = now;
    ++current.decreases_today;
  }
  current.read = read;
  current.write = write;
  return Status::Ok();
}

// BillingMode PROVISIONED requested, or kept.
Status UpdateProvisioned(const UpdateTableRequest& r, double now, TableDef& t) {
  if (r.billing_mode && !r.throughput.present) {
    return core::InvalidParameter(
        "ProvisionedThroughput must be specified when BillingMode is PROVISIONED");
  }
  if (!r.throughput.present) return Status::Ok();
  DYNAMO_RETURN_IF_ERROR(CheckCapacityBounds(r.throughput));
  if (!t.pay_per_request) return ChangeProvisionedThroughput(r.throughput, now, t);
  if (!t.global_indexes.empty()) {
    return ValidationError("ProvisionedThroughput must be specified for index: " +
                           t.global_indexes.front().name);
  }
  t.pay_per_request = false;
  t.throughput = storage::Throughput{*r.throughput.read, *r.throughput.write, 0, 0, 0};
  return Status::Ok();
}

Status UpdateBilling(const UpdateTableRequest& r, double now, TableDef& t) {
  const bool want_ppr = r.billing_mode ? *r.billing_mode == "PAY_PER_REQUEST" : t.pay_per_request;
  return want_ppr ? UpdateToOnDemand(r, now, t) : UpdateProvisioned(r, now, t);
}

Status UpdateStream(const OpContext& ctx, const RawStream& stream, double now, TableDef& t) {
  DYNAMO_RETURN_IF_ERROR(CheckStreamEnabledPresent(stream));
  if (!stream.present) return Status::Ok();
  if (!*stream.enabled) {
    if (!t.stream.enabled) return ValidationError("Table already has stream disabled");
    t.stream.enabled = false;  // the view type and label of the last stream stay
    return Status::Ok();
  }
  if (!stream.view_type) return StreamViewTypeRequired();
  if (t.stream.enabled) {
    return ValidationError("Table already has an enabled stream: " + ctx.TableArn(t.name) +
                           "/stream/" + t.stream.label);
  }
  // Strictly later than the last stream's label: a stream enabled again
  // within the millisecond it was disabled gets a new ARN all the same.
  std::string label = StreamLabel(now);
  for (double at = now; label <= t.stream.label;) label = StreamLabel(at += 0.001);
  t.stream = storage::StreamSettings{true, *stream.view_type, std::move(label)};
  return Status::Ok();
}

void ApplyIndexUpdates(IndexUpdatePlan plan, TableDef& t) {
  for (const auto& [index_name, throughput] : plan.throughput) {
    for (auto& ix : t.global_indexes) {
      if (ix.name == index_name) ix.throughput = throughput;
    }
  }
  if (plan.create) {
    // A new id: Database::UpdateTable backfills the index.
    plan.create->id = t.next_index_id++;
    t.global_indexes.push_back(std::move(*plan.create));
    t.attribute_definitions = std::move(plan.attribute_definitions);
    std::sort(t.attribute_definitions.begin(), t.attribute_definitions.end());
  }
  if (plan.drop) {
    auto it = std::find_if(t.global_indexes.begin(), t.global_indexes.end(),
                           [&](const IndexDef& ix) { return ix.name == *plan.drop; });
    t.global_indexes.erase(it);
  }
}

// The change function of UpdateTable: every check that depends on the
// current definition, in DynamoDB's order, then the new definition. Runs
// under the namespace's write lock: reads only the request and current.
Result<TableDef> ChangeTable(const OpContext& ctx, const JsonValue& req,
                             const UpdateTableRequest& r, const TableDef& current) {
  if (r.deletion_protection && r.changes_besides_protection()) {
    return ValidationError(
        "DeletionProtection modification must be the only operation in the request");
  }
  IndexUpdatePlan plan;
  if (r.has_gsi_updates()) {
    DYNAMO_RETURN_IF_ERROR(CheckIndexCreateOrDeleteAlone(r));
    DYNAMO_ASSIGN_OR_RETURN(plan, PlanIndexUpdates(req, *r.gsi_updates, current));
  }
  TableDef t = current;
  const double now = ctx.api->Now();
  DYNAMO_RETURN_IF_ERROR(UpdateBilling(r, now, t));
  DYNAMO_RETURN_IF_ERROR(UpdateStream(ctx, r.stream, now, t));
  DYNAMO_RETURN_IF_ERROR(ApplySseAndOnDemand(ctx, r.sse, r.on_demand, t));
  if (r.table_class) t.table_class = std::string(*r.table_class);
  if (r.deletion_protection) t.deletion_protection = *r.deletion_protection;
  ApplyIndexUpdates(std::move(plan), t);
  return t;
}

}  // namespace

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

// A new table's stream label, one millisecond later while a stream of a
// table of that name (deleted and created again within the millisecond)
// already has it, so that no two streams share an ARN.
Result<std::string> UnusedStreamLabel(const OpContext& ctx, const TableDef& t) {
  double at = t.creation_time;
  std::string label = t.stream.label;
  for (;;) {
    DYNAMO_ASSIGN_OR_RETURN(auto taken, ctx.ns->db->FindStream(t.name, label));
    if (!taken) return label;
    at += 0.001;
    label = StreamLabel(at);
  }
}

Result<std::string> CreateTable(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(CreateTableRequest r, ReadCreateTableRequest(req));
  if (!r.table_name) {
    return ValidationError(
        "The parameter 'TableName' is required but was not present in the request");
  }
  DYNAMO_ASSIGN_OR_RETURN(std::string name, CheckCreateTableConstraints(r));

  // Semantics, first failure wins.
  DYNAMO_RETURN_IF_ERROR(CheckCreateTableThroughput(r));
  DYNAMO_ASSIGN_OR_RETURN(TableDef t, BuildTableKeysAndIndexes(r));
  DYNAMO_RETURN_IF_ERROR(CheckCreateTableStream(r.stream));
  DYNAMO_ASSIGN_OR_RETURN(t.tags, CheckTags(r.tags));
  DYNAMO_RETURN_IF_ERROR(ApplySseAndOnDemand(ctx, r.sse, r.on_demand, t));
  SetNewTableSettings(r, std::move(name), ctx.api->Now(), t);
  if (t.stream.enabled) {
    DYNAMO_ASSIGN_OR_RETURN(t.stream.label, UnusedStreamLabel(ctx, t));
  }

  // ResourceInUse when the name exists.
  DYNAMO_ASSIGN_OR_RETURN(auto created, ctx.ns->db->CreateTable(std::move(t)));
  return DescriptionResponse(ctx, "TableDescription", *created, "ACTIVE", DescriptionKind::kFull);
}

Result<std::string> DescribeTable(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(std::string name, RequiredTableName(req));
  auto table = ctx.ns->db->FindTable(name);
  if (!table) return core::TableNotFound(name);
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
  // No database: the namespace has had no other request yet (Api::NamespaceFor).
  std::vector<std::string> names =
      ctx.ns->db ? ctx.ns->db->TableNames() : std::vector<std::string>{};
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
  DYNAMO_ASSIGN_OR_RETURN(
      storage::Database::DeletedTable deleted,
      ctx.ns->db->DeleteTable(name, [](const TableDef& t) -> Status {
        if (!t.deletion_protection) return Status::Ok();
        return ValidationError(
            "Resource cannot be deleted as it is currently protected against deletion. Disable "
            "deletion protection first.");
      }));
  return DescriptionResponse(ctx, "TableDescription", *deleted.def, "DELETING", deleted.stats,
                             DescriptionKind::kDeleting);
}

Result<std::string> UpdateTable(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(UpdateTableRequest r, ReadUpdateTableRequest(req));
  DYNAMO_ASSIGN_OR_RETURN(std::string name, CheckUpdateTableRequest(r));
  // TableNotFound when missing; indexes created or deleted are backfilled
  // or dropped in the same transaction.
  DYNAMO_ASSIGN_OR_RETURN(auto updated, ctx.ns->db->UpdateTable(name, [&](const TableDef& current) {
    return ChangeTable(ctx, req, r, current);
  }));
  return DescriptionResponse(ctx, "TableDescription", *updated, "ACTIVE", DescriptionKind::kFull);
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
