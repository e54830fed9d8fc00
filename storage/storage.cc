#include "storage/storage.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "storage/sqlite/schema.h"

namespace dynamo::storage {

using core::Error;
using core::ErrorCode;
using core::Result;

std::string NamespaceFileName(const std::string& name) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : name) {
    if (std::isalnum(c) || c == '_' || c == '-' || (c == '.' && !out.empty())) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out + ".db";
}

namespace {

// Refuses, at start-up rather than at a namespace's first request, a data
// directory holding a database written by a newer version. Anything else
// (an older version, to be migrated; a file that is not a database; one
// another process holds) is left to the namespace's own open, as before.
core::Status CheckSchemaVersions(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".db" || !entry.is_regular_file()) continue;
    auto version = sqlite::ReadSchemaVersion(entry.path().string());
    if (version.ok() && *version > sqlite::kSchemaVersion) {
      return sqlite::NewerSchemaError(entry.path().string(), *version);
    }
  }
  if (ec) {
    return Error{ErrorCode::kInternalServerError,
                 "cannot list data directory " + dir + ": " + ec.message()};
  }
  return core::Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Storage>> Storage::Open(const StorageOptions& options) {
  if (!options.in_memory) {
    std::error_code ec;
    std::filesystem::create_directories(options.data_dir, ec);
    if (ec) {
      return Error{ErrorCode::kInternalServerError,
                   "cannot create data directory " + options.data_dir + ": " + ec.message()};
    }
    if (access(options.data_dir.c_str(), W_OK | X_OK) != 0) {
      return Error{ErrorCode::kInternalServerError,
                   "data directory " + options.data_dir + " is not writable"};
    }
    DYNAMO_RETURN_IF_ERROR(CheckSchemaVersions(options.data_dir));
  }
  return std::unique_ptr<Storage>(new Storage(options));
}

Result<std::shared_ptr<Database>> Storage::OpenDatabase(const std::string& name) const {
  DatabaseOptions o;
  o.in_memory = options_.in_memory;
  o.sync_full = options_.sync_full;
  o.clock = options_.clock;
  o.shard_rollover = options_.shard_rollover;
  if (!o.in_memory) {
    o.path = (std::filesystem::path(options_.data_dir) / NamespaceFileName(name)).string();
  }
  DYNAMO_ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::Open(o));
  return std::shared_ptr<Database>(std::move(db));
}

void Storage::CloseIdleNamespaces(std::vector<std::shared_ptr<Database>>* closing) {
  if (options_.in_memory) return;
  for (auto it = lru_.end(); lru_.size() > options_.max_open_namespaces && it != lru_.begin();) {
    --it;
    auto slot = slots_.find(*it);
    // use_count 1: only this store holds it, and only under mu_ can anyone
    // take a new handle.
    if (slot->second.db.use_count() != 1) continue;
    closing->push_back(std::move(slot->second.db));
    slots_.erase(slot);
    it = lru_.erase(it);
  }
}

Result<std::shared_ptr<Database>> Storage::Namespace(const std::string& name) {
  std::vector<std::shared_ptr<Database>> closing;  // closed after mu_ is released
  std::unique_lock lock(mu_);
  while (true) {
    auto it = slots_.find(name);
    if (it == slots_.end()) break;
    if (!it->second.opening) {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      return it->second.db;
    }
    opened_.wait(lock);  // another thread is opening it
  }
  slots_[name].opening = true;
  lock.unlock();
  // Opened (possibly migrated) without the lock: other namespaces go on.
  Result<std::shared_ptr<Database>> opened = OpenDatabase(name);
  lock.lock();
  auto it = slots_.find(name);
  if (!opened.ok()) {
    slots_.erase(it);
  } else {
    it->second.opening = false;
    it->second.db = *opened;
    lru_.push_front(name);
    it->second.lru = lru_.begin();
    CloseIdleNamespaces(&closing);
  }
  opened_.notify_all();
  lock.unlock();
  closing.clear();
  return opened;
}

Result<std::shared_ptr<Database>> Storage::ExistingNamespace(const std::string& name) {
  {
    std::lock_guard lock(mu_);
    if (slots_.count(name) == 0 && options_.in_memory) return std::shared_ptr<Database>();
  }
  if (!options_.in_memory) {
    std::error_code ec;
    const auto path = std::filesystem::path(options_.data_dir) / NamespaceFileName(name);
    std::lock_guard lock(mu_);
    if (slots_.count(name) == 0 && !std::filesystem::exists(path, ec)) {
      return std::shared_ptr<Database>();
    }
  }
  return Namespace(name);
}

size_t Storage::OpenNamespaces() const {
  std::lock_guard lock(mu_);
  return lru_.size();
}

std::vector<std::pair<std::string, std::shared_ptr<Database>>> Storage::OpenDatabases() const {
  std::lock_guard lock(mu_);
  std::vector<std::pair<std::string, std::shared_ptr<Database>>> open;
  open.reserve(slots_.size());
  for (const auto& [name, slot] : slots_) {
    if (slot.db) open.emplace_back(name, slot.db);
  }
  return open;
}

}  // namespace dynamo::storage
