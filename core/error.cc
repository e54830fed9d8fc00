#include "core/error.h"

namespace dynamo::core {

const ErrorWireInfo& WireInfo(ErrorCode code) {
  // __type strings follow captures of real DynamoDB responses: protocol-level
  // errors come from the coral service framework, the rest from the DynamoDB
  // namespace. Capital "Message" where DynamoDB sends it that way.
#define CORAL(n) "com.amazon.coral.service#" n, n
#define DYN(n) "com.amazonaws.dynamodb.v20120810#" n, n
  static const ErrorWireInfo kValidation{"com.amazon.coral.validate#ValidationException",
                                         "ValidationException", 400, false};
  static const ErrorWireInfo kSerialization{CORAL("SerializationException"), 400, true};
  static const ErrorWireInfo kUnknownOperation{CORAL("UnknownOperationException"), 400, false};
  static const ErrorWireInfo kMissingToken{CORAL("MissingAuthenticationTokenException"), 400,
                                           false};
  static const ErrorWireInfo kIncompleteSignature{CORAL("IncompleteSignatureException"), 400,
                                                  false};
  static const ErrorWireInfo kUnrecognizedClient{CORAL("UnrecognizedClientException"), 400, false};
  static const ErrorWireInfo kInvalidSignature{CORAL("InvalidSignatureException"), 400, false};
  static const ErrorWireInfo kEntityTooLarge{CORAL("RequestEntityTooLargeException"), 413, false};
  static const ErrorWireInfo kNotFound{DYN("ResourceNotFoundException"), 400, false};
  static const ErrorWireInfo kInUse{DYN("ResourceInUseException"), 400, false};
  static const ErrorWireInfo kCcf{DYN("ConditionalCheckFailedException"), 400, false};
  static const ErrorWireInfo kCanceled{DYN("TransactionCanceledException"), 400, true};
  static const ErrorWireInfo kConflict{DYN("TransactionConflictException"), 400, false};
  static const ErrorWireInfo kInProgress{DYN("TransactionInProgressException"), 400, true};
  static const ErrorWireInfo kMismatch{DYN("IdempotentParameterMismatchException"), 400, true};
  static const ErrorWireInfo kLimit{DYN("LimitExceededException"), 400, false};
  static const ErrorWireInfo kThroughput{DYN("ProvisionedThroughputExceededException"), 400, false};
  static const ErrorWireInfo kCollection{DYN("ItemCollectionSizeLimitExceededException"), 400,
                                         false};
  static const ErrorWireInfo kRequestLimit{DYN("RequestLimitExceeded"), 400, false};
  static const ErrorWireInfo kInternal{DYN("InternalServerError"), 500, false};
  static const ErrorWireInfo kUnavailable{DYN("ServiceUnavailable"), 503, false};
  static const ErrorWireInfo kExpiredIterator{DYN("ExpiredIteratorException"), 400, false};
  static const ErrorWireInfo kTrimmed{DYN("TrimmedDataAccessException"), 400, false};
#undef CORAL
#undef DYN
  switch (code) {
    case ErrorCode::kValidation:
      return kValidation;
    case ErrorCode::kSerialization:
      return kSerialization;
    case ErrorCode::kUnknownOperation:
      return kUnknownOperation;
    case ErrorCode::kMissingAuthenticationToken:
      return kMissingToken;
    case ErrorCode::kIncompleteSignature:
      return kIncompleteSignature;
    case ErrorCode::kUnrecognizedClient:
      return kUnrecognizedClient;
    case ErrorCode::kInvalidSignature:
      return kInvalidSignature;
    case ErrorCode::kRequestEntityTooLarge:
      return kEntityTooLarge;
    case ErrorCode::kResourceNotFound:
      return kNotFound;
    case ErrorCode::kResourceInUse:
      return kInUse;
    case ErrorCode::kConditionalCheckFailed:
      return kCcf;
    case ErrorCode::kTransactionCanceled:
      return kCanceled;
    case ErrorCode::kTransactionConflict:
      return kConflict;
    case ErrorCode::kTransactionInProgress:
      return kInProgress;
    case ErrorCode::kIdempotentParameterMismatch:
      return kMismatch;
    case ErrorCode::kExpiredIterator:
      return kExpiredIterator;
    case ErrorCode::kTrimmedDataAccess:
      return kTrimmed;
    case ErrorCode::kLimitExceeded:
      return kLimit;
    case ErrorCode::kProvisionedThroughputExceeded:
      return kThroughput;
    case ErrorCode::kItemCollectionSizeLimitExceeded:
      return kCollection;
    case ErrorCode::kRequestLimitExceeded:
      return kRequestLimit;
    case ErrorCode::kInternalServerError:
      return kInternal;
    case ErrorCode::kServiceUnavailable:
      return kUnavailable;
  }
  return kInternal;
}

}  // namespace dynamo::core
