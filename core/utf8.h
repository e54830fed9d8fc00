// UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing past
// U+10FFFF), with a fast path for ASCII, which most request bodies are.
#pragma once

#include <string_view>

namespace dynamo::core {

bool IsValidUtf8(std::string_view text);

}  // namespace dynamo::core
