// Primary keys and secondary-index entries of items: extraction with
// DynamoDB's validation messages, encoding for storage, and index
// maintenance inside a write transaction.
#pragma once

#include <optional>
#include <string_view>

#include "core/attribute_value.h"
#include "server/api/catalog.h"
#include "storage/database.h"

namespace dynamo::server {

// The Key parameter of GetItem/DeleteItem/UpdateItem: exactly the table's key
// attributes. empty_prefix differs by operation, as DynamoDB's messages do.
core::Result<storage::EncodedKey> KeyFromKeyMap(const TableInfo& t, const core::Item& key,
                                                std::string_view empty_prefix);
// The key attributes of a whole item (PutItem), with DynamoDB's messages.
core::Result<storage::EncodedKey> KeyFromItem(const TableInfo& t, const core::Item& item);
// The table key attributes of an item as an Item (for LastEvaluatedKey etc.).
core::Item KeyAttributes(const KeySchema& key, const core::Item& item);

// Checks the index key attributes an item carries (type and non-empty), as
// DynamoDB does on every write.
core::Status CheckIndexKeys(const TableInfo& t, const core::Item& item);

struct IndexEntry {
  storage::EncodedKey key;  // the index key
  core::Item projected;
  size_t size = 0;
};
// The item's entry in the index, or nullopt when it lacks the index key (sparse).
std::optional<IndexEntry> IndexEntryFor(const TableInfo& t, const IndexInfo& ix,
                                        const core::Item& item);

// The table as published now, for use inside a write transaction: index
// definitions may have changed since the request looked the table up (an
// UpdateTable publishes its change inside its own write transaction, so what
// a later transaction sees here is current). ResourceNotFound if the table
// was deleted meanwhile.
core::Result<std::shared_ptr<const TableInfo>> CurrentTable(const Namespace& ns,
                                                            const TableInfo& captured);

// A single-item write on an item that an in-flight transaction holds fails
// with TransactionConflictException, as DynamoDB's does (it never waits).
core::Status CheckNotLocked(Namespace& ns, const TableInfo& t, const storage::EncodedKey& key);

// Replaces the index entries of old_item by those of new_item (either may be
// null) in every index of the table, inside the caller's transaction.
core::Status MaintainIndexes(storage::WriteTxn& txn, const TableInfo& t,
                             const storage::EncodedKey& base_key, const core::Item* old_item,
                             const core::Item* new_item);

}  // namespace dynamo::server
