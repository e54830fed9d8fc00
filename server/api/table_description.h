// The TableDescription of CreateTable, DescribeTable, UpdateTable and
// DeleteTable responses.
#pragma once

#include <string>
#include <string_view>

#include "server/api/json.h"
#include "server/api/operations.h"
#include "storage/database.h"
#include "storage/table_def.h"

namespace dynamo::server {

// kFull: everything DescribeTable reports. kDeleting: the subset DeleteTable
// returns (no attribute definitions, key schema, creation time, indexes,
// streams, table class, deletion protection or warm throughput).
enum class DescriptionKind { kFull, kDeleting };

// Writes the TableDescription object of t with the given TableStatus and
// table statistics; kFull reads each index's statistics from ctx's database.
void WriteTableDescription(const OpContext& ctx, const storage::TableDef& t,
                           std::string_view status, const storage::TableStats& stats,
                           DescriptionKind kind, JsonWriter& w);

// The response body {"<wrapper>": TableDescription}, with the given stats.
std::string DescriptionResponse(const OpContext& ctx, std::string_view wrapper,
                                const storage::TableDef& t, std::string_view status,
                                const storage::TableStats& stats, DescriptionKind kind);
// The same with the table's live statistics.
core::Result<std::string> DescriptionResponse(const OpContext& ctx, std::string_view wrapper,
                                              const storage::TableDef& t, std::string_view status,
                                              DescriptionKind kind);

}  // namespace dynamo::server
