// The control API's endpoints about the emulator's state (control.cc has the
// rest and the conventions: JSON in and out, {"error": ...} with 400, 404,
// 405 or 500):
//
//   GET    /_emu/health          {"Status": "healthy", "Version": v,
//                                "OpenNamespaces": n}
//   GET    /_emu/namespaces      the open namespaces and their tables, with
//                                the AccessKeyId and Region that reach each
//   GET    /_emu/tables?namespace=n
//                                the tables of namespace n (all open ones
//                                without the parameter): each table's
//                                DescribeTable TableDescription and its
//                                TimeToLive {"AttributeName"} when enabled
//   GET    /_emu/conflicts?after=s&limit=n
//                                the conflict feed (conflict_feed.h): the
//                                recorded lock outcomes after sequence number
//                                s (0: from the oldest kept), n at most
//                                (default and cap 1000): {"Events": [...],
//                                "NextAfter": s', "Missed": m, "Capacity": c}
//   POST   /_emu/reset           deletes every table of a namespace (its
//                                items, indexes and streams) in one step:
//                                {"Namespace": n, "DeletedTables": [...]};
//                                {"All": true}: of every open namespace (with
//                                files, one closed for being idle keeps its)
//   POST   /_emu/snapshots       {"Name": s}: copies a namespace, whole, to
//                                the named snapshot (kept in memory until
//                                the emulator stops, 100 at most; a name
//                                taken is replaced)
//   GET    /_emu/snapshots       the snapshots
//   DELETE /_emu/snapshots       {"Name": s}: forgets one
//   POST   /_emu/snapshots/restore
//                                {"Name": s}: puts the namespace back as the
//                                snapshot has it (into the namespace it was
//                                taken of, or the one the body names)
//   GET    /_emu/transactions    write transactions in flight: their items
//                                (held locks) and age
//   GET    /_emu/locks           the held item locks, one per item
//   GET    /_emu/faults          fault injection's rules and counts
//   POST   /_emu/faults          {"Rules": [rule...], "Seed": n}: replaces
//                                the rules ({"Append": true}: adds them);
//                                a rule is {"Error", "Probability",
//                                "Count", "Operations", "Tables",
//                                "LatencyMs", "LatencyMaxMs"} (faults.h)
//   DELETE /_emu/faults          no rules
//
// A namespace is named by "AccessKeyId" and "Region" (as requests signed
// with them use it), or by "Namespace" (the name /_emu/namespaces lists);
// with --shared-db there is one and the body need not name it. Reset and
// restore also forget the namespace's idempotency tokens; a transaction in
// flight during one commits to the data that follows it.
#include <algorithm>
#include <chrono>

#include "core/uri.h"
#include "server/api/api.h"
#include "server/api/control_reply.h"
#include "server/api/fields.h"
#include "server/api/idempotency.h"
#include "server/api/operations.h"
#include "server/api/table_description.h"
#include "server/api/values_json.h"
#include "server/version.h"
#include "storage/key_encoding.h"

