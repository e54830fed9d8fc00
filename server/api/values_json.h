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

core::Status CheckAttributeMapTypes(const JsonValue& map);
core::Status CheckAttributeValueTypes(const JsonValue& value);

core::Result<core::Item> DecodeAttributeMap(const JsonValue& map);
core::Result<core::AttributeValue> DecodeAttributeValue(const JsonValue& value);

void WriteAttributeValue(const core::AttributeValue& value, JsonWriter& w);
void WriteAttributeMap(const core::Item& item, JsonWriter& w);

std::string Base64Encode(std::string_view bytes);

// {"ItemCollectionKey": {...}, "SizeEstimateRangeGB": [0, 1]}: an item
// collection far below DynamoDB's 10 GB limit, as DynamoDB reports it.
void WriteItemCollectionMetrics(const core::Item& collection_key, JsonWriter& w);

}  // namespace dynamo::server
