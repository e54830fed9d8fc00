// The set of namespace databases.
//
// DynamoDB Local keeps one database per (access key id, region) and, with
// -sharedDb, one for everybody; so does this store. A namespace's database is
// opened on first use and stays open until the Storage is destroyed. Distinct
// namespaces share nothing, so clients with different access keys never wait
// on each other's writes.
//
// Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "storage/database.h"

namespace dynamo::storage {

struct StorageOptions {
  std::string data_dir;  // directory for <namespace>.db files; unused when in_memory
  bool in_memory = false;
  bool sync_full = false;
};

class Storage {
 public:
  // Creates data_dir if needed and checks it is writable.
  static core::Result<std::unique_ptr<Storage>> Open(const StorageOptions& options);

  // The database of a namespace; the name is any string (it is escaped into
  // a file name). The pointer stays valid for the Storage's lifetime.
  core::Result<Database*> Namespace(const std::string& name);

  const StorageOptions& options() const { return options_; }

 private:
  explicit Storage(StorageOptions options) : options_(std::move(options)) {}
  StorageOptions options_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Database>> databases_;
};

// "AKID_us-east-1" -> a file name that keeps [A-Za-z0-9_.-] and escapes the rest as %XX.
std::string NamespaceFileName(const std::string& name);

}  // namespace dynamo::storage
