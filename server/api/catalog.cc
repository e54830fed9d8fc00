#include "server/api/catalog.h"

#include <algorithm>

#include "server/api/json.h"

namespace dynamo::server {

using core::Error;
using core::ErrorCode;
using core::Result;
using core::ValueType;

namespace {

ValueType ScalarType(std::string_view t) {
  if (t == "N") return ValueType::kN;
  if (t == "B") return ValueType::kB;
  return ValueType::kS;
}

void WriteKey(const KeySchema& k, JsonWriter& w) {
  w.StartObject();
  w.Key("hash");
  w.String(k.hash.name);
  w.Key("hash_type");
  w.String(std::string(core::TypeName(k.hash.type)));
  if (k.range) {
    w.Key("range");
    w.String(k.range->name);
    w.Key("range_type");
    w.String(std::string(core::TypeName(k.range->type)));
  }
  w.EndObject();
}

void WriteThroughput(const Throughput& t, JsonWriter& w) {
  w.StartObject();
  w.Key("read");
  w.Int64(t.read);
  w.Key("write");
  w.Int64(t.write);
  w.Key("last_increase");
  w.Double(t.last_increase);
  w.Key("last_decrease");
  w.Double(t.last_decrease);
  w.Key("decreases_today");
  w.Int64(t.decreases_today);
  w.EndObject();
}

void WritePairs(const std::vector<std::pair<std::string, std::string>>& pairs, JsonWriter& w) {
  w.StartArray();
  for (const auto& [a, b] : pairs) {
    w.StartArray();
    w.String(a);
    w.String(b);
    w.EndArray();
  }
  w.EndArray();
}

void WriteIndexes(const std::vector<IndexInfo>& indexes, JsonWriter& w) {
  w.StartArray();
  for (const auto& ix : indexes) {
    w.StartObject();
    w.Key("id");
    w.Int64(ix.id);
    w.Key("name");
    w.String(ix.name);
    w.Key("key");
    WriteKey(ix.key, w);
    w.Key("projection");
    w.String(ix.projection_type);
    w.Key("non_key");
    w.StartArray();
    for (const auto& a : ix.non_key_attributes) w.String(a);
    w.EndArray();
    if (ix.throughput) {
      w.Key("throughput");
      WriteThroughput(*ix.throughput, w);
    }
    w.EndObject();
  }
  w.EndArray();
}

std::string S(const JsonValue& o, const char* k) {
  auto it = o.FindMember(k);
  return it != o.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}
double D(const JsonValue& o, const char* k) {
  auto it = o.FindMember(k);
  return it != o.MemberEnd() && it->value.IsNumber() ? it->value.GetDouble() : 0;
}
int64_t I(const JsonValue& o, const char* k) {
  auto it = o.FindMember(k);
  return it != o.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : 0;
}
bool Bo(const JsonValue& o, const char* k) {
  auto it = o.FindMember(k);
  return it != o.MemberEnd() && it->value.IsBool() && it->value.GetBool();
}

KeySchema ReadKey(const JsonValue& o) {
  KeySchema k;
  k.hash = {S(o, "hash"), ScalarType(S(o, "hash_type"))};
  if (o.HasMember("range")) k.range = KeyElement{S(o, "range"), ScalarType(S(o, "range_type"))};
  return k;
}

Throughput ReadThroughput(const JsonValue& o) {
  return Throughput{I(o, "read"), I(o, "write"), D(o, "last_increase"), D(o, "last_decrease"),
                    I(o, "decreases_today")};
}

std::vector<std::pair<std::string, std::string>> ReadPairs(const JsonValue& o, const char* k) {
  std::vector<std::pair<std::string, std::string>> out;
  auto it = o.FindMember(k);
  if (it == o.MemberEnd() || !it->value.IsArray()) return out;
  for (const auto& p : it->value.GetArray()) {
    if (p.IsArray() && p.Size() == 2 && p[0].IsString() && p[1].IsString()) {
      out.emplace_back(p[0].GetString(), p[1].GetString());
    }
  }
  return out;
}

std::vector<IndexInfo> ReadIndexes(const JsonValue& o, const char* k) {
  std::vector<IndexInfo> out;
  auto it = o.FindMember(k);
  if (it == o.MemberEnd() || !it->value.IsArray()) return out;
  for (const auto& x : it->value.GetArray()) {
    IndexInfo ix;
    ix.id = I(x, "id");
    ix.name = S(x, "name");
    if (x.HasMember("key") && x["key"].IsObject()) ix.key = ReadKey(x["key"]);
    ix.projection_type = S(x, "projection");
    if (x.HasMember("non_key") && x["non_key"].IsArray()) {
      for (const auto& a : x["non_key"].GetArray()) {
        if (a.IsString()) ix.non_key_attributes.emplace_back(a.GetString());
      }
    }
    if (x.HasMember("throughput") && x["throughput"].IsObject()) {
      ix.throughput = ReadThroughput(x["throughput"]);
    }
    out.push_back(std::move(ix));
  }
  return out;
}

}  // namespace

std::string TableInfo::ToMeta() const {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("version");
  w.Int(1);
  w.Key("name");
  w.String(name);
  w.Key("table_id");
  w.String(table_id);
  w.Key("creation_time");
  w.Double(creation_time);
  w.Key("attribute_definitions");
  WritePairs(attribute_definitions, w);
  w.Key("key");
  WriteKey(key, w);
  w.Key("pay_per_request");
  w.Bool(pay_per_request);
  w.Key("last_update_to_pay_per_request");
  w.Double(last_update_to_pay_per_request);
  w.Key("throughput");
  WriteThroughput(throughput, w);
  w.Key("global_indexes");
  WriteIndexes(global_indexes, w);
  w.Key("local_indexes");
  WriteIndexes(local_indexes, w);
  w.Key("stream_enabled");
  w.Bool(stream_enabled);
  w.Key("stream_view_type");
  w.String(stream_view_type);
  w.Key("stream_label");
  w.String(stream_label);
  w.Key("deletion_protection");
  w.Bool(deletion_protection);
  w.Key("table_class");
  w.String(table_class);
  w.Key("tags");
  WritePairs(tags, w);
  w.Key("next_index_id");
  w.Int64(next_index_id);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Result<TableInfo> TableInfo::FromMeta(const std::string& meta) {
  JsonDocument doc;
  doc.Parse(meta.c_str(), meta.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("key") || !doc["key"].IsObject()) {
    return Error{ErrorCode::kInternalServerError, "corrupt table definition"};
  }
  TableInfo t;
  t.name = S(doc, "name");
  t.table_id = S(doc, "table_id");
  t.creation_time = D(doc, "creation_time");
  t.attribute_definitions = ReadPairs(doc, "attribute_definitions");
  t.key = ReadKey(doc["key"]);
  t.pay_per_request = Bo(doc, "pay_per_request");
  t.last_update_to_pay_per_request = D(doc, "last_update_to_pay_per_request");
  if (doc.HasMember("throughput") && doc["throughput"].IsObject()) {
    t.throughput = ReadThroughput(doc["throughput"]);
  }
  t.global_indexes = ReadIndexes(doc, "global_indexes");
  t.local_indexes = ReadIndexes(doc, "local_indexes");
  t.stream_enabled = Bo(doc, "stream_enabled");
  t.stream_view_type = S(doc, "stream_view_type");
  t.stream_label = S(doc, "stream_label");
  t.deletion_protection = Bo(doc, "deletion_protection");
  t.table_class = S(doc, "table_class");
  t.tags = ReadPairs(doc, "tags");
  t.next_index_id = std::max<int64_t>(1, I(doc, "next_index_id"));
  return t;
}

const IndexInfo* TableInfo::FindIndex(std::string_view index_name, bool* global) const {
  for (const auto& ix : global_indexes) {
    if (ix.name == index_name) {
      if (global) *global = true;
      return &ix;
    }
  }
  for (const auto& ix : local_indexes) {
    if (ix.name == index_name) {
      if (global) *global = false;
      return &ix;
    }
  }
  return nullptr;
}

Result<std::unique_ptr<Namespace>> Namespace::Load(storage::Database* db) {
  std::unique_ptr<Namespace> ns(new Namespace(db));
  DYNAMO_ASSIGN_OR_RETURN(auto records, db->LoadTables());
  for (const auto& r : records) {
    DYNAMO_ASSIGN_OR_RETURN(TableInfo t, TableInfo::FromMeta(r.meta));
    t.storage_id = r.id;
    auto table = std::make_shared<const TableInfo>(std::move(t));
    ns->tables_.emplace(table->name, std::move(table));
  }
  return ns;
}

std::shared_ptr<const TableInfo> Namespace::Find(std::string_view name) const {
  std::shared_lock lock(mu_);
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : it->second;
}

std::vector<std::string> Namespace::TableNames() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> names;
  names.reserve(tables_.size());
  for (const auto& [name, t] : tables_) names.push_back(name);
  return names;
}

void Namespace::Publish(std::shared_ptr<const TableInfo> table) {
  std::unique_lock lock(mu_);
  tables_.insert_or_assign(table->name, std::move(table));
}

void Namespace::Remove(const std::string& name) {
  std::unique_lock lock(mu_);
  tables_.erase(name);
}

}  // namespace dynamo::server
