#include "server/api/capacity.h"

#include <algorithm>
#include <cmath>

namespace dynamo::server {

void CheckCapacityEnum(const std::optional<std::string_view>& value, ConstraintErrors& errors) {
  if (value) errors.CheckEnum(*value, "returnConsumedCapacity", {"INDEXES", "TOTAL", "NONE"});
}

CapacityMode ParseCapacityMode(const std::optional<std::string_view>& value) {
  if (!value || *value == "NONE") return CapacityMode::kNone;
  return *value == "INDEXES" ? CapacityMode::kIndexes : CapacityMode::kTotal;
}

double ReadUnits(size_t bytes, bool consistent) {
  double units = std::max(1.0, std::ceil(static_cast<double>(bytes) / 4096.0));
  return consistent ? units : units / 2;
}

double WriteUnits(size_t bytes) {
  return std::max(1.0, std::ceil(static_cast<double>(bytes) / 1024.0));
}

namespace {

// {"CapacityUnits": u} plus the unit kind of a transaction.
void WriteUnitsObject(JsonWriter& w, double units, Consumed::Kind kind) {
  w.StartObject();
  w.Key("CapacityUnits");
  w.Double(units);
  if (kind == Consumed::Kind::kTransactionRead) {
    w.Key("ReadCapacityUnits");
    w.Double(units);
  } else if (kind == Consumed::Kind::kTransactionWrite) {
    w.Key("WriteCapacityUnits");
    w.Double(units);
  }
  w.EndObject();
}

// "GlobalSecondaryIndexes" or "LocalSecondaryIndexes": {name: units, ...},
// nothing when the request consumed none on an index of that kind.
void WriteIndexArm(JsonWriter& w, const Consumed& c, bool global) {
  bool started = false;
  for (const IndexUnits& ix : c.indexes) {
    if (ix.global != global) continue;
    if (!started) {
      w.Key(global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
      w.StartObject();
      started = true;
    }
    w.Key(ix.name.c_str(), static_cast<rapidjson::SizeType>(ix.name.size()));
    WriteUnitsObject(w, ix.units, c.kind);
  }
  if (started) w.EndObject();
}

void WriteEntry(JsonWriter& w, CapacityMode mode, const Consumed& c) {
  const double total = c.Total();
  w.StartObject();
  w.Key("TableName");
  w.String(c.table);
  w.Key("CapacityUnits");
  w.Double(total);
  if (c.kind == Consumed::Kind::kTransactionRead) {
    w.Key("ReadCapacityUnits");
    w.Double(total);
  } else if (c.kind == Consumed::Kind::kTransactionWrite) {
    w.Key("WriteCapacityUnits");
    w.Double(total);
  }
  if (mode == CapacityMode::kIndexes) {
    w.Key("Table");
    WriteUnitsObject(w, c.units, c.kind);
    WriteIndexArm(w, c, true);
    WriteIndexArm(w, c, false);
  }
  w.EndObject();
}

}  // namespace

void WriteConsumedCapacity(JsonWriter& w, CapacityMode mode, const Consumed& consumed) {
  if (mode == CapacityMode::kNone) return;
  w.Key("ConsumedCapacity");
  WriteEntry(w, mode, consumed);
}

void WriteConsumedCapacityList(JsonWriter& w, CapacityMode mode,
                               const std::vector<Consumed>& consumed) {
  if (mode == CapacityMode::kNone) return;
  w.Key("ConsumedCapacity");
  w.StartArray();
  for (const Consumed& c : consumed) WriteEntry(w, mode, c);
  w.EndArray();
}

double Consumed::Total() const {
  double total = units;
  for (const IndexUnits& ix : indexes) total += ix.units;
  return total;
}

void Consumed::Add(const Consumed& other) {
  units += other.units;
  for (const IndexUnits& o : other.indexes) {
    auto it = std::find_if(indexes.begin(), indexes.end(), [&](const IndexUnits& ix) {
      return ix.global == o.global && ix.name == o.name;
    });
    if (it == indexes.end()) {
      indexes.push_back(o);
    } else {
      it->units += o.units;
    }
  }
}

std::vector<IndexUnits> IndexWriteUnits(const storage::TableDef& table,
                                        const std::vector<storage::IndexWrite>& writes,
                                        double factor) {
  std::vector<IndexUnits> out;
  out.reserve(writes.size());
  for (const storage::IndexWrite& iw : writes) {
    const auto& indexes = iw.global ? table.global_indexes : table.local_indexes;
    auto ix = std::find_if(indexes.begin(), indexes.end(),
                           [&](const storage::IndexDef& d) { return d.id == iw.index_id; });
    if (ix == indexes.end()) continue;
    double units = 0;
    if (iw.deleted) units += WriteUnits(*iw.deleted);
    if (iw.put) units += WriteUnits(*iw.put);
    out.push_back(IndexUnits{ix->name, iw.global, factor * units});
  }
  return out;
}

void CapacityTally::Add(const storage::TableDef& table, double units,
                        const std::vector<storage::IndexWrite>* index_writes, double factor) {
  Consumed c{table.name, factor * units, Consumed::Kind::kPlain, {}};
  if (index_writes) c.indexes = IndexWriteUnits(table, *index_writes, factor);
  auto [it, inserted] = tables_.try_emplace(table.name, c);
  if (!inserted) it->second.Add(c);
}

std::vector<Consumed> CapacityTally::List(Consumed::Kind kind) const {
  std::vector<Consumed> out;
  out.reserve(tables_.size());
  for (const auto& [table, consumed] : tables_) {
    out.push_back(consumed);
    out.back().kind = kind;
  }
  return out;
}

// What a write consumed: the table's units over the larger of the old and
// new item, and the units of each index entry it changed.
Consumed WriteConsumed(const storage::TableDef& t, const storage::MutationResult& r) {
  return Consumed{t.name, WriteUnits(std::max(r.new_size, r.old_size)), Consumed::Kind::kPlain,
                  IndexWriteUnits(t, r.index_writes)};
}

}  // namespace dynamo::server
