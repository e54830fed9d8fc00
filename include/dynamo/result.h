// dynamo-emu's error and result types: part of the public API
// (<dynamo/emulator.h> returns them) and the one error type of the code
// behind it.
//
// Every fallible function returns Result<T> (or Status for no value). An
// Error carries an ErrorCode and the exact message DynamoDB would send.
// Standard-library types only.
#pragma once

#include <cassert>
#include <memory>
#include <string>
#include <utility>
#include <variant>

namespace dynamo::core {

enum class ErrorCode {
  kValidation,
  kSerialization,
  kUnknownOperation,
  kMissingAuthenticationToken,
  kIncompleteSignature,
  kUnrecognizedClient,
  kInvalidSignature,
  kResourceNotFound,
  kResourceInUse,
  kConditionalCheckFailed,
  kDuplicateItem,  // PartiQL INSERT of an existing key
  kTransactionCanceled,
  kTransactionConflict,
  kTransactionInProgress,
  kIdempotentParameterMismatch,
  kLimitExceeded,
  kProvisionedThroughputExceeded,
  kItemCollectionSizeLimitExceeded,
  kRequestLimitExceeded,
  kRequestEntityTooLarge,
  kInternalServerError,
  kServiceUnavailable,
  kTableNotFound,      // DescribeContinuousBackups / UpdateContinuousBackups
  kAccessDenied,       // an ARN of another account
  kExpiredIterator,    // DynamoDB Streams
  kTrimmedDataAccess,  // DynamoDB Streams
};

// Extra members some errors carry on the wire (the old item of a failed
// condition, cancellation reasons). Defined in error_details.h.
struct ErrorDetails;

struct Error {
  ErrorCode code;
  std::string message;
  std::shared_ptr<const ErrorDetails> details;  // usually null
};

// A value or an Error, in the style of absl::StatusOr.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const& {
    assert(!ok());
    return std::get<1>(v_);
  }
  Error&& error() && {
    assert(!ok());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, Error> v_;
};

// Result without a value. OK costs one null pointer, as leveldb::Status does.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::make_unique<Error>(std::move(error))) {}  // NOLINT
  Status(const Status& o) : error_(o.error_ ? std::make_unique<Error>(*o.error_) : nullptr) {}
  Status& operator=(const Status& o) {
    error_ = o.error_ ? std::make_unique<Error>(*o.error_) : nullptr;
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;
  static Status Ok() { return Status(); }
  bool ok() const { return error_ == nullptr; }
  explicit operator bool() const { return ok(); }
  const Error& error() const& {
    assert(!ok());
    return *error_;
  }
  Error&& error() && {
    assert(!ok());
    return std::move(*error_);
  }

 private:
  std::unique_ptr<Error> error_;
};

}  // namespace dynamo::core
