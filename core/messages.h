// DynamoDB's recurring error messages, as named constructors, so that each
// text is written once and every module reports it the same way. One-off
// messages stay next to the check that makes them.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace dynamo::core {

// "One or more parameter values were invalid: <detail>"
inline constexpr std::string_view kInvalidParameters =
    "One or more parameter values were invalid: ";
// "One or more parameter values are not valid. <detail>" (DynamoDB uses both wordings)
inline constexpr std::string_view kNotValidParameters =
    "One or more parameter values are not valid. ";

inline Error InvalidParameter(std::string_view detail) {
  return ValidationError(std::string(kInvalidParameters) + std::string(detail));
}

// Item operations on a missing table.
inline Error ResourceNotFound() {
  return Error{ErrorCode::kResourceNotFound, "Requested resource not found"};
}
// Control-plane operations on a missing table.
inline Error TableNotFound(std::string_view table) {
  return Error{ErrorCode::kResourceNotFound,
               "Requested resource not found: Table: " + std::string(table) + " not found"};
}
inline Error TableAlreadyExists(std::string_view table) {
  return Error{ErrorCode::kResourceInUse, "Table already exists: " + std::string(table)};
}

// A single-item write on an item an in-flight transaction holds.
inline Error TransactionConflict() {
  return Error{ErrorCode::kTransactionConflict, "Transaction is ongoing for the item"};
}

// PutItem, BatchWriteItem and transaction Puts over 400 KB.
inline Error ItemTooLarge() {
  return ValidationError("Item size has exceeded the maximum allowed size");
}
// UpdateItem and transaction Updates whose result is over 400 KB.
inline Error UpdatedItemTooLarge() {
  return ValidationError("Item size to update has exceeded the maximum allowed size");
}

// A value nested past kMaxNestingDepth, in an item or a request.
inline Error NestingTooDeep() {
  return ValidationError(
      "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels "
      "beyond supported limit");
}

inline Error KeySchemaMismatch() {
  return ValidationError("The provided key element does not match the schema");
}
inline Error DuplicateKeys() {
  return ValidationError("Provided list of item keys contains duplicates");
}

}  // namespace dynamo::core
