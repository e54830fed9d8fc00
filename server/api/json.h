// RapidJSON, configured for this project. Include this instead of rapidjson/*.
//
// RAPIDJSON_ASSERT throws JsonAssertion instead of aborting: the API code
// checks types before every access, so an assertion is a bug, and the
// dispatcher's catch-all turns it into InternalServerError rather than a
// crashed server. Only server/api includes this; no RapidJSON type appears in
// a header outside server/api.
#pragma once

#include <stdexcept>

namespace dynamo::server {
struct JsonAssertion : std::logic_error {
  using std::logic_error::logic_error;
};
}  // namespace dynamo::server

#ifndef RAPIDJSON_ASSERT
#define RAPIDJSON_ASSERT(x) \
  ((x) ? (void)0 : throw ::dynamo::server::JsonAssertion("rapidjson assertion: " #x))
#endif
#define RAPIDJSON_HAS_STDSTRING 1

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace dynamo::server {
using JsonValue = rapidjson::Value;
using JsonDocument = rapidjson::Document;
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;
}  // namespace dynamo::server