namespace dynamo::server {

using core::Result;

namespace {

void WriteStrings(JsonWriter& w, const char* key, const std::vector<std::string>& list) {
  w.Key(key);
  w.StartArray();
  for (const std::string& s : list) w.String(s);
  w.EndArray();
}

double MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// An item lock's table and key, as a request would name them.
struct LockedItem {
  std::string table;
  core::Item key;
};

// Decodes lock keys with the catalog of db; keys of tables gone are skipped.
std::vector<LockedItem> DecodeLocks(storage::Database& db, const std::vector<std::string>& keys) {
  std::map<int64_t, std::shared_ptr<const storage::TableDef>> by_id;
  for (const std::string& name : db.TableNames()) {
    if (auto def = db.FindTable(name)) by_id[def->id] = std::move(def);
  }
  std::vector<LockedItem> out;
  for (const std::string& lock_key : keys) {
    auto parsed = storage::ParseItemLockKey(lock_key);
    if (!parsed) continue;
    auto def = by_id.find(parsed->first);
    if (def == by_id.end()) continue;
    const core::KeySchema& schema = def->second->key;
    LockedItem item{def->second->name, {}};
    auto hash = storage::DecodeKeyValue(schema.hash.type, parsed->second.hash);
    if (!hash.ok()) continue;
    item.key.emplace(schema.hash.name, std::move(hash).value());
    if (schema.range) {
      auto range = storage::DecodeKeyValue(schema.range->type, parsed->second.range);
      if (!range.ok()) continue;
      item.key.emplace(schema.range->name, std::move(range).value());
    }
    out.push_back(std::move(item));
  }
  return out;
}

// The holders of db's locks: one object per transaction with its Items, or
// (by_item) one per held item.
void WriteHolders(JsonWriter& w, const std::string& ns, storage::Database& db, bool by_item) {
  for (const storage::ItemLocks::Holder& h : db.locks().Holders()) {
    const double age_ms = MillisSince(h.since);
    auto head = [&] {
      w.Key("Namespace");
      w.String(ns);
      w.Key(by_item ? "TransactionId" : "Id");
      w.Uint64(h.owner);
      w.Key("Operation");
      w.String(h.label);
      w.Key("AgeMs");
      w.Double(age_ms);
    };
    if (!by_item) {
      w.StartObject();
      head();
      w.Key("Items");
      w.StartArray();
    }
    for (const LockedItem& item : DecodeLocks(db, h.keys)) {
      w.StartObject();
      if (by_item) head();
      w.Key("TableName");
      w.String(item.table);
      w.Key("Key");
      WriteAttributeMap(item.key, w);
      w.EndObject();
    }
    if (!by_item) {
      w.EndArray();
      w.EndObject();
    }
  }
}

// The value of a parameter of a URL query ("a=1&b=x%20y"), percent-decoded.
std::optional<std::string> QueryParam(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    std::string_view pair = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), pair.size() + 1));
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    // Form encoding: '+' is a space ("%2B" a plus).
    std::string raw(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    std::replace(raw.begin(), raw.end(), '+', ' ');
    return core::UriDecode(raw);
  }
  return std::nullopt;
}

// A whole-number parameter in [0, max]; the default when absent.
Result<uint64_t> NumberParam(std::string_view query, std::string_view name, uint64_t dflt,
                             uint64_t max) {
  std::optional<std::string> text = QueryParam(query, name);
  if (!text) return dflt;
  uint64_t value = 0;
  const bool digits =
      !text->empty() && text->size() <= 19 &&
      std::all_of(text->begin(), text->end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits) value = std::stoull(*text);
  if (!digits || value > max) {
    return core::ValidationError(std::string(name) + " must be a whole number from 0 to " +
                                 std::to_string(max));
  }
  return value;
}

}  // namespace

// The endpoints, with the Api's private state.
class StateEndpoints {
 public:
  // Snapshots are kept in memory: a bound on how many.
  static constexpr size_t kMaxSnapshots = 100;

  StateEndpoints(Api& api, const JsonValue& body) : api_(api), body_(body) {}

  // The most events one GET /_emu/conflicts returns.
  static constexpr uint64_t kMaxConflictPage = 1000;

  ApiResponse Health() {
    return ControlReply(200, [&](JsonWriter& w) {
      w.Key("Status");
      w.String("healthy");
      w.Key("Version");
      w.String(kDynamoEmuVersion);
      w.Key("OpenNamespaces");
      w.Uint64(api_.storage_->OpenNamespaces());
    });
  }

  ApiResponse Namespaces() {
    auto dbs = api_.storage_->OpenDatabases();
    return ControlReply(200, [&](JsonWriter& w) {
      w.Key("Namespaces");
      w.StartArray();
      for (const auto& entry : dbs) {
        w.StartObject();
        WriteNamespace(w, entry.first);
        WriteStrings(w, "Tables", entry.second->TableNames());
        w.EndObject();
      }
      w.EndArray();
    });
  }

  ApiResponse Tables(std::string_view query) {
    std::vector<std::pair<std::string, std::shared_ptr<storage::Database>>> dbs;
    if (std::optional<std::string> name = QueryParam(query, "namespace")) {
      auto db = api_.storage_->ExistingNamespace(*name);
      if (!db.ok()) return ControlFail(500, db.error().message);
      if (!*db) return ControlFail(404, "no namespace " + *name);
      dbs.emplace_back(*name, std::move(*db));
    } else {
      dbs = api_.storage_->OpenDatabases();
    }
    std::optional<core::Error> failed;
    ApiResponse out = ControlReply(200, [&](JsonWriter& w) {
      w.Key("Namespaces");
      w.StartArray();
      for (auto& [name, db] : dbs) {
        w.StartObject();
        WriteNamespace(w, name);
        w.Key("Tables");
        w.StartArray();
        core::Status written = WriteTables(w, name, db);
        if (!written.ok() && !failed) failed = written.error();
        w.EndArray();
        w.EndObject();
      }
      w.EndArray();
    });
    return failed ? ControlFail(500, failed->message) : out;
  }

