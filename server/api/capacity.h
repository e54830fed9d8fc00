// Consumed capacity: DynamoDB's unit rules and the ConsumedCapacity member of
// responses, for every operation.
//
// Units: reads cost one unit per 4 KB of item (half when eventually
// consistent), writes one per 1 KB of the larger of the old and new item,
// each at least one unit; inside a transaction everything costs twice.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/api/fields.h"
#include "server/api/json.h"

namespace dynamo::server {

enum class CapacityMode { kNone, kTotal, kIndexes };

// The constraint on ReturnConsumedCapacity: INDEXES, TOTAL or NONE.
void CheckCapacityEnum(const std::optional<std::string_view>& value, ConstraintErrors& errors);

// ReturnConsumedCapacity (already checked against its enum); absent: kNone.
CapacityMode ParseCapacityMode(const std::optional<std::string_view>& value);

double ReadUnits(size_t bytes, bool consistent);
double WriteUnits(size_t bytes);
inline constexpr double kTransactionFactor = 2;

// What one request consumed on one table.
struct Consumed {
  // Which extra members the entry carries: transactions name the unit kind
  // (ReadCapacityUnits / WriteCapacityUnits) besides CapacityUnits.
  enum class Kind { kPlain, kTransactionRead, kTransactionWrite };

  std::string table;
  double units = 0;
  Kind kind = Kind::kPlain;
  // A Query or Scan of an index: in INDEXES mode the units are reported
  // under the index, and the table itself consumed none.
  std::optional<std::string> index_name;
  bool global_index = false;
};

// Writes "ConsumedCapacity": {...} (nothing in kNone mode).
void WriteConsumedCapacity(JsonWriter& w, CapacityMode mode, const Consumed& consumed);
// Writes "ConsumedCapacity": [{...}, ...] (nothing in kNone mode).
void WriteConsumedCapacityList(JsonWriter& w, CapacityMode mode,
                               const std::vector<Consumed>& consumed);

// Units summed per table, listed in table-name order.
class CapacityTally {
 public:
  void Add(const std::string& table, double units) { units_[table] += units; }
  std::vector<Consumed> List(Consumed::Kind kind = Consumed::Kind::kPlain) const;

 private:
  std::map<std::string, double> units_;
};

}  // namespace dynamo::server
