// UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing past
// U+10FFFF), with a fast path for ASCII, which most request bodies are; and
// the UTF-16 length of a UTF-8 string.
#pragma once

#include <cstddef>
#include <string_view>

namespace dynamo::core {

bool IsValidUtf8(std::string_view text);

// The number of UTF-16 code units that encode text: one per character, two
// for a character past U+FFFF (a surrogate pair). DynamoDB's size() of a
// string counts these, not bytes. Precondition: IsValidUtf8(text).
size_t Utf16Length(std::string_view text);

}  // namespace dynamo::core
