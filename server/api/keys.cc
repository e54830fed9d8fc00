#include "server/api/keys.h"

#include <algorithm>

#include "core/messages.h"

namespace dynamo::server {

using core::AttributeValue;
using core::Item;
using core::Result;
using core::ValidationError;
using core::ValueType;

namespace {

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

core::Status CheckKeySizes(const AttributeValue& hash, const AttributeValue* range) {
  if (KeyBytes(hash) > core::kMaxHashKeySize) {
    return core::InvalidParameter(
        "Size of hashkey has exceeded the maximum size limit of2048 bytes");
  }
  if (range && KeyBytes(*range) > core::kMaxRangeKeySize) {
    return core::InvalidParameter(
        "Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
  }
  return core::Status::Ok();
}

core::Error EmptyKeyValue(std::string_view prefix, const std::string& name, const AttributeValue& v,
                          KeyErrorKind* kind) {
  if (kind) *kind = KeyErrorKind::kEmptyValue;
  return ValidationError(std::string(prefix) +
                         "The AttributeValue for a key attribute cannot contain an empty " +
                         std::string(EmptyKind(v)) + " value. Key: " + name);
}

}  // namespace

Result<storage::EncodedKey> KeyFromKeyMap(const storage::TableDef& t, const Item& key,
                                          std::string_view empty_prefix, KeyErrorKind* kind) {
  if (kind) *kind = KeyErrorKind::kOther;
  const size_t expected = t.key.range ? 2 : 1;
  if (key.size() != expected) return core::KeySchemaMismatch();
  auto h = key.find(t.key.hash.name);
  if (h == key.end() || h->second.type() != t.key.hash.type) return core::KeySchemaMismatch();
  const AttributeValue* range = nullptr;
  if (t.key.range) {
    auto r = key.find(t.key.range->name);
    if (r == key.end() || r->second.type() != t.key.range->type) return core::KeySchemaMismatch();
    range = &r->second;
  }
  for (const auto& [name, v] : key) {
    if (IsEmptyKey(v)) return EmptyKeyValue(empty_prefix, name, v, kind);
  }
  DYNAMO_RETURN_IF_ERROR(CheckKeySizes(h->second, range));
  return storage::EncodeKey(h->second, range);
}

Result<storage::EncodedKey> KeyFromItem(const storage::TableDef& t, const Item& item,
                                        KeyErrorKind* kind) {
  if (kind) *kind = KeyErrorKind::kOther;
  const AttributeValue* values[2] = {nullptr, nullptr};
  const core::KeyElement* elements[2] = {&t.key.hash, t.key.range ? &*t.key.range : nullptr};
  for (int i = 0; i < 2; ++i) {
    if (!elements[i]) continue;
    auto it = item.find(elements[i]->name);
    if (it == item.end()) {
      return core::InvalidParameter("Missing the key " + elements[i]->name + " in the item");
    }
    if (it->second.type() != elements[i]->type) {
      return core::InvalidParameter("Type mismatch for key " + elements[i]->name +
                                    " expected: " + std::string(core::TypeName(elements[i]->type)) +
                                    " actual: " + std::string(core::TypeName(it->second.type())));
    }
    values[i] = &it->second;
  }
  for (int i = 0; i < 2; ++i) {
    if (values[i] && IsEmptyKey(*values[i])) {
      return EmptyKeyValue(core::kNotValidParameters, elements[i]->name, *values[i], kind);
    }
  }
  DYNAMO_RETURN_IF_ERROR(CheckKeySizes(*values[0], values[1]));
  return storage::EncodeKey(*values[0], values[1]);
}

KeyRole KeyRoleOf(const storage::TableDef& t, const std::string& name) {
  if (t.key.Contains(name)) return KeyRole::kTableKey;
  bool index_key = false;
  t.ForEachIndex(
      [&](const storage::IndexDef& ix) { index_key = index_key || ix.key.Contains(name); });
  return index_key ? KeyRole::kIndexKey : KeyRole::kNone;
}

core::Error NonScalarKeyAccess(KeyRole role, const std::string& name) {
  return ValidationError(
      "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
      "allowed: " +
      std::string(role == KeyRole::kTableKey ? "Key: " : "IndexKey: ") + name);
}

core::Status CheckKeyPathsScalar(const storage::TableDef& t, const std::vector<expr::Path>& paths) {
  std::vector<std::string> dug_into;
  for (const expr::Path& p : paths) {
    if (p.size() > 1) dug_into.push_back(std::get<std::string>(p[0]));
  }
  if (dug_into.empty()) return core::Status::Ok();
  auto check = [&](const std::string& name, KeyRole role) -> core::Status {
    if (std::find(dug_into.begin(), dug_into.end(), name) == dug_into.end()) {
      return core::Status::Ok();
    }
    return NonScalarKeyAccess(role, name);
  };
  for (const std::string& name : t.key.Names()) {
    DYNAMO_RETURN_IF_ERROR(check(name, KeyRole::kTableKey));
  }
  core::Status status = core::Status::Ok();
  t.ForEachIndex([&](const storage::IndexDef& ix) {
    for (const std::string& name : ix.key.Names()) {
      if (status.ok() && !t.key.Contains(name)) status = check(name, KeyRole::kIndexKey);
    }
  });
  return status;
}

}  // namespace dynamo::server
