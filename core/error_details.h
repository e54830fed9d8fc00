// The payloads that some DynamoDB errors carry besides their message.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/attribute_value.h"
#include "core/error.h"

namespace dynamo::core {

// One entry of TransactionCanceledException.CancellationReasons.
struct CancellationReason {
  std::string code;  // "None", "ConditionalCheckFailed", ...
  std::optional<std::string> message;
  std::optional<Item> item;
};

struct ErrorDetails {
  std::optional<Item> item;  // ConditionalCheckFailedException "Item"
  std::vector<CancellationReason> cancellation_reasons;
};

inline Error ConditionalCheckFailed(std::optional<Item> item = std::nullopt) {
  Error e{ErrorCode::kConditionalCheckFailed, "The conditional request failed", nullptr};
  if (item) {
    auto d = std::make_shared<ErrorDetails>();
    d->item = std::move(item);
    e.details = std::move(d);
  }
  return e;
}

}  // namespace dynamo::core
