// Database::Apply: the one write path (write_path.h has the contract).
#include <algorithm>
#include <string_view>

#include "core/messages.h"
#include "storage/database_impl.h"
#include "storage/index.h"
#include "storage/sqlite/rows.h"
#include "storage/sqlite/stream_rows.h"
#include "storage/sqlite/ttl_rows.h"
#include "storage/ttl.h"

namespace dynamo::storage {

using core::Error;
using core::ErrorCode;
using core::Item;
using core::Result;
using core::Status;
using sqlite::Connection;

namespace {

// One mutation between its decision and its write; the items themselves are
// in the mutation's MutationResult.
struct Pending {
  const TableDef* table = nullptr;                 // current definition (the catalog holds it)
  Database::Impl::ActiveStream* stream = nullptr;  // the table's enabled stream
  Decision::Action action = Decision::Action::kKeep;
  bool read = false;  // the stored item was read
};

Error InternalError(std::string message) {
  return Error{ErrorCode::kInternalServerError, std::move(message)};
}

// Step 1: the current definition of every mutation's table.
Status ResolveTables(Database::Impl& impl, const std::vector<Mutation>& batch,
                     const ApplyOptions& options, Pending* pending) {
  for (size_t i = 0; i < batch.size(); ++i) {
    const Mutation& m = batch[i];
    if (m.invalid) continue;
    if (!m.table || !m.decide) return InternalError("mutation without table or decision");
    const TableDef* current = impl.FindWhileWriting(m.table->name);
    // A table deleted, or deleted and created again, since the request looked it up.
    if (!current || current->id != m.table->id) return core::ResourceNotFound();
    // TTL deletions judged by a TTL setting that has changed since.
    if (options.ttl_attribute && current->ttl_attribute != *options.ttl_attribute) {
      return core::ResourceNotFound();
    }
    pending[i].table = current;
    auto stream = impl.active_streams.find(current->id);
    if (stream != impl.active_streams.end()) pending[i].stream = &stream->second;
  }
  return Status::Ok();
}

// Step 2: items held by another owner's transaction; at most one mutation per item.
Status CheckLocksAndDuplicates(const ItemLocks& locks, const std::vector<Mutation>& batch,
                               uint64_t owner) {
  const bool any_locks = locks.AnyHeld();
  if (!any_locks && batch.size() < 2) return Status::Ok();
  std::vector<std::string> keys;
  keys.reserve(batch.size());
  for (const Mutation& m : batch) {
    if (!m.invalid) keys.push_back(ItemLockKey(m.table->id, m.key));
  }
  if (any_locks && locks.FirstLockedByOther(keys, owner)) return core::TransactionConflict();
  std::vector<std::string_view> sorted(keys.begin(), keys.end());
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    return InternalError("a write batch names one item twice");
  }
  return Status::Ok();
}

// The checks of a new item against the table's current definition.
Status CheckNewItem(const Mutation& m, const TableDef& table, const Item& item, size_t size) {
  if (!ItemHasKey(table.key, item, m.key)) {
    return InternalError("a write decision changed the item's key");
  }
  if (size > core::kMaxItemSize) {
    return m.kind == WriteKind::kUpdate ? core::UpdatedItemTooLarge() : core::ItemTooLarge();
  }
  const IndexKeySource source =
      m.kind == WriteKind::kUpdate ? IndexKeySource::kUpdate : IndexKeySource::kItem;
  if (auto violation = FindIndexKeyViolation(table, item, source)) {
    return std::move(violation->error);
  }
  return Status::Ok();
}

// Step 3 for one mutation: read, decide, check. An error refuses the batch.
Status Evaluate(Connection& c, bool hook, Mutation& m, Pending& p, MutationResult& r) {
  const TableDef& table = *p.table;
  p.read = m.needs_stored_item || table.has_indexes() || hook || p.stream;
  if (p.read) {
    DYNAMO_ASSIGN_OR_RETURN(r.old_item, sqlite::GetItem(c, table.id, m.key));
    if (r.old_item) r.old_size = core::ItemSize(*r.old_item);
  }
  DYNAMO_ASSIGN_OR_RETURN(Decision decision, m.decide(r.old_item ? &*r.old_item : nullptr));
  p.action = decision.action();
  if (p.action != Decision::Action::kPut) return Status::Ok();
  r.new_item = std::move(decision.item());
  r.new_size = core::ItemSize(*r.new_item);
  return CheckNewItem(m, table, *r.new_item, r.new_size);
}

// Whether two items hold the same attributes with equal values (numbers are
// kept normalised, so equal numbers are stored alike).
bool SameItem(const Item& a, const Item& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.first == y.first && x.second.Equals(y.second);
  });
}

