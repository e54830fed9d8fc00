// The typed definition of a table: its key schema, attribute types, secondary
// indexes and their projections, and the control-plane settings DescribeTable
// reports (billing, throughput, streams, tags, ...).
//
// Storage owns it: it persists it (tables.def, schema.h), keeps the current
// definition of every table in its catalog, and maintains every index of it on
// every write (write_path.h). A TableDef is a plain value; the catalog hands out
// shared_ptr<const TableDef> snapshots that never change once published
// (a change publishes a new one).
//
// Persisted form (tables.def, schema version 2): the definition as a
// core::Item stored with the item codec, field by field:
//
//   name S, table_id S, created S(time), attributes L[M{name S, type S}],
//   key KEY, on_demand BOOL, on_demand_since S(time), throughput THROUGHPUT,
//   gsi L[INDEX], lsi L[INDEX], stream M{enabled BOOL, view S, label S},
//   deletion_protection BOOL, table_class S, tags L[L[S, S]], next_index_id N,
//   sse_kms_key S, [on_demand_max M{read N, write N}], [ttl S],
//   [shard_rollover M{records N, seconds N}],
//   [pitr M{enabled BOOL, days N, since S(time)}], [insights L[L[S, S]]]
//
//   KEY        := M{hash S, hash_type S, [range S, range_type S]}
//   INDEX      := M{id N, name S, key KEY, projection S, non_key L[S],
//                   [throughput THROUGHPUT]}
//   THROUGHPUT := M{read N, write N, increased S(time), decreased S(time),
//                   decreases_today N}
//   time       := seconds since the epoch, "%.17g" (a double, exactly)
//
// The table's id is the row's, not part of the record. Readers treat a
// missing field as its default, so a field added later (the TTL attribute,
// new stream settings) is a new map key and needs no schema version change.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/attribute_value.h"
#include "core/error.h"
#include "core/key_schema.h"

namespace dynamo::storage {

enum class ProjectionType { kAll, kKeysOnly, kInclude };

// "ALL", "KEYS_ONLY", "INCLUDE".
std::string_view ProjectionTypeName(ProjectionType type);

struct Throughput {
  int64_t read = 0;
  int64_t write = 0;
  double last_increase = 0;  // seconds since the epoch; 0: never
  double last_decrease = 0;
  int64_t decreases_today = 0;

  bool operator==(const Throughput&) const = default;
};

struct IndexDef {
  int64_t id = 0;  // storage id of the index within its table (index_items.ix), never 0
  std::string name;
  core::KeySchema key;
  ProjectionType projection = ProjectionType::kAll;
  std::vector<std::string> non_key_attributes;  // kInclude: sorted
  std::optional<Throughput> throughput;         // GSIs of provisioned tables

  bool operator==(const IndexDef&) const = default;
};

struct AttributeDefinition {
  std::string name;
  core::ValueType type = core::ValueType::kS;  // kS, kN or kB

  bool operator==(const AttributeDefinition&) const = default;
  bool operator<(const AttributeDefinition& o) const { return name < o.name; }
};

struct StreamSettings {
  bool enabled = false;
  std::string view_type;  // NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES or KEYS_ONLY
  std::string label;      // the latest stream's label (ISO-8601 time of its creation)

  bool operator==(const StreamSettings&) const = default;
};

// When the open shard of a table's stream is closed and a child opened in
// its place (the emulator's setting, for testing consumers' handling of
// shard lineage): after `records` records, or once it is `seconds` old;
// 0 turns either off.
struct ShardRollover {
  int64_t records = 0;
  double seconds = 0;

  bool operator==(const ShardRollover&) const = default;
};

// Point-in-time recovery (UpdateContinuousBackups): kept and described, no
// backups are taken.
struct PointInTimeRecovery {
  bool enabled = false;
  int64_t recovery_period_days = 35;
  double enabled_at = 0;  // when it was last enabled

  bool operator==(const PointInTimeRecovery&) const = default;
};

// OnDemandThroughput: the most request units per second a table may use;
// -1: no maximum.
struct OnDemandMaximum {
  int64_t read = -1;
  int64_t write = -1;

  bool operator==(const OnDemandMaximum&) const = default;
};

struct TableDef {
  int64_t id = 0;  // storage id (tables.id); assigned by Database::CreateTable, never reused
  std::string name;
  std::string table_id;  // DynamoDB's TableId (a UUID)
  double creation_time = 0;
  std::vector<AttributeDefinition> attribute_definitions;  // sorted by name
  core::KeySchema key;
  bool pay_per_request = false;
  double last_update_to_pay_per_request = 0;  // 0: never on demand
  Throughput throughput;
  std::vector<IndexDef> global_indexes;
  std::vector<IndexDef> local_indexes;
  StreamSettings stream;
  bool deletion_protection = false;
  std::string table_class;  // empty: STANDARD, never set
  // The ARN of the KMS key of server-side encryption (SSESpecification
  // Enabled); empty: the default AWS-owned key, which has no SSEDescription.
  std::string sse_kms_key_arn;
  std::optional<OnDemandMaximum> on_demand_maximum;  // set by OnDemandThroughput
  std::vector<std::pair<std::string, std::string>> tags;
  int64_t next_index_id = 1;
  // The Time to Live attribute (UpdateTimeToLive); empty: TTL is disabled.
  std::string ttl_attribute;
  // Set for this table by the control API; unset: the database's default
  // (DatabaseOptions::shard_rollover).
  std::optional<ShardRollover> shard_rollover;
  PointInTimeRecovery point_in_time_recovery;
  // Where Contributor Insights is enabled (UpdateContributorInsights): ""
  // for the table, else an index name; its mode alongside.
  std::vector<std::pair<std::string, std::string>> contributor_insights;

  bool operator==(const TableDef&) const = default;

  // The index called index_name, or nullptr. *global tells which kind it is.
  const IndexDef* FindIndex(std::string_view index_name, bool* global = nullptr) const;
  bool has_indexes() const { return !global_indexes.empty() || !local_indexes.empty(); }
  // Calls fn(const IndexDef&) for every global, then every local index.
  template <typename Fn>
  void ForEachIndex(Fn&& fn) const {
    for (const auto& ix : global_indexes) fn(ix);
    for (const auto& ix : local_indexes) fn(ix);
  }
};

// The persisted form (see the file comment) and back. FromItem fails with
// InternalServerError on a malformed definition.
core::Item TableDefToItem(const TableDef& def);
core::Result<TableDef> TableDefFromItem(const core::Item& item);

}  // namespace dynamo::storage
