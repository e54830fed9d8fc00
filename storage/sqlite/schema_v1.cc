// Reading schema version 1's table definitions: JSON text that the API layer
// wrote (TableInfo::ToMeta of that version). Only the migration to version 2
// uses this; nothing in storage writes JSON. Missing members read as their
// defaults, exactly as version 1's own reader did.
#include "core/rapidjson.h"
#include "storage/sqlite/schema.h"

namespace dynamo::storage::sqlite {

namespace {

using Json = rapidjson::Value;

std::string S(const Json& o, const char* k) {
  auto it = o.FindMember(k);
  return it != o.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}
double D(const Json& o, const char* k) {
  auto it = o.FindMember(k);
  return it != o.MemberEnd() && it->value.IsNumber() ? it->value.GetDouble() : 0;
}
int64_t I(const Json& o, const char* k) {
  auto it = o.FindMember(k);
  return it != o.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : 0;
}
bool B(const Json& o, const char* k) {
  auto it = o.FindMember(k);
  return it != o.MemberEnd() && it->value.IsBool() && it->value.GetBool();
}
const Json* Child(const Json& o, const char* k, bool array) {
  auto it = o.FindMember(k);
  if (it == o.MemberEnd()) return nullptr;
  return (array ? it->value.IsArray() : it->value.IsObject()) ? &it->value : nullptr;
}

core::ValueType ScalarType(const std::string& t) {
  if (t == "N") return core::ValueType::kN;
  if (t == "B") return core::ValueType::kB;
  return core::ValueType::kS;
}

core::KeySchema Key(const Json& o) {
  core::KeySchema k;
  k.hash = {S(o, "hash"), ScalarType(S(o, "hash_type"))};
  if (o.HasMember("range"))
    k.range = core::KeyElement{S(o, "range"), ScalarType(S(o, "range_type"))};
  return k;
}

Throughput ThroughputOf(const Json& o) {
  return Throughput{I(o, "read"), I(o, "write"), D(o, "last_increase"), D(o, "last_decrease"),
                    I(o, "decreases_today")};
}

std::vector<std::pair<std::string, std::string>> Pairs(const Json& o, const char* k) {
  std::vector<std::pair<std::string, std::string>> out;
  const Json* arr = Child(o, k, true);
  if (!arr) return out;
  for (const auto& p : arr->GetArray()) {
    if (p.IsArray() && p.Size() == 2 && p[0].IsString() && p[1].IsString()) {
      out.emplace_back(p[0].GetString(), p[1].GetString());
    }
  }
  return out;
}

std::vector<IndexDef> Indexes(const Json& o, const char* k) {
  std::vector<IndexDef> out;
  const Json* arr = Child(o, k, true);
  if (!arr) return out;
  for (const auto& x : arr->GetArray()) {
    if (!x.IsObject()) continue;
    IndexDef ix;
    ix.id = I(x, "id");
    ix.name = S(x, "name");
    if (const Json* key = Child(x, "key", false)) ix.key = Key(*key);
    const std::string projection = S(x, "projection");
    ix.projection = projection == "KEYS_ONLY" ? ProjectionType::kKeysOnly
                    : projection == "INCLUDE" ? ProjectionType::kInclude
                                              : ProjectionType::kAll;
    if (const Json* nk = Child(x, "non_key", true)) {
      for (const auto& a : nk->GetArray()) {
        if (a.IsString()) ix.non_key_attributes.emplace_back(a.GetString());
      }
    }
    if (const Json* t = Child(x, "throughput", false)) ix.throughput = ThroughputOf(*t);
    out.push_back(std::move(ix));
  }
  return out;
}

TableDef FromDocument(const Json& doc) {
  TableDef t;
  t.name = S(doc, "name");
  t.table_id = S(doc, "table_id");
  t.creation_time = D(doc, "creation_time");
  for (const auto& [name, type] : Pairs(doc, "attribute_definitions")) {
    t.attribute_definitions.push_back(AttributeDefinition{name, ScalarType(type)});
  }
  t.key = Key(doc["key"]);
  t.pay_per_request = B(doc, "pay_per_request");
  t.last_update_to_pay_per_request = D(doc, "last_update_to_pay_per_request");
  if (const Json* th = Child(doc, "throughput", false)) t.throughput = ThroughputOf(*th);
  t.global_indexes = Indexes(doc, "global_indexes");
  t.local_indexes = Indexes(doc, "local_indexes");
  t.stream =
      StreamSettings{B(doc, "stream_enabled"), S(doc, "stream_view_type"), S(doc, "stream_label")};
  t.deletion_protection = B(doc, "deletion_protection");
  t.table_class = S(doc, "table_class");
  t.tags = Pairs(doc, "tags");
  t.next_index_id = std::max<int64_t>(1, I(doc, "next_index_id"));
  return t;
}

}  // namespace

core::Result<TableDef> TableDefFromVersion1(const std::string& json) {
  const core::Error corrupt{core::ErrorCode::kInternalServerError,
                            "corrupt version 1 table definition: " + json.substr(0, 200)};
  try {
    rapidjson::Document doc;
    doc.Parse(json.c_str(), json.size());
    if (doc.HasParseError() || !doc.IsObject() || !Child(doc, "key", false)) return corrupt;
    TableDef def = FromDocument(doc);
    if (def.name.empty()) return corrupt;
    return def;
  } catch (const core::JsonAssertion&) {  // a bug: every access checks types first
    return corrupt;
  }
}

}  // namespace dynamo::storage::sqlite
