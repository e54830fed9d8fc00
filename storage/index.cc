#include "storage/index.h"

#include "core/messages.h"

namespace dynamo::storage {

using core::AttributeValue;
using core::Item;
using core::ValueType;

namespace {

bool IsEmptyKeyValue(const AttributeValue& v) {
  return (v.type() == ValueType::kS && v.s().empty()) ||
         (v.type() == ValueType::kB && v.b().empty());
}

std::string_view EmptyKind(const AttributeValue& v) {
  return v.type() == ValueType::kB ? "binary" : "string";
}

size_t KeyValueBytes(const AttributeValue& v) {
  if (v.type() == ValueType::kS) return v.s().size();
  if (v.type() == ValueType::kB) return v.b().size();
  return 0;  // numbers are not size-checked
}

// DynamoDB's message for an empty index key value (both recorded).
core::Error EmptyIndexKeyValue(const IndexDef& index, const core::KeyElement& k,
                               const AttributeValue& v, IndexKeySource source) {
  const std::string empty = "The AttributeValue for a key attribute cannot contain an empty " +
                            std::string(EmptyKind(v)) + " value.";
  if (source == IndexKeySource::kUpdate) {
    return core::ValidationError(std::string(core::kNotValidParameters) +
                                 "The update expression attempted to update a secondary index key "
                                 "to a value that is not supported. " +
                                 empty);
  }
  return core::ValidationError(std::string(core::kNotValidParameters) +
                               "A value specified for a secondary index key is not supported. " +
                               empty + " IndexName: " + index.name + ", IndexKey: " + k.name);
}

// The violation of one index key attribute, if any. max_bytes: 2048 for a
// partition key, 1024 for a sort key, as for table keys.
std::optional<IndexKeyViolation> CheckIndexKeyAttribute(const IndexDef& index,
                                                        const core::KeyElement& k, size_t max_bytes,
                                                        const Item& item, IndexKeySource source) {
  auto it = item.find(k.name);
  if (it == item.end()) return std::nullopt;
  if (it->second.type() != k.type) {
    return IndexKeyViolation{
        IndexKeyViolation::Kind::kTypeMismatch,
        core::InvalidParameter("Type mismatch for Index Key " + k.name +
                               " Expected: " + std::string(core::TypeName(k.type)) +
                               " Actual: " + std::string(core::TypeName(it->second.type())) +
                               " IndexName: " + index.name)};
  }
  if (IsEmptyKeyValue(it->second)) {
    return IndexKeyViolation{IndexKeyViolation::Kind::kEmptyValue,
                             EmptyIndexKeyValue(index, k, it->second, source)};
  }
  if (const size_t bytes = KeyValueBytes(it->second); bytes > max_bytes) {
    // DynamoDB's wording for an index partition key (recorded); the sort key
    // gets the same with its own limit.
    return IndexKeyViolation{
        IndexKeyViolation::Kind::kTooLarge,
        core::InvalidParameter("Size limit exceeded for Index Key " + k.name +
                               " Actual Size: " + std::to_string(bytes) + " bytes Max Size: " +
                               std::to_string(max_bytes) + " bytes IndexName: " + index.name)};
  }
  return std::nullopt;
}

}  // namespace

std::optional<IndexKeyViolation> FindIndexKeyViolation(const TableDef& table, const Item& item,
                                                       IndexKeySource source) {
  std::optional<IndexKeyViolation> found;
  table.ForEachIndex([&](const IndexDef& ix) {
    if (found) return;
    // Each attribute of a multi-attribute key is held to the limit of its part.
    ix.key.ForEachElement([&](const core::KeyElement& k, bool hash) {
      if (found) return;
      found = CheckIndexKeyAttribute(ix, k, hash ? core::kMaxHashKeySize : core::kMaxRangeKeySize,
                                     item, source);
    });
  });
  return found;
}

std::optional<IndexEntry> IndexEntryFor(const TableDef& table, const IndexDef& index,
                                        const Item& item) {
  std::optional<EncodedKey> key = EncodeItemKey(index.key, item);
  if (!key) return std::nullopt;
  IndexEntry e;
  e.key = std::move(*key);
  if (index.projection == ProjectionType::kAll) {
    e.projected = item;
  } else {
    e.projected = core::KeyAttributes(table.key, item);
    index.key.ForEachElement(
        [&](const core::KeyElement& k, bool) { e.projected.emplace(k.name, item.at(k.name)); });
    for (const auto& name : index.non_key_attributes) {
      auto it = item.find(name);
      if (it != item.end()) e.projected.emplace(it->first, it->second);
    }
  }
  e.size = core::ItemSize(e.projected);
  return e;
}

}  // namespace dynamo::storage
