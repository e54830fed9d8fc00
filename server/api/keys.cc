#include "server/api/keys.h"

#include "storage/key_encoding.h"

namespace dynamo::server {

using core::AttributeValue;
using core::Item;
using core::Result;
using core::ValidationError;
using core::ValueType;

namespace {

constexpr const char* kInvalid = "One or more parameter values were invalid: ";

std::string_view EmptyKind(const AttributeValue& v) {
  return v.type() == ValueType::kB ? "binary" : "string";
}

bool IsEmptyKey(const AttributeValue& v) {
  return (v.type() == ValueType::kS && v.s().empty()) ||
         (v.type() == ValueType::kB && v.b().empty());
}

size_t KeyBytes(const AttributeValue& v) {
  if (v.type() == ValueType::kS) return v.s().size();
  if (v.type() == ValueType::kB) return v.b().size();
  return 0;  // numbers are not size-checked
}

core::Status CheckKeySizes(const TableInfo& t, const AttributeValue& hash,
                           const AttributeValue* range) {
  if (KeyBytes(hash) > core::kMaxHashKeySize) {
    return ValidationError(std::string(kInvalid) +
                           "Size of hashkey has exceeded the maximum size limit of2048 bytes");
  }
  if (range && KeyBytes(*range) > core::kMaxRangeKeySize) {
    return ValidationError(std::string(kInvalid) +
                           "Aggregated size of all range keys has exceeded the size limit of "
                           "1024 bytes");
  }
  return core::Status::Ok();
}

storage::EncodedKey Encode(const AttributeValue& hash, const AttributeValue* range) {
  storage::EncodedKey key;
  storage::EncodeKeyValue(hash, &key.hash);
  if (range) storage::EncodeKeyValue(*range, &key.range);
  return key;
}

}  // namespace

Result<storage::EncodedKey> KeyFromKeyMap(const TableInfo& t, const Item& key,
                                          std::string_view empty_prefix) {
  const size_t expected = t.key.range ? 2 : 1;
  auto mismatch = [] {
    return ValidationError("The provided key element does not match the schema");
  };
  if (key.size() != expected) return mismatch();
  auto h = key.find(t.key.hash.name);
  if (h == key.end() || h->second.type() != t.key.hash.type) return mismatch();
  const AttributeValue* range = nullptr;
  if (t.key.range) {
    auto r = key.find(t.key.range->name);
    if (r == key.end() || r->second.type() != t.key.range->type) return mismatch();
    range = &r->second;
  }
  for (const auto& [name, v] : key) {
    if (IsEmptyKey(v)) {
      return ValidationError(std::string(empty_prefix) +
                             "The AttributeValue for a key attribute cannot contain an empty " +
                             std::string(EmptyKind(v)) + " value. Key: " + name);
    }
  }
  DYNAMO_RETURN_IF_ERROR(CheckKeySizes(t, h->second, range));
  return Encode(h->second, range);
}

Result<storage::EncodedKey> KeyFromItem(const TableInfo& t, const Item& item) {
  const AttributeValue* values[2] = {nullptr, nullptr};
  const KeyElement* elements[2] = {&t.key.hash, t.key.range ? &*t.key.range : nullptr};
  for (int i = 0; i < 2; ++i) {
    if (!elements[i]) continue;
    auto it = item.find(elements[i]->name);
    if (it == item.end()) {
      return ValidationError(std::string(kInvalid) + "Missing the key " + elements[i]->name +
                             " in the item");
    }
    if (it->second.type() != elements[i]->type) {
      return ValidationError(std::string(kInvalid) + "Type mismatch for key " + elements[i]->name +
                             " expected: " + std::string(core::TypeName(elements[i]->type)) +
                             " actual: " + std::string(core::TypeName(it->second.type())));
    }
    values[i] = &it->second;
  }
  for (int i = 0; i < 2; ++i) {
    if (values[i] && IsEmptyKey(*values[i])) {
      return ValidationError(
          "One or more parameter values are not valid. The AttributeValue for a key attribute "
          "cannot contain an empty " +
          std::string(EmptyKind(*values[i])) + " value. Key: " + elements[i]->name);
    }
  }
  DYNAMO_RETURN_IF_ERROR(CheckKeySizes(t, *values[0], values[1]));
  return Encode(*values[0], values[1]);
}

Item KeyAttributes(const KeySchema& key, const Item& item) {
  Item out;
  auto h = item.find(key.hash.name);
  if (h != item.end()) out.emplace(h->first, h->second);
  if (key.range) {
    auto r = item.find(key.range->name);
    if (r != item.end()) out.emplace(r->first, r->second);
  }
  return out;
}

namespace {

template <typename Fn>
void ForEachIndex(const TableInfo& t, Fn&& fn) {
  for (const auto& ix : t.global_indexes) fn(ix);
  for (const auto& ix : t.local_indexes) fn(ix);
}

}  // namespace

core::Status CheckIndexKeys(const TableInfo& t, const Item& item) {
  core::Status status;
  ForEachIndex(t, [&](const IndexInfo& ix) {
    if (!status.ok()) return;
    for (const KeyElement* k : {&ix.key.hash, ix.key.range ? &*ix.key.range : nullptr}) {
      if (!k) continue;
      auto it = item.find(k->name);
      if (it == item.end()) continue;
      if (it->second.type() != k->type) {
        status = ValidationError(std::string(kInvalid) + "Type mismatch for Index Key " + k->name +
                                 " Expected: " + std::string(core::TypeName(k->type)) +
                                 " Actual: " + std::string(core::TypeName(it->second.type())) +
                                 " IndexName: " + ix.name);
        return;
      }
      if (IsEmptyKey(it->second)) {
        status = ValidationError(
            "One or more parameter values are not valid. A value specified for a secondary index "
            "key is not supported. The AttributeValue for a key attribute cannot contain an "
            "empty " +
            std::string(EmptyKind(it->second)) + " value. IndexName: " + ix.name +
            ", IndexKey: " + k->name);
        return;
      }
    }
  });
  return status;
}

std::optional<IndexEntry> IndexEntryFor(const TableInfo& t, const IndexInfo& ix, const Item& item) {
  auto h = item.find(ix.key.hash.name);
  if (h == item.end() || h->second.type() != ix.key.hash.type) return std::nullopt;
  const AttributeValue* range = nullptr;
  if (ix.key.range) {
    auto r = item.find(ix.key.range->name);
    if (r == item.end() || r->second.type() != ix.key.range->type) return std::nullopt;
    range = &r->second;
  }
  IndexEntry e;
  e.key = Encode(h->second, range);
  if (ix.projection_type == "ALL") {
    e.projected = item;
  } else {
    e.projected = KeyAttributes(t.key, item);
    for (const KeyElement* k : {&ix.key.hash, ix.key.range ? &*ix.key.range : nullptr}) {
      if (k) e.projected.emplace(k->name, item.at(k->name));
    }
    for (const auto& name : ix.non_key_attributes) {
      auto it = item.find(name);
      if (it != item.end()) e.projected.emplace(it->first, it->second);
    }
  }
  e.size = core::ItemSize(e.projected);
  return e;
}

core::Result<std::shared_ptr<const TableInfo>> CurrentTable(const Namespace& ns,
                                                            const TableInfo& captured) {
  auto current = ns.Find(captured.name);
  if (!current || current->storage_id != captured.storage_id) {
    return core::Error{core::ErrorCode::kResourceNotFound, "Requested resource not found"};
  }
  return current;
}

core::Status CheckNotLocked(Namespace& ns, const TableInfo& t, const storage::EncodedKey& key) {
  if (ns.locks().IsLocked(ItemLockKey(t.storage_id, key.hash, key.range))) {
    return core::Error{core::ErrorCode::kTransactionConflict,
                       "Transaction is ongoing for the item"};
  }
  return core::Status::Ok();
}

core::Status MaintainIndexes(storage::WriteTxn& txn, const TableInfo& t,
                             const storage::EncodedKey& base_key, const Item* old_item,
                             const Item* new_item) {
  core::Status status;
  ForEachIndex(t, [&](const IndexInfo& ix) {
    if (!status.ok()) return;
    std::optional<IndexEntry> before = old_item ? IndexEntryFor(t, ix, *old_item) : std::nullopt;
    std::optional<IndexEntry> after = new_item ? IndexEntryFor(t, ix, *new_item) : std::nullopt;
    if (before &&
        (!after || before->key.hash != after->key.hash || before->key.range != after->key.range)) {
      status = txn.DeleteIndexEntry(t.storage_id, ix.id, before->key, base_key);
      if (!status.ok()) return;
    }
    if (after) {
      status = txn.PutIndexEntry(t.storage_id, ix.id, after->key, base_key, after->projected,
                                 after->size);
    }
  });
  return status;
}

}  // namespace dynamo::server
