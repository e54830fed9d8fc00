// The key schema of a table or an index: a partition (HASH) key attribute and
// an optional sort (RANGE) key attribute, each of scalar type S, N or B.
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
  KeyElement hash;
  std::optional<KeyElement> range;

  bool operator==(const KeySchema&) const = default;

  // True when name is the hash or the range key attribute.
  bool Contains(std::string_view name) const {
    return hash.name == name || (range && range->name == name);
  }
  // The key attribute names, hash first.
  std::vector<std::string> Names() const {
    std::vector<std::string> names{hash.name};
    if (range) names.push_back(range->name);
    return names;
  }
};

// The key attributes of an item under the schema, as an Item (present ones
// only): for LastEvaluatedKey, index projections, ItemCollectionMetrics.
Item KeyAttributes(const KeySchema& schema, const Item& item);

}  // namespace dynamo::core
