#include "storage/ttl.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <vector>

#include "storage/database.h"

namespace dynamo::storage {

std::optional<double> TtlExpiry(const core::Item& item, const std::string& attribute) {
  auto it = item.find(attribute);
  if (it == item.end() || it->second.type() != core::ValueType::kN) return std::nullopt;
  const core::Number& n = it->second.n();
  if (n.is_zero()) return 0.0;
  // value = ±0.digits * 10^exponent; |exponent| <= 130 stays within a double.
  std::string text =
      (n.negative() ? "-0." : "0.") + n.digits() + "e" + std::to_string(n.exponent());
  return std::strtod(text.c_str(), nullptr);
}

bool TtlExpired(const core::Item& item, const std::string& attribute, double now) {
  std::optional<double> expires = TtlExpiry(item, attribute);
  return expires && *expires < now && *expires >= now - kTtlMaxAgeSeconds;
}

namespace {

// The TTL deletion of one item: re-checked under the write lock, and
// *deleted set when it was found expired (so deleted, if the batch commits).
// Apply is synchronous: the flag outlives the mutation.
Mutation ExpiryMutation(const std::shared_ptr<const TableDef>& table, const EncodedKey& key,
                        double now, char* deleted) {
  Mutation m;
  m.table = table;
  m.key = key;
  m.kind = WriteKind::kDelete;
  m.decide = [attribute = table->ttl_attribute, now,
              deleted](const core::Item* stored) -> core::Result<Decision> {
    if (!stored || !TtlExpired(*stored, attribute, now)) return Decision::Keep();
    *deleted = 1;
    return Decision::Delete();
  };
  return m;
}

// Deletes the expired items of keys as the service, in one transaction; when
// one of them is held by a transaction, the others one by one. Returns how
// many it deleted.
core::Result<size_t> ApplyExpiryBatch(Database& db, const std::shared_ptr<const TableDef>& table,
                                      const std::vector<EncodedKey>& keys, double now) {
  ApplyOptions options;
  options.by_service = true;
  options.ttl_attribute = table->ttl_attribute;
  std::vector<char> deleted(keys.size(), 0);
  auto count = [&] { return static_cast<size_t>(std::count(deleted.begin(), deleted.end(), 1)); };
  std::vector<Mutation> batch;
  batch.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    batch.push_back(ExpiryMutation(table, keys[i], now, &deleted[i]));
  }
  auto applied = db.Apply(std::move(batch), options);
  if (applied.ok()) return applied->committed ? count() : 0;
  if (applied.error().code != core::ErrorCode::kTransactionConflict) return applied.error();
  std::fill(deleted.begin(), deleted.end(), 0);
  for (size_t i = 0; i < keys.size(); ++i) {
    std::vector<Mutation> one;
    one.push_back(ExpiryMutation(table, keys[i], now, &deleted[i]));
    auto single = db.Apply(std::move(one), options);
    if (!single.ok() && single.error().code != core::ErrorCode::kTransactionConflict) {
      return single.error();
    }
    if (!single.ok() || !single->committed) deleted[i] = 0;
  }
  return count();
}

}  // namespace

core::Result<size_t> SweepExpiredItems(Database& db, double now, size_t batch_size,
                                       size_t max_batches) {
  size_t total = 0;
  for (const std::string& name : db.TableNames()) {
    std::shared_ptr<const TableDef> table = db.FindTable(name);
    if (!table || table->ttl_attribute.empty()) continue;
    for (size_t batches = 0; max_batches == 0 || batches < max_batches; ++batches) {
      DYNAMO_ASSIGN_OR_RETURN(std::vector<EncodedKey> keys,
                              db.ExpiredKeys(table->id, now, batch_size));
      if (keys.empty()) break;
      const bool last = keys.size() < batch_size;
      auto applied = ApplyExpiryBatch(db, table, keys, now);
      // The table was deleted or recreated meanwhile: its items went with it.
      if (!applied.ok() && applied.error().code == core::ErrorCode::kResourceNotFound) break;
      if (!applied.ok()) return applied.error();
      total += *applied;
      // Nothing could be deleted (held, or no longer expired): later.
      if (last || *applied == 0) break;
    }
  }
  return total;
}

}  // namespace dynamo::storage
