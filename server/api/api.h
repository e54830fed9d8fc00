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
#include <vector>

#include "core/error.h"
#include "dynamo/api_types.h"  // RequestContext, ApiResponse
#include "expr/expression_cache.h"
#include "server/api/clock.h"
#include "server/api/conflict_feed.h"
#include "server/api/faults.h"
#include "storage/storage.h"

namespace dynamo::server {

struct Namespace;
class IdempotencyTokens;

// The commit an answer waits for (group commit, storage/write_path.h): the
// write group its request's writes joined. Empty when there is none.
struct PendingCommit {
  std::shared_ptr<storage::Database> db;
  uint64_t group = 0;
  explicit operator bool() const { return group != 0; }
  // Commits the group if it is still open. Once it committed: nullopt, the
  // answer stands. When it was rolled back: the answer to send instead
  // (InternalServerError; the storage error is logged).
  std::optional<ApiResponse> Wait();
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
  // The clock that POST /_emu/clock moves forward (the emulator's, which
  // `clock` reads); null: time cannot be moved.
  Clock* adjustable_clock = nullptr;
  // A line per request at --log-level info (server/log.h): the server's
  // request log. Off for the in-process API.
  bool request_log = false;
  // How many recent lock outcomes the conflict feed keeps (conflict_feed.h,
  // GET /_emu/conflicts); 0: none are recorded.
  size_t conflict_feed_size = 256;
};

class Api {
 public:
  Api(storage::Storage* storage, ApiOptions options);
  ~Api();

  ApiResponse Dispatch(const RequestContext& ctx, std::string_view operation,
                       std::string_view body);
  // The same, but a latency that fault injection adds is left to the caller
  // (the HTTP server waits it out on a timer, without holding a thread):
  // *delay_ms is set to it (0: none). The plain Dispatch sleeps it.
  ApiResponse Dispatch(const RequestContext& ctx, std::string_view operation, std::string_view body,
                       double* delay_ms);
  // The same with group commit: a write is left in its write group, and
  // *commit says which; the caller sends the answer only after
  // commit->Wait() (an empty *commit: at once). Many requests' writes then
  // share one SQLite commit.
  ApiResponse Dispatch(const RequestContext& ctx, std::string_view operation, std::string_view body,
                       double* delay_ms, PendingCommit* commit);

  // The response for an error, as every DynamoDB error is rendered.
  static ApiResponse ErrorResponse(const core::Error& error);

  double Now() const;
  expr::ExpressionCache& expressions() { return expressions_; }
  // Call before the first Dispatch (not synchronised).
  void SetEndpointAddress(std::string address) { options_.endpoint_address = std::move(address); }
  const ApiOptions& options() const { return options_; }

  // Background upkeep of every open namespace, which the emulator runs on a
  // timer and the control API on demand: deleting expired TTL items (returns
  // how many), and stream upkeep (trimming past the retention, shard
  // rollover by age).
  // max_batches_per_table: see storage::SweepExpiredItems (0: no limit).
  core::Result<size_t> SweepExpiredItems(size_t max_batches_per_table = 0);
  core::Status MaintainStreams();

  // The control API: JSON requests under /_emu/ (control.cc documents them).
  // target: the path, with its query if it has one.
  ApiResponse Control(std::string_view method, std::string_view target, std::string_view body);

  // Fault and latency injection (faults.h): --fault, /_emu/faults.
  FaultInjector& faults() { return faults_; }
  // Recent TransactionConflict, TransactionCanceled and
  // ConditionalCheckFailed outcomes (conflict_feed.h).
  const ConflictFeed& conflicts() const { return conflicts_; }

 private:
  // The databases a control request about a table means: the namespace of
  // these credentials, or every open namespace that has the table.
  core::Result<std::vector<std::shared_ptr<storage::Database>>> TableNamespaces(
      std::string_view table, std::optional<std::string_view> access_key,
      std::optional<std::string_view> region);
  // The name of a namespace, as requests with these credentials use it.
  std::string NamespaceName(std::string_view access_key, std::string_view region) const;
  // Dispatch without the request log; *table: the TableName asked for;
  // *delay_ms: the latency fault injection adds.
  // commit: as Dispatch's (null: writes commit before Serve returns).
  ApiResponse Serve(const RequestContext& ctx, std::string_view operation, std::string_view body,
                    std::string* table, double* delay_ms, PendingCommit* commit);
  // Fault injection's decision for a parsed request (faults_ active).
  FaultDecision InjectFault(const RequestContext& ctx, std::string_view operation,
                            const JsonValue& request);
  // control_state.cc: the control endpoints about namespaces (reset,
  // snapshots, transactions and locks) and faults; nullopt: not one of them.
  std::optional<ApiResponse> StateControl(std::string_view method, std::string_view path,
                                          std::string_view query, const JsonValue& body);
  // The access key and region whose requests use namespace ns.
  RequestContext NamespaceCredentials(const std::string& ns) const;
  friend class StateEndpoints;  // control_state.cc
  // Forgets a namespace's idempotency tokens (after a reset or restore).
  void ForgetTokens(const std::string& ns);
  // The request's namespace, created at its first request. With create
  // false (ListTables), a namespace that does not exist yet stays so: its
  // db is null.
  core::Result<Namespace> NamespaceFor(const RequestContext& ctx, bool create = true);

  storage::Storage* storage_;
  ApiOptions options_;
  expr::ExpressionCache expressions_;
  // Idempotency tokens by namespace; they outlive the namespace's database
  // being closed. Empty, unused stores are dropped as the map grows.
  std::mutex tokens_mu_;
  std::map<std::string, std::shared_ptr<IdempotencyTokens>> tokens_;
  size_t prune_tokens_at_ = 64;
  FaultInjector faults_;
  ConflictFeed conflicts_;
  // Snapshots by name (POST /_emu/snapshots).
  struct NamedSnapshot {
    std::shared_ptr<const storage::Snapshot> snapshot;
    std::string ns;  // the namespace it was taken of
    double taken_at = 0;
  };
  std::mutex snapshots_mu_;
  std::map<std::string, NamedSnapshot, std::less<>> snapshots_;
};

}  // namespace dynamo::server
