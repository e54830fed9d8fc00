// The one write path: the types of Database::Apply.
//
// Every item write of every operation (PutItem, UpdateItem, DeleteItem,
// BatchWriteItem, TransactWriteItems, and what comes next: TTL deletions,
// PartiQL) is a batch of Mutations applied by Database::Apply, in one SQLite
// transaction, in this order:
//
//   1. resolve each mutation's table to its current definition
//      (ResourceNotFound when it was deleted or recreated since the request
//      looked it up)
//   2. refuse the batch when another owner's transaction holds one of its
//      items (TransactionConflict): it never waits
//   3. for each mutation in order: read the stored item, call its decision
//      function (the caller's condition check or update, evaluated by expr),
//      then check the new item's key, size and every index key value against
//      the current definition; a failure refuses the batch
//   4. when nothing was refused: write or delete each item, maintain every
//      index of its table, and call the change hook with (old, new) images
//   5. commit (durably, before Apply returns) — or roll everything back;
//      or, for a caller that defers its commit (ApplyOptions::
//      deferred_commit), leave the transaction open: the write group.
//      Later batches apply in the same transaction, their decisions seeing
//      every earlier write of the group, and the first member to call
//      AwaitCommit commits the group for all (one SQLite commit for many
//      writes). Nothing is acknowledged before its group committed; a
//      failure rolls back the batch that failed, or at commit the whole
//      group, whose members then all answer with the error.
//
// Storage never sees an expression or JSON: the decision function is opaque.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/attribute_value.h"
#include "core/error.h"
#include "storage/key_encoding.h"
#include "storage/table_def.h"

namespace dynamo::storage {

// What a decision does with the item.
class Decision {
 public:
  enum class Action { kKeep, kPut, kDelete };

  // Leave the item as it is (a ConditionCheck).
  static Decision Keep() { return Decision(Action::kKeep, {}); }
  // Store this whole item; its key attributes must be the mutation's key.
  static Decision Put(core::Item item) { return Decision(Action::kPut, std::move(item)); }
  // Delete the item (nothing happens when there is none).
  static Decision Delete() { return Decision(Action::kDelete, {}); }

  Action action() const { return action_; }
  core::Item& item() { return item_; }

 private:
  Decision(Action action, core::Item item) : action_(action), item_(std::move(item)) {}
  Action action_;
  core::Item item_;
};

// The caller's decision for one item, given the item as stored (nullptr when
// there is none). Called inside the write transaction with the namespace's
// write lock held: it must be quick and must not call back into the
// Database. An error refuses the mutation, and with it the whole batch.
using DecisionFn = std::function<core::Result<Decision>(const core::Item* stored)>;

// Which request a mutation comes from; selects DynamoDB's message when the
// new item is too large.
enum class WriteKind { kPut, kUpdate, kDelete, kConditionCheck };

struct Mutation {
  // The table as the request looked it up.
  std::shared_ptr<const TableDef> table;
  EncodedKey key;
  WriteKind kind = WriteKind::kPut;
  DecisionFn decide;
  // False for a blind write (no condition, no old item wanted): the decision
  // ignores the stored item, so storage reads it only when an index or the
  // change hook needs it, and the result may then lack old_item.
  bool needs_stored_item = true;
  // Set instead of table/key/decide: an action whose request failed
  // validation before it could become a mutation (a TransactWriteItems
  // action with a bad key). Evaluation stops there with this error.
  std::optional<core::Error> invalid;

  static Mutation Invalid(core::Error error) {
    Mutation m;
    m.invalid = std::move(error);
    return m;
  }
};

// What a write did to one secondary index's entry for the item, for the
// write's consumed capacity. Only indexes whose stored entry changed are
// listed: an index the item is not in, or whose entry (key and projected
// attributes) is the same after the write, costs nothing.
struct IndexWrite {
  int64_t index_id = 0;  // IndexDef::id in the table
  bool global = false;
  std::optional<size_t> deleted;  // the size of the entry removed (the old key's)
  std::optional<size_t> put;      // the size of the entry written
};

// What Apply did to one item.
struct MutationResult {
  std::optional<core::Item> old_item;  // as stored before (see needs_stored_item)
  std::optional<core::Item> new_item;  // as stored after a put
  size_t old_size = 0;                 // DynamoDB sizes; 0 when absent
  size_t new_size = 0;
  std::vector<IndexWrite> index_writes;  // in index order: global, then local
};

struct MutationFailure {
  size_t index;  // of the mutation in the batch
  core::Error error;
};

// A batch either commits (results: one per mutation, in order) or is refused
// (failures, in order; nothing was written). Evaluation goes on past a
// decision that fails with ConditionalCheckFailed, so that every failed
// condition of a transaction is reported; any other failure stops it.
struct BatchResult {
  bool committed = false;
  std::vector<MutationResult> results;
  std::vector<MutationFailure> failures;
};

struct ApplyOptions {
  // Items locked by this owner (a transaction applying its own writes) are
  // not conflicts. 0: any lock is a conflict.
  uint64_t lock_owner = 0;
  // Deletions made by DynamoDB itself (Time to Live): their stream records
  // carry the service's userIdentity.
  bool by_service = false;
  // Set by TTL deletions: the TTL attribute they judged expiry by. A batch
  // whose table no longer has it is refused with ResourceNotFound.
  std::optional<std::string> ttl_attribute;
  // Group commit (file stores). Null: Apply commits before it returns.
  // Set: Apply may leave its writes in the writer's open transaction, the
  // write group, for later writes to join; it then raises *deferred_commit
  // to the group's number, and the caller must not acknowledge the write
  // (nor a refusal, which may have seen the group's other writes) before
  // Database::AwaitCommit of that number returns Ok. Left as it is when
  // nothing waits on a commit (an in-memory store, or a batch refused
  // before it read anything).
  uint64_t* deferred_commit = nullptr;
};

// One applied change, for the change hook: old_image null for a new item,
// new_image null for a deletion.
struct Change {
  const TableDef& table;
  const EncodedKey& key;
  const core::Item* old_image;
  const core::Item* new_image;
};

// Called inside the write transaction for every put or delete Apply makes
// (not for index backfills or table drops), in batch order. An error rolls
// the whole batch back and is returned by Apply.
using ChangeHook = std::function<core::Status(const Change&)>;

}  // namespace dynamo::storage
