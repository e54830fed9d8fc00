// RapidJSON for the API layer (configured in core/rapidjson.h): the document,
// value and writer types the handlers use. Only server/api includes this.
#pragma once

#include "core/rapidjson.h"

namespace dynamo::server {
using JsonValue = rapidjson::Value;
using JsonDocument = rapidjson::Document;
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;
}  // namespace dynamo::server
