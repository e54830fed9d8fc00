// The set of namespace databases.
//
// DynamoDB Local keeps one database per (access key id, region) and, with
// -sharedDb, one for everybody; so does this store. A namespace's database is
// opened on first use. File-backed namespaces are closed again when more than
// max_open_namespaces are open: the least recently used ones that no request
// holds (a handle is held for a whole request, transactions included), so
// descriptors and memory stay bounded however many namespaces clients use;
// a closed one is reopened on demand. In-memory namespaces are never closed
// (that would lose them). Distinct namespaces share nothing, so clients with
// different access keys never wait on each other's writes, nor on another
// namespace being opened.
//
// Thread-safe.
#pragma once

#include <condition_variable>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "storage/database.h"

namespace dynamo::storage {

struct StorageOptions {
  std::string data_dir;  // directory for <namespace>.db files; unused when in_memory
  bool in_memory = false;
  bool sync_full = false;
  size_t max_open_namespaces = 32;  // file-backed namespaces kept open at once
  std::function<double()> clock;    // DatabaseOptions::clock of every namespace
  ShardRollover shard_rollover;     // DatabaseOptions::shard_rollover of every namespace
};

class Storage {
 public:
  // Creates data_dir if needed and checks it is writable.
  static core::Result<std::unique_ptr<Storage>> Open(const StorageOptions& options);

  // The database of a namespace, opened if needed; the name is any string
  // (it is escaped into a file name). Hold the handle for as long as the
  // database is used (a request), no longer: held databases are never closed.
  core::Result<std::shared_ptr<Database>> Namespace(const std::string& name);

  // The database of a namespace that exists (open, or a file of it in
  // data_dir), opened if needed; null when there is none: nothing is created.
  core::Result<std::shared_ptr<Database>> ExistingNamespace(const std::string& name);

  // Namespaces open right now.
  size_t OpenNamespaces() const;
  // The databases of the namespaces open right now, by name (for background
  // upkeep: TTL sweeps, stream trimming). Holding them keeps them open, so
  // let go soon.
  std::vector<std::pair<std::string, std::shared_ptr<Database>>> OpenDatabases() const;

  const StorageOptions& options() const { return options_; }

 private:
  struct Slot {
    std::shared_ptr<Database> db;  // null while opening
    bool opening = false;
    std::list<std::string>::iterator lru;  // position in lru_, when db is set
  };

  explicit Storage(StorageOptions options) : options_(std::move(options)) {}
  core::Result<std::shared_ptr<Database>> OpenDatabase(const std::string& name) const;
  // Closes least recently used, unheld file namespaces past the limit.
  // Precondition: mu_ held.
  void CloseIdleNamespaces(std::vector<std::shared_ptr<Database>>* closing);

  StorageOptions options_;
  mutable std::mutex mu_;
  std::condition_variable opened_;
  std::map<std::string, Slot, std::less<>> slots_;
  std::list<std::string> lru_;  // open namespaces, most recently used first
};

// "AKID_us-east-1" -> a file name that keeps [A-Za-z0-9_.-] and escapes the rest as %XX.
std::string NamespaceFileName(const std::string& name);

}  // namespace dynamo::storage
