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
  if (kind == Consumed::Kind::kTransactionWrite) {
    w.Key("WriteCapacityUnits");
    w.Double(units);
  }
  w.EndObject();
}

void WriteEntry(JsonWriter& w, CapacityMode mode, const Consumed& c) {
  w.StartObject();
  w.Key("TableName");
  w.String(c.table);
  w.Key("CapacityUnits");
  w.Double(c.units);
  if (c.kind == Consumed::Kind::kTransactionRead) {
    w.Key("ReadCapacityUnits");
    w.Double(c.units);
  } else if (c.kind == Consumed::Kind::kTransactionWrite) {
    w.Key("WriteCapacityUnits");
    w.Double(c.units);
  }
  // TransactGetItems reports no per-table breakdown (kept as it was; see the
  // fidelity issue).
  if (mode == CapacityMode::kIndexes && c.kind != Consumed::Kind::kTransactionRead) {
    w.Key("Table");
    WriteUnitsObject(w, c.index_name ? 0 : c.units, c.kind);
    if (c.index_name) {
      w.Key(c.global_index ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
      w.StartObject();
      w.Key(c.index_name->c_str());
      WriteUnitsObject(w, c.units, c.kind);
      w.EndObject();
    }
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

std::vector<Consumed> CapacityTally::List(Consumed::Kind kind) const {
  std::vector<Consumed> out;
  out.reserve(units_.size());
  for (const auto& [table, units] : units_) out.push_back(Consumed{table, units, kind, {}, false});
  return out;
}

}  // namespace dynamo::server
