#include "core/item_codec.h"

#include <gtest/gtest.h>

namespace dynamo::core {
namespace {

Item SampleItem() {
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes.push_back(static_cast<char>(i));
  ValueMap inner{{"x", AttributeValue::L({AttributeValue::S("y"), AttributeValue::MakeNull(),
                                          AttributeValue::Bool(false)})}};
  return Item{
      {"s", AttributeValue::S("h\xC3\xA9llo")},
      {"empty", AttributeValue::S("")},
      {"n", AttributeValue::N(*Number::Parse("-12345678901234567890123456789012345678e-40"))},
      {"zero", AttributeValue::N(Number())},
      {"b", AttributeValue::B(all_bytes)},
      {"t", AttributeValue::Bool(true)},
      {"null", AttributeValue::MakeNull()},
      {"m", AttributeValue::M(inner)},
      {"ss", AttributeValue::SS({"a", "b"})},
      {"ns", AttributeValue::NS({*Number::Parse("1"), *Number::Parse("2.5")})},
      {"bs", AttributeValue::BS({std::string("\0\1", 2), "z"})},
  };
}

TEST(ItemCodecTest, RoundTripsEveryType) {
  Item item = SampleItem();
  std::string encoded = EncodeItem(item);
  auto decoded = DecodeItem(encoded);
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->size(), item.size());
  for (const auto& [name, value] : item) {
    ASSERT_TRUE(decoded->count(name)) << name;
    EXPECT_TRUE(decoded->at(name).Equals(value)) << name;
  }
  EXPECT_EQ(decoded->at("n").n().ToString(), "-0.0012345678901234567890123456789012345678");
}

// Sets hold their members sorted whatever order they were built in, and
// keep that order through the stored format.
TEST(ItemCodecTest, SetsAreSortedAndStaySorted) {
  auto num = [](const char* text) { return Number::Parse(text).value(); };
  struct Case {
    AttributeValue built;
    std::vector<std::string> expected;  // members as text
  };
  const std::vector<Case> cases = {
      {AttributeValue::SS({"b", "a", "C", "aa", "\xC3\xA9", ""}),
       {"", "C", "a", "aa", "b", "\xC3\xA9"}},
      {AttributeValue::BS({"\x02", std::string("\x01\xff"), "\x01", "\x80"}),
       {"\x01", std::string("\x01\xff"), "\x02", "\x80"}},
      {AttributeValue::NS({num("10"), num("9"), num("-1"), num("1.5"), num("-10.25"), num("1E2")}),
       {"-10.25", "-1", "1.5", "9", "10", "100"}},
  };
  for (const Case& c : cases) {
    Item item{{"s", c.built}};
    auto decoded = DecodeItem(EncodeItem(item));
    ASSERT_TRUE(decoded.ok());
    for (const AttributeValue* v :
         {&c.built, static_cast<const AttributeValue*>(&decoded->at("s"))}) {
      std::vector<std::string> members;
      if (v->type() == ValueType::kNS) {
        for (const Number& n : v->ns()) members.push_back(n.ToString());
      } else {
        members = v->type() == ValueType::kSS ? v->ss() : v->bs();
      }
      EXPECT_EQ(members, c.expected);
    }
  }
}

TEST(ItemCodecTest, RejectsEveryTruncation) {
  std::string encoded = EncodeItem(SampleItem());
  for (size_t len = 0; len < encoded.size(); ++len) {
    auto decoded = DecodeItem(std::string_view(encoded).substr(0, len));
    EXPECT_FALSE(decoded.ok()) << "length " << len;
  }
}

TEST(ItemCodecTest, RejectsTrailingGarbageAndHugeCounts) {
  std::string encoded = EncodeItem(SampleItem()) + "x";
  EXPECT_FALSE(DecodeItem(encoded).ok());
  // A count far larger than the remaining bytes must not allocate or loop.
  std::string huge = "\xff\xff\xff\xff\x0f";
  EXPECT_FALSE(DecodeItem(huge).ok());
}

TEST(ItemCodecTest, ItemSizeFollowsDynamoDBRules) {
  // name bytes + value bytes; M and L: 3 + per element 1 (+ key bytes for M).
  Item item{{"a", AttributeValue::S("xyz")},                                // 1 + 3
            {"bb", AttributeValue::N(*Number::Parse("123"))},               // 2 + 3
            {"c", AttributeValue::Bool(true)},                              // 1 + 1
            {"d", AttributeValue::L({AttributeValue::S("ab")})},            // 1 + 3 + 1 + 2
            {"e", AttributeValue::M({{"k", AttributeValue::MakeNull()}})},  // 1 + 3 + 1 + 1 + 1
            {"f", AttributeValue::SS({"ab", "c"})}};                        // 1 + 3
  EXPECT_EQ(ItemSize(item), 4u + 5u + 2u + 7u + 7u + 4u);
}

}  // namespace
}  // namespace dynamo::core
