// Table definitions and the per-namespace catalog.
//
// A TableInfo is immutable once published: operations hold a
// shared_ptr<const TableInfo> for the duration of a request, and control-plane
// changes publish a new TableInfo. The storage layer keeps each table's
// definition as opaque text (TableInfo::ToMeta), so the catalog can be rebuilt
// when a namespace database is opened.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "core/attribute_value.h"
#include "server/api/transaction_state.h"
#include "storage/database.h"

namespace dynamo::server {

struct KeyElement {
  std::string name;
  core::ValueType type = core::ValueType::kS;  // S, N or B
};

struct KeySchema {
  KeyElement hash;
  std::optional<KeyElement> range;
};

struct Throughput {
  int64_t read = 0;
  int64_t write = 0;
  double last_increase = 0;
  double last_decrease = 0;
  int64_t decreases_today = 0;
};

struct IndexInfo {
  int64_t id = 0;  // storage id of the index within its table (index_items.ix), never 0
  std::string name;
  KeySchema key;
  std::string projection_type;  // ALL, KEYS_ONLY or INCLUDE
  std::vector<std::string> non_key_attributes;
  std::optional<Throughput> throughput;  // GSIs on provisioned tables
};

struct TableInfo {
  int64_t storage_id = 0;
  std::string name;
  std::string table_id;  // UUID
  double creation_time = 0;
  std::vector<std::pair<std::string, std::string>> attribute_definitions;  // name, S/N/B; sorted
  KeySchema key;
  bool pay_per_request = false;
  double last_update_to_pay_per_request = 0;  // 0: never on demand
  Throughput throughput;
  std::vector<IndexInfo> global_indexes;
  std::vector<IndexInfo> local_indexes;
  bool stream_enabled = false;
  std::string stream_view_type;
  std::string stream_label;
  bool deletion_protection = false;
  std::string table_class;  // empty: STANDARD, never set
  std::vector<std::pair<std::string, std::string>> tags;
  int64_t next_index_id = 1;

  // The index called name, or nullptr. *global tells which kind it is.
  const IndexInfo* FindIndex(std::string_view index_name, bool* global = nullptr) const;
  bool has_indexes() const { return !global_indexes.empty() || !local_indexes.empty(); }

  std::string ToMeta() const;
  static core::Result<TableInfo> FromMeta(const std::string& meta);
};

// One namespace: its database and the tables in it. Thread-safe.
class Namespace {
 public:
  static core::Result<std::unique_ptr<Namespace>> Load(storage::Database* db);

  storage::Database* db() const { return db_; }
  std::shared_ptr<const TableInfo> Find(std::string_view name) const;
  std::vector<std::string> TableNames() const;  // sorted byte-wise

  // Serialises control-plane changes of this namespace.
  std::mutex& control_mutex() { return control_mu_; }
  void Publish(std::shared_ptr<const TableInfo> table);
  void Remove(const std::string& name);

  ItemLocks& locks() { return locks_; }
  IdempotencyTokens& tokens() { return tokens_; }

 private:
  explicit Namespace(storage::Database* db) : db_(db) {}
  storage::Database* db_;
  std::mutex control_mu_;
  mutable std::shared_mutex mu_;
  std::map<std::string, std::shared_ptr<const TableInfo>, std::less<>> tables_;
  ItemLocks locks_;
  IdempotencyTokens tokens_;
};

}  // namespace dynamo::server
