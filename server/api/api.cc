#include "server/api/api.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <unordered_map>

#include "core/error_details.h"
#include "server/api/fields.h"
#include "server/api/json.h"
#include "server/api/json_parse.h"
#include "server/api/operations.h"
#include "server/api/transact.h"
#include "server/api/values_json.h"
#include "server/log.h"

namespace dynamo::server {

using core::Error;
using core::ErrorCode;
using core::Result;

namespace {

// The operations of DynamoDB's API that the emulator does not implement
// (backups, global tables, imports and exports, resource policies, Kinesis
// destinations, bulk operations, vector search).
constexpr std::string_view kUnimplemented[] = {
    "CancelBulkOperation",
    "CreateBackup",
    "CreateGlobalTable",
    "DeleteBackup",
    "DeleteResourcePolicy",
    "DescribeBackup",
    "DescribeBulkOperation",
    "DescribeExport",
    "DescribeGlobalTable",
    "DescribeGlobalTableSettings",
    "DescribeImport",
    "DescribeTableReplicaAutoScaling",
    "DisableKinesisStreamingDestination",
    "EnableKinesisStreamingDestination",
    "ExportTableToPointInTime",
    "GetResourcePolicy",
    "ImportTable",
    "ListBackups",
    "ListBulkOperations",
    "ListExports",
    "ListGlobalTables",
    "ListImports",
    "PutResourcePolicy",
    "RestoreTableFromBackup",
    "RestoreTableToPointInTime",
    "SearchVectors",
    "StartBulkPutItems",
    "UpdateGlobalTable",
    "UpdateGlobalTableSettings",
    "UpdateKinesisStreamingDestination",
    "UpdateTableReplicaAutoScaling",
};

// UnknownOperationException: bare for a name DynamoDB does not know (as
// DynamoDB answers it), naming the operation for one of its API that the
// emulator lacks, so that a user sees which call it is.
Error UnknownOperation(std::string_view operation) {
  const bool in_api = std::find(std::begin(kUnimplemented), std::end(kUnimplemented), operation) !=
                      std::end(kUnimplemented);
  if (!in_api) return Error{ErrorCode::kUnknownOperation, ""};
  return Error{ErrorCode::kUnknownOperation,
               "An unknown operation was requested: " + std::string(operation) +
                   " is not implemented by dynamo-emu"};
}

const std::unordered_map<std::string_view, Handler>& Handlers() {
  static const std::unordered_map<std::string_view, Handler> kHandlers = {
      {"DynamoDBStreams.ListStreams", &ListStreams},
      {"DynamoDBStreams.DescribeStream", &DescribeStream},
      {"DynamoDBStreams.GetShardIterator", &GetShardIterator},
      {"DynamoDBStreams.GetRecords", &GetRecords},
      {"CreateTable", &CreateTable},
      {"DescribeTable", &DescribeTable},
      {"ListTables", &ListTables},
      {"DeleteTable", &DeleteTable},
      {"UpdateTable", &UpdateTable},
      {"DescribeEndpoints", &DescribeEndpoints},
      {"DescribeLimits", &DescribeLimits},
      {"ExecuteStatement", &ExecuteStatement},
      {"BatchExecuteStatement", &BatchExecuteStatement},
      {"ExecuteTransaction", &ExecuteTransaction},
      {"TagResource", &TagResource},
      {"UntagResource", &UntagResource},
      {"ListTagsOfResource", &ListTagsOfResource},
      {"DescribeContinuousBackups", &DescribeContinuousBackups},
      {"UpdateContinuousBackups", &UpdateContinuousBackups},
      {"DescribeContributorInsights", &DescribeContributorInsights},
      {"UpdateContributorInsights", &UpdateContributorInsights},
      {"ListContributorInsights", &ListContributorInsights},
      {"DescribeKinesisStreamingDestination", &DescribeKinesisStreamingDestination},
      {"UpdateTimeToLive", &UpdateTimeToLive},
      {"DescribeTimeToLive", &DescribeTimeToLive},
      {"GetItem", &GetItem},
      {"PutItem", &PutItem},
      {"DeleteItem", &DeleteItem},
      {"UpdateItem", &UpdateItem},
      {"Query", &Query},
      {"Scan", &Scan},
      {"BatchGetItem", &BatchGetItem},
      {"BatchWriteItem", &BatchWriteItem},
      {"TransactWriteItems", &TransactWriteItems},
      {"TransactGetItems", &TransactGetItems},
  };
  return kHandlers;
}

}  // namespace

Api::Api(storage::Storage* storage, ApiOptions options)
    : storage_(storage), options_(std::move(options)), conflicts_(options_.conflict_feed_size) {}

Api::~Api() = default;

double Api::Now() const {
  if (options_.clock) return options_.clock();
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count()) /
         1000.0;
}

std::string Api::NamespaceName(std::string_view access_key, std::string_view region) const {
  // DynamoDB Local's file naming: <accessKey>_<region>, or shared-local-instance.
  if (options_.shared_db) return "shared-local-instance";
  return std::string(access_key) + "_" + std::string(region);
}