// Replaces the entry of old_item by that of new_item (either may be null) in
// one index, recording what changed in writes. An entry that stays the same
// (same key, same projected attributes) is not rewritten.
Status MaintainIndex(Connection& c, const TableDef& table, const IndexDef& ix, bool global,
                     const EncodedKey& base_key, const Item* old_item, const Item* new_item,
                     std::vector<IndexWrite>& writes) {
  std::optional<IndexEntry> before = old_item ? IndexEntryFor(table, ix, *old_item) : std::nullopt;
  std::optional<IndexEntry> after = new_item ? IndexEntryFor(table, ix, *new_item) : std::nullopt;
  if (!before && !after) return Status::Ok();
  const bool same_key = before && after && before->key == after->key;
  if (same_key && SameItem(before->projected, after->projected)) return Status::Ok();
  IndexWrite write{ix.id, global, std::nullopt, std::nullopt};
  if (before && !same_key) {
    DYNAMO_RETURN_IF_ERROR(sqlite::DeleteIndexEntry(c, table.id, ix.id, before->key, base_key));
    write.deleted = before->size;
  }
  if (after) {
    DYNAMO_RETURN_IF_ERROR(sqlite::PutIndexEntry(c, table.id, ix.id, after->key, base_key,
                                                 after->projected, after->size));
    write.put = after->size;
  }
  writes.push_back(write);
  return Status::Ok();
}

// MaintainIndex for every index of the table.
Status MaintainIndexes(Connection& c, const TableDef& table, const EncodedKey& base_key,
                       const Item* old_item, const Item* new_item,
                       std::vector<IndexWrite>& writes) {
  for (const IndexDef& ix : table.global_indexes) {
    DYNAMO_RETURN_IF_ERROR(MaintainIndex(c, table, ix, true, base_key, old_item, new_item, writes));
  }
  for (const IndexDef& ix : table.local_indexes) {
    DYNAMO_RETURN_IF_ERROR(
        MaintainIndex(c, table, ix, false, base_key, old_item, new_item, writes));
  }
  return Status::Ok();
}

// The key attributes of an item.
Item KeyOf(const TableDef& table, const Item& item) {
  Item keys;
  auto hash = item.find(table.key.hash.name);
  if (hash != item.end()) keys.emplace(hash->first, hash->second);
  if (table.key.range) {
    auto range = item.find(table.key.range->name);
    if (range != item.end()) keys.emplace(range->first, range->second);
  }
  return keys;
}

// The stream record of a change, in the transaction of the change itself,
// after rolling the open shard over if it is due. A put that leaves the item
// as it was writes none, as on DynamoDB.
Status AppendStreamRecord(Connection& c, Database::Impl& impl, const Pending& p,
                          const MutationResult& r, bool deleted, bool by_service) {
  const Item* old_item = r.old_item ? &*r.old_item : nullptr;
  const Item* new_item = deleted ? nullptr : &*r.new_item;
  if (old_item && new_item && SameItem(*old_item, *new_item)) return Status::Ok();
  Database::Impl::ActiveStream& stream = *p.stream;
  const double now = impl.Now();
  const ShardRollover& roll = RolloverOf(impl, *p.table);
  if (stream.shard_records > 0 &&
      ((roll.records > 0 && stream.shard_records >= roll.records) ||
       (roll.seconds > 0 && now - stream.shard_created >= roll.seconds))) {
    DYNAMO_RETURN_IF_ERROR(RollShard(impl, c, stream, now));
  }
  const std::string& view = stream.view_type;
  StreamRecord record;
  record.seq = impl.next_seq++;
  record.created = now;
  record.by_service = by_service;
  record.event = !old_item   ? StreamEvent::kInsert
                 : !new_item ? StreamEvent::kRemove
                             : StreamEvent::kModify;
  record.keys = KeyOf(*p.table, new_item ? *new_item : *old_item);
  record.size = core::ItemSize(record.keys);
  const bool both = view == "NEW_AND_OLD_IMAGES";
  const Item* old_kept = old_item && (both || view == "OLD_IMAGE") ? old_item : nullptr;
  const Item* new_kept = new_item && (both || view == "NEW_IMAGE") ? new_item : nullptr;
  if (old_kept) record.size += r.old_size;
  if (new_kept) record.size += r.new_size;
  DYNAMO_RETURN_IF_ERROR(
      sqlite::AppendRecord(c, stream.id, stream.shard, record, old_kept, new_kept));
  ++stream.shard_records;
  return Status::Ok();
}

