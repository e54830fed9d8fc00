// The control API's endpoints about the emulator's state (control.cc has the
// rest and the conventions: JSON in and out, {"error": ...} with 400, 404,
// 405 or 500):
//
//   GET    /_emu/health          {"Status": "healthy", "Version": v,
//                                "OpenNamespaces": n}
//   GET    /_emu/namespaces      the open namespaces and their tables
//   POST   /_emu/reset           deletes every table of a namespace (its
//                                items, indexes and streams) in one step:
//                                {"Namespace": n, "DeletedTables": [...]};
//                                {"All": true}: of every open namespace
//   POST   /_emu/snapshots       {"Name": s}: copies a namespace, whole, to
//                                the named snapshot (kept in memory until
//                                the emulator stops; a name taken is replaced)
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
#include <chrono>

#include "server/api/api.h"
#include "server/api/fields.h"
#include "server/api/idempotency.h"
#include "server/api/values_json.h"
#include "server/version.h"
#include "storage/key_encoding.h"

namespace dynamo::server {

using core::Result;

namespace {

ApiResponse Reply(int status, const std::function<void(JsonWriter&)>& members) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  members(w);
  w.EndObject();
  return ApiResponse{status, std::string(buf.GetString(), buf.GetSize())};
}

ApiResponse Fail(int status, const std::string& message) {
  return Reply(status, [&](JsonWriter& w) {
    w.Key("error");
    w.String(message);
  });
}

std::optional<std::string_view> StringMember(const JsonValue& body, const char* name) {
  auto it = body.FindMember(name);
  if (it == body.MemberEnd() || !it->value.IsString()) return std::nullopt;
  return std::string_view(it->value.GetString(), it->value.GetStringLength());
}

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

}  // namespace

void Api::ForgetTokens(const std::string& ns) {
  std::lock_guard lock(tokens_mu_);
  tokens_.erase(ns);
}

