// Table and index definitions in requests (CreateTable, UpdateTable): reading
// them (JSON types), checking their constraints, and turning them into the
// typed storage definitions with DynamoDB's semantic checks and messages.
//
// The three passes run in DynamoDB's order: Read* fails with the first
// SerializationException; Check*Constraints add to a ConstraintErrors (one
// "N validation errors detected" message); the semantic checks and builders
// return the first failure. The builders assume the constraints passed (no
// member they read is null).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/key_schema.h"
#include "server/api/fields.h"
#include "server/api/json.h"
#include "storage/table_def.h"

namespace dynamo::server {

// ---- Request pieces after the JSON type pass (absent members: nullopt) ----

struct RawKeyElement {
  std::optional<std::string> name, key_type;
};
using RawKeySchema = std::optional<std::vector<RawKeyElement>>;

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
  RawKeySchema key_schema;
  RawProjection projection;
  RawThroughput throughput;
};
using RawIndexes = std::optional<std::vector<RawIndex>>;

struct RawAttributeDefinition {
  std::optional<std::string> name, type;
};

// The attribute definitions a key schema is checked against, in the order
// DynamoDB lists them in its messages (request order; UpdateTable: the
// table's, then the request's new ones).
using AttributeDefinitions = std::vector<storage::AttributeDefinition>;

// ---- JSON types ----

// A string member, copied out of the request.
Result<std::optional<std::string>> GetStringCopy(const JsonValue& object, std::string_view name);
// A list element that must be a structure (a JSON object).
Status CheckStructElement(const JsonValue& v);

// KeySchema, ProvisionedThroughput, one index object.
Result<RawKeySchema> ReadKeySchema(const JsonValue& object);
Result<RawThroughput> ReadThroughput(const JsonValue& object);
Result<RawIndex> ReadIndex(const JsonValue& index);
// LocalSecondaryIndexes or GlobalSecondaryIndexes (member); a null element
// reads as an index with every member absent.
Result<RawIndexes> ReadIndexes(const JsonValue& object, std::string_view member);
// CreateTable's AttributeDefinitions; a null element reads as {}.
Result<std::optional<std::vector<RawAttributeDefinition>>> ReadAttributeDefinitions(
    const JsonValue& object);

// ---- Constraints ----

// prefix: "" for the table, "<index path>.N.member." for an index.
void CheckThroughputConstraints(const RawThroughput& t, const std::string& prefix,
                                ConstraintErrors& errors);
// multi_attribute (GSIs): no limit of 2 elements here; BuildKeySchema
// checks the partition and sort key attribute counts.
void CheckKeySchemaConstraints(const RawKeySchema& ks, const std::string& path,
                               ConstraintErrors& errors, bool multi_attribute = false);
// global: also the indexes' ProvisionedThroughput.
void CheckIndexConstraints(const RawIndexes& indexes, const std::string& path, bool global,
                           ConstraintErrors& errors);
void CheckAttributeDefinitionConstraints(
    const std::optional<std::vector<RawAttributeDefinition>>& defs, ConstraintErrors& errors);

// ---- Semantics ----

// The scalar type an AttributeType names: "N", "B", anything else S.
core::ValueType ScalarTypeOf(std::string_view type);
const storage::AttributeDefinition* FindDefinition(const AttributeDefinitions& defs,
                                                   std::string_view name);
// "[a, b, c]", as DynamoDB lists names in its messages.
std::string JoinNames(const std::vector<std::string>& names);

// "Some index key attributes are not defined in AttributeDefinitions. Keys:
// [...], AttributeDefinitions: [...]" unless every attribute of ks is in defs.
Status CheckKeysDefined(const std::vector<RawKeyElement>& ks, const AttributeDefinitions& defs);

// A table or index key schema checked against the definitions and its
// HASH/RANGE structure. multi_attribute (GSIs): up to 4 HASH elements
// followed by up to 4 RANGE elements.
Result<core::KeySchema> BuildKeySchema(const std::vector<RawKeyElement>& ks,
                                       const AttributeDefinitions& defs,
                                       bool multi_attribute = false);

// A table's ProvisionedThroughput (present, constraints passed) within
// DynamoDB's bounds: "Given value N for ReadCapacityUnits is out of bounds".
Status CheckCapacityBounds(const RawThroughput& throughput);

// "Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: <name>"
// (UpdateTable's GSI Create and Update).
core::Error BothCapacityUnitsRequired(std::string_view index_name);

// Where a global index definition comes from: DynamoDB words a missing
// ProvisionedThroughput differently in the two requests.
enum class GlobalIndexSource { kCreateTable, kUpdateTableCreate };

// A global secondary index of a table with the given billing mode (id not
// assigned).
Result<storage::IndexDef> BuildGlobalIndex(const RawIndex& raw, const AttributeDefinitions& defs,
                                           bool pay_per_request, GlobalIndexSource source);
// A local secondary index of a table with key table_key (id not assigned).
Result<storage::IndexDef> BuildLocalIndex(const RawIndex& raw, const AttributeDefinitions& defs,
                                          const core::KeySchema& table_key);

// ---- Tags (tags.cc) ----

struct RawTag {
  std::optional<std::string> key, value;
};
using Tags = std::vector<std::pair<std::string, std::string>>;

// The Tags member of CreateTable and TagResource (a JSON type pass).
Result<std::vector<RawTag>> ReadTags(const JsonValue& req);
// DynamoDB's tag rules, with its messages: at most 50, keys of 1..128 and
// values of 0..256 characters (letters, digits, spaces, _ . : / = + - @),
// no key starting "aws:" (in any case), no key twice.
Result<Tags> CheckTags(const std::vector<RawTag>& raw);

}  // namespace dynamo::server
