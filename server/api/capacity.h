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
#include "storage/write_path.h"

namespace dynamo::server {

enum class CapacityMode { kNone, kTotal, kIndexes };

// The constraint on ReturnConsumedCapacity: INDEXES, TOTAL or NONE.
void CheckCapacityEnum(const std::optional<std::string_view>& value, ConstraintErrors& errors);

// ReturnConsumedCapacity (already checked against its enum); absent: kNone.
CapacityMode ParseCapacityMode(const std::optional<std::string_view>& value);

double ReadUnits(size_t bytes, bool consistent);
double WriteUnits(size_t bytes);
inline constexpr double kTransactionFactor = 2;

// Units consumed on one secondary index.
struct IndexUnits {
  std::string name;
  bool global = false;
  double units = 0;
};

// What one request consumed on one table.
struct Consumed {
  // Which extra members the entry carries: transactions name the unit kind
  // (ReadCapacityUnits / WriteCapacityUnits) besides CapacityUnits.
  enum class Kind { kPlain, kTransactionRead, kTransactionWrite };

  std::string table;
  double units = 0;  // on the table itself (0 for a Query or Scan of an index)
  Kind kind = Kind::kPlain;
  // Units on secondary indexes: the index a Query or Scan read, or each
  // index a write changed. Folded into the total; listed in INDEXES mode.
  std::vector<IndexUnits> indexes;

  double Total() const;
  // Adds another request's units (same table and kind), index by index.
  void Add(const Consumed& other);
};

// The units of a write's index changes (storage::MutationResult's
// index_writes): one write unit per KB of each entry deleted or put, so an
// index key change costs two writes. Multiplied by factor (transactions).
// Indexes are named from table, the definition the request looked up (an
// index dropped since is left out).
std::vector<IndexUnits> IndexWriteUnits(const storage::TableDef& table,
                                        const std::vector<storage::IndexWrite>& writes,
                                        double factor = 1);

// Writes "ConsumedCapacity": {...} (nothing in kNone mode).
void WriteConsumedCapacity(JsonWriter& w, CapacityMode mode, const Consumed& consumed);

// What a write consumed: the table's units over the larger of the old and
// new item, and the units of each index entry it changed.
Consumed WriteConsumed(const storage::TableDef& t, const storage::MutationResult& r);
// Writes "ConsumedCapacity": [{...}, ...] (nothing in kNone mode).
void WriteConsumedCapacityList(JsonWriter& w, CapacityMode mode,
                               const std::vector<Consumed>& consumed);

// Units summed per table, listed in table-name order.
class CapacityTally {
 public:
  void Add(const storage::TableDef& table, double units,
           const std::vector<storage::IndexWrite>* index_writes = nullptr, double factor = 1);
  std::vector<Consumed> List(Consumed::Kind kind = Consumed::Kind::kPlain) const;

 private:
  std::map<std::string, Consumed> tables_;
};

}  // namespace dynamo::server
