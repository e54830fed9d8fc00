#include "storage/database.h"

#include <map>
#include <mutex>
#include <shared_mutex>

#include "core/messages.h"
#include "storage/database_impl.h"
#include "storage/index.h"
#include "storage/sqlite/rows.h"
#include "storage/sqlite/schema.h"
#include "storage/sqlite/ttl_rows.h"
#include "storage/ttl.h"

namespace dynamo::storage {

using core::Item;
using core::Result;
using core::Status;
using sqlite::Connection;

std::shared_ptr<const TableDef> Database::Impl::Find(std::string_view name) const {
  std::shared_lock lock(catalog_mu);
  auto it = tables.find(name);
  return it == tables.end() ? nullptr : it->second;
}

const TableDef* Database::Impl::FindWhileWriting(std::string_view name) const {
  auto it = tables.find(name);
  return it == tables.end() ? nullptr : it->second.get();
}

void Database::Impl::Publish(std::shared_ptr<const TableDef> def) {
  std::unique_lock lock(catalog_mu);
  tables.insert_or_assign(def->name, std::move(def));
}

void Database::Impl::Unpublish(const std::string& name) {
  std::unique_lock lock(catalog_mu);
  tables.erase(name);
}

Status Database::Impl::InTransaction(const std::function<Status()>& body) {
  sqlite::Transaction txn(*writer);
  DYNAMO_RETURN_IF_ERROR(txn.Begin("BEGIN IMMEDIATE"));
  DYNAMO_RETURN_IF_ERROR(body());
  return txn.Commit();
}

Result<std::unique_ptr<Connection>> Database::Impl::OpenReader() const {
  return Connection::Open(options.path, options.in_memory, options.sync_full);
}

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
// A group still open (its members not yet waiting) commits before the
// writer closes, which would roll it back.
Database::~Database() {
  if (impl_) auto lock = impl_->LockWriter();
}

Result<std::unique_ptr<Database>> Database::Open(const DatabaseOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  DYNAMO_ASSIGN_OR_RETURN(impl->writer,
                          Connection::Open(options.path, options.in_memory, options.sync_full));
  DYNAMO_RETURN_IF_ERROR(
      sqlite::PrepareSchema(*impl->writer, options.in_memory ? ":memory:" : options.path));
  DYNAMO_ASSIGN_OR_RETURN(std::vector<TableDef> defs, sqlite::LoadTables(*impl->writer));
  for (TableDef& def : defs) impl->Publish(std::make_shared<const TableDef>(std::move(def)));
  DYNAMO_RETURN_IF_ERROR(LoadActiveStreams(*impl));
  if (!options.in_memory) {
    Impl* opened = impl.get();
    impl->checkpointer = std::make_unique<sqlite::Checkpointer>(
        impl->writer->db(), [opened] { return opened->OpenReader(); });
  }
  return std::unique_ptr<Database>(new Database(std::move(impl)));
}

// ---- Tables ----

std::shared_ptr<const TableDef> Database::FindTable(std::string_view name) const {
  return impl_->Find(name);
}

std::vector<std::string> Database::TableNames() const {
  std::shared_lock lock(impl_->catalog_mu);
  std::vector<std::string> names;
  names.reserve(impl_->tables.size());
  for (const auto& [name, def] : impl_->tables) names.push_back(name);
  return names;
}

Result<std::shared_ptr<const TableDef>> Database::CreateTable(TableDef def) {
  auto lock = impl_->LockWriter();
  if (impl_->Find(def.name)) return core::TableAlreadyExists(def.name);
  std::optional<Impl::ActiveStream> stream;
  DYNAMO_RETURN_IF_ERROR(impl_->InTransaction([&]() -> Status {
    DYNAMO_ASSIGN_OR_RETURN(def.id, sqlite::InsertTable(*impl_->writer, def));
    DYNAMO_ASSIGN_OR_RETURN(stream, SyncStream(*impl_, *impl_->writer, nullptr, &def));
    return Status::Ok();
  }));
  SetActiveStream(*impl_, def.id, std::move(stream));
  auto published = std::make_shared<const TableDef>(std::move(def));
  impl_->Publish(published);
  return published;
}

namespace {

bool HasIndex(const TableDef& def, int64_t id) {
  bool found = false;
  def.ForEachIndex([&](const IndexDef& ix) { found = found || ix.id == id; });
  return found;
}

// Fills a new index from the table's items, with the write path's per-item
// index code (IndexEntryFor).
Status Backfill(Connection& c, const TableDef& def, const IndexDef& index) {
  return sqlite::ScanTable(c, def.id, [&](const EncodedKey& base, const Item& item) -> Status {
    std::optional<IndexEntry> entry = IndexEntryFor(def, index, item);
    if (!entry) return Status::Ok();  // sparse: items without the index key are not in it
    return sqlite::PutIndexEntry(c, def.id, index.id, entry->key, base, entry->projected,
                                 entry->size);
  });
}

// Rebuilds the TTL expiry index of a table whose TTL attribute changed.
Status RebuildExpiries(Connection& c, const TableDef& def) {
  DYNAMO_RETURN_IF_ERROR(sqlite::DropExpiries(c, def.id));
  if (def.ttl_attribute.empty()) return Status::Ok();
  return sqlite::ScanTable(c, def.id, [&](const EncodedKey& key, const Item& item) -> Status {
    std::optional<double> expires = TtlExpiry(item, def.ttl_attribute);
    return expires ? sqlite::PutExpiry(c, def.id, key, *expires) : Status::Ok();
  });
}

}  // namespace

Result<std::shared_ptr<const TableDef>> Database::UpdateTable(std::string_view name,
                                                              const TableChange& change) {
  auto lock = impl_->LockWriter();
  std::shared_ptr<const TableDef> current = impl_->Find(name);
  if (!current) return core::TableNotFound(name);
  DYNAMO_ASSIGN_OR_RETURN(TableDef next, change(*current));
  next.id = current->id;
  next.name = current->name;
  Connection& c = *impl_->writer;
  std::optional<Impl::ActiveStream> stream;
  DYNAMO_RETURN_IF_ERROR(impl_->InTransaction([&]() -> Status {
    DYNAMO_ASSIGN_OR_RETURN(stream, SyncStream(*impl_, c, current.get(), &next));
    Status status;
    next.ForEachIndex([&](const IndexDef& ix) {
      if (status.ok() && !HasIndex(*current, ix.id)) status = Backfill(c, next, ix);
    });
    current->ForEachIndex([&](const IndexDef& ix) {
      if (status.ok() && !HasIndex(next, ix.id)) status = sqlite::DropIndex(c, next.id, ix.id);
    });
    DYNAMO_RETURN_IF_ERROR(status);
    if (current->ttl_attribute != next.ttl_attribute) {
      DYNAMO_RETURN_IF_ERROR(RebuildExpiries(c, next));
    }
    return sqlite::UpdateTableDef(c, next);
  }));
  SetActiveStream(*impl_, next.id, std::move(stream));
  // Published while the write lock is held: the next write sees the new
  // definition, and no reader sees an index before its backfill committed.
  auto published = std::make_shared<const TableDef>(std::move(next));
  impl_->Publish(published);
  return published;
}

Result<Database::DeletedTable> Database::DeleteTable(
    std::string_view name, const std::function<Status(const TableDef&)>& check) {
  auto lock = impl_->LockWriter();
  std::shared_ptr<const TableDef> current = impl_->Find(name);
  if (!current) return core::TableNotFound(name);
  DYNAMO_RETURN_IF_ERROR(check(*current));
  DYNAMO_ASSIGN_OR_RETURN(TableStats stats, sqlite::Stats(*impl_->writer, current->id));
  // Its stream, if any, is disabled and stays readable.
  DYNAMO_RETURN_IF_ERROR(impl_->InTransaction([&]() -> Status {
    DYNAMO_RETURN_IF_ERROR(SyncStream(*impl_, *impl_->writer, current.get(), nullptr));
    return sqlite::DropTable(*impl_->writer, current->id);
  }));
  SetActiveStream(*impl_, current->id, std::nullopt);
  impl_->Unpublish(current->name);
  return DeletedTable{current, stats};
}

Result<std::vector<EncodedKey>> Database::ExpiredKeys(int64_t table_id, double now, size_t limit) {
  return impl_->Read([&](Connection& c) {
    return sqlite::ExpiringKeys(c, table_id, now - kTtlMaxAgeSeconds, now, limit);
  });
}

Result<TableStats> Database::Stats(int64_t table_id) {
  return impl_->Read([&](Connection& c) { return sqlite::Stats(c, table_id); });
}

Result<TableStats> Database::IndexStats(int64_t table_id, int64_t index_id) {
  return impl_->Read([&](Connection& c) { return sqlite::IndexStats(c, table_id, index_id); });
}

// ---- Writes (Apply is in write_path.cc) ----

void Database::SetChangeHook(ChangeHook hook) {
  std::lock_guard lock(impl_->write_mu);
  impl_->hook = std::move(hook);
}

ItemLocks& Database::locks() { return impl_->locks; }

// ---- Reads ----

Result<std::optional<Item>> ReadTxn::Get(int64_t table_id, const EncodedKey& key) {
  return sqlite::GetItem(*conn_, table_id, key);
}

Result<std::optional<Item>> Database::GetItem(int64_t table_id, const EncodedKey& key) {
  return impl_->Read([&](Connection& c) { return sqlite::GetItem(c, table_id, key); });
}

Status Database::Query(int64_t table_id, int64_t index_id, const std::string& hash,
                       const RangeBounds& bounds, bool forward,
                       const std::optional<Position>& start, const RowVisitor& visit) {
  return impl_->Read([&](Connection& c) -> Status {
    ReadTxn reader(&c);
    return sqlite::QueryRows(c, &reader, table_id, index_id, hash, bounds, forward, start, visit);
  });
}

Status Database::Scan(int64_t table_id, int64_t index_id, uint32_t hash_lo, uint32_t hash_hi,
                      const std::optional<Position>& start, const RowVisitor& visit) {
  return impl_->Read([&](Connection& c) -> Status {
    ReadTxn reader(&c);
    return sqlite::ScanRows(c, &reader, table_id, index_id, hash_lo, hash_hi, start, visit);
  });
}

Status Database::Read(const std::function<Status(ReadTxn&)>& fn) {
  return impl_->Read([&](Connection& c) -> Status {
    sqlite::Transaction txn(c);
    DYNAMO_RETURN_IF_ERROR(txn.Begin("BEGIN"));
    ReadTxn reader(&c);
    DYNAMO_RETURN_IF_ERROR(fn(reader));
    return txn.Commit();
  });
}

}  // namespace dynamo::storage
