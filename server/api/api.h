// The DynamoDB API, independent of HTTP: (operation, JSON body) -> (status, JSON body).
//
// Api::Dispatch is what the HTTP layer calls for each request, and what
// in-process users (tests, embedders) call directly. It never throws: bad
// input becomes DynamoDB's error response, and a bug becomes a 500
// InternalServerError that is logged.
//
// Thread-safe: any number of threads may call Dispatch concurrently.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "expr/expression_cache.h"
#include "storage/storage.h"

namespace dynamo::server {

struct Namespace;
class IdempotencyTokens;

// Who is asking: from the SigV4 Authorization header's credential scope.
struct RequestContext {
  std::string access_key = "local";
  std::string region = "us-east-1";
  // Set by the HTTP layer when the Authorization header is missing or
  // malformed; reported after the body and target checks, as DynamoDB does.
  std::optional<core::Error> auth_error;
};

struct ApiResponse {
  int status = 200;
  std::string body;
};

struct ApiOptions {
  bool shared_db = false;  // one namespace for every access key and region
  std::string account_id = "000000000000";
  std::string endpoint_address = "localhost:8000";  // for DescribeEndpoints
  // Holds every TransactWriteItems in flight (its item locks taken) for this
  // long before it commits, so that tests can reproduce conflicts. 0: off.
  int transaction_hold_ms = 0;
  // Seconds since the epoch; replaceable so tests can control time.
  std::function<double()> clock;
};

class Api {
 public:
  Api(storage::Storage* storage, ApiOptions options);
  ~Api();

  ApiResponse Dispatch(const RequestContext& ctx, std::string_view operation,
                       std::string_view body);

  // The response for an error, as every DynamoDB error is rendered.
  static ApiResponse ErrorResponse(const core::Error& error);

  double Now() const;
  expr::ExpressionCache& expressions() { return expressions_; }
  // Call before the first Dispatch (not synchronised).
  void SetEndpointAddress(std::string address) { options_.endpoint_address = std::move(address); }
  const ApiOptions& options() const { return options_; }

 private:
  core::Result<Namespace> NamespaceFor(const RequestContext& ctx);

  storage::Storage* storage_;
  ApiOptions options_;
  expr::ExpressionCache expressions_;
  // Idempotency tokens by namespace; they outlive the namespace's database
  // being closed. Empty, unused stores are dropped as the map grows.
  std::mutex tokens_mu_;
  std::map<std::string, std::shared_ptr<IdempotencyTokens>> tokens_;
  size_t prune_tokens_at_ = 64;
};

}  // namespace dynamo::server