// The item's entry in the TTL expiry index of a table with TTL enabled
// (new_item null: the item is gone). When the stored item was read and had
// no expiry time, there is no entry to delete.
Status MaintainExpiry(Connection& c, const TableDef& table, const EncodedKey& key, const Pending& p,
                      const Item* old_item, const Item* new_item) {
  if (table.ttl_attribute.empty()) return Status::Ok();
  std::optional<double> expires =
      new_item ? TtlExpiry(*new_item, table.ttl_attribute) : std::nullopt;
  if (expires) return sqlite::PutExpiry(c, table.id, key, *expires);
  if (p.read && (!old_item || !TtlExpiry(*old_item, table.ttl_attribute))) return Status::Ok();
  return sqlite::DeleteExpiry(c, table.id, key);
}

// Step 4 for one mutation: the row, its index and expiry entries, its stream
// record, the change hook.
Status Write(Connection& c, Database::Impl& impl, const Mutation& m, const Pending& p,
             MutationResult& r, bool by_service) {
  const TableDef& table = *p.table;
  const ChangeHook& hook = impl.hook;
  const Item* old_item = r.old_item ? &*r.old_item : nullptr;
  if (p.action == Decision::Action::kPut) {
    DYNAMO_RETURN_IF_ERROR(sqlite::PutItem(c, table.id, m.key, *r.new_item, r.new_size));
    DYNAMO_RETURN_IF_ERROR(
        MaintainIndexes(c, table, m.key, old_item, &*r.new_item, r.index_writes));
    DYNAMO_RETURN_IF_ERROR(MaintainExpiry(c, table, m.key, p, old_item, &*r.new_item));
    if (p.stream) {
      DYNAMO_RETURN_IF_ERROR(AppendStreamRecord(c, impl, p, r, /*deleted=*/false, by_service));
    }
    if (hook) DYNAMO_RETURN_IF_ERROR(hook(Change{table, m.key, old_item, &*r.new_item}));
    return Status::Ok();
  }
  if (p.action == Decision::Action::kDelete) {
    // Without a read (a blind delete on a table with no index and no hook)
    // the row is deleted if it exists.
    if (p.read && !old_item) return Status::Ok();
    DYNAMO_RETURN_IF_ERROR(sqlite::DeleteItem(c, table.id, m.key));
    if (old_item)
      DYNAMO_RETURN_IF_ERROR(MaintainIndexes(c, table, m.key, old_item, nullptr, r.index_writes));
    DYNAMO_RETURN_IF_ERROR(MaintainExpiry(c, table, m.key, p, old_item, nullptr));
    if (p.stream && old_item) {
      DYNAMO_RETURN_IF_ERROR(AppendStreamRecord(c, impl, p, r, /*deleted=*/true, by_service));
    }
    if (hook && old_item) DYNAMO_RETURN_IF_ERROR(hook(Change{table, m.key, old_item, nullptr}));
  }
  return Status::Ok();
}

// Steps 3 and 4 in the writer's open transaction: evaluates every mutation
// and, when none was refused, writes them all. A returned error leaves the
// transaction to be rolled back; refusals are in result.failures.
Status EvaluateAndWrite(Database::Impl& impl, std::vector<Mutation>& batch, Pending* pending,
                        const ApplyOptions& options, BatchResult& result) {
  Connection& c = *impl.writer;
  const bool hook = static_cast<bool>(impl.hook);
  result.results.resize(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].invalid) {
      result.failures.push_back({i, *batch[i].invalid});
      break;
    }
    Status evaluated = Evaluate(c, hook, batch[i], pending[i], result.results[i]);
    if (evaluated.ok()) continue;
    Error error = std::move(evaluated).error();
    if (error.code == ErrorCode::kInternalServerError) return error;
    const bool go_on = error.code == ErrorCode::kConditionalCheckFailed;
    result.failures.push_back({i, std::move(error)});
    if (!go_on) break;
  }
  if (!result.failures.empty()) return Status::Ok();  // nothing was written
  for (size_t i = 0; i < batch.size(); ++i) {
    DYNAMO_RETURN_IF_ERROR(
        Write(c, impl, batch[i], pending[i], result.results[i], options.by_service));
  }
  return Status::Ok();
}

}  // namespace

