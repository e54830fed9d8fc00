#include "core/utf8.h"

#include <cstdint>
#include <cstring>

namespace dynamo::core {

namespace {

// Bytes [i, j) are ASCII when no byte has its high bit set; eight at a time.
size_t SkipAscii(std::string_view s, size_t i) {
  constexpr uint64_t kHighBits = 0x8080808080808080ULL;
  while (i + 8 <= s.size()) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    if (word & kHighBits) break;
    i += 8;
  }
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
  return i;
}

bool Continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while ((i = SkipAscii(s, i)) < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t length;
    unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) lo = 0xA0;  // no overlong forms
      if (c == 0xED) hi = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) lo = 0x90;  // no overlong forms
      if (c == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
    } else {
      return false;  // a continuation byte, C0/C1 (overlong) or F5..FF
    }
    if (s.size() - i < length) return false;
    const unsigned char second = static_cast<unsigned char>(s[i + 1]);
    if (second < lo || second > hi) return false;
    for (size_t k = 2; k < length; ++k) {
      if (!Continuation(static_cast<unsigned char>(s[i + k]))) return false;
    }
    i += length;
  }
  return true;
}

size_t Utf16Length(std::string_view s) {
  size_t units = 0;
  for (const char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    // A lead byte starts a character; one of four bytes (F0..F4) starts a
    // character past U+FFFF, which takes a surrogate pair.
    if (!Continuation(c)) ++units;
    if (c >= 0xF0) ++units;
  }
  return units;
}

}  // namespace dynamo::core