Result<Namespace> Api::NamespaceFor(const RequestContext& ctx, bool create) {
  std::string name = NamespaceName(ctx.access_key, ctx.region);
  Namespace ns;
  DYNAMO_ASSIGN_OR_RETURN(ns.db,
                          create ? storage_->Namespace(name) : storage_->ExistingNamespace(name));
  if (!ns.db) return ns;
  std::lock_guard lock(tokens_mu_);
  if (tokens_.size() >= prune_tokens_at_) {
    for (auto it = tokens_.begin(); it != tokens_.end();) {
      it = it->second.use_count() == 1 && it->second->size() == 0 ? tokens_.erase(it) : ++it;
    }
    prune_tokens_at_ = std::max<size_t>(64, 2 * tokens_.size());
  }
  auto& tokens = tokens_[name];
  if (!tokens) tokens = std::make_shared<IdempotencyTokens>();
  ns.tokens = tokens;
  return ns;
}

ApiResponse Api::ErrorResponse(const Error& error) {
  const core::ErrorWireInfo& info = core::WireInfo(error.code);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("__type");
  w.String(info.type.data(), static_cast<rapidjson::SizeType>(info.type.size()));
  // Some errors (bad JSON, unknown operation) carry no message at all.
  if (!error.message.empty()) {
    w.Key(info.capital_message ? "Message" : "message");
    w.String(error.message);
  }
  if (error.details) {
    if (error.details->item) {
      w.Key("Item");
      WriteAttributeMap(*error.details->item, w);
    }
    if (!error.details->cancellation_reasons.empty()) {
      w.Key("CancellationReasons");
      w.StartArray();
      for (const auto& r : error.details->cancellation_reasons) {
        w.StartObject();
        if (r.item) {
          w.Key("Item");
          WriteAttributeMap(*r.item, w);
        }
        w.Key("Code");
        w.String(r.code);
        if (r.message) {
          w.Key("Message");
          w.String(*r.message);
        }
        w.EndObject();
      }
      w.EndArray();
    }
  }
  w.EndObject();
  return ApiResponse{info.http_status, std::string(buf.GetString(), buf.GetSize())};
}

ApiResponse Api::Dispatch(const RequestContext& ctx, std::string_view operation,
                          std::string_view body) {
  double delay_ms = 0;
  ApiResponse response = Dispatch(ctx, operation, body, &delay_ms);
  if (delay_ms > 0) {
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(delay_ms));
  }
  return response;
}

ApiResponse Api::Dispatch(const RequestContext& ctx, std::string_view operation,
                          std::string_view body, double* delay_ms) {
  return Dispatch(ctx, operation, body, delay_ms, nullptr);
}

ApiResponse Api::Dispatch(const RequestContext& ctx, std::string_view operation,
                          std::string_view body, double* delay_ms, PendingCommit* commit) {
  *delay_ms = 0;
  if (!options_.request_log || !RequestLogEnabled()) {
    return Serve(ctx, operation, body, nullptr, delay_ms, commit);
  }
  const auto start = std::chrono::steady_clock::now();
  std::string table;
  ApiResponse response = Serve(ctx, operation, body, &table, delay_ms, commit);
  RequestLogEntry entry;
  entry.operation = operation;
  entry.table = table;
  entry.status = response.status;
  if (response.status != 200) {
    // {"__type":"<namespace>#<Name>", ...}
    const std::string_view b = response.body;
    const size_t hash = b.find('#');
    if (hash != std::string_view::npos && hash < 80) {
      entry.error_type = b.substr(hash + 1, b.find('"', hash) - hash - 1);
    }
  }
  entry.latency_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() +
      *delay_ms;
  const std::string ns = NamespaceName(ctx.access_key, ctx.region);
  entry.ns = ns;
  LogRequest(entry);
  return response;
}

namespace {

// The tables a request names: TableName, the tables of RequestItems (batch
// operations) and of TransactItems (transactions), by name or ARN. (A
// PartiQL statement's table is not looked for.)
std::vector<std::string> RequestTables(const JsonValue& req) {
  std::vector<std::string> out;
  auto add = [&](const JsonValue& v) {
    if (!v.IsString()) return;
    std::string_view name(v.GetString(), v.GetStringLength());
    // A table ARN (accepted wherever a TableName is): its name.
    constexpr std::string_view kTable = ":table/";
    if (name.substr(0, 4) == "arn:" && name.find(kTable) != std::string_view::npos) {
      name = name.substr(name.find(kTable) + kTable.size());
      name = name.substr(0, name.find('/'));
    }
    out.emplace_back(name);
  };
  if (const JsonValue* name = Member(req, "TableName")) add(*name);
  if (const JsonValue* items = Member(req, "RequestItems"); items && items->IsObject()) {
    for (const auto& m : items->GetObject()) add(m.name);
  }
  if (const JsonValue* items = Member(req, "TransactItems"); items && items->IsArray()) {
    for (const JsonValue& item : items->GetArray()) {
      if (!item.IsObject()) continue;
      for (const auto& action : item.GetObject()) {
        if (!action.value.IsObject()) continue;
        if (const JsonValue* name = Member(action.value, "TableName")) add(*name);
      }
    }
  }
  return out;
}

}  // namespace

