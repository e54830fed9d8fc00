#include "storage/table_def.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace dynamo::storage {

using core::AttributeValue;
using core::Item;
using core::Result;
using core::ValueType;

namespace {

AttributeValue Str(std::string_view s) { return AttributeValue::S(std::string(s)); }
AttributeValue Int(int64_t v) { return AttributeValue::N(core::Number::FromInt64(v)); }
AttributeValue Time(double t) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", t);
  return AttributeValue::S(buf);
}

Item KeyToItem(const core::KeySchema& k) {
  Item m{{"hash", Str(k.hash.name)}, {"hash_type", Str(core::TypeName(k.hash.type))}};
  if (k.range) {
    m.emplace("range", Str(k.range->name));
    m.emplace("range_type", Str(core::TypeName(k.range->type)));
  }
  // Multi-attribute keys (GSIs): the further attributes of each part, as
  // lists of {name, type}; absent for single-attribute keys.
  auto elements = [](const std::vector<core::KeyElement>& more) {
    core::ValueList list;
    for (const core::KeyElement& e : more) {
      list.push_back(
          AttributeValue::M(Item{{"name", Str(e.name)}, {"type", Str(core::TypeName(e.type))}}));
    }
    return AttributeValue::L(std::move(list));
  };
  if (k.multi_hash()) m.emplace("more_hash", elements(k.more_hash));
  if (k.multi_range()) m.emplace("more_range", elements(k.more_range));
  return m;
}

Item ThroughputToItem(const Throughput& t) {
  return Item{{"read", Int(t.read)},
              {"write", Int(t.write)},
              {"increased", Time(t.last_increase)},
              {"decreased", Time(t.last_decrease)},
              {"decreases_today", Int(t.decreases_today)}};
}

AttributeValue IndexesToValue(const std::vector<IndexDef>& indexes) {
  core::ValueList list;
  for (const auto& ix : indexes) {
    core::ValueList non_key;
    for (const auto& a : ix.non_key_attributes) non_key.push_back(Str(a));
    Item m{{"id", Int(ix.id)},
           {"name", Str(ix.name)},
           {"key", AttributeValue::M(KeyToItem(ix.key))},
           {"projection", Str(ProjectionTypeName(ix.projection))},
           {"non_key", AttributeValue::L(std::move(non_key))}};
    if (ix.throughput) m.emplace("throughput", AttributeValue::M(ThroughputToItem(*ix.throughput)));
    list.push_back(AttributeValue::M(std::move(m)));
  }
  return AttributeValue::L(std::move(list));
}

// Reads fields of one map; remembers whether anything was malformed.
class FieldReader {
 public:
  explicit FieldReader(const Item& m) : m_(m) {}
  bool ok() const { return ok_; }

  const AttributeValue* Get(std::string_view name, ValueType type) {
    auto it = m_.find(name);
    if (it == m_.end()) return nullptr;
    if (it->second.type() != type) {
      ok_ = false;
      return nullptr;
    }
    return &it->second;
  }
  std::string String(std::string_view name) {
    const AttributeValue* v = Get(name, ValueType::kS);
    return v ? v->s() : std::string();
  }
  bool Bool(std::string_view name) {
    const AttributeValue* v = Get(name, ValueType::kBool);
    return v && v->boolean();
  }
  int64_t Int(std::string_view name) {
    const AttributeValue* v = Get(name, ValueType::kN);
    if (!v) return 0;
    char* end = nullptr;
    std::string text = v->n().ToString();
    long long x = std::strtoll(text.c_str(), &end, 10);
    if (*end != '\0') ok_ = false;
    return x;
  }
  double Time(std::string_view name) {
    std::string text = String(name);
    if (text.empty()) return 0;
    char* end = nullptr;
    double t = std::strtod(text.c_str(), &end);
    if (*end != '\0') ok_ = false;
    return t;
  }
  ValueType Type(std::string_view name) {
    std::string t = String(name);
    if (t == "S") return ValueType::kS;
    if (t == "N") return ValueType::kN;
    if (t == "B") return ValueType::kB;
    ok_ = false;
    return ValueType::kS;
  }
  // The map or list members, empty when absent.
  const Item& Map(std::string_view name) {
    static const Item kEmpty;
    const AttributeValue* v = Get(name, ValueType::kM);
    return v ? v->m() : kEmpty;
  }
  const core::ValueList& List(std::string_view name) {
    static const core::ValueList kEmpty;
    const AttributeValue* v = Get(name, ValueType::kL);
    return v ? v->l() : kEmpty;
  }
  // Checks that a list element is a map (or a string).
  const Item& MapOf(const AttributeValue& v) {
    static const Item kEmpty;
    if (v.type() != ValueType::kM) {
      ok_ = false;
      return kEmpty;
    }
    return v.m();
  }
  std::string StringOf(const AttributeValue& v) {
    if (v.type() != ValueType::kS) {
      ok_ = false;
      return {};
    }
    return v.s();
  }
  void Merge(const FieldReader& other) { ok_ = ok_ && other.ok_; }
  void Fail() { ok_ = false; }

