// The machinery that TransactWriteItems / TransactGetItems (transactions.cc)
// and PartiQL's ExecuteTransaction (partiql_transaction.cc) share: DynamoDB's
// cancellation reasons, the item locks of a write transaction (phase one:
// every item locked, all or none; a held item is a conflict, never waited
// on), the test setting that keeps a transaction in flight, and
// ClientRequestToken idempotency. Private to server/api.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/error_details.h"
#include "server/api/json.h"
#include "server/api/operations.h"
#include "storage/item_locks.h"

namespace dynamo::server {

// TransactionCanceledException with the reasons, one per action, in order.
core::Error TransactionCancelled(std::vector<core::CancellationReason> reasons);

core::CancellationReason NoneReason();
core::CancellationReason ConflictReason();
core::CancellationReason ValidationReason(std::string message);
// The reason for an action the write path refused: a failed condition (with
// the item when it was asked for), or a validation error.
core::CancellationReason ReasonFor(const core::Error& error);

// "Transaction request cannot include multiple operations on one item" when
// two of the lock keys (storage::ItemLockKey) are the same item.
core::Status CheckDistinctItems(const std::vector<std::string>& lock_keys);

// A read transaction's items, in order: a key error cancels it with a
// ValidationError reason there (and stops the check); an item that an
// in-flight write transaction holds is a TransactionConflict reason.
struct TransactionRead {
  const std::optional<std::string>* key_error = nullptr;  // set: the key was refused
  std::string lock_key;                                   // otherwise
};
core::Status CheckTransactionReads(OpContext& ctx, const std::vector<TransactionRead>& reads);

// Phase one: the items locked (lock_keys[i] belongs to action key_action[i]
// of action_count), all or none; a held item cancels the transaction with a
// TransactionConflict reason at its action. operation (a string constant)
// names the holder in the control API's list of transactions.
core::Result<std::unique_ptr<storage::ItemLockGuard>> LockTransactionItems(
    OpContext& ctx, const char* operation, size_t action_count, std::vector<std::string> lock_keys,
    const std::vector<size_t>& key_action);

// --transaction-hold-ms: keeps a locked transaction in flight, so that
// conflicts are reproducible in tests.
void HoldTransaction(OpContext& ctx);

// Idempotency: whether the same token and the same request already succeeded
// (a replay, which executes nothing); a different request under the token is
// IdempotentParameterMismatchException, one still running
// TransactionInProgressException.
core::Result<bool> BeginToken(OpContext& ctx, const JsonValue& req, std::string_view token);

// Releases the token when the request ends; remembers it when success is set.
struct TokenFinisher {
  OpContext& ctx;
  std::optional<std::string_view> token;
  bool success = false;
  ~TokenFinisher();
};

}  // namespace dynamo::server
