// Write requests as mutations of the one write path (storage/write_path.h).
//
// Every item write of the API is built here, so that PutItem, UpdateItem,
// DeleteItem, BatchWriteItem and TransactWriteItems share one decision for
// each kind of write: the condition check (ConditionExpression or Expected),
// then the put, the update (UpdateExpression or AttributeUpdates) or the
// delete.
//
// Lifetime: a mutation refers to the request's WriteTarget::expressions and
// to the key item of an update; apply it while they live (Apply is
// synchronous, so within the handler that built it).
#pragma once

#include <memory>

#include "core/attribute_value.h"
#include "core/error.h"
#include "server/api/expressions.h"
#include "storage/database.h"
#include "storage/write_path.h"

namespace dynamo::server {

// The item a write request names.
struct WriteTarget {
  std::shared_ptr<const storage::TableDef> table;  // as looked up
  storage::EncodedKey key;
  const ItemExpressions* expressions = nullptr;  // its condition and update; null: none
  // ReturnValuesOnConditionCheckFailure=ALL_OLD: a failed condition carries the item.
  bool return_old_on_failure = false;
};

// ConditionalCheckFailed (with the stored item when asked and present) unless
// the request's condition holds for the stored item (null: none).
core::Status CheckCondition(const WriteTarget& target, const core::Item* stored);

// needs_old: the response wants the old item or its size; a put without a
// condition that needs neither skips reading it (a blind write).
storage::Mutation PutMutation(WriteTarget target, core::Item item, bool needs_old);
// How an update's size is held to 400 KB: by the finished item only, or
// also by what its UpdateExpression writes (UpdateItem; mutations.cc).
enum class UpdateSizing { kFinishedItem, kStatement };

// Applies the update to the stored item, or to key_item when there is none
// (UpdateItem creates the item).
storage::Mutation UpdateMutation(WriteTarget target, const core::Item& key_item,
                                 UpdateSizing sizing = UpdateSizing::kFinishedItem);
storage::Mutation DeleteMutation(WriteTarget target);
storage::Mutation ConditionCheckMutation(WriteTarget target);

// DynamoDB checks the values an update expression SETs on secondary index key
// attributes before it reads the item: an empty string or binary value fails
// the request, a TransactWriteItems as a whole rather than one action, with
// the update wording (storage::IndexKeySource::kUpdate). A value of another
// type than the index key's is found when the update is applied.
core::Status CheckUpdateSetsIndexKeys(const storage::TableDef& table, const ItemExpressions& e);

// The checks of an update expression against its table, before the item is
// read (UpdateItem and TransactWriteItems Update alike): it must spare the
// key attributes, dig into no key attribute, and SET no empty index key
// value (CheckUpdateSetsIndexKeys).
core::Status CheckUpdateAgainstTable(const storage::TableDef& table, const ItemExpressions& e);

// Applies one mutation: its result, or the error it was refused with.
core::Result<storage::MutationResult> ApplyOne(storage::Database& db, storage::Mutation mutation,
                                               const storage::ApplyOptions& options);

}  // namespace dynamo::server