FaultDecision Api::InjectFault(const RequestContext& ctx, std::string_view operation,
                               const JsonValue& request) {
  FaultDecision decision = faults_.Decide(
      operation, [&] { return RequestTables(request); },
      [&](std::string_view table) {
        return "arn:aws:dynamodb:" + ctx.region + ":" + options_.account_id + ":table/" +
               std::string(table);
      });
  // A transaction meets a conflict as DynamoDB reports it to transactions:
  // cancelled, with the reason at its first item.
  const JsonValue* items = Member(request, "TransactItems");
  if (!items) items = Member(request, "TransactStatements");
  if (decision.error == "TransactionConflictException" && items && items->IsArray() &&
      !items->Empty() &&
      (operation == "TransactWriteItems" || operation == "TransactGetItems" ||
       operation == "ExecuteTransaction")) {
    std::vector<core::CancellationReason> reasons(items->Size(), NoneReason());
    reasons.front() = ConflictReason();
    ApiResponse cancelled = ErrorResponse(TransactionCancelled(std::move(reasons)));
    decision.status = cancelled.status;
    decision.body = std::move(cancelled.body);
  }
  return decision;
}

std::optional<ApiResponse> PendingCommit::Wait() {
  if (!db || group == 0) return std::nullopt;
  core::Status committed = db->AwaitCommit(group);
  db.reset();
  group = 0;
  if (committed.ok()) return std::nullopt;
  Log(LogLevel::kError, "commit: " + committed.error().message);
  return Api::ErrorResponse(Error{ErrorCode::kInternalServerError, "Internal server error"});
}

ApiResponse Api::Serve(const RequestContext& ctx, std::string_view operation, std::string_view body,
                       std::string* table, double* delay_ms, PendingCommit* commit) {
  try {
    // Invalid UTF-8 is a deserialisation error, never echoed back in a
    // message; so is nesting past kMaxJsonNesting.
    JsonDocument doc;
    size_t deepest = 0;
    if (!ParseRequestBody(body, kMaxJsonNesting, &doc, &deepest) || !doc.IsObject()) {
      return ErrorResponse(Error{ErrorCode::kSerialization, ""});
    }
    if (table) {
      if (const JsonValue* name = Member(doc, "TableName"); name && name->IsString()) {
        table->assign(name->GetString(), name->GetStringLength());
      }
    }
    const auto& handlers = Handlers();
    auto it = handlers.find(operation);
    if (it == handlers.end()) return ErrorResponse(UnknownOperation(operation));
    if (ctx.auth_error) return ErrorResponse(*ctx.auth_error);
    if (faults_.active()) {
      FaultDecision fault = InjectFault(ctx, operation, doc);
      *delay_ms = fault.delay_ms;
      if (fault.status != 0) return ApiResponse{fault.status, std::move(fault.body)};
    }
    // A health check's ListTables on a fresh server creates no store.
    auto ns = NamespaceFor(ctx, it->second != &ListTables);
    if (!ns.ok()) {
      Log(LogLevel::kError, "namespace: " + ns.error().message);
      return ErrorResponse(Error{ErrorCode::kInternalServerError, "Internal server error"});
    }
    uint64_t group = 0;
    OpContext op{this, &*ns, &ctx, deepest, commit ? &group : nullptr};
    Result<std::string> result = it->second(op, doc);
    // Whatever the outcome: a refusal may have seen the group's writes.
    if (group != 0) *commit = PendingCommit{ns->db, group};
    if (!result.ok()) {
      if (IsConflictError(result.error().code) && conflicts_.capacity() > 0) {
        ConflictEvent event = ConflictEventFor(operation, doc, result.error(), *ns->db);
        event.time = Now();
        event.ns = NamespaceName(ctx.access_key, ctx.region);
        conflicts_.Record(std::move(event));
      }
      if (result.error().code == ErrorCode::kInternalServerError) {
        Log(LogLevel::kError, std::string(operation) + ": " + result.error().message);
        return ErrorResponse(Error{ErrorCode::kInternalServerError, "Internal server error"});
      }
      return ErrorResponse(result.error());
    }
    return ApiResponse{200, std::move(result).value()};
  } catch (const std::exception& e) {
    Log(LogLevel::kError, std::string(operation) + ": unexpected exception: " + e.what());
  } catch (...) {
    Log(LogLevel::kError, std::string(operation) + ": unexpected exception");
  }
  return ErrorResponse(Error{ErrorCode::kInternalServerError, "Internal server error"});
}

}  // namespace dynamo::server
