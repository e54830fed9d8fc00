#include "core/number.h"

#include <gtest/gtest.h>

#include "core/attribute_value.h"

namespace dynamo::core {
namespace {

struct ParseCase {
  const char* input;
  const char* canonical;  // nullptr when an error is expected
  const char* error;
};

template <size_t N>
void ExpectParses(const ParseCase (&cases)[N], NumberReading reading) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    auto n = Number::Parse(c.input, reading);
    if (c.canonical) {
      ASSERT_TRUE(n.ok()) << n.error().message;
      EXPECT_EQ(n->ToString(), c.canonical);
    } else {
      ASSERT_FALSE(n.ok()) << n->ToString();
      EXPECT_EQ(n.error().message, c.error);
    }
  }
}

// Canonical forms from DynamoDB's normalisation (plain notation, trimmed).
const ParseCase kParseCases[] = {
    {"1.50", "1.5", nullptr},
    {"1.0", "1", nullptr},
    {"100.000", "100", nullptr},
    {"0.0", "0", nullptr},
    {"-0", "0", nullptr},
    {"-0.0", "0", nullptr},
    {"+3", "3", nullptr},
    {"007", "7", nullptr},
    {"001.23", "1.23", nullptr},
    {".5", "0.5", nullptr},
    {"-.5", "-0.5", nullptr},
    {"5.", "5", nullptr},
    {"1e3", "1000", nullptr},
    {"1E+2", "100", nullptr},
    {"1.23e4", "12300", nullptr},
    {"1e-3", "0.001", nullptr},
    {"123e-2", "1.23", nullptr},
    {"-0015.789e6", "-15789000", nullptr},
    {"0042.1200", "42.12", nullptr},
    // Zero is range-checked by the exponent it is written with, less the
    // digits after its point (recorded against DynamoDB, 2026).
    {"0e125", "0", nullptr},
    {"0e-130", "0", nullptr},
    {"0.0e126", "0", nullptr},
    {"0e126", nullptr,
     "Number overflow. Attempting to store a number with magnitude larger than supported range"},
    {"00e1000", nullptr,
     "Number overflow. Attempting to store a number with magnitude larger than supported range"},
    {"0e-131", nullptr,
     "Number underflow. Attempting to store a number with magnitude smaller than supported "
     "range"},
    {"0.0e-130", nullptr,
     "Number underflow. Attempting to store a number with magnitude smaller than supported "
     "range"},
    {"-0e-99999999999", nullptr,
     "Number underflow. Attempting to store a number with magnitude smaller than supported "
     "range"},
    // An exponent past a 64-bit integer cannot be read at all.
    {"1e9223372036854775807", nullptr,
     "Number overflow. Attempting to store a number with magnitude larger than supported range"},
    {"1e-9223372036854775808", nullptr,
     "Number underflow. Attempting to store a number with magnitude smaller than supported "
     "range"},
    {"1e9223372036854775808", nullptr,
     "The parameter cannot be converted to a numeric value: 1e9223372036854775808"},
    {"1e-9223372036854775809", nullptr,
     "The parameter cannot be converted to a numeric value: 1e-9223372036854775809"},
    {"0e00000000000000000000000000001", "0", nullptr},
    {"12345678901234567890123456789012345678", "12345678901234567890123456789012345678", nullptr},
    {"0000012345678901234567890123456789012345678", "12345678901234567890123456789012345678",
     nullptr},
    {"1E-130",
     "0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000001",
     nullptr},
    {"9.9999999999999999999999999999999999999E+125",
     "99999999999999999999999999999999999999000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000",
     nullptr},
    {"123456789012345678901234567890123456789", nullptr,
     "Attempting to store more than 38 significant digits in a Number"},
    {"1E+126", nullptr,
     "Number overflow. Attempting to store a number with magnitude larger than supported range"},
    {"-1e126", nullptr,
     "Number overflow. Attempting to store a number with magnitude larger than supported range"},
    {"1e99999999999", nullptr,
     "Number overflow. Attempting to store a number with magnitude larger than supported range"},
    {"1E-131", nullptr,
     "Number underflow. Attempting to store a number with magnitude smaller than supported "
     "range"},
    {"0.9e-130", nullptr,
     "Number underflow. Attempting to store a number with magnitude smaller than supported "
     "range"},
    {"abc", nullptr, "The parameter cannot be converted to a numeric value: abc"},
    {"", nullptr, "The parameter cannot be converted to a numeric value: "},
    {"1e2147483647", nullptr,
     "Number overflow. Attempting to store a number with magnitude larger than supported range"},
    {"1e2147483648", nullptr,
     "Number overflow. Attempting to store a number with magnitude larger than supported range"},
    {"1e-2147483648", nullptr,
     "Number underflow. Attempting to store a number with magnitude smaller than supported "
     "range"},
    {"1.2.3", nullptr, "The parameter cannot be converted to a numeric value: 1.2.3"},
    {" 1", nullptr, "The parameter cannot be converted to a numeric value:  1"},
    {"1 ", nullptr, "The parameter cannot be converted to a numeric value: 1 "},
    {"0x10", nullptr, "The parameter cannot be converted to a numeric value: 0x10"},
    {"1e", nullptr, "The parameter cannot be converted to a numeric value: 1e"},
    {"NaN", nullptr, "The parameter cannot be converted to a numeric value: NaN"},
    {"Infinity", nullptr, "The parameter cannot be converted to a numeric value: Infinity"},
    {"-", nullptr, "The parameter cannot be converted to a numeric value: -"},
    {".", nullptr, "The parameter cannot be converted to a numeric value: ."},
};

