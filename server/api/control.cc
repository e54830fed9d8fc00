// The control API: the emulator's own endpoints, under /_emu/ on the same
// port (a path no DynamoDB request uses), JSON in and out, for tests and
// scripts (curl works). Errors are {"error": "..."} with status 400, 404,
// 405 or 500. With --auth-credentials, requests are signed like any other.
//
//   GET  /_emu/clock            {"Now": <epoch seconds>, "OffsetSeconds": n}
//   POST /_emu/clock            {"AdvanceSeconds": n}: moves the emulator's
//                               clock forward (shard iterators expire, stream
//                               records are trimmed, TTL items expire)
//   POST /_emu/ttl/sweep        deletes expired TTL items now, in every open
//                               namespace: {"DeletedItems": n}
//   POST /_emu/streams/maintain stream upkeep now: trims records past the
//                               24-hour retention, rolls shards past their age
//   POST /_emu/streams/rollover {"TableName": t}: closes the open shard of
//                               t's stream and opens its child, now:
//                               {"RolledOver": n} (shards rolled; an empty
//                               shard is not rolled)
//   POST /_emu/streams/rollover-policy
//                               {"TableName": t, "RecordsPerShard": n,
//                               "ShardSeconds": s}: t's stream rolls its shard
//                               over after n records or s seconds (0: never);
//                               {"TableName": t, "UseDefault": true}: back to
//                               the --stream-shard-* flags
//
// A table is looked up in the namespace of "AccessKeyId" and "Region" when
// the body names both, else in every open namespace that has it.
//
// control_state.cc has the endpoints about state: health, namespaces,
// reset, snapshots, transactions and locks, fault injection.
#include <algorithm>
#include <iterator>

#include "server/api/api.h"
#include "server/api/control_reply.h"
#include "server/api/json.h"
#include "server/api/json_parse.h"
#include "server/log.h"
#include "storage/ttl.h"

