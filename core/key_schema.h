// The key schema of a table or an index: a partition (HASH) key attribute and
// an optional sort (RANGE) key attribute, each of scalar type S, N or B. A
// global secondary index may have multi-attribute keys: up to 4 partition
// key attributes and up to 4 sort key attributes, in KeySchema order.
// Shared by expr (key conditions), storage (table definitions, key encoding)
// and the API layer.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/attribute_value.h"

namespace dynamo::core {

struct KeyElement {
  std::string name;
  ValueType type = ValueType::kS;  // kS, kN or kB

  bool operator==(const KeyElement&) const = default;
};

struct KeySchema {
  KeyElement hash;                     // the (first) partition key attribute
  std::optional<KeyElement> range;     // the (first) sort key attribute
  std::vector<KeyElement> more_hash;   // GSIs only: the 2nd to 4th partition key attributes
  std::vector<KeyElement> more_range;  // GSIs only: the 2nd to 4th sort key attributes

  bool operator==(const KeySchema&) const = default;

  bool multi_hash() const { return !more_hash.empty(); }
  bool multi_range() const { return !more_range.empty(); }

  // The partition key attributes, in KeySchema order.
  std::vector<const KeyElement*> HashElements() const {
    std::vector<const KeyElement*> out{&hash};
    for (const KeyElement& k : more_hash) out.push_back(&k);
    return out;
  }
  // The sort key attributes, in KeySchema order (none without a sort key).
  std::vector<const KeyElement*> RangeElements() const {
    std::vector<const KeyElement*> out;
    if (range) out.push_back(&*range);
    for (const KeyElement& k : more_range) out.push_back(&k);
    return out;
  }
  // Calls fn(element, is_hash) for each key attribute in KeySchema order,
  // without allocating (the write path checks index keys on every write).
  template <typename Fn>
  void ForEachElement(Fn&& fn) const {
    fn(hash, true);
    for (const KeyElement& k : more_hash) fn(k, true);
    if (range) fn(*range, false);
    for (const KeyElement& k : more_range) fn(k, false);
  }
  size_t size() const { return 1 + more_hash.size() + (range ? 1 : 0) + more_range.size(); }

  // True when name is one of the key attributes.
  bool Contains(std::string_view name) const {
    if (hash.name == name || (range && range->name == name)) return true;
    for (const KeyElement& k : more_hash) {
      if (k.name == name) return true;
    }
    for (const KeyElement& k : more_range) {
      if (k.name == name) return true;
    }
    return false;
  }
  // The key attribute names in KeySchema order: partition key attributes first.
  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const KeyElement* k : HashElements()) names.push_back(k->name);
    for (const KeyElement* k : RangeElements()) names.push_back(k->name);
    return names;
  }
};

// The key attributes of an item under the schema, as an Item (present ones
// only): for LastEvaluatedKey, index projections, ItemCollectionMetrics.
Item KeyAttributes(const KeySchema& schema, const Item& item);

}  // namespace dynamo::core
