// The types of <dynamo/emulator.h>'s requests and answers, and of a fault
// injection rule: part of the public API. Standard-library types only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dynamo/result.h"

namespace dynamo::server {

// Who is asking: from the SigV4 Authorization header's credential scope. The
// access key and region select the namespace (a separate database per pair,
// unless shared_db).
struct RequestContext {
  std::string access_key = "local";
  std::string region = "us-east-1";
  // Set by the HTTP layer when the Authorization header is missing or
  // malformed; reported after the body and target checks, as DynamoDB does.
  std::optional<core::Error> auth_error;
};

// An answer: the HTTP status DynamoDB would send (200, or an error's 400,
// 413, 500 or 503) and the JSON body, as it would go on the wire.
struct ApiResponse {
  int status = 200;
  std::string body;
};

// A fault injection rule (--fault, POST /_emu/faults).
struct FaultRule {
  // ProvisionedThroughputExceededException, ThrottlingException,
  // RequestLimitExceeded, InternalServerError, ServiceUnavailable or
  // TransactionConflictException; empty: latency only.
  std::string error;
  double probability = 1;               // of firing, per matching request
  std::optional<int64_t> count;         // fires this many times, then is spent
  std::vector<std::string> operations;  // empty: every operation
  std::vector<std::string> tables;      // empty: every table (and none)
  double latency_ms = 0;                // added when the rule fires
  double latency_max_ms = 0;            // > latency_ms: uniform in between
};

}  // namespace dynamo::server
