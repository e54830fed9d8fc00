// AttributeValue <-> DynamoDB JSON ({"S":"x"}, {"N":"1"}, {"M":{...}}, ...).
//
// Decoding is two passes, as DynamoDB's is: CheckAttributeMapTypes walks the
// JSON and reports wrong JSON types and bad base64 as SerializationException
// (deserialisation, before any validation); DecodeAttributeMap then validates
// values (numbers, sets, NULL, nesting) with DynamoDB's ValidationException
// messages. Call the check for every attribute map of a request before
// decoding any of them.
#pragma once

#include <string>

#include "core/attribute_value.h"
#include "server/api/json.h"

namespace dynamo::server {

// DynamoDB checks attribute values in one of two layers, and the operation
// decides which; the layer words a malformed number, a duplicate set member
// and a bad expression value (captured in eu-west-2, us-east-1, eu-west-1 and
// us-west-2, 2026-10-09):
//
//   kCurrent  PutItem, UpdateItem, DeleteItem, GetItem, BatchGetItem, Query.
//             An empty number is "...numeric value: "; 1e2147483647
//             overflows. A duplicate lists the set quoted, in byte order up to
//             the first repeat, then the repeat, then the rest as sent:
//             'Input collection ["a", "b", "b"] contains duplicates.' (a
//             number set names no members but keeps the prefix and full
//             stop). An expression value's error is reported as it is.
//   kOlder    BatchWriteItem, TransactWriteItems, TransactGetItems, Scan.
//             Java's number reading (core::NumberReading::kJava); a duplicate
//             lists the set as sent, unquoted ("Input collection [b, a, b]
//             contains duplicates."; a number set: "Input collection contains
//             duplicates"); an expression value's error is wrapped in
//             "ExpressionAttributeValues contains invalid value: <m> for key :k".
//
// (Where PutItem, UpdateItem and DeleteItem add the "1 validation error
// detected: " envelope is items.cc's business, not the layer's.)
// kPartiql: the current layer, its numbers read as Java's BigDecimal
// (core::NumberReading::kBigDecimal), as PartiQL's parameters are.
enum class ValueLayer { kCurrent, kOlder, kPartiql };

core::Status CheckAttributeMapTypes(const JsonValue& map);
core::Status CheckAttributeValueTypes(const JsonValue& value);

// The top-level attribute names of an item to write: none may be empty or
// longer than 65535 bytes ("Attribute name is too large, must be less than
// 65536 bytes", as DynamoDB Local's error table words it).
// DynamoDB checks them before the values (a TransactWriteItems Put reports
// "Empty attribute name" before a value nested too deep in the same item,
// recorded 2026).
core::Status CheckItemAttributeNames(const JsonValue& item);

// The transaction operations run the older layer, the default here.
core::Result<core::Item> DecodeAttributeMap(const JsonValue& map,
                                            ValueLayer layer = ValueLayer::kOlder);
core::Result<core::AttributeValue> DecodeAttributeValue(const JsonValue& value, ValueLayer layer);
// An ExpressionAttributeValues value. The older layer reads it one level
// shallower than an attribute of an item: 32 maps around a scalar pass (a
// TransactWriteItems ConditionCheck evaluates its condition, an Update
// fails on the item it would build), 33 do not; the current layer refuses 32
// (recorded against DynamoDB, eu-west-2 and us-east-1, 2026).
core::Result<core::AttributeValue> DecodeExpressionValue(const JsonValue& value, ValueLayer layer);

void WriteAttributeValue(const core::AttributeValue& value, JsonWriter& w);
void WriteAttributeMap(const core::Item& item, JsonWriter& w);

std::string Base64Encode(std::string_view bytes);

// {"ItemCollectionKey": {...}, "SizeEstimateRangeGB": [0, 1]}: an item
// collection far below DynamoDB's 10 GB limit, as DynamoDB reports it.
void WriteItemCollectionMetrics(const core::Item& collection_key, JsonWriter& w);

}  // namespace dynamo::server
