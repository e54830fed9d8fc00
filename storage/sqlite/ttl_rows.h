// Private to storage: the rows of the TTL expiry index (schema.h draws the
// table; ttl.h says what it is for).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "storage/key_encoding.h"
#include "storage/sqlite/connection.h"

namespace dynamo::storage::sqlite {

// Sets (or replaces) the expiry time of one item.
core::Status PutExpiry(Connection& c, int64_t table, const EncodedKey& key, double expires);
// Forgets the expiry time of one item (nothing when it has none).
core::Status DeleteExpiry(Connection& c, int64_t table, const EncodedKey& key);
// Forgets every expiry time of a table.
core::Status DropExpiries(Connection& c, int64_t table);
// Up to limit keys of items expiring in [from, before), earliest first.
core::Result<std::vector<EncodedKey>> ExpiringKeys(Connection& c, int64_t table, double from,
                                                   double before, size_t limit);

}  // namespace dynamo::storage::sqlite
