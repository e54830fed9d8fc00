// Percent-decoding of URI components, shared by SigV4's canonical request
// (server/http) and the control API's query parameters (server/api).
#pragma once

#include <string>
#include <string_view>

namespace dynamo::core {

// %XX sequences decoded; a '%' not followed by two hex digits is kept as is.
std::string UriDecode(std::string_view s);

}  // namespace dynamo::core
