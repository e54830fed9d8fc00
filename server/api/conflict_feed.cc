#include "server/api/conflict_feed.h"

#include <algorithm>

#include "core/error_details.h"
#include "server/api/fields.h"
#include "server/api/operations.h"

namespace dynamo::server {

void ConflictFeed::Record(ConflictEvent event) {
  if (ring_.empty()) return;
  auto shared = std::make_shared<ConflictEvent>(std::move(event));
  std::shared_ptr<const ConflictEvent> dropped;  // freed outside the lock
  std::lock_guard lock(mu_);
  shared->seq = ++last_seq_;
  dropped = std::exchange(ring_[shared->seq % ring_.size()], std::move(shared));
}

ConflictFeed::Page ConflictFeed::Since(uint64_t after, size_t limit) const {
  Page page;
  std::lock_guard lock(mu_);
  page.next_after = std::min(after, last_seq_);
  if (ring_.empty() || after >= last_seq_) return page;
  // The ring holds seq last_seq_ - size + 1 .. last_seq_ (those assigned).
  const uint64_t oldest = last_seq_ >= ring_.size() ? last_seq_ - ring_.size() + 1 : 1;
  uint64_t from = after + 1;
  if (from < oldest) {
    page.missed = oldest - from;
    from = oldest;
  }
  for (uint64_t seq = from; seq <= last_seq_ && page.events.size() < limit; ++seq) {
    page.events.push_back(ring_[seq % ring_.size()]);
    page.next_after = seq;
  }
  return page;
}

namespace {

std::string ToJson(const JsonValue& v) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

// The bare table name of a TableName member (a name or an ARN), "" if none.
std::string TableOf(const JsonValue& action) {
  const JsonValue* name = Member(action, "TableName");
  if (!name || !name->IsString()) return "";
  ConstraintErrors ignored;
  return ResolveTableName(std::string_view(name->GetString(), name->GetStringLength()), ignored);
}

// A key of up to 2 KB (a transaction's 100 actions: 256 bytes each) is kept;
// a longer one is left out, so that the ring stays small.
constexpr size_t kMaxKeyJson = 2048, kMaxActionKeyJson = 256;

std::string Bounded(std::string json, size_t max) { return json.size() <= max ? json : ""; }

// The key an item action names: its Key, or the key attributes of its Item
// by the table's key schema.
std::string KeyOf(const JsonValue& action, const std::string& table, const storage::Database& db) {
  if (const JsonValue* key = Member(action, "Key"); key && key->IsObject()) return ToJson(*key);
  const JsonValue* item = Member(action, "Item");
  if (!item || !item->IsObject() || table.empty()) return "";
  std::shared_ptr<const storage::TableDef> def = db.FindTable(table);
  if (!def) return "";
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  auto copy = [&](const std::string& name) {
    if (const JsonValue* v = Member(*item, name)) {
      w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
      v->Accept(w);
    }
  };
  copy(def->key.hash.name);
  if (def->key.range) copy(def->key.range->name);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

// The table and key of a transaction's action: {"Put": {...}} and the like.
void DescribeAction(const JsonValue& entry, const storage::Database& db,
                    ConflictEvent::Reason& reason) {
  if (!entry.IsObject() || entry.MemberCount() == 0) return;
  const JsonValue& action = entry.MemberBegin()->value;
  if (!action.IsObject()) return;
  reason.table = TableOf(action);
  reason.key_json = Bounded(KeyOf(action, reason.table, db), kMaxActionKeyJson);
}

void WriteString(JsonWriter& w, const char* key, const std::string& value) {
  if (value.empty()) return;
  w.Key(key);
  w.String(value);
}

void WriteKey(JsonWriter& w, const std::string& key_json) {
  if (key_json.empty()) return;
  w.Key("Key");
  w.RawValue(key_json.data(), key_json.size(), rapidjson::kObjectType);
}

}  // namespace

ConflictEvent ConflictEventFor(std::string_view operation, const JsonValue& request,
                               const core::Error& error, const storage::Database& db) {
  ConflictEvent event;
  event.operation = operation;
  event.error = core::WireInfo(error.code).name;
  event.message = error.message;
  event.table = TableOf(request);
  event.key_json = Bounded(KeyOf(request, event.table, db), kMaxKeyJson);
  if (const JsonValue* s = Member(request, "Statement"); s && s->IsString()) {
    event.statement.assign(s->GetString(), std::min<size_t>(s->GetStringLength(), 1024));
  }
  if (!error.details) return event;
  const JsonValue* actions = Member(request, "TransactItems");
  const auto& reasons = error.details->cancellation_reasons;
  for (size_t i = 0; i < reasons.size(); ++i) {
    ConflictEvent::Reason r{reasons[i].code, reasons[i].message.value_or(""), "", ""};
    if (actions && actions->IsArray() && i < actions->Size()) {
      DescribeAction((*actions)[static_cast<rapidjson::SizeType>(i)], db, r);
    }
    event.reasons.push_back(std::move(r));
  }
  return event;
}

void WriteConflictEvent(const ConflictEvent& event, JsonWriter& w) {
  w.StartObject();
  w.Key("Seq");
  w.Uint64(event.seq);
  w.Key("Time");
  w.Double(event.time);
  WriteString(w, "Namespace", event.ns);
  WriteString(w, "Operation", event.operation);
  WriteString(w, "Error", event.error);
  WriteString(w, "Message", event.message);
  WriteString(w, "TableName", event.table);
  WriteKey(w, event.key_json);
  WriteString(w, "Statement", event.statement);
  if (!event.reasons.empty()) {
    w.Key("CancellationReasons");
    w.StartArray();
    for (const ConflictEvent::Reason& r : event.reasons) {
      w.StartObject();
      w.Key("Code");
      w.String(r.code);
      WriteString(w, "Message", r.message);
      WriteString(w, "TableName", r.table);
      WriteKey(w, r.key_json);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
}

}  // namespace dynamo::server