Result<BatchResult> Database::Apply(std::vector<Mutation> batch, const ApplyOptions& options) {
  std::lock_guard lock(impl_->write_mu);
  // Most batches are one item: their bookkeeping stays off the heap.
  constexpr size_t kInline = 4;
  Pending inline_pending[kInline];
  std::vector<Pending> heap_pending(batch.size() > kInline ? batch.size() : 0);
  Pending* pending = batch.size() > kInline ? heap_pending.data() : inline_pending;
  DYNAMO_RETURN_IF_ERROR(ResolveTables(*impl_, batch, options, pending));
  DYNAMO_RETURN_IF_ERROR(CheckLocksAndDuplicates(impl_->locks, batch, options.lock_owner));

  // An in-memory store commits at once: its commit costs no I/O, and its
  // reads use the writer, which must not show a write not yet answered.
  const bool defer = options.deferred_commit && !impl_->options.in_memory;
  // A request that wrote before, in a group now settled (groups settle in
  // order, one open at a time): if that group was rolled back, so is the
  // request, whatever its later writes do.
  if (defer && *options.deferred_commit != 0 && *options.deferred_commit != impl_->open_group) {
    DYNAMO_RETURN_IF_ERROR(impl_->GroupOutcome(*options.deferred_commit));
  }
  DYNAMO_RETURN_IF_ERROR(impl_->OpenGroup());
  BatchResult result;
  Status written = Status::Ok();
  try {
    written = EvaluateAndWrite(*impl_, batch, pending, options, result);
  } catch (...) {
    // A bug (or bad_alloc) part way through a batch: none of it may stay
    // in the group.
    impl_->FailGroup(InternalError("a write failed with an exception"));
    throw;
  }
  if (!written.ok()) {
    // The group's earlier writes go with this batch's: their members answer
    // with the same error (storage failures only; a refusal writes nothing).
    impl_->FailGroup(written.error());
    return written.error();
  }
  if (defer) {
    *options.deferred_commit = std::max(*options.deferred_commit, impl_->open_group);
  } else {
    DYNAMO_RETURN_IF_ERROR(impl_->CommitGroup());
  }
  if (!result.failures.empty()) {
    result.results.clear();
    return result;
  }
  result.committed = true;
  return result;
}

Status Database::AwaitCommit(uint64_t group) {
  std::lock_guard lock(impl_->write_mu);
  if (group == impl_->open_group) {
    Status committed = impl_->CommitGroup();
    if (!committed.ok()) return committed;
  }
  return impl_->GroupOutcome(group);
}

Status Database::Impl::OpenGroup() {
  if (open_group != 0) return Status::Ok();
  DYNAMO_RETURN_IF_ERROR(writer->Exec("BEGIN IMMEDIATE"));
  open_group = ++last_group;
  return Status::Ok();
}

Status Database::Impl::CommitGroup() {
  if (open_group == 0) return Status::Ok();
  Status committed = writer->Exec("COMMIT");
  if (!committed.ok()) {
    FailGroup(committed.error());
    return committed;
  }
  open_group = 0;
  return Status::Ok();
}

void Database::Impl::FailGroup(const Error& error) {
  if (open_group == 0) return;
  // A failed COMMIT may have rolled back already; then this one fails, harmlessly.
  (void)writer->Exec("ROLLBACK");
  // Enough that a member's outcome is still known when it waits: between
  // its write and its wait, fewer groups can fail than there are requests
  // in flight (each one's writes fail at most a few groups).
  constexpr size_t kFailuresKept = 65536;
  if (failed_groups.size() == kFailuresKept) failed_groups.pop_front();
  failed_groups.emplace_back(open_group, error);
  open_group = 0;
  // The stream state kept in memory (records counted, shards rolled over)
  // was rolled back on disk.
  if (!active_streams.empty()) {
    Status reloaded = ReloadActiveStreams(*this);
    if (!reloaded.ok()) {
      failed_groups.back().second.message += "; reloading streams: " + reloaded.error().message;
    }
  }
}

Status Database::Impl::GroupOutcome(uint64_t group) const {
  // Groups fail in the order they were numbered: the list is sorted.
  auto it = std::lower_bound(failed_groups.begin(), failed_groups.end(), group,
                             [](const auto& failed, uint64_t g) { return failed.first < g; });
  if (it != failed_groups.end() && it->first == group) return it->second;
  return Status::Ok();
}

std::unique_lock<std::mutex> Database::Impl::LockWriter() {
  std::unique_lock lock(write_mu);
  (void)CommitGroup();  // a failure is the group's members' answer, not the caller's
  return lock;
}

}  // namespace dynamo::storage
