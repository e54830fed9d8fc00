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

Result<Database*> Storage::Namespace(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = databases_.find(name);
  if (it != databases_.end()) return it->second.get();
  DatabaseOptions o;
  o.in_memory = options_.in_memory;
  o.sync_full = options_.sync_full;
  if (!o.in_memory) {
    o.path = (std::filesystem::path(options_.data_dir) / NamespaceFileName(name)).string();
  }
  DYNAMO_ASSIGN_OR_RETURN(auto db, Database::Open(o));
  Database* raw = db.get();
  databases_.emplace(name, std::move(db));
  return raw;
}

}  // namespace dynamo::storage