std::optional<ApiResponse> Api::StateControl(std::string_view method, std::string_view path,
                                             const JsonValue& body) {
  const bool get = method == "GET", post = method == "POST", del = method == "DELETE";
  // The namespace the body names; an error response when it names none.
  auto named_namespace = [&]() -> Result<std::string> {
    if (auto ns = StringMember(body, "Namespace")) return std::string(*ns);
    auto key = StringMember(body, "AccessKeyId");
    auto region = StringMember(body, "Region");
    if (key && region) return NamespaceName(*key, *region);
    if (options_.shared_db) return NamespaceName("", "");
    return core::ValidationError("name the namespace: AccessKeyId and Region, or Namespace");
  };
  auto open_namespace = [&](const std::string& name,
                            bool create) -> Result<std::shared_ptr<storage::Database>> {
    return create ? storage_->Namespace(name) : storage_->ExistingNamespace(name);
  };

  if (path == "/_emu/health") {
    if (!get) return Fail(405, "use GET");
    return Reply(200, [&](JsonWriter& w) {
      w.Key("Status");
      w.String("healthy");
      w.Key("Version");
      w.String(kDynamoEmuVersion);
      w.Key("OpenNamespaces");
      w.Uint64(storage_->OpenNamespaces());
    });
  }
  if (path == "/_emu/namespaces") {
    if (!get) return Fail(405, "use GET");
    auto dbs = storage_->OpenDatabases();
    return Reply(200, [&](JsonWriter& w) {
      w.Key("Namespaces");
      w.StartArray();
      for (const auto& entry : dbs) {
        w.StartObject();
        w.Key("Name");
        w.String(entry.first);
        WriteStrings(w, "Tables", entry.second->TableNames());
        w.EndObject();
      }
      w.EndArray();
    });
  }
  if (path == "/_emu/reset") {
    if (!post) return Fail(405, "use POST");
    std::vector<std::pair<std::string, std::shared_ptr<storage::Database>>> targets;
    if (auto all = body.FindMember("All"); all != body.MemberEnd() && all->value.IsTrue()) {
      targets = storage_->OpenDatabases();
    } else {
      auto name = named_namespace();
      if (!name.ok()) return Fail(400, name.error().message);
      auto db = open_namespace(*name, false);
      if (!db.ok()) return Fail(500, db.error().message);
      if (*db) targets.emplace_back(*name, std::move(*db));
    }
    std::vector<std::string> deleted;
    for (const auto& [name, db] : targets) {
      for (std::string& table : db->TableNames()) deleted.push_back(std::move(table));
      core::Status reset = db->Restore(nullptr);
      if (!reset.ok()) return Fail(500, reset.error().message);
      ForgetTokens(name);
    }
    return Reply(200, [&](JsonWriter& w) {
      std::vector<std::string> names;
      for (const auto& target : targets) names.push_back(target.first);
      WriteStrings(w, "Namespaces", names);
      WriteStrings(w, "DeletedTables", deleted);
    });
  }
  if (path == "/_emu/snapshots" || path == "/_emu/snapshots/restore") {
    const bool restore = path == "/_emu/snapshots/restore";
    if (get && !restore) {
      std::lock_guard lock(snapshots_mu_);
      return Reply(200, [&](JsonWriter& w) {
        w.Key("Snapshots");
        w.StartArray();
        for (const auto& [name, s] : snapshots_) {
          w.StartObject();
          w.Key("Name");
          w.String(name);
          w.Key("Namespace");
          w.String(s.ns);
          WriteStrings(w, "Tables", s.snapshot->tables());
          w.Key("SizeBytes");
          w.Int64(s.snapshot->size_bytes());
          w.Key("TakenAt");
          w.Double(s.taken_at);
          w.EndObject();
        }
        w.EndArray();
      });
    }
    if (!post && !(del && !restore))
      return Fail(405, restore ? "use POST" : "use GET, POST or DELETE");
    auto name = StringMember(body, "Name");
    if (!name || name->empty() || name->size() > 255) {
      return Fail(400, "Name is required: 1 to 255 characters");
    }
    if (del) {
      std::lock_guard lock(snapshots_mu_);
      auto it = snapshots_.find(*name);
      if (it == snapshots_.end()) return Fail(404, "no snapshot " + std::string(*name));
      snapshots_.erase(it);
      return Reply(200, [](JsonWriter&) {});
    }
    const auto start = std::chrono::steady_clock::now();
    if (!restore) {
      auto ns = named_namespace();
      if (!ns.ok()) return Fail(400, ns.error().message);
      auto db = open_namespace(*ns, true);
      if (!db.ok()) return Fail(500, db.error().message);
      auto snapshot = (*db)->TakeSnapshot();
      if (!snapshot.ok()) return Fail(500, snapshot.error().message);
      NamedSnapshot named{*snapshot, *ns, Now()};
      {
        std::lock_guard lock(snapshots_mu_);
        snapshots_.insert_or_assign(std::string(*name), named);
      }
      return Reply(200, [&](JsonWriter& w) {
        w.Key("Name");
        w.String(name->data(), static_cast<rapidjson::SizeType>(name->size()));
        w.Key("Namespace");
        w.String(named.ns);
        WriteStrings(w, "Tables", named.snapshot->tables());
        w.Key("SizeBytes");
        w.Int64(named.snapshot->size_bytes());
        w.Key("ElapsedMs");
        w.Double(MillisSince(start));
      });
    }
    NamedSnapshot named;
    {
      std::lock_guard lock(snapshots_mu_);
      auto it = snapshots_.find(*name);
      if (it == snapshots_.end()) return Fail(404, "no snapshot " + std::string(*name));
      named = it->second;
    }
    std::string target = named.ns;
    if (body.HasMember("Namespace") || body.HasMember("AccessKeyId")) {
      auto ns = named_namespace();
      if (!ns.ok()) return Fail(400, ns.error().message);
      target = *ns;
    }
    auto db = open_namespace(target, true);
    if (!db.ok()) return Fail(500, db.error().message);
    core::Status restored = (*db)->Restore(named.snapshot.get());
    if (!restored.ok()) return Fail(500, restored.error().message);
    ForgetTokens(target);
    return Reply(200, [&](JsonWriter& w) {
      w.Key("Name");
      w.String(name->data(), static_cast<rapidjson::SizeType>(name->size()));
      w.Key("Namespace");
      w.String(target);
      WriteStrings(w, "Tables", (*db)->TableNames());
      w.Key("ElapsedMs");
      w.Double(MillisSince(start));
    });
  }
  if (path == "/_emu/transactions" || path == "/_emu/locks") {
    if (!get) return Fail(405, "use GET");
    const bool by_item = path == "/_emu/locks";
    auto dbs = storage_->OpenDatabases();
    return Reply(200, [&](JsonWriter& w) {
      w.Key(by_item ? "Locks" : "Transactions");
      w.StartArray();
      for (const auto& entry : dbs) {
        const std::string& ns = entry.first;  // a lambda cannot capture a structured binding
        storage::Database& db = *entry.second;
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
          std::vector<LockedItem> items = DecodeLocks(db, h.keys);
          if (!by_item) {
            w.StartObject();
            head();
            w.Key("Items");
            w.StartArray();
          }
          for (const LockedItem& item : items) {
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
      w.EndArray();
    });
  }
  if (path == "/_emu/faults") {
    if (del) {
      faults_.Clear();
    } else if (post) {
      std::vector<FaultRule> rules;
      auto list = body.FindMember("Rules");
      if (list == body.MemberEnd() || !list->value.IsArray()) {
        return Fail(400, "Rules is required: a list of rules");
      }
      for (const JsonValue& r : list->value.GetArray()) {
        auto rule = ReadFaultRule(r);
        if (!rule.ok()) return Fail(400, rule.error().message);
        rules.push_back(std::move(rule).value());
      }
      std::optional<uint64_t> seed;
      if (auto s = body.FindMember("Seed"); s != body.MemberEnd()) {
        if (!s->value.IsUint64()) return Fail(400, "Seed must be a whole number from 0");
        seed = s->value.GetUint64();
      }
      auto append = body.FindMember("Append");
      if (append != body.MemberEnd() && append->value.IsTrue()) {
        if (seed) return Fail(400, "Seed cannot be changed while appending rules");
        for (FaultRule& r : rules) faults_.Add(std::move(r));
      } else {
        faults_.Set(std::move(rules), seed);
      }
    } else if (!get) {
      return Fail(405, "use GET, POST or DELETE");
    }
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    faults_.Describe(w);
    return ApiResponse{200, std::string(buf.GetString(), buf.GetSize())};
  }
  return std::nullopt;
}

}  // namespace dynamo::server
