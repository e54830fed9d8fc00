// Private to storage: the row operations on the schema of schema.h. The only
// code that writes an item or an index row; Database::Apply (write_path.cc)
// and the table changes in database.cc are its only callers.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/attribute_value.h"
#include "core/error.h"
#include "storage/database.h"
#include "storage/key_encoding.h"
#include "storage/sqlite/connection.h"
#include "storage/table_def.h"

namespace dynamo::storage::sqlite {

core::Result<std::optional<core::Item>> GetItem(Connection& c, int64_t table,
                                                const EncodedKey& key);
core::Status PutItem(Connection& c, int64_t table, const EncodedKey& key, const core::Item& item,
                     size_t size);
core::Status DeleteItem(Connection& c, int64_t table, const EncodedKey& key);

core::Status PutIndexEntry(Connection& c, int64_t table, int64_t index, const EncodedKey& index_key,
                           const EncodedKey& base_key, const core::Item& projected, size_t size);
core::Status DeleteIndexEntry(Connection& c, int64_t table, int64_t index,
                              const EncodedKey& index_key, const EncodedKey& base_key);
core::Status DropIndex(Connection& c, int64_t table, int64_t index);

// Every item of a table in storage order (index backfill).
core::Status ScanTable(Connection& c, int64_t table,
                       const std::function<core::Status(const EncodedKey&, const core::Item&)>& fn);

// The tables, with their ids.
core::Result<std::vector<TableDef>> LoadTables(Connection& c);
// Inserts the definition; returns the new id. ResourceInUse when the name exists.
core::Result<int64_t> InsertTable(Connection& c, const TableDef& def);
core::Status UpdateTableDef(Connection& c, const TableDef& def);
// Removes the table row, its items and its index entries.
core::Status DropTable(Connection& c, int64_t table);

core::Result<TableStats> Stats(Connection& c, int64_t table);
core::Result<TableStats> IndexStats(Connection& c, int64_t table, int64_t index);

// The rows of Database::Query and Database::Scan (see there), each decoded
// and handed to visit with reader set.
core::Status QueryRows(Connection& c, ReadTxn* reader, int64_t table, int64_t index,
                       const std::string& hash, const RangeBounds& bounds, bool forward,
                       const std::optional<Position>& start, const RowVisitor& visit);
core::Status ScanRows(Connection& c, ReadTxn* reader, int64_t table, int64_t index,
                      uint32_t hash_lo, uint32_t hash_hi, const std::optional<Position>& start,
                      const RowVisitor& visit);

}  // namespace dynamo::storage::sqlite
