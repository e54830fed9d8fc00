// The one error type of dynamo-emu.
//
// Every fallible function returns Result<T> (or Status for no value). An
// Error carries an ErrorCode and the exact message DynamoDB would send; the
// server maps the code to the wire (__type, HTTP status, message key casing)
// through a single table (ErrorWireInfo). No exception crosses a module header.
#pragma once

#include <cassert>
#include <memory>
#include <string>
#include <string_view>
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

// How an error code appears on the wire.
struct ErrorWireInfo {
  std::string_view type;  // full __type, e.g. "com.amazon.coral.validate#ValidationException"
  std::string_view name;  // short name, e.g. "ValidationException"
  int http_status;        // 400, 413, 500 or 503
  bool capital_message;   // "Message" instead of "message"
};

const ErrorWireInfo& WireInfo(ErrorCode code);

// Extra members some errors carry on the wire (the old item of a failed
// condition, cancellation reasons). Defined in error_details.h.
struct ErrorDetails;

struct Error {
  ErrorCode code;
  std::string message;
  std::shared_ptr<const ErrorDetails> details;  // usually null
};

inline Error ValidationError(std::string message) {
  return Error{ErrorCode::kValidation, std::move(message)};
}

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

// Propagate an error from an expression yielding Status or Result<T>.
#define DYNAMO_RETURN_IF_ERROR(expr)                              \
  do {                                                            \
    auto _dyn_status = (expr);                                    \
    if (!_dyn_status.ok()) return std::move(_dyn_status).error(); \
  } while (0)

#define DYNAMO_CONCAT_INNER(a, b) a##b
#define DYNAMO_CONCAT(a, b) DYNAMO_CONCAT_INNER(a, b)
// DYNAMO_ASSIGN_OR_RETURN(auto x, Expr()) declares x from a Result or returns its error.
#define DYNAMO_ASSIGN_OR_RETURN(lhs, expr) \
  DYNAMO_ASSIGN_OR_RETURN_IMPL(DYNAMO_CONCAT(_dyn_result_, __LINE__), lhs, expr)
#define DYNAMO_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return std::move(tmp).error();      \
  lhs = std::move(tmp).value()