  ApiResponse Conflicts(std::string_view query) {
    auto after = NumberParam(query, "after", 0, UINT64_MAX / 2);
    if (!after.ok()) return ControlFail(400, after.error().message);
    auto limit = NumberParam(query, "limit", kMaxConflictPage, kMaxConflictPage);
    if (!limit.ok()) return ControlFail(400, limit.error().message);
    ConflictFeed::Page page = api_.conflicts_.Since(*after, *limit);
    return ControlReply(200, [&](JsonWriter& w) {
      w.Key("Events");
      w.StartArray();
      for (const auto& event : page.events) WriteConflictEvent(*event, w);
      w.EndArray();
      w.Key("NextAfter");
      w.Uint64(page.next_after);
      w.Key("Missed");
      w.Uint64(page.missed);
      w.Key("Capacity");
      w.Uint64(api_.conflicts_.capacity());
    });
  }

  ApiResponse Reset() {
    std::vector<std::pair<std::string, std::shared_ptr<storage::Database>>> targets;
    if (auto all = body_.FindMember("All"); all != body_.MemberEnd() && all->value.IsTrue()) {
      targets = api_.storage_->OpenDatabases();
    } else {
      auto name = NamedNamespace();
      if (!name.ok()) return ControlFail(400, name.error().message);
      auto db = api_.storage_->ExistingNamespace(*name);
      if (!db.ok()) return ControlFail(500, db.error().message);
      if (*db) targets.emplace_back(*name, std::move(*db));
    }
    std::vector<std::string> names, deleted;
    for (const auto& [name, db] : targets) {
      for (std::string& table : db->TableNames()) deleted.push_back(std::move(table));
      core::Status reset = db->Restore(nullptr);
      if (!reset.ok()) return ControlFail(500, reset.error().message);
      api_.ForgetTokens(name);
      names.push_back(name);
    }
    return ControlReply(200, [&](JsonWriter& w) {
      WriteStrings(w, "Namespaces", names);
      WriteStrings(w, "DeletedTables", deleted);
    });
  }

  ApiResponse ListSnapshots() {
    std::lock_guard lock(api_.snapshots_mu_);
    return ControlReply(200, [&](JsonWriter& w) {
      w.Key("Snapshots");
      w.StartArray();
      for (const auto& [name, s] : api_.snapshots_) {
        w.StartObject();
        WriteSnapshot(w, name, s.ns, s.snapshot->tables());
        w.Key("SizeBytes");
        w.Int64(s.snapshot->size_bytes());
        w.Key("TakenAt");
        w.Double(s.taken_at);
        w.EndObject();
      }
      w.EndArray();
    });
  }

  // POST /_emu/snapshots, /_emu/snapshots/restore and DELETE /_emu/snapshots.
  ApiResponse ChangeSnapshot(bool del, bool restore) {
    auto name = StringMember(body_, "Name");
    if (!name || name->empty() || name->size() > 255) {
      return ControlFail(400, "Name is required: 1 to 255 characters");
    }
    if (del) {
      std::lock_guard lock(api_.snapshots_mu_);
      auto it = api_.snapshots_.find(*name);
      if (it == api_.snapshots_.end()) return ControlFail(404, "no snapshot " + std::string(*name));
      api_.snapshots_.erase(it);
      return ControlReply(200, [](JsonWriter&) {});
    }
    return restore ? Restore(*name) : Take(*name);
  }

  ApiResponse Locks(bool by_item) {
    auto dbs = api_.storage_->OpenDatabases();
    return ControlReply(200, [&](JsonWriter& w) {
      w.Key(by_item ? "Locks" : "Transactions");
      w.StartArray();
      for (const auto& entry : dbs) WriteHolders(w, entry.first, *entry.second, by_item);
      w.EndArray();
    });
  }

