#include "storage/key_encoding.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>

namespace dynamo::storage {
namespace {

using core::AttributeValue;
using core::Number;

int Sign(int v) { return (v > 0) - (v < 0); }

int MemcmpOrder(const std::string& a, const std::string& b) {
  // SQLite compares BLOBs with memcmp, then by length.
  int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  if (c != 0) return Sign(c);
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

Number RandomNumber(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> len(1, 38), digit(0, 9), exp(-129, 125), sign(0, 1),
      shape(0, 3);
  std::string digits;
  int n = shape(rng) == 0 ? 1 : len(rng);  // many short mantissas to hit prefix cases
  for (int i = 0; i < n; ++i) digits.push_back(static_cast<char>('0' + digit(rng)));
  if (digits[0] == '0') digits[0] = '1';
  int e = shape(rng) == 1 ? std::uniform_int_distribution<int>(-3, 3)(rng) : exp(rng);
  std::string text = (sign(rng) ? "-" : "") + digits.substr(0, 1) + "." + digits.substr(1) + "E" +
                     std::to_string(e);
  auto parsed = Number::Parse(text);
  return parsed.ok() ? *parsed : Number();
}

TEST(KeyEncodingTest, NumberOrderMatchesNumericOrder) {
  std::mt19937_64 rng(42);
  std::vector<Number> numbers;
  for (int i = 0; i < 3000; ++i) numbers.push_back(RandomNumber(rng));
  for (const char* edge :
       {"0", "-0", "1", "-1", "0.1", "-0.1", "0.12", "-0.12", "10", "-10", "1e125", "-1e125",
        "1e-130", "-1e-130", "9.9999999999999999999999999999999999999e125"}) {
    numbers.push_back(*Number::Parse(edge));
  }
  std::vector<std::string> encoded;
  for (const auto& n : numbers) encoded.push_back(EncodeKeyValue(AttributeValue::N(n)));
  for (size_t i = 0; i < numbers.size(); ++i) {
    for (size_t j = i; j < numbers.size(); j += 7) {
      ASSERT_EQ(MemcmpOrder(encoded[i], encoded[j]), numbers[i].Compare(numbers[j]))
          << numbers[i].ToString() << " vs " << numbers[j].ToString();
    }
  }
}

TEST(KeyEncodingTest, SortedEncodingsAreSortedNumbers) {
  std::mt19937_64 rng(7);
  std::vector<std::pair<std::string, Number>> rows;
  for (int i = 0; i < 5000; ++i) {
    Number n = RandomNumber(rng);
    rows.emplace_back(EncodeKeyValue(AttributeValue::N(n)), n);
  }
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return MemcmpOrder(a.first, b.first) < 0; });
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSERT_LE(rows[i - 1].second.Compare(rows[i].second), 0)
        << rows[i - 1].second.ToString() << " before " << rows[i].second.ToString();
  }
}

TEST(KeyEncodingTest, EqualNumbersEncodeEqually) {
  const char* same[] = {"1000", "1e3", "1E+3", "1000.0", "001000", "+1000"};
  std::string first = EncodeKeyValue(AttributeValue::N(*Number::Parse(same[0])));
  for (const char* s : same) {
    EXPECT_EQ(EncodeKeyValue(AttributeValue::N(*Number::Parse(s))), first) << s;
  }
}

TEST(KeyEncodingTest, StringsAndBinaryOrderByUnsignedBytes) {
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<int> len(0, 12), byte(0, 255);
  std::vector<std::string> values = {"", "a", "ab", "b", "\x7f", "\x80", "\xff", "\xc3\xa9"};
  for (int i = 0; i < 2000; ++i) {
    std::string s;
    int n = len(rng);
    for (int k = 0; k < n; ++k) s.push_back(static_cast<char>(byte(rng)));
    values.push_back(s);
  }
  for (size_t i = 0; i < values.size(); ++i) {
    for (size_t j = 0; j < values.size(); j += 13) {
      // DynamoDB: UTF-8 bytes / binary compared as unsigned bytes.
      int expected = Sign(values[i].compare(values[j]));
      std::string eb_i = EncodeKeyValue(AttributeValue::B(values[i]));
      std::string eb_j = EncodeKeyValue(AttributeValue::B(values[j]));
      ASSERT_EQ(MemcmpOrder(eb_i, eb_j), expected);
      std::string es_i = EncodeKeyValue(AttributeValue::S(values[i]));
      std::string es_j = EncodeKeyValue(AttributeValue::S(values[j]));
      ASSERT_EQ(MemcmpOrder(es_i, es_j), expected);
    }
  }
}

// Multi-attribute key parts: memcmp of the component tuples orders them
// attribute by attribute, each by its own type, including values that are
// prefixes of others or hold 0x00 bytes; and the components of a leading
// value are a prefix of every tuple that starts with it.
TEST(KeyEncodingTest, MultiAttributeTuplesOrderAttributeByAttribute) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> len(0, 3), byte(0, 2), num(-3, 3);
  auto random_binary = [&] {
    std::string s;
    for (int n = len(rng), k = 0; k < n; ++k) s.push_back(static_cast<char>(byte(rng)));  // 0..2
    return AttributeValue::B(s);
  };
  auto random_number = [&] { return AttributeValue::N(Number::FromInt64(num(rng))); };
  struct Tuple {
    AttributeValue b, n;
    std::string encoded;
  };
  std::vector<Tuple> tuples;
  for (int i = 0; i < 400; ++i) {
    Tuple t{random_binary(), random_number(), {}};
    AppendKeyComponent(t.b, &t.encoded);
    AppendKeyComponent(t.n, &t.encoded);
    tuples.push_back(std::move(t));
  }
  for (const Tuple& x : tuples) {
    for (const Tuple& y : tuples) {
      int expected = Sign(x.b.b().compare(y.b.b()));
      if (expected == 0) expected = MemcmpOrder(EncodeKeyValue(x.n), EncodeKeyValue(y.n));
      ASSERT_EQ(MemcmpOrder(x.encoded, y.encoded), expected);
    }
    std::string leading;
    AppendKeyComponent(x.b, &leading);
    EXPECT_EQ(x.encoded.compare(0, leading.size(), leading), 0);
    std::string begins;
    AppendKeyComponentPrefix(AttributeValue::B(x.b.b().substr(0, 1)), &begins);
    EXPECT_EQ(x.encoded.compare(0, begins.size(), begins), 0);
  }
}

TEST(KeyEncodingTest, DecodesWhatItEncodes) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 2000; ++i) {
    Number n = RandomNumber(rng);
    auto decoded = DecodeKeyValue(core::ValueType::kN, EncodeKeyValue(AttributeValue::N(n)));
    ASSERT_TRUE(decoded.ok());
    ASSERT_EQ(decoded->n(), n) << n.ToString();
  }
  auto s = DecodeKeyValue(core::ValueType::kS, "hello");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->s(), "hello");
  EXPECT_FALSE(DecodeKeyValue(core::ValueType::kN, "\x01").ok());
}

}  // namespace
}  // namespace dynamo::storage
