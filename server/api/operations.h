// The operation handlers. Private to server/api: each takes the parsed
// request object and returns the response body, or an Error.
#pragma once

#include <string>

#include "server/api/api.h"
#include "server/api/idempotency.h"
#include "server/api/json.h"
#include "storage/database.h"

namespace dynamo::server {

// One namespace (access key and region, or the shared one) for the duration
// of a request: its store and the idempotency tokens of its transactions.
// Holding these keeps the namespace open (storage/storage.h).
struct Namespace {
  std::shared_ptr<storage::Database> db;
  std::shared_ptr<IdempotencyTokens> tokens;
};

struct OpContext {
  Api* api;
  Namespace* ns;
  const RequestContext* request;
  // The deepest JSON level of the request body (the body itself is level 1).
  size_t body_depth = 0;
  // Set when the caller waits for the write group's commit before it sends
  // the answer (the HTTP server: group commit): where the request's writes
  // put the group to wait for (storage::ApplyOptions::deferred_commit).
  uint64_t* deferred_commit = nullptr;
  // The options of the request's writes; owner: the transaction's item locks.
  storage::ApplyOptions ApplyOptions(uint64_t owner = 0) const {
    storage::ApplyOptions options;
    options.lock_owner = owner;
    options.deferred_commit = deferred_commit;
    return options;
  }
  // Past 128 levels (about 62 maps around a value in a member of the body)
  // DynamoDB reads a single-item write in its older form (recorded 2026).
  bool read_in_older_form() const { return body_depth > 128; }
  std::string TableArn(const std::string& table) const {
    return "arn:aws:dynamodb:" + request->region + ":" + api->options().account_id + ":table/" +
           table;
  }
};

using Handler = core::Result<std::string> (*)(OpContext&, const JsonValue&);

// streams.cc (X-Amz-Target DynamoDBStreams_20120810.*)
core::Result<std::string> ListStreams(OpContext& ctx, const JsonValue& req);
core::Result<std::string> DescribeStream(OpContext& ctx, const JsonValue& req);
core::Result<std::string> GetShardIterator(OpContext& ctx, const JsonValue& req);
core::Result<std::string> GetRecords(OpContext& ctx, const JsonValue& req);

// tables.cc
core::Result<std::string> CreateTable(OpContext& ctx, const JsonValue& req);
core::Result<std::string> DescribeTable(OpContext& ctx, const JsonValue& req);
core::Result<std::string> ListTables(OpContext& ctx, const JsonValue& req);
core::Result<std::string> DeleteTable(OpContext& ctx, const JsonValue& req);
core::Result<std::string> UpdateTable(OpContext& ctx, const JsonValue& req);
core::Result<std::string> DescribeEndpoints(OpContext& ctx, const JsonValue& req);
core::Result<std::string> DescribeLimits(OpContext& ctx, const JsonValue& req);

// partiql.cc, partiql_batch.cc, partiql_transaction.cc
core::Result<std::string> ExecuteStatement(OpContext& ctx, const JsonValue& req);
core::Result<std::string> BatchExecuteStatement(OpContext& ctx, const JsonValue& req);
core::Result<std::string> ExecuteTransaction(OpContext& ctx, const JsonValue& req);

// tags.cc
core::Result<std::string> TagResource(OpContext& ctx, const JsonValue& req);
core::Result<std::string> UntagResource(OpContext& ctx, const JsonValue& req);
core::Result<std::string> ListTagsOfResource(OpContext& ctx, const JsonValue& req);

// table_settings.cc
core::Result<std::string> DescribeContinuousBackups(OpContext& ctx, const JsonValue& req);
core::Result<std::string> UpdateContinuousBackups(OpContext& ctx, const JsonValue& req);
core::Result<std::string> DescribeContributorInsights(OpContext& ctx, const JsonValue& req);
core::Result<std::string> UpdateContributorInsights(OpContext& ctx, const JsonValue& req);
core::Result<std::string> ListContributorInsights(OpContext& ctx, const JsonValue& req);
core::Result<std::string> DescribeKinesisStreamingDestination(OpContext& ctx, const JsonValue& req);

// ttl.cc
core::Result<std::string> UpdateTimeToLive(OpContext& ctx, const JsonValue& req);
core::Result<std::string> DescribeTimeToLive(OpContext& ctx, const JsonValue& req);

// items.cc
core::Result<std::string> GetItem(OpContext& ctx, const JsonValue& req);
core::Result<std::string> PutItem(OpContext& ctx, const JsonValue& req);
core::Result<std::string> DeleteItem(OpContext& ctx, const JsonValue& req);
core::Result<std::string> UpdateItem(OpContext& ctx, const JsonValue& req);

// query.cc
core::Result<std::string> Query(OpContext& ctx, const JsonValue& req);
core::Result<std::string> Scan(OpContext& ctx, const JsonValue& req);

// transactions.cc
core::Result<std::string> TransactWriteItems(OpContext& ctx, const JsonValue& req);
core::Result<std::string> TransactGetItems(OpContext& ctx, const JsonValue& req);

// batch.cc
core::Result<std::string> BatchGetItem(OpContext& ctx, const JsonValue& req);
core::Result<std::string> BatchWriteItem(OpContext& ctx, const JsonValue& req);

// Shared helpers (tables.cc).
// Validates a TableName member that may also be an ARN (item operations and
// DescribeTable & co.); adds constraint errors, returns the bare table name.
// path: the member's constraint path, "tableName" unless nested.
std::string ResolveTableName(std::string_view value, class ConstraintErrors& errors,
                             const std::string& path = "tableName");
// The TableName member of the control-plane operations other than
// CreateTable (a name or an ARN), required.
core::Result<std::string> RequiredTableName(const JsonValue& req);

}  // namespace dynamo::server