  // POST replaces (or with Append adds) the rules, DELETE drops them; every
  // method answers with the rules.
  ApiResponse Faults(std::string_view method) {
    if (method == "DELETE") {
      api_.faults_.Clear();
    } else if (method == "POST") {
      std::vector<FaultRule> rules;
      auto list = body_.FindMember("Rules");
      if (list == body_.MemberEnd() || !list->value.IsArray()) {
        return ControlFail(400, "Rules is required: a list of rules");
      }
      for (const JsonValue& r : list->value.GetArray()) {
        auto rule = ReadFaultRule(r);
        if (!rule.ok()) return ControlFail(400, rule.error().message);
        rules.push_back(std::move(rule).value());
      }
      std::optional<uint64_t> seed;
      if (auto s = body_.FindMember("Seed"); s != body_.MemberEnd()) {
        if (!s->value.IsUint64()) return ControlFail(400, "Seed must be a whole number from 0");
        seed = s->value.GetUint64();
      }
      auto append = body_.FindMember("Append");
      if (append != body_.MemberEnd() && append->value.IsTrue()) {
        if (seed) return ControlFail(400, "Seed cannot be changed while appending rules");
        for (FaultRule& r : rules) api_.faults_.Add(std::move(r));
      } else {
        api_.faults_.Set(std::move(rules), seed);
      }
    } else if (method != "GET") {
      return ControlFail(405, "use GET, POST or DELETE");
    }
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    api_.faults_.Describe(w);
    return ApiResponse{200, std::string(buf.GetString(), buf.GetSize())};
  }

 private:
  // Name, AccessKeyId and Region: the credentials whose requests use the
  // namespace (with --shared-db, any do: the defaults).
  void WriteNamespace(JsonWriter& w, const std::string& name) const {
    RequestContext creds = api_.NamespaceCredentials(name);
    w.Key("Name");
    w.String(name);
    w.Key("AccessKeyId");
    w.String(creds.access_key);
    w.Key("Region");
    w.String(creds.region);
  }

  // Each table of db as DescribeTable describes it, with its TTL attribute.
  core::Status WriteTables(JsonWriter& w, const std::string& name,
                           const std::shared_ptr<storage::Database>& db) {
    RequestContext creds = api_.NamespaceCredentials(name);
    Namespace ns{db, nullptr};
    OpContext ctx{&api_, &ns, &creds, 0};
    for (const std::string& table : db->TableNames()) {
      std::shared_ptr<const storage::TableDef> def = db->FindTable(table);
      if (!def) continue;  // deleted meanwhile
      DYNAMO_ASSIGN_OR_RETURN(storage::TableStats stats, db->Stats(def->id));
      w.StartObject();
      w.Key("Table");
      WriteTableDescription(ctx, *def, "ACTIVE", stats, DescriptionKind::kFull, w);
      if (!def->ttl_attribute.empty()) {
        w.Key("TimeToLive");
        w.StartObject();
        w.Key("AttributeName");
        w.String(def->ttl_attribute);
        w.EndObject();
      }
      w.EndObject();
    }
    return core::Status::Ok();
  }

  // The namespace the body names.
  Result<std::string> NamedNamespace() const {
    if (auto ns = StringMember(body_, "Namespace")) return std::string(*ns);
    auto key = StringMember(body_, "AccessKeyId");
    auto region = StringMember(body_, "Region");
    if (key && region) return api_.NamespaceName(*key, *region);
    if (api_.options_.shared_db) return api_.NamespaceName("", "");
    return core::ValidationError("name the namespace: AccessKeyId and Region, or Namespace");
  }