TEST(NumberTest, ParsesAndCanonicalisesLikeDynamoDB) {
  for (const auto& c : kParseCases) {
    SCOPED_TRACE(c.input);
    auto n = Number::Parse(c.input);
    if (c.canonical) {
      ASSERT_TRUE(n.ok()) << n.error().message;
      EXPECT_EQ(n->ToString(), c.canonical);
      // The canonical text parses back to the same number.
      auto again = Number::Parse(n->ToString());
      ASSERT_TRUE(again.ok());
      EXPECT_EQ(*again, *n);
    } else {
      ASSERT_FALSE(n.ok()) << n->ToString();
      EXPECT_EQ(n.error().code, ErrorCode::kValidation);
      EXPECT_EQ(n.error().message, c.error);
    }
  }
}

// Java's reading (the older validation layer): an empty text has no ": "
// suffix, and an exponent that fits an int is added in an int, so one past
// INT32_MAX wraps to an underflow. Everything else reads as it does above.
TEST(NumberTest, JavaReadingWrapsTheExponentAndDropsTheEmptySuffix) {
  const ParseCase cases[] = {
      {"", nullptr, "The parameter cannot be converted to a numeric value"},
      {"abc", nullptr, "The parameter cannot be converted to a numeric value: abc"},
      {"1e2147483647", nullptr,
       "Number underflow. Attempting to store a number with magnitude smaller than supported "
       "range"},
      {"0.1e2147483647", nullptr,
       "Number overflow. Attempting to store a number with magnitude larger than supported range"},
      {"1e126", nullptr,
       "Number overflow. Attempting to store a number with magnitude larger than supported range"},
      {"1e99999999999", nullptr,
       "Number overflow. Attempting to store a number with magnitude larger than supported range"},
      {"1e-131", nullptr,
       "Number underflow. Attempting to store a number with magnitude smaller than supported "
       "range"},
      {"1.5e3", "1500", nullptr},
      {"-0.001", "-0.001", nullptr},
  };
  ExpectParses(cases, NumberReading::kJava);
}

