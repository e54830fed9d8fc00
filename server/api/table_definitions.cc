#include "server/api/table_definitions.h"

#include <algorithm>
#include <set>

#include "core/messages.h"

namespace dynamo::server {

using core::ValidationError;
using core::ValueType;

// ---- JSON types ----

Result<std::optional<std::string>> GetStringCopy(const JsonValue& object, std::string_view name) {
  DYNAMO_ASSIGN_OR_RETURN(auto v, GetString(object, name));
  if (!v) return std::optional<std::string>();
  return std::optional<std::string>(std::string(*v));
}

Status CheckStructElement(const JsonValue& v) {
  if (v.IsObject()) return Status::Ok();
  if (v.IsArray()) return Serialization("Unrecognized collection type class java.lang.Object");
  return Serialization("Unexpected value type in payload");
}

Result<RawKeySchema> ReadKeySchema(const JsonValue& object) {
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* arr, GetArray(object, "KeySchema"));
  if (!arr) return RawKeySchema();
  std::vector<RawKeyElement> out;
  for (const auto& e : arr->GetArray()) {
    if (e.IsNull()) {
      out.push_back({});
      continue;
    }
    DYNAMO_RETURN_IF_ERROR(CheckStructElement(e));
    RawKeyElement k;
    DYNAMO_ASSIGN_OR_RETURN(k.name, GetStringCopy(e, "AttributeName"));
    DYNAMO_ASSIGN_OR_RETURN(k.key_type, GetStringCopy(e, "KeyType"));
    out.push_back(std::move(k));
  }
  return RawKeySchema(std::move(out));
}

Result<RawThroughput> ReadThroughput(const JsonValue& object) {
  RawThroughput t;
  DYNAMO_ASSIGN_OR_RETURN(
      const JsonValue* pt,
      GetObject(object, "ProvisionedThroughput",
                "class com.amazonaws.dynamodb.v20120810.ProvisionedThroughput"));
  if (!pt) return t;
  t.present = true;
  DYNAMO_ASSIGN_OR_RETURN(t.read, GetInteger(*pt, "ReadCapacityUnits", "Long"));
  DYNAMO_ASSIGN_OR_RETURN(t.write, GetInteger(*pt, "WriteCapacityUnits", "Long"));
  return t;
}

namespace {

Result<RawProjection> ReadProjection(const JsonValue& object) {
  RawProjection p;
  DYNAMO_ASSIGN_OR_RETURN(
      const JsonValue* pj,
      GetObject(object, "Projection", "class com.amazonaws.dynamodb.v20120810.Projection"));
  if (!pj) return p;
  p.present = true;
  DYNAMO_ASSIGN_OR_RETURN(p.type, GetStringCopy(*pj, "ProjectionType"));
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

}  // namespace

Result<RawIndex> ReadIndex(const JsonValue& index) {
  RawIndex ix;
  DYNAMO_RETURN_IF_ERROR(CheckStructElement(index));
  DYNAMO_ASSIGN_OR_RETURN(ix.name, GetStringCopy(index, "IndexName"));
  DYNAMO_ASSIGN_OR_RETURN(ix.key_schema, ReadKeySchema(index));
  DYNAMO_ASSIGN_OR_RETURN(ix.projection, ReadProjection(index));
  DYNAMO_ASSIGN_OR_RETURN(ix.throughput, ReadThroughput(index));
  return ix;
}

Result<RawIndexes> ReadIndexes(const JsonValue& object, std::string_view member) {
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* arr, GetArray(object, member));
  if (!arr) return RawIndexes();
  std::vector<RawIndex> out;
  for (const auto& e : arr->GetArray()) {
    RawIndex ix;
    if (!e.IsNull()) {
      DYNAMO_ASSIGN_OR_RETURN(ix, ReadIndex(e));
    }
    out.push_back(std::move(ix));
  }
  return RawIndexes(std::move(out));
}

