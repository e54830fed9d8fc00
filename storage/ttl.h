// Time to Live: which items have expired, by DynamoDB's rules.
//
// An item of a table with TTL enabled expires when its TTL attribute is a
// top-level Number of epoch seconds that lies in the past, but not more than
// five years in the past (such values are taken for mistakes and ignored, as
// DynamoDB ignores them). Any other type, or no attribute, never expires.
//
// Storage keeps an expiry index of the items whose TTL attribute is a Number
// (ttl_expiry, schema.h), maintained by the write path and rebuilt when TTL
// is enabled, so finding the expired items of a table costs as much as there
// are of them, not as the table is large (Database::ExpiredKeys). Deleting
// them is the caller's: a TTL deletion is an ordinary Apply with
// ApplyOptions::by_service, re-checking the item under the write lock.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "core/attribute_value.h"
#include "core/error.h"

namespace dynamo::storage {

class Database;

// Five years of 365.2425 days: expiry times older than this are ignored.
inline constexpr double kTtlMaxAgeSeconds = 5 * 365.2425 * 86400;

// The item's expiry time under attribute `attribute` (epoch seconds), when
// it has a top-level Number there.
std::optional<double> TtlExpiry(const core::Item& item, const std::string& attribute);

// Whether the item has expired at `now` (see the file comment).
bool TtlExpired(const core::Item& item, const std::string& attribute, double now);

// Deletes the items of db's tables that have expired at `now` through the
// one write path (indexes maintained; stream REMOVE records made by the
// service), at most batch_size items per write transaction so that
// foreground writes interleave. Each item is re-checked under the write
// lock; one held by a transaction in flight is left for a later sweep (and
// while a batch's worth of held items are the earliest to expire, the
// table's later ones wait with them). At most max_batches batches a table
// (0: until none is left), so that one busy table does not hold up the
// others. Returns how many items it deleted.
core::Result<size_t> SweepExpiredItems(Database& db, double now, size_t batch_size = 100,
                                       size_t max_batches = 0);

}  // namespace dynamo::storage
