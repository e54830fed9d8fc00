#include "core/key_schema.h"

namespace dynamo::core {

Item KeyAttributes(const KeySchema& schema, const Item& item) {
  Item out;
  auto h = item.find(schema.hash.name);
  if (h != item.end()) out.emplace(h->first, h->second);
  if (schema.range) {
    auto r = item.find(schema.range->name);
    if (r != item.end()) out.emplace(r->first, r->second);
  }
  return out;
}

}  // namespace dynamo::core
