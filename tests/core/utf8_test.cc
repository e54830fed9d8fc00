// UTF-8 validation agrees with RapidJSON's validator (which request parsing
// used before) on every input.
#include "core/utf8.h"

#include <gtest/gtest.h>

#include "core/rapidjson.h"

#include <random>
#include <string>

namespace dynamo::core {
namespace {

// What request parsing did before: a JSON string holding s, parsed with
// RapidJSON's encoding validation. (s holds no '"', '\\' or control bytes.)
bool RapidJsonValid(const std::string& s) {
  const std::string json = "\"" + s + "\"";
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
  return !doc.HasParseError();
}

TEST(Utf8Test, Table) {
  const struct {
    std::string text;
    bool valid;
  } cases[] = {
      {"", true},
      {"plain ascii, long enough for the eight-byte path", true},
      {"Arvo P\xC3\xA4rt", true},
      {"\xE2\x82\xAC", true},       // euro sign
      {"\xF0\x9F\x98\x80", true},   // emoji
      {"\xF4\x8F\xBF\xBF", true},   // U+10FFFF
      {"\xED\x9F\xBF", true},       // U+D7FF
      {"\xEE\x80\x80", true},       // U+E000
      {"\xC3", false},              // truncated
      {"\xE2\x82", false},          // truncated
      {"\x80", false},              // lone continuation
      {"\xC0\xAF", false},          // overlong
      {"\xC1\xBF", false},          // overlong
      {"\xE0\x9F\xBF", false},      // overlong
      {"\xF0\x8F\xBF\xBF", false},  // overlong
      {"\xED\xA0\x80", false},      // surrogate
      {"\xF4\x90\x80\x80", false},  // past U+10FFFF
      {"\xF5\x80\x80\x80", false},
      {"\xFF", false},
      {"ascii then \xE2\x28\xA1", false},  // bad continuation
      {"12345678\xC3\xA4"
       "abcdefgh\xC3",
       false},  // truncated after the fast path
  };
  for (const auto& c : cases) {
    EXPECT_EQ(IsValidUtf8(c.text), c.valid) << c.text;
    EXPECT_EQ(RapidJsonValid(c.text), c.valid) << c.text;
  }
}

// One code unit per character up to U+FFFF, two (a surrogate pair) past it.
TEST(Utf8Test, Utf16LengthCountsCodeUnits) {
  const struct {
    std::string text;
    size_t units;
  } cases[] = {
      {"", 0},
      {"hello", 5},
      {"\xC3\xA9", 1},                  // U+00E9, 2 bytes
      {"\xE2\x82\xAC", 1},              // U+20AC, 3 bytes
      {"\xEF\xBF\xBF", 1},              // U+FFFF, the last single unit
      {"\xF0\x90\x80\x80", 2},          // U+10000, the first surrogate pair
      {"\xC3\xA9\xF0\x9D\x84\x9E", 3},  // "e-acute, G clef": 6 bytes, 3 units
      {"a\xF4\x8F\xBF\xBFz", 4},        // U+10FFFF between two ASCII letters
  };
  for (const auto& c : cases) EXPECT_EQ(Utf16Length(c.text), c.units) << c.text;
}

TEST(Utf8Test, AgreesWithRapidJsonOnRandomInput) {
  std::mt19937 rng(42);
  const std::string alphabet =
      std::string("a\x7F\x80\xBF\xC0\xC1\xC2\xDF\xE0\xED\xEF\xF0\xF4\xF5\xFF\x9F\xA0\x8F\x90");
  for (int n = 0; n < 200000; ++n) {
    std::string s;
    const int len = static_cast<int>(rng() % 12);
    for (int k = 0; k < len; ++k) s.push_back(alphabet[rng() % alphabet.size()]);
    std::string hex;
    for (unsigned char c : s) hex += "0123456789abcdef"[c >> 4], hex += "0123456789abcdef"[c & 15];
    ASSERT_EQ(IsValidUtf8(s), RapidJsonValid(s)) << n << " " << hex;
  }
}

}  // namespace
}  // namespace dynamo::core
