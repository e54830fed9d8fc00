// Reading request bodies: UTF-8 and the nesting limit, enforced while parsing.
#include "server/api/json_parse.h"

#include <gtest/gtest.h>

#include <string>

namespace dynamo::server {
namespace {

std::string Nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(JsonParseTest, NestingLimitOnBothSides) {
  const struct {
    std::string body;
    size_t limit;
    bool ok;
  } cases[] = {
      {"{}", 1, true},
      {"{}", 0, false},
      {"{\"a\":[]}", 2, true},
      {"{\"a\":[]}", 1, false},
      {Nested(512), 512, true},
      {Nested(513), 512, false},
      {"{\"a\":" + Nested(511) + "}", 512, true},
      {"{\"a\":" + Nested(512) + "}", 512, false},
      {"{\"a\":[{\"b\":[]}],\"c\":{}}", 4, true},
      {"{\"a\":[{\"b\":[]}],\"c\":{}}", 3, false},
      // Brackets inside strings are text.
      {"{\"a\":\"[[[[{{{{\\\"[[\"}", 1, true},
      // Sequential containers do not add up.
      {"[[],[],[],{}]", 2, true},
      {std::string(150000, '[') + std::string(150000, ']'), 512, false},
      {std::string(150000, '['), 512, false},
      // Not JSON, or not UTF-8.
      {"{", 10, false},
      {"", 10, false},
      {"{\"a\":\"\xC3\"}", 10, false},
      {"{\"a\":\"\xC3\xA4\"}", 10, true},
      // Found by the attribute_values fuzzer: a lone low-surrogate escape was
      // decoded into invalid UTF-8 (stored, then echoed back unreadable).
      {R"({"a":"\udeea"})", 10, false},
      {R"({"\udc00":"a"})", 10, false},
      {R"({"a":["x\ud83d"]})", 10, false},           // a high surrogate alone
      {R"({"a":"\ud83d\ude00 \u00e4"})", 10, true},  // a pair, and a BMP escape
      {R"({"a":"\\udeea"})", 10, true},              // an escaped backslash, then text
  };
  for (const auto& c : cases) {
    JsonDocument doc;
    EXPECT_EQ(ParseRequestBody(c.body, c.limit, &doc), c.ok)
        << c.body.substr(0, 40) << " limit " << c.limit;
  }
}

TEST(JsonParseTest, TheDocumentHoldsTheBody) {
  JsonDocument doc;
  ASSERT_TRUE(ParseRequestBody(R"({"a":[1,2.5,"x",true,null,{"b":{}}],"k":-7})", 10, &doc));
  ASSERT_TRUE(doc.IsObject());
  EXPECT_EQ(doc["a"].Size(), 6u);
  EXPECT_EQ(doc["a"][1].GetDouble(), 2.5);
  EXPECT_STREQ(doc["a"][2].GetString(), "x");
  EXPECT_TRUE(doc["a"][5]["b"].IsObject());
  EXPECT_EQ(doc["k"].GetInt(), -7);
}

}  // namespace
}  // namespace dynamo::server