  static void WriteSnapshot(JsonWriter& w, std::string_view name, const std::string& ns,
                            const std::vector<std::string>& tables) {
    w.Key("Name");
    w.String(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    w.Key("Namespace");
    w.String(ns);
    WriteStrings(w, "Tables", tables);
  }

  ApiResponse Take(std::string_view name) {
    const auto start = std::chrono::steady_clock::now();
    auto ns = NamedNamespace();
    if (!ns.ok()) return ControlFail(400, ns.error().message);
    auto db = api_.storage_->ExistingNamespace(*ns);
    if (!db.ok()) return ControlFail(500, db.error().message);
    if (!*db) return ControlFail(404, "no namespace " + *ns);
    {
      std::lock_guard lock(api_.snapshots_mu_);
      if (api_.snapshots_.size() >= kMaxSnapshots && !api_.snapshots_.count(name)) {
        return ControlFail(
            400, "too many snapshots (" + std::to_string(kMaxSnapshots) + "): delete one first");
      }
    }
    auto snapshot = (*db)->TakeSnapshot();
    if (!snapshot.ok()) return ControlFail(500, snapshot.error().message);
    Api::NamedSnapshot named{*snapshot, *ns, api_.Now()};
    {
      std::lock_guard lock(api_.snapshots_mu_);
      api_.snapshots_.insert_or_assign(std::string(name), named);
    }
    return ControlReply(200, [&](JsonWriter& w) {
      WriteSnapshot(w, name, named.ns, named.snapshot->tables());
      w.Key("SizeBytes");
      w.Int64(named.snapshot->size_bytes());
      w.Key("ElapsedMs");
      w.Double(MillisSince(start));
    });
  }

  // Into the namespace it was taken of, or the one the body names.
  ApiResponse Restore(std::string_view name) {
    const auto start = std::chrono::steady_clock::now();
    Api::NamedSnapshot named;
    {
      std::lock_guard lock(api_.snapshots_mu_);
      auto it = api_.snapshots_.find(name);
      if (it == api_.snapshots_.end()) return ControlFail(404, "no snapshot " + std::string(name));
      named = it->second;
    }
    std::string target = named.ns;
    if (body_.HasMember("Namespace") || body_.HasMember("AccessKeyId")) {
      auto ns = NamedNamespace();
      if (!ns.ok()) return ControlFail(400, ns.error().message);
      target = *ns;
    }
    auto db = api_.storage_->Namespace(target);
    if (!db.ok()) return ControlFail(500, db.error().message);
    core::Status restored = (*db)->Restore(named.snapshot.get());
    if (!restored.ok()) return ControlFail(500, restored.error().message);
    api_.ForgetTokens(target);
    return ControlReply(200, [&](JsonWriter& w) {
      WriteSnapshot(w, name, target, (*db)->TableNames());
      w.Key("ElapsedMs");
      w.Double(MillisSince(start));
    });
  }

  Api& api_;
  const JsonValue& body_;
};

void Api::ForgetTokens(const std::string& ns) {
  std::lock_guard lock(tokens_mu_);
  tokens_.erase(ns);
}

RequestContext Api::NamespaceCredentials(const std::string& ns) const {
  RequestContext creds;  // the defaults reach the shared namespace
  if (options_.shared_db) return creds;
  // NamespaceName: <access key>_<region>; a region has no "_".
  const size_t cut = ns.rfind('_');
  if (cut == std::string::npos) return creds;
  creds.access_key = ns.substr(0, cut);
  creds.region = ns.substr(cut + 1);
  return creds;
}

std::optional<ApiResponse> Api::StateControl(std::string_view method, std::string_view path,
                                             std::string_view query, const JsonValue& body) {
  const bool get = method == "GET", post = method == "POST", del = method == "DELETE";
  StateEndpoints endpoints(*this, body);
  if (path == "/_emu/health") return get ? endpoints.Health() : ControlFail(405, "use GET");
  if (path == "/_emu/namespaces") {
    return get ? endpoints.Namespaces() : ControlFail(405, "use GET");
  }
  if (path == "/_emu/tables") return get ? endpoints.Tables(query) : ControlFail(405, "use GET");
  if (path == "/_emu/conflicts") {
    return get ? endpoints.Conflicts(query) : ControlFail(405, "use GET");
  }
  if (path == "/_emu/reset") return post ? endpoints.Reset() : ControlFail(405, "use POST");
  if (path == "/_emu/snapshots") {
    if (get) return endpoints.ListSnapshots();
    if (!post && !del) return ControlFail(405, "use GET, POST or DELETE");
    return endpoints.ChangeSnapshot(del, false);
  }
  if (path == "/_emu/snapshots/restore") {
    return post ? endpoints.ChangeSnapshot(false, true) : ControlFail(405, "use POST");
  }
  if (path == "/_emu/transactions" || path == "/_emu/locks") {
    return get ? endpoints.Locks(path == "/_emu/locks") : ControlFail(405, "use GET");
  }
  if (path == "/_emu/faults") return endpoints.Faults(method);
  return std::nullopt;
}

}  // namespace dynamo::server