 private:
  const Item& m_;
  bool ok_ = true;
};

core::KeySchema KeyFromItem(FieldReader& parent, const Item& m) {
  FieldReader r(m);
  core::KeySchema k;
  k.hash = {r.String("hash"), r.Type("hash_type")};
  if (m.count("range")) k.range = core::KeyElement{r.String("range"), r.Type("range_type")};
  for (const char* part : {"more_hash", "more_range"}) {
    std::vector<core::KeyElement>& more = part[5] == 'h' ? k.more_hash : k.more_range;
    for (const AttributeValue& v : r.List(part)) {
      FieldReader e(r.MapOf(v));
      more.push_back(core::KeyElement{e.String("name"), e.Type("type")});
      r.Merge(e);
    }
  }
  if (k.multi_range() && !k.range) r.Fail();
  parent.Merge(r);
  return k;
}

Throughput ThroughputFromItem(FieldReader& parent, const Item& m) {
  FieldReader r(m);
  Throughput t{r.Int("read"), r.Int("write"), r.Time("increased"), r.Time("decreased"),
               r.Int("decreases_today")};
  parent.Merge(r);
  return t;
}

std::vector<IndexDef> IndexesFromList(FieldReader& parent, const core::ValueList& list) {
  std::vector<IndexDef> out;
  for (const auto& v : list) {
    FieldReader r(parent.MapOf(v));
    const Item& m = parent.MapOf(v);
    IndexDef ix;
    ix.id = r.Int("id");
    ix.name = r.String("name");
    ix.key = KeyFromItem(r, r.Map("key"));
    const std::string projection = r.String("projection");
    bool known = false;
    for (ProjectionType t :
         {ProjectionType::kAll, ProjectionType::kKeysOnly, ProjectionType::kInclude}) {
      if (projection == ProjectionTypeName(t)) {
        ix.projection = t;
        known = true;
      }
    }
    if (!known) r.Fail();
    for (const auto& a : r.List("non_key")) ix.non_key_attributes.push_back(r.StringOf(a));
    if (m.count("throughput")) ix.throughput = ThroughputFromItem(r, r.Map("throughput"));
    if (ix.id <= 0) r.Fail();
    parent.Merge(r);
    out.push_back(std::move(ix));
  }
  return out;
}

}  // namespace

std::string_view ProjectionTypeName(ProjectionType type) {
  static constexpr std::string_view kNames[] = {"ALL", "KEYS_ONLY", "INCLUDE"};
  return kNames[static_cast<size_t>(type)];
}

