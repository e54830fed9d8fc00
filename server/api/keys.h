// The primary key of a request (Key, or the key attributes of an Item), with
// DynamoDB's validation messages, encoded for storage.
#pragma once

#include <string_view>

#include "core/attribute_value.h"
#include "core/error.h"
#include "expr/projection.h"
#include "storage/key_encoding.h"
#include "storage/table_def.h"

namespace dynamo::server {

// Which kind of key error: DynamoDB fails a whole TransactWriteItems for an
// empty key value but only cancels the action for any other key error.
enum class KeyErrorKind { kOther, kEmptyValue };

// The Key parameter of GetItem/DeleteItem/UpdateItem & co.: exactly the
// table's key attributes. empty_prefix differs by operation, as DynamoDB's
// messages do. *kind (when given) is set on failure.
core::Result<storage::EncodedKey> KeyFromKeyMap(const storage::TableDef& t, const core::Item& key,
                                                std::string_view empty_prefix,
                                                KeyErrorKind* kind = nullptr);
// The key attributes of a whole item (PutItem), with DynamoDB's messages.
core::Result<storage::EncodedKey> KeyFromItem(const storage::TableDef& t, const core::Item& item,
                                              KeyErrorKind* kind = nullptr);

// Key attributes must be scalars: DynamoDB rejects a document path that
// digs into one ('.' or '[]' after it) in a ProjectionExpression, a
// FilterExpression or an update's target, naming a table key attribute
// "Key: <name>" and a key attribute of one of the table's indexes
// "IndexKey: <name>".
enum class KeyRole { kNone, kTableKey, kIndexKey };
KeyRole KeyRoleOf(const storage::TableDef& t, const std::string& name);
core::Error NonScalarKeyAccess(KeyRole role, const std::string& name);
// The first key attribute, table key attributes before index key attributes
// (DynamoDB's order), that one of the resolved paths digs into.
core::Status CheckKeyPathsScalar(const storage::TableDef& t, const std::vector<expr::Path>& paths);

}  // namespace dynamo::server
