// RapidJSON, configured once for every module that includes it (the API
// layer; storage's reader of schema version 1's definitions): include this,
// never rapidjson/* directly, so that every translation unit instantiates
// RapidJSON with the same configuration.
//
// RAPIDJSON_ASSERT throws JsonAssertion instead of aborting: callers check
// types before every access, so an assertion is a bug, and it must become an
// error (the API's catch-all answers InternalServerError) rather than a
// crashed server. No RapidJSON type appears in a header outside server/api.
#pragma once

#include <stdexcept>

namespace dynamo::core {
struct JsonAssertion : std::logic_error {
  using std::logic_error::logic_error;
};
}  // namespace dynamo::core

#ifndef RAPIDJSON_ASSERT
#define RAPIDJSON_ASSERT(x) \
  ((x) ? (void)0 : throw ::dynamo::core::JsonAssertion("rapidjson assertion: " #x))
#endif
#define RAPIDJSON_HAS_STDSTRING 1

#include <rapidjson/document.h>
#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
