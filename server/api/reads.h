// Reading pages of a table or index: what Query and Scan (query.cc) and
// PartiQL's SELECT (partiql.cc) share once their requests are validated.
// Private to server/api.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/attribute_value.h"
#include "expr/key_condition.h"
#include "server/api/expressions.h"
#include "server/api/operations.h"
#include "storage/database.h"

namespace dynamo::server {

// A page stops after the item that crosses 1 MB (before any filter).
inline constexpr size_t kPageBytes = 1024 * 1024;

enum class ReadKind { kQuery, kScan };

// The table or index read.
struct Target {
  std::shared_ptr<const storage::TableDef> table;
  const storage::IndexDef* index = nullptr;  // null: the table itself
  bool global = false;
  const core::KeySchema& key() const { return index ? index->key : table->key; }
  int64_t index_id() const { return index ? index->id : 0; }
  bool partial_index() const { return index && index->projection != storage::ProjectionType::kAll; }
};

struct ReadExpressions {
  ItemExpressions e;  // names, values, projection
  std::shared_ptr<const expr::ParsedCondition> key_condition, filter;
};

// The partition and sort-key bounds of a Query.
struct KeyRange {
  std::string hash;
  storage::RangeBounds bounds;
};

// The hash range of a parallel Scan segment (the whole range without one).
struct HashRange {
  uint32_t lo = 0, hi = UINT32_MAX;
};

// Everything a page needs, after validation.
struct ReadPlan {
  ReadKind kind;
  Target target;
  std::string select;
  ReadExpressions x;
  std::optional<KeyRange> key_range;  // Query
  HashRange segment;                  // Scan
  std::optional<storage::Position> start;
  int64_t limit = INT64_MAX;
  size_t page_bytes = kPageBytes;  // what the page may still read
  bool consistent = false;
  // PartiQL: the filter sees what an index projects only (an LSI fetches
  // from the table for the projection alone).
  bool filter_on_index_item = false;
  bool forward = true;
};

struct Page {
  std::vector<core::Item> items;
  int64_t count = 0;
  int64_t scanned = 0;
  size_t bytes = 0;
  bool stopped = false;  // by Limit or the 1 MB page: LastEvaluatedKey follows
  core::Item last_key;
  double fetched_units = 0;  // reading from the table what an LSI does not project
};

// The encoded partition and sort-key bounds of an analysed key condition.
KeyRange KeyRangeOf(const expr::KeyCondition& kc, const core::KeySchema& key);

// Whether the index read projects the top-level attribute.
bool IndexProjects(const Target& target, std::string_view attribute);

// A GSI can only return what it projects: "Global secondary index <i> does
// not project [a, b]" for the top-level attributes it does not.
core::Status CheckGsiProjection(const Target& target, const std::vector<expr::Path>& projection);

// The checks of an ExclusiveStartKey that come before the key condition:
// the attribute count and the queried partition key.
core::Status CheckStartShape(const Target& t, ReadKind kind, const core::Item& start);
// A Query's ExclusiveStartKey must lie within its key condition.
core::Status CheckStartWithinKeyRange(const storage::Position& pos, const KeyRange& range);

// An ExclusiveStartKey as a storage position, with DynamoDB's checks
// (precondition: CheckStartShape passed).
core::Result<storage::Position> StartPosition(const Target& t, ReadKind kind,
                                              const core::Item& start);

// Limit counts items before the filter; the page stops at Limit or after the
// item that crosses page_bytes (1 MB).
core::Result<Page> RunPage(OpContext& ctx, const ReadPlan& plan);

}  // namespace dynamo::server
