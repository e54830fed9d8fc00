#include "core/key_schema.h"

namespace dynamo::core {

Item KeyAttributes(const KeySchema& schema, const Item& item) {
  Item out;
  auto add = [&](const KeyElement& k) {
    auto it = item.find(k.name);
    if (it != item.end()) out.emplace(it->first, it->second);
  };
  add(schema.hash);
  if (schema.range) add(*schema.range);
  for (const KeyElement& k : schema.more_hash) add(k);
  for (const KeyElement& k : schema.more_range) add(k);
  return out;
}

}  // namespace dynamo::core