const IndexDef* TableDef::FindIndex(std::string_view index_name, bool* global) const {
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

Item TableDefToItem(const TableDef& def) {
  core::ValueList attributes;
  for (const auto& a : def.attribute_definitions) {
    attributes.push_back(
        AttributeValue::M(Item{{"name", Str(a.name)}, {"type", Str(core::TypeName(a.type))}}));
  }
  core::ValueList tags;
  for (const auto& [k, v] : def.tags) tags.push_back(AttributeValue::L({Str(k), Str(v)}));
  Item stream{{"enabled", AttributeValue::Bool(def.stream.enabled)},
              {"view", Str(def.stream.view_type)},
              {"label", Str(def.stream.label)}};
  Item item{{"name", Str(def.name)},
            {"table_id", Str(def.table_id)},
            {"created", Time(def.creation_time)},
            {"attributes", AttributeValue::L(std::move(attributes))},
            {"key", AttributeValue::M(KeyToItem(def.key))},
            {"on_demand", AttributeValue::Bool(def.pay_per_request)},
            {"on_demand_since", Time(def.last_update_to_pay_per_request)},
            {"throughput", AttributeValue::M(ThroughputToItem(def.throughput))},
            {"gsi", IndexesToValue(def.global_indexes)},
            {"lsi", IndexesToValue(def.local_indexes)},
            {"stream", AttributeValue::M(std::move(stream))},
            {"deletion_protection", AttributeValue::Bool(def.deletion_protection)},
            {"table_class", Str(def.table_class)},
            {"tags", AttributeValue::L(std::move(tags))},
            {"next_index_id", Int(def.next_index_id)},
            {"sse_kms_key", Str(def.sse_kms_key_arn)}};
  if (def.point_in_time_recovery != PointInTimeRecovery{}) {
    const PointInTimeRecovery& p = def.point_in_time_recovery;
    item.emplace("pitr", AttributeValue::M(Item{{"enabled", AttributeValue::Bool(p.enabled)},
                                                {"days", Int(p.recovery_period_days)},
                                                {"since", Time(p.enabled_at)}}));
  }
  if (!def.contributor_insights.empty()) {
    core::ValueList insights;
    for (const auto& [where, mode] : def.contributor_insights) {
      insights.push_back(AttributeValue::L({Str(where), Str(mode)}));
    }
    item.emplace("insights", AttributeValue::L(std::move(insights)));
  }
  if (def.on_demand_maximum) {
    item.emplace("on_demand_max",
                 AttributeValue::M(Item{{"read", Int(def.on_demand_maximum->read)},
                                        {"write", Int(def.on_demand_maximum->write)}}));
  }
  if (!def.ttl_attribute.empty()) item.emplace("ttl", Str(def.ttl_attribute));
  if (def.shard_rollover) {
    item.emplace("shard_rollover",
                 AttributeValue::M(Item{{"records", Int(def.shard_rollover->records)},
                                        {"seconds", Time(def.shard_rollover->seconds)}}));
  }
  return item;
}

Result<TableDef> TableDefFromItem(const Item& item) {
  FieldReader r(item);
  TableDef t;
  t.name = r.String("name");
  t.table_id = r.String("table_id");
  t.creation_time = r.Time("created");
  for (const auto& v : r.List("attributes")) {
    FieldReader a(r.MapOf(v));
    t.attribute_definitions.push_back(AttributeDefinition{a.String("name"), a.Type("type")});
    r.Merge(a);
  }
  t.key = KeyFromItem(r, r.Map("key"));
  t.pay_per_request = r.Bool("on_demand");
  t.last_update_to_pay_per_request = r.Time("on_demand_since");
  t.throughput = ThroughputFromItem(r, r.Map("throughput"));
  t.global_indexes = IndexesFromList(r, r.List("gsi"));
  t.local_indexes = IndexesFromList(r, r.List("lsi"));
  {
    FieldReader s(r.Map("stream"));
    t.stream = StreamSettings{s.Bool("enabled"), s.String("view"), s.String("label")};
    r.Merge(s);
  }
  t.deletion_protection = r.Bool("deletion_protection");
  t.table_class = r.String("table_class");
  for (const auto& v : r.List("tags")) {
    if (v.type() != ValueType::kL || v.l().size() != 2) {
      r.Fail();
      continue;
    }
    t.tags.emplace_back(r.StringOf(v.l()[0]), r.StringOf(v.l()[1]));
  }
  t.next_index_id = std::max<int64_t>(1, r.Int("next_index_id"));
  t.sse_kms_key_arn = r.String("sse_kms_key");
  if (item.count("on_demand_max")) {
    FieldReader m(r.Map("on_demand_max"));
    t.on_demand_maximum = OnDemandMaximum{m.Int("read"), m.Int("write")};
    r.Merge(m);
  }
  if (item.count("ttl")) t.ttl_attribute = r.String("ttl");
  if (item.count("pitr")) {
    FieldReader m(r.Map("pitr"));
    t.point_in_time_recovery =
        PointInTimeRecovery{m.Bool("enabled"), m.Int("days"), m.Time("since")};
    r.Merge(m);
  }
  if (item.count("insights")) {
    for (const auto& v : r.List("insights")) {
      if (v.type() != ValueType::kL || v.l().size() != 2) {
        r.Fail();
        continue;
      }
      t.contributor_insights.emplace_back(r.StringOf(v.l()[0]), r.StringOf(v.l()[1]));
    }
  }
  if (item.count("shard_rollover")) {
    FieldReader m(r.Map("shard_rollover"));
    t.shard_rollover = ShardRollover{m.Int("records"), m.Time("seconds")};
    r.Merge(m);
  }
  if (!r.ok() || t.name.empty() || t.key.hash.name.empty()) {
    return core::Error{core::ErrorCode::kInternalServerError,
                       "corrupt table definition" + (t.name.empty() ? "" : " of table " + t.name)};
  }
  return t;
}

}  // namespace dynamo::storage