Result<std::optional<std::vector<RawAttributeDefinition>>> ReadAttributeDefinitions(
    const JsonValue& object) {
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* arr, GetArray(object, "AttributeDefinitions"));
  if (!arr) return std::optional<std::vector<RawAttributeDefinition>>();
  std::vector<RawAttributeDefinition> out;
  for (const auto& e : arr->GetArray()) {
    RawAttributeDefinition d;
    if (!e.IsNull()) {
      DYNAMO_RETURN_IF_ERROR(CheckStructElement(e));
      DYNAMO_ASSIGN_OR_RETURN(d.name, GetStringCopy(e, "AttributeName"));
      DYNAMO_ASSIGN_OR_RETURN(d.type, GetStringCopy(e, "AttributeType"));
    }
    out.push_back(std::move(d));
  }
  return std::optional<std::vector<RawAttributeDefinition>>(std::move(out));
}

// ---- Constraints ----

namespace {

constexpr std::string_view kMinLengthOne = "Member must have length greater than or equal to 1";

// "Member must have value greater than or equal to 1", or not null.
void CheckCapacityUnits(const std::optional<int64_t>& units, const std::string& path,
                        ConstraintErrors& errors) {
  if (!units) {
    errors.NotNull(path);
  } else if (*units < 1) {
    errors.Add(std::to_string(*units), path, "Member must have value greater than or equal to 1");
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

void CheckIndexNameConstraints(const std::optional<std::string>& name, const std::string& path,
                               ConstraintErrors& errors) {
  if (!name) {
    errors.NotNull(path);
    return;
  }
  errors.CheckTableNamePattern(*name, path);
  errors.CheckLength(*name, path, 3, 255);
}

// p: the index's path prefix ("<path>.N.member.").
void CheckProjectionConstraints(const RawProjection& projection, const std::string& p,
                                ConstraintErrors& errors) {
  if (!projection.present) {
    errors.NotNull(p + "projection");
    return;
  }
  if (projection.type) {
    errors.CheckEnum(*projection.type, p + "projection.projectionType",
                     {"ALL", "INCLUDE", "KEYS_ONLY"});
  }
  if (!projection.non_key) return;
  const std::vector<std::string>& non_key = *projection.non_key;
  if (non_key.empty()) {
    errors.Add("[]", p + "projection.nonKeyAttributes", std::string(kMinLengthOne));
  } else if (non_key.size() > 20) {
    std::string v = "[";
    for (size_t j = 0; j < non_key.size(); ++j) v += (j ? ", " : "") + non_key[j];
    errors.Add(v + "]", p + "projection.nonKeyAttributes",
               "Member must have length less than or equal to 20");
  }
}

}  // namespace

void CheckThroughputConstraints(const RawThroughput& t, const std::string& prefix,
                                ConstraintErrors& errors) {
  if (!t.present) return;
  // DynamoDB lists writeCapacityUnits before readCapacityUnits.
  CheckCapacityUnits(t.write, prefix + "provisionedThroughput.writeCapacityUnits", errors);
  CheckCapacityUnits(t.read, prefix + "provisionedThroughput.readCapacityUnits", errors);
}

void CheckKeySchemaConstraints(const RawKeySchema& ks, const std::string& path,
                               ConstraintErrors& errors, bool multi_attribute) {
  if (!ks) {
    errors.NotNull(path);
    return;
  }
  if (ks->empty()) {
    errors.Add("[]", path, std::string(kMinLengthOne));
  } else if (ks->size() > 2 && !multi_attribute) {
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

void CheckIndexConstraints(const RawIndexes& indexes, const std::string& path, bool global,
                           ConstraintErrors& errors) {
  if (!indexes) return;
  for (size_t i = 0; i < indexes->size(); ++i) {
    const RawIndex& ix = (*indexes)[i];
    std::string p = path + "." + std::to_string(i + 1) + ".member.";
    // A GSI's key may have up to 4 + 4 attributes: BuildKeySchema counts them.
    CheckKeySchemaConstraints(ix.key_schema, p + "keySchema", errors, global);
    CheckProjectionConstraints(ix.projection, p, errors);
    CheckIndexNameConstraints(ix.name, p + "indexName", errors);
    if (global) CheckThroughputConstraints(ix.throughput, p, errors);
  }
}

void CheckAttributeDefinitionConstraints(
    const std::optional<std::vector<RawAttributeDefinition>>& defs, ConstraintErrors& errors) {
  if (!defs) {
    errors.NotNull("attributeDefinitions");
    return;
  }
  for (size_t i = 0; i < defs->size(); ++i) {
    std::string p = "attributeDefinitions." + std::to_string(i + 1) + ".member.";
    const RawAttributeDefinition& d = (*defs)[i];
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

// ---- Semantics ----

ValueType ScalarTypeOf(std::string_view type) {
  return type == "N" ? ValueType::kN : (type == "B" ? ValueType::kB : ValueType::kS);
}

const storage::AttributeDefinition* FindDefinition(const AttributeDefinitions& defs,
                                                   std::string_view name) {
  for (const auto& d : defs) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += ", ";
    out += names[i];
  }
  return out + "]";
}

namespace {

// The rules of a GSI key of more than one partition or sort key attribute
// (the first element is a HASH, the definitions exist): distinct
// attributes, every HASH before every RANGE, at most 4 of each.
//
// DynamoDB's wording for these is not published; these follow the
// vocabulary of its classic KeySchema messages (and contain what suites run
// against DynamoDB match: "same name", "HASH ... precede ... RANGE").
Status CheckMultiAttributeKeySchema(const std::vector<RawKeyElement>& ks) {
  std::set<std::string_view> names;
  size_t hash = 0, range = 0;
  for (const RawKeyElement& k : ks) {
    if (!names.insert(*k.name).second) {
      return ValidationError("Invalid KeySchema: Some KeySchemaElements have the same name: " +
                             *k.name);
    }
    if (*k.key_type == "HASH") {
      if (range > 0) {
        return ValidationError(
            "Invalid KeySchema: All HASH key elements must precede the RANGE key elements");
      }
      ++hash;
    } else {
      ++range;
    }
  }
  constexpr size_t kMaxPerPart = 4;
  if (hash > kMaxPerPart || range > kMaxPerPart) {
    return ValidationError("Invalid KeySchema: A global secondary index key may have at most 4 " +
                           std::string(hash > kMaxPerPart ? "HASH" : "RANGE") +
                           " key elements; found " +
                           std::to_string(hash > kMaxPerPart ? hash : range));
  }
  return Status::Ok();
}

}  // namespace

Status CheckKeysDefined(const std::vector<RawKeyElement>& ks, const AttributeDefinitions& defs) {
  std::vector<std::string> keys;
  bool missing = false;
  for (const auto& k : ks) {
    keys.push_back(*k.name);
    if (!FindDefinition(defs, *k.name)) missing = true;
  }
  if (!missing) return Status::Ok();
  std::vector<std::string> def_names;
  for (const auto& d : defs) def_names.push_back(d.name);
  return core::InvalidParameter(
      "Some index key attributes are not defined in AttributeDefinitions. Keys: " +
      JoinNames(keys) + ", AttributeDefinitions: " + JoinNames(def_names));
}

Result<core::KeySchema> BuildKeySchema(const std::vector<RawKeyElement>& ks,
                                       const AttributeDefinitions& defs, bool multi_attribute) {
  DYNAMO_RETURN_IF_ERROR(CheckKeysDefined(ks, defs));
  if (ks.size() == 2 && *ks[0].name == *ks[1].name) {
    return ValidationError(
        "Both the Hash Key and the Range Key element in the KeySchema have the same name");
  }
  if (*ks[0].key_type != "HASH") {
    return ValidationError("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  }
  if (ks.size() == 2 && *ks[1].key_type != "RANGE" && !multi_attribute) {
    return ValidationError(
        "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
  }
  if (ks.size() > 2 || (ks.size() == 2 && *ks[1].key_type == "HASH")) {
    DYNAMO_RETURN_IF_ERROR(CheckMultiAttributeKeySchema(ks));
  }
  core::KeySchema key;
  for (const RawKeyElement& k : ks) {
    core::KeyElement e{*k.name, FindDefinition(defs, *k.name)->type};
    if (*k.key_type == "HASH") {
      if (&k == &ks[0]) {
        key.hash = std::move(e);
      } else {
        key.more_hash.push_back(std::move(e));
      }
    } else if (!key.range) {
      key.range = std::move(e);
    } else {
      key.more_range.push_back(std::move(e));
    }
  }
  return key;
}

Status CheckCapacityBounds(const RawThroughput& throughput) {
  constexpr int64_t kMaxCapacityUnits = 1000000000000;
  if (*throughput.read > kMaxCapacityUnits) {
    return ValidationError("Given value " + std::to_string(*throughput.read) +
                           " for ReadCapacityUnits is out of bounds");
  }
  if (*throughput.write > kMaxCapacityUnits) {
    return ValidationError("Given value " + std::to_string(*throughput.write) +
                           " for WriteCapacityUnits is out of bounds");
  }
  return Status::Ok();
}

core::Error BothCapacityUnitsRequired(std::string_view index_name) {
  return ValidationError(
      "Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: " +
      std::string(index_name));
}

namespace {

std::optional<storage::ProjectionType> ProjectionTypeFromName(std::string_view name) {
  if (name == "ALL") return storage::ProjectionType::kAll;
  if (name == "KEYS_ONLY") return storage::ProjectionType::kKeysOnly;
  if (name == "INCLUDE") return storage::ProjectionType::kInclude;
  return std::nullopt;
}

// Fills out's projection and non-key attributes (sorted).
Status BuildProjection(const RawProjection& p, storage::IndexDef* out) {
  if (!p.type) return core::InvalidParameter("Unknown ProjectionType: null");
  if (*p.type == "INCLUDE") {
    if (!p.non_key) {
      return core::InvalidParameter(
          "ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
    }
    std::set<std::string> seen;
    for (const auto& a : *p.non_key) {
      if (!seen.insert(a).second) {
        return core::InvalidParameter("Duplicate element in NonKeyAttributes: " + a);
      }
    }
    out->non_key_attributes = *p.non_key;
    std::sort(out->non_key_attributes.begin(), out->non_key_attributes.end());
  } else if (p.non_key) {
    return core::InvalidParameter("ProjectionType is " + *p.type +
                                  ", but NonKeyAttributes is specified");
  }
  // The constraint pass accepted only the three names.
  out->projection = ProjectionTypeFromName(*p.type).value_or(storage::ProjectionType::kAll);
  return Status::Ok();
}

}  // namespace

Result<storage::IndexDef> BuildGlobalIndex(const RawIndex& raw, const AttributeDefinitions& defs,
                                           bool pay_per_request, GlobalIndexSource source) {
  storage::IndexDef ix;
  ix.name = *raw.name;
  DYNAMO_ASSIGN_OR_RETURN(ix.key, BuildKeySchema(*raw.key_schema, defs, /*multi_attribute=*/true));
  DYNAMO_RETURN_IF_ERROR(BuildProjection(raw.projection, &ix));
  if (pay_per_request) {
    if (raw.throughput.present) {
      return core::InvalidParameter("ProvisionedThroughput should not be specified for index: " +
                                    ix.name + " when BillingMode is PAY_PER_REQUEST");
    }
    return ix;
  }
  if (!raw.throughput.present) {
    if (source == GlobalIndexSource::kCreateTable) {
      return core::InvalidParameter("ProvisionedThroughput is not specified for index: " + ix.name);
    }
    return BothCapacityUnitsRequired(ix.name);
  }
  ix.throughput = storage::Throughput{*raw.throughput.read, *raw.throughput.write, 0, 0, 0};
  return ix;
}

Result<storage::IndexDef> BuildLocalIndex(const RawIndex& raw, const AttributeDefinitions& defs,
                                          const core::KeySchema& table_key) {
  storage::IndexDef ix;
  ix.name = *raw.name;
  DYNAMO_ASSIGN_OR_RETURN(ix.key, BuildKeySchema(*raw.key_schema, defs));
  if (!ix.key.range) {
    return core::InvalidParameter("Index KeySchema does not have a range key for index: " +
                                  ix.name);
  }
  if (ix.key.hash.name != table_key.hash.name) {
    return core::InvalidParameter(
        "Index KeySchema does not have the same leading hash key as table KeySchema for index: " +
        ix.name + ". index hash key: " + ix.key.hash.name +
        ", table hash key: " + table_key.hash.name);
  }
  DYNAMO_RETURN_IF_ERROR(BuildProjection(raw.projection, &ix));
  return ix;
}

}  // namespace dynamo::server