namespace dynamo::server {

using core::Result;
using core::Status;

namespace {

// A member that must be a number in [0, 1e9] when present.
Result<std::optional<double>> NumberMember(const JsonValue& body, const char* name) {
  auto it = body.FindMember(name);
  if (it == body.MemberEnd()) return std::optional<double>();
  if (!it->value.IsNumber() || !(it->value.GetDouble() >= 0 && it->value.GetDouble() <= 1e9)) {
    return core::ValidationError(std::string(name) + " must be a number from 0 to 1000000000");
  }
  return std::optional<double>(it->value.GetDouble());
}

}  // namespace

// Both go on past a namespace that fails (its error is logged), so that
// one broken database does not stop the others' upkeep.
Result<size_t> Api::SweepExpiredItems(size_t max_batches_per_table) {
  size_t deleted = 0;
  const double now = Now();
  std::optional<core::Error> failed;
  for (const auto& [name, db] : storage_->OpenDatabases()) {
    auto swept = storage::SweepExpiredItems(*db, now, 100, max_batches_per_table);
    if (swept.ok()) {
      deleted += *swept;
      continue;
    }
    Log(LogLevel::kError, "TTL sweep of " + name + ": " + swept.error().message);
    if (!failed) failed = swept.error();
  }
  if (failed) return *failed;
  return deleted;
}

Status Api::MaintainStreams() {
  const double now = Now();
  std::optional<core::Error> failed;
  for (const auto& [name, db] : storage_->OpenDatabases()) {
    Status kept = db->MaintainStreams(now);
    if (kept.ok()) continue;
    Log(LogLevel::kError, "stream upkeep of " + name + ": " + kept.error().message);
    if (!failed) failed = kept.error();
  }
  if (failed) return *failed;
  return Status::Ok();
}

namespace {

// POST /_emu/streams/rollover and /_emu/streams/rollover-policy on the
// table's databases.
ApiResponse StreamRollover(std::string_view path, const JsonValue& doc, std::string_view table,
                           const std::vector<std::shared_ptr<storage::Database>>& dbs) {
  if (path == "/_emu/streams/rollover") {
    size_t rolled = 0;
    for (const auto& db : dbs) {
      auto done = db->RollOverShard(table);
      if (!done.ok()) return ControlFail(500, done.error().message);
      rolled += *done ? 1 : 0;
    }
    return ControlReply(200, [&](JsonWriter& w) {
      w.Key("RolledOver");
      w.Uint64(rolled);
    });
  }
  std::optional<storage::ShardRollover> policy;
  auto use_default = doc.FindMember("UseDefault");
  if (use_default == doc.MemberEnd() || !use_default->value.IsTrue()) {
    auto records = NumberMember(doc, "RecordsPerShard");
    auto seconds = NumberMember(doc, "ShardSeconds");
    if (!records.ok()) return ControlFail(400, records.error().message);
    if (!seconds.ok()) return ControlFail(400, seconds.error().message);
    policy =
        storage::ShardRollover{static_cast<int64_t>(records->value_or(0)), seconds->value_or(0)};
  }
  for (const auto& db : dbs) {
    auto updated = db->UpdateTable(table, [&](const storage::TableDef& current) {
      storage::TableDef next = current;
      next.shard_rollover = policy;
      return Result<storage::TableDef>(std::move(next));
    });
    if (!updated.ok()) return ControlFail(500, updated.error().message);
  }
  return ControlReply(200, [&](JsonWriter& w) {
    w.Key("TableName");
    w.String(table.data(), static_cast<rapidjson::SizeType>(table.size()));
    w.Key("Namespaces");
    w.Uint64(dbs.size());
  });
}

}  // namespace

ApiResponse Api::Control(std::string_view method, std::string_view target, std::string_view body) {
  const size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  JsonDocument doc;
  size_t depth = 0;
  if (!body.empty() && (!ParseRequestBody(body, 16, &doc, &depth) || !doc.IsObject())) {
    return ControlFail(400, "the body must be a JSON object");
  }
  if (body.empty()) doc.SetObject();
  if (std::optional<ApiResponse> answered = StateControl(method, path, query, doc))
    return *answered;
  const bool post = method == "POST";
  auto report = [](const Status& status) {
    return status.ok() ? ControlReply(200, [](JsonWriter&) {})
                       : ControlFail(500, status.error().message);
  };
  if (path == "/_emu/clock") {
    if (!post && method != "GET") return ControlFail(405, "use GET or POST");
    if (post) {
      auto advance = NumberMember(doc, "AdvanceSeconds");
      if (!advance.ok()) return ControlFail(400, advance.error().message);
      if (!*advance) return ControlFail(400, "AdvanceSeconds is required");
      if (!options_.adjustable_clock)
        return ControlFail(400, "this emulator's clock cannot be moved");
      options_.adjustable_clock->Advance(**advance);
    }
    return ControlReply(200, [&](JsonWriter& w) {
      w.Key("Now");
      w.Double(Now());
      w.Key("OffsetSeconds");
      w.Double(options_.adjustable_clock ? options_.adjustable_clock->offset() : 0.0);
    });
  }
  static constexpr std::string_view kPostOnly[] = {"/_emu/ttl/sweep", "/_emu/streams/maintain",
                                                   "/_emu/streams/rollover",
                                                   "/_emu/streams/rollover-policy"};
  if (std::find(std::begin(kPostOnly), std::end(kPostOnly), path) == std::end(kPostOnly)) {
    return ControlFail(404, "no control endpoint " + std::string(path));
  }
  if (!post) return ControlFail(405, "use POST");
  if (path == "/_emu/ttl/sweep") {
    auto deleted = SweepExpiredItems();
    if (!deleted.ok()) return ControlFail(500, deleted.error().message);
    return ControlReply(200, [&](JsonWriter& w) {
      w.Key("DeletedItems");
      w.Uint64(*deleted);
    });
  }
  if (path == "/_emu/streams/maintain") return report(MaintainStreams());
  {
    std::optional<std::string_view> table = StringMember(doc, "TableName");
    if (!table) return ControlFail(400, "TableName is required");
    auto dbs =
        TableNamespaces(*table, StringMember(doc, "AccessKeyId"), StringMember(doc, "Region"));
    if (!dbs.ok()) return ControlFail(500, dbs.error().message);
    if (dbs->empty()) return ControlFail(404, "no table " + std::string(*table));
    return StreamRollover(path, doc, *table, *dbs);
  }
}

Result<std::vector<std::shared_ptr<storage::Database>>> Api::TableNamespaces(
    std::string_view table, std::optional<std::string_view> access_key,
    std::optional<std::string_view> region) {
  std::vector<std::shared_ptr<storage::Database>> dbs;
  if (access_key && region) {
    DYNAMO_ASSIGN_OR_RETURN(auto db,
                            storage_->ExistingNamespace(NamespaceName(*access_key, *region)));
    if (db && db->FindTable(table)) dbs.push_back(std::move(db));
    return dbs;
  }
  for (const auto& [name, db] : storage_->OpenDatabases()) {
    if (db->FindTable(table)) dbs.push_back(db);
  }
  return dbs;
}

}  // namespace dynamo::server
