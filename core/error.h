// The one error type of dynamo-emu: Error, Result<T> and Status are in the
// public include/dynamo/result.h; here, how the server maps an ErrorCode to
// the wire (__type, HTTP status, message key casing) through a single table
// (ErrorWireInfo), and the propagation macros. No exception crosses a module
// header.
#pragma once

#include <string_view>

#include "dynamo/result.h"

namespace dynamo::core {

// How an error code appears on the wire.
struct ErrorWireInfo {
  std::string_view type;  // full __type, e.g. "com.amazon.coral.validate#ValidationException"
  std::string_view name;  // short name, e.g. "ValidationException"
  int http_status;        // 400, 413, 500 or 503
  bool capital_message;   // "Message" instead of "message"
};

const ErrorWireInfo& WireInfo(ErrorCode code);

inline Error ValidationError(std::string message) {
  return Error{ErrorCode::kValidation, std::move(message)};
}

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
