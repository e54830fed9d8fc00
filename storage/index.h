// Secondary-index entries of items: which entry an item has in an index
// (sparse: none without the index key attributes), what it projects, and the
// check DynamoDB makes of the index key values an item carries on every write.
//
// Pure functions of a TableDef and an item; the write path (write_path.cc)
// and index backfill (Database::UpdateTable) are their only writers.
#pragma once

#include <optional>

#include "core/attribute_value.h"
#include "core/error.h"
#include "storage/key_encoding.h"
#include "storage/table_def.h"

namespace dynamo::storage {

// Why an item's index key value is refused. DynamoDB fails a whole
// TransactWriteItems for an empty or oversized value but only cancels the
// action for a type mismatch, so callers need to tell them apart.
struct IndexKeyViolation {
  enum class Kind { kTypeMismatch, kEmptyValue, kTooLarge };
  Kind kind;
  core::Error error;  // DynamoDB's ValidationException
};

// Where the checked item comes from. DynamoDB words an empty index key value
// by source: a whole item names the index and key ("... IndexName: g,
// IndexKey: k"), an update expression that set it names neither.
enum class IndexKeySource { kItem, kUpdate };

// Checks the index key attributes an item carries (type, non-empty, at most
// 2048 / 1024 bytes for a partition / sort key) in
// every index of the table, as DynamoDB does on every write: the first
// violation, or nullopt. An item without an index's key attributes is fine
// (it is simply not in that index).
std::optional<IndexKeyViolation> FindIndexKeyViolation(
    const TableDef& table, const core::Item& item, IndexKeySource source = IndexKeySource::kItem);

struct IndexEntry {
  EncodedKey key;        // the index key
  core::Item projected;  // the table key, the index key and the projected attributes
  size_t size = 0;       // DynamoDB size of projected
};

// The item's entry in the index, or nullopt when it lacks the index key
// attributes or has them with another type (sparse).
std::optional<IndexEntry> IndexEntryFor(const TableDef& table, const IndexDef& index,
                                        const core::Item& item);

}  // namespace dynamo::storage
