#include "core/error.h"

namespace dynamo::core {

const ErrorWireInfo& WireInfo(ErrorCode code) {
  // __type strings follow captures of real DynamoDB responses: protocol-level
  // errors come from the coral service framework, the rest from the DynamoDB
  // namespace. Capital "Message" where DynamoDB sends it that way.
#define CORAL(n) "com.amazon.coral.service#" n, n
#define DYN(n) "com.amazonaws.dynamodb.v20120810#" n, n
  struct Entry {
    ErrorCode code;
    ErrorWireInfo info;
  };
  static const Entry kTable[] = {
      {ErrorCode::kValidation,
       {"com.amazon.coral.validate#ValidationException", "ValidationException", 400, false}},
      {ErrorCode::kSerialization, {CORAL("SerializationException"), 400, true}},
      {ErrorCode::kUnknownOperation, {CORAL("UnknownOperationException"), 400, false}},
      {ErrorCode::kMissingAuthenticationToken,
       {CORAL("MissingAuthenticationTokenException"), 400, false}},
      {ErrorCode::kIncompleteSignature, {CORAL("IncompleteSignatureException"), 400, false}},
      {ErrorCode::kUnrecognizedClient, {CORAL("UnrecognizedClientException"), 400, false}},
      {ErrorCode::kInvalidSignature, {CORAL("InvalidSignatureException"), 400, false}},
      {ErrorCode::kRequestEntityTooLarge, {CORAL("RequestEntityTooLargeException"), 413, false}},
      {ErrorCode::kResourceNotFound, {DYN("ResourceNotFoundException"), 400, false}},
      {ErrorCode::kResourceInUse, {DYN("ResourceInUseException"), 400, false}},
      {ErrorCode::kConditionalCheckFailed, {DYN("ConditionalCheckFailedException"), 400, false}},
      {ErrorCode::kDuplicateItem, {DYN("DuplicateItemException"), 400, false}},
      {ErrorCode::kTransactionCanceled, {DYN("TransactionCanceledException"), 400, true}},
      {ErrorCode::kTransactionConflict, {DYN("TransactionConflictException"), 400, false}},
      {ErrorCode::kTransactionInProgress, {DYN("TransactionInProgressException"), 400, true}},
      {ErrorCode::kIdempotentParameterMismatch,
       {DYN("IdempotentParameterMismatchException"), 400, true}},
      {ErrorCode::kExpiredIterator, {DYN("ExpiredIteratorException"), 400, false}},
      {ErrorCode::kTrimmedDataAccess, {DYN("TrimmedDataAccessException"), 400, false}},
      {ErrorCode::kLimitExceeded, {DYN("LimitExceededException"), 400, false}},
      {ErrorCode::kTableNotFound, {DYN("TableNotFoundException"), 400, false}},
      {ErrorCode::kAccessDenied, {CORAL("AccessDeniedException"), 400, false}},
      {ErrorCode::kProvisionedThroughputExceeded,
       {DYN("ProvisionedThroughputExceededException"), 400, false}},
      {ErrorCode::kItemCollectionSizeLimitExceeded,
       {DYN("ItemCollectionSizeLimitExceededException"), 400, false}},
      {ErrorCode::kRequestLimitExceeded, {DYN("RequestLimitExceeded"), 400, false}},
      {ErrorCode::kInternalServerError, {DYN("InternalServerError"), 500, false}},
      {ErrorCode::kServiceUnavailable, {DYN("ServiceUnavailable"), 503, false}},
  };
#undef CORAL
#undef DYN
  for (const Entry& e : kTable) {
    if (e.code == code) return e.info;
  }
  return WireInfo(ErrorCode::kInternalServerError);
}

}  // namespace dynamo::core