// BigDecimal(String)'s reading (PartiQL's parameters and literals): as
// Java's, except that an exponent or a scale outside an int cannot be
// converted at all (recorded against DynamoDB, 2026).
TEST(NumberTest, BigDecimalReadingRefusesExponentsAndScalesPastAnInt) {
  const ParseCase cases[] = {
      {"", nullptr, "The parameter cannot be converted to a numeric value"},
      {"1e99999999999", nullptr,
       "The parameter cannot be converted to a numeric value: 1e99999999999"},
      {"-1e99999999999", nullptr,
       "The parameter cannot be converted to a numeric value: -1e99999999999"},
      {"1e-99999999999", nullptr,
       "The parameter cannot be converted to a numeric value: 1e-99999999999"},
      {"1e2147483648", nullptr,
       "The parameter cannot be converted to a numeric value: 1e2147483648"},
      {"1e-2147483648", nullptr,
       "The parameter cannot be converted to a numeric value: 1e-2147483648"},
      {"1.5e-2147483647", nullptr,
       "The parameter cannot be converted to a numeric value: 1.5e-2147483647"},
      {"1e2147483647", nullptr,
       "Number underflow. Attempting to store a number with magnitude smaller than supported "
       "range"},
      {"1e126", nullptr,
       "Number overflow. Attempting to store a number with magnitude larger than supported range"},
      {"-2.5e-3", "-0.0025", nullptr},
  };
  ExpectParses(cases, NumberReading::kBigDecimal);
}

TEST(NumberTest, ComparesNumerically) {
  const char* ascending[] = {"-1e125",  "-100", "-10",    "-1.5", "-1.25", "-1",  "-0.5",
                             "-1e-130", "0",    "1e-130", "0.1",  "0.12",  "0.5", "1",
                             "1.25",    "1.5",  "9",      "10",   "99",    "100", "1e125"};
  for (size_t i = 0; i < std::size(ascending); ++i) {
    for (size_t j = 0; j < std::size(ascending); ++j) {
      auto a = Number::Parse(ascending[i]);
      auto b = Number::Parse(ascending[j]);
      int expected = i < j ? -1 : (i > j ? 1 : 0);
      EXPECT_EQ(a->Compare(*b), expected) << ascending[i] << " vs " << ascending[j];
    }
  }
}

struct ArithmeticCase {
  const char* a;
  const char* b;
  const char* sum;
  const char* difference;
};

TEST(NumberTest, AddsAndSubtractsExactly) {
  const ArithmeticCase cases[] = {
      {"1", "1", "2", "0"},
      {"0.1", "0.2", "0.3", "-0.1"},
      {"99999999999999999999999999999999999999", "1", "100000000000000000000000000000000000000",
       "99999999999999999999999999999999999998"},
      {"1.5", "-1.5", "0", "3"},
      {"1e125", "1", nullptr, nullptr},
      {"-5", "3", "-2", "-8"},
      {"1234567890123456789", "0.0000000000000000001", "1234567890123456789.0000000000000000001",
       "1234567890123456788.9999999999999999999"},
      // 40 significant digits: over DynamoDB's precision.
      {"12345678901234567890", "0.00000000000000000001", nullptr, nullptr},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.a) + " and " + c.b);
    auto a = *Number::Parse(c.a);
    auto b = *Number::Parse(c.b);
    auto sum = Number::Add(a, b);
    if (c.sum) {
      ASSERT_TRUE(sum.ok()) << sum.error().message;
      EXPECT_EQ(sum->ToString(), c.sum);
    } else {
      EXPECT_FALSE(sum.ok());
    }
    auto diff = Number::Subtract(a, b);
    if (c.difference) {
      ASSERT_TRUE(diff.ok()) << diff.error().message;
      EXPECT_EQ(diff->ToString(), c.difference);
    } else {
      EXPECT_FALSE(diff.ok());
    }
  }
}

TEST(NumberTest, SizeMatchesDynamoDBByteCounts) {
  // Sizes recorded from DynamoDB's consumed-capacity boundaries.
  const std::pair<const char*, size_t> cases[] = {
      {"0", 1},
      {"1", 2},
      {"12", 2},
      {"123", 3},
      {"1234", 3},
      {"0042", 2},
      {"100", 2},
      {"1010", 3},
      {"0.0000001", 2},
      {"1E125", 2},
      {"1E-100", 2},
      {"1.5", 3},
      {"15", 2},
      {"1.2", 3},
      {"1.200", 3},
      {"1.234", 4},
      {"3.14159", 5},
      {"123456", 4},
      {"100.5", 4},
      {"0.15", 2},
      {"-42", 3},
      {"-0", 1},
      {"12345678901234567890123456789012345678", 20},
  };
  for (const auto& [text, size] : cases) {
    EXPECT_EQ(NumberSize(*Number::Parse(text)), size) << text;
  }
}

}  // namespace
}  // namespace dynamo::core
