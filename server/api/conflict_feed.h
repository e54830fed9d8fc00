// The conflict feed: the most recent lock outcomes, for the console and the
// control API (GET /_emu/conflicts). A request that loses a lock —
// TransactionConflictException (its item is held by a transaction in
// flight), TransactionCanceledException (with its CancellationReasons) or
// ConditionalCheckFailedException (an optimistic-lock version check, among
// others) — is recorded with its operation, namespace, table, key and time.
//
// A bounded ring (--conflict-feed-size events, 0: off). Only failed requests
// write to it, under a mutex held for a pointer swap, so a successful
// request never touches it and no request waits on a reader: readers copy
// pointers under the same mutex and render outside it.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "server/api/json.h"
#include "storage/database.h"

namespace dynamo::server {

struct ConflictEvent {
  // One action of a cancelled transaction, in request order.
  struct Reason {
    std::string code;  // "None", "ConditionalCheckFailed", "TransactionConflict", ...
    std::string message;
    std::string table;     // "" when the action names none (PartiQL)
    std::string key_json;  // the item's key in DynamoDB JSON, "" when unknown
  };
  uint64_t seq = 0;  // assigned by the feed: 1, 2, ...
  double time = 0;   // epoch seconds, the emulator's clock
  std::string ns;
  std::string operation;
  std::string error;  // the exception's short name
  std::string message;
  std::string table;
  std::string key_json;
  std::string statement;  // ExecuteStatement's PartiQL
  std::vector<Reason> reasons;
};

class ConflictFeed {
 public:
  explicit ConflictFeed(size_t capacity) : ring_(capacity) {}
  ConflictFeed(const ConflictFeed&) = delete;
  ConflictFeed& operator=(const ConflictFeed&) = delete;

  size_t capacity() const { return ring_.size(); }
  // Assigns the event its sequence number; drops the oldest when full.
  void Record(ConflictEvent event);

  struct Page {
    std::vector<std::shared_ptr<const ConflictEvent>> events;  // oldest first
    uint64_t next_after = 0;                                   // the `after` of the next call
    uint64_t missed = 0;  // events after `after` already dropped
  };
  // The events with seq > after, at most limit of them.
  Page Since(uint64_t after, size_t limit) const;

 private:
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<const ConflictEvent>> ring_;
  uint64_t last_seq_ = 0;
};

// Whether a failed request's error goes to the feed.
inline bool IsConflictError(core::ErrorCode code) {
  return code == core::ErrorCode::kTransactionConflict ||
         code == core::ErrorCode::kTransactionCanceled ||
         code == core::ErrorCode::kConditionalCheckFailed;
}

// The event for a request that failed with error (IsConflictError): the
// table and key from the request (a PutItem's key by the table's key schema
// in db), a transaction's reasons paired with its actions.
ConflictEvent ConflictEventFor(std::string_view operation, const JsonValue& request,
                               const core::Error& error, const storage::Database& db);

// {"Seq", "Time", "Namespace", "Operation", "Error", "Message", "TableName",
// "Key", "Statement", "CancellationReasons": [{"Code", "Message",
// "TableName", "Key"}]}; members without a value are left out.
void WriteConflictEvent(const ConflictEvent& event, JsonWriter& w);

}  // namespace dynamo::server
