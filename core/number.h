// Exact decimal numbers with DynamoDB's limits.
//
// DynamoDB numbers have up to 38 significant digits and a magnitude in
// [1E-130, 9.9999999999999999999999999999999999999E+125] (or are zero). A
// Number is kept normalised:
//
//     value = (negative ? -1 : 1) * 0.d1 d2 ... dn * 10^exponent
//
// with digits_ = "d1...dn", d1 != '0' and dn != '0' (leading and trailing
// zeros trimmed, as DynamoDB trims them). Zero has empty digits_. So "1.50",
// "1.5" and "15E-1" are one Number, and comparison is exact.
//
// Thread safety: a Number is an immutable value; copies are independent.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace dynamo::core {

// DynamoDB reads a number in one of two ways, depending on the operation
// (server/api/values_json.h, ValueLayer):
//   kCurrent  an empty text is "...numeric value: " (colon and space) and the
//             exponent is range-checked exactly: 1e2147483647 overflows.
//   kJava     Java BigDecimal's reading: an empty text has no ": " suffix,
//             and the exponent wraps at 32 bits, so 1e2147483647 underflows.
//   kBigDecimal  kJava, and a text whose exponent or scale does not fit a
//             32-bit integer cannot be converted at all (PartiQL's
//             parameters and literals: 1e2147483648, 1e-2147483648).
enum class NumberReading { kCurrent, kJava, kBigDecimal };

class Number {
 public:
  Number() = default;  // zero

  // Parses DynamoDB's number syntax (Java BigDecimal's: optional sign,
  // digits with an optional point, optional exponent) and enforces the
  // precision and range limits with DynamoDB's messages.
  static Result<Number> Parse(std::string_view text,
                              NumberReading reading = NumberReading::kCurrent);
  static Number FromInt64(int64_t value);
  // value = ±0.digits * 10^exponent; digits may carry leading/trailing zeros.
  // Enforces the same limits as Parse.
  static Result<Number> FromParts(bool negative, std::string digits, int64_t exponent) {
    return FromDigits(negative, std::move(digits), exponent);
  }

  bool is_zero() const { return digits_.empty(); }
  bool negative() const { return negative_; }
  int exponent() const { return exponent_; }
  const std::string& digits() const { return digits_; }

  // Canonical text in plain notation without exponent, as DynamoDB returns
  // numbers: "1.5", "100", "-0.001", "0".
  std::string ToString() const;

  // -1, 0 or 1.
  int Compare(const Number& other) const;
  bool operator==(const Number& o) const {
    return negative_ == o.negative_ && exponent_ == o.exponent_ && digits_ == o.digits_;
  }

  // Exact sum and difference; errors when the result breaks DynamoDB's limits.
  static Result<Number> Add(const Number& a, const Number& b);
  static Result<Number> Subtract(const Number& a, const Number& b);

 private:
  // Builds from an unnormalised digit string d (any leading/trailing zeros)
  // whose value is 0.d * 10^exponent, then checks the limits.
  static Result<Number> FromDigits(bool negative, std::string digits, int64_t exponent);

  bool negative_ = false;
  int32_t exponent_ = 0;
  std::string digits_;
};

inline constexpr size_t kMaxNumberDigits = 38;

}  // namespace dynamo::core
