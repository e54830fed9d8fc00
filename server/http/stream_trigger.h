// A local stream trigger: delivers each table's stream records to an HTTP
// endpoint as AWS Lambda's DynamoDB event source hands them to a function,
// so a Lambda handler can run locally behind a small HTTP wrapper
// (examples/stream-handler/).
//
// Each delivery is a POST of {"Records": [...]} (Content-Type
// application/json), the records in Lambda's event format, at most
// batch_size of them, all from one shard, in sequence order. A 2xx answer
// acknowledges the batch; anything else (or no answer within the timeout)
// is retried, the same batch again, with back-off doubling from 100 ms to
// 5 s, and the shard waits meanwhile: records are handed over in order per
// shard and at least once (exactly once while the handler acknowledges
// what it processed). A child shard is delivered after its parent is done.
//
// Where delivery starts: records written after the trigger started, in
// every namespace, for the tables it names (or all). Positions are kept in
// memory (also while a namespace is closed for being idle): after a
// restart, delivery starts afresh from then. A handler's partial-failure
// answer (batchItemFailures) is not read: any 2xx acknowledges the batch.
//
// One background thread polls the open namespaces' streams through the
// read pool (an in-memory database takes the writer's turn for each read,
// briefly, as a request's read does).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/error.h"

namespace dynamo::storage {
class Storage;
}

namespace dynamo::server {

class Api;

struct StreamHandler {
  std::string table;  // empty: every table
  std::string url;    // http://host[:port]/path
};

struct StreamTriggerOptions {
  std::vector<StreamHandler> handlers;
  size_t batch_size = 100;  // Lambda's default BatchSize
  int poll_ms = 50;         // idle wait between polls
  int timeout_ms = 10000;   // one delivery, connect to answer
};

class StreamTrigger {
 public:
  // Checks the URLs (http:// only) and starts the delivery thread.
  static core::Result<std::unique_ptr<StreamTrigger>> Start(storage::Storage* storage, Api* api,
                                                            StreamTriggerOptions options);
  ~StreamTrigger();  // stops the thread; a delivery in progress is abandoned

  struct Impl;

 private:
  explicit StreamTrigger(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "http://host:port/path" -> its parts; an error for anything else.
struct HttpUrl {
  std::string host;
  std::string port = "80";
  std::string target = "/";
};
core::Result<HttpUrl> ParseHttpUrl(const std::string& url);

}  // namespace dynamo::server
