// Reading a request body into a JSON document, with the limits every request
// gets before any handler sees it: valid UTF-8, and arrays and objects nested
// at most max_depth levels deep, enforced while parsing (the parser itself is
// iterative), so that nothing that later walks the document recursively can
// exhaust the stack.
#pragma once

#include <cstddef>
#include <string_view>

#include "server/api/json.h"

namespace dynamo::server {

// Request bodies nesting arrays and objects deeper than this are refused:
// far above what a legal request needs (an attribute nested DynamoDB's 32
// levels is about 70 JSON levels), far below what a recursive walk can take
// on any thread's stack.
inline constexpr size_t kMaxJsonNesting = 512;

// False when body is not valid UTF-8, not valid JSON, or nested deeper than
// max_depth (the top-level value is level 1). *doc holds the parsed body.
// *deepest (if given) is set to the deepest level the body reached.
bool ParseRequestBody(std::string_view body, size_t max_depth, JsonDocument* doc,
                      size_t* deepest = nullptr);

}  // namespace dynamo::server
