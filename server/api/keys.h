// The primary key of a request (Key, or the key attributes of an Item), with
// DynamoDB's validation messages, encoded for storage.
#pragma once

#include <string_view>

#include "core/attribute_value.h"
#include "core/error.h"
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

}  // namespace dynamo::server
