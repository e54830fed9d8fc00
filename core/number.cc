#include "core/number.h"

#include <algorithm>

namespace dynamo::core {
namespace {

// Largest magnitude 9.99..9E+125 is 0.99..9 * 10^126; smallest 1E-130 is 0.1 * 10^-129.
constexpr int64_t kMaxExponent = 126;
constexpr int64_t kMinExponent = -129;

Error Overflow() {
  return ValidationError(
      "Number overflow. Attempting to store a number with magnitude larger than supported range");
}

Error Underflow() {
  return ValidationError(
      "Number underflow. Attempting to store a number with magnitude smaller than supported "
      "range");
}

// Java's reading drops the ": <text>" suffix when the text is empty.
Error InvalidNumber(std::string_view text, NumberReading reading) {
  if (text.empty() && reading != NumberReading::kCurrent) {
    return ValidationError("The parameter cannot be converted to a numeric value");
  }
  return ValidationError("The parameter cannot be converted to a numeric value: " +
                         std::string(text));
}

// An exponent literal, saturating far past any valid range; *fits_int is
// false when it does not fit Java's int, *fits_long when it does not fit a
// 64-bit integer (with its sign: -9223372036854775808 fits).
int64_t ParseExponentDigits(std::string_view digits, bool negative, bool* fits_int,
                            bool* fits_long) {
  int64_t exp = 0;
  uint64_t exact = 0;
  bool beyond = false;
  const uint64_t limit = negative ? uint64_t{1} << 63 : uint64_t{INT64_MAX};
  for (char c : digits) {
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (exp < 1000000000000) exp = exp * 10 + static_cast<int64_t>(d);
    if (!beyond && exact > (limit - d) / 10) beyond = true;
    if (!beyond) exact = exact * 10 + d;
  }
  *fits_int = exp <= int64_t{INT32_MAX} + 1;
  *fits_long = !beyond;
  return exp;
}

// Zero carries no digits but is range-checked by the exponent it is written
// with, as Java's BigDecimal reads it: 0e126 overflows, 0e-131 underflows
// (recorded against DynamoDB, 2026). `adjusted` is that exponent less the
// digits written after the point.
Status CheckZeroExponent(int64_t adjusted) {
  if (adjusted > kMaxExponent - 1) return Overflow();
  if (adjusted < kMinExponent - 1) return Underflow();
  return Status::Ok();
}

// Adds two non-negative integers given as decimal digit strings of equal length.
std::string AddDigits(const std::string& a, const std::string& b) {
  std::string out(a.size() + 1, '0');
  int carry = 0;
  for (size_t i = a.size(); i-- > 0;) {
    int d = (a[i] - '0') + (b[i] - '0') + carry;
    out[i + 1] = static_cast<char>('0' + d % 10);
    carry = d / 10;
  }
  out[0] = static_cast<char>('0' + carry);
  return out;
}

// a - b for equal-length digit strings with a >= b.
std::string SubtractDigits(const std::string& a, const std::string& b) {
  std::string out(a.size(), '0');
  int borrow = 0;
  for (size_t i = a.size(); i-- > 0;) {
    int d = (a[i] - '0') - (b[i] - '0') - borrow;
    borrow = d < 0 ? 1 : 0;
    if (d < 0) d += 10;
    out[i] = static_cast<char>('0' + d);
  }
  return out;
}

}  // namespace

Result<Number> Number::FromDigits(bool negative, std::string digits, int64_t exponent) {
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return Number();
  size_t last = digits.find_last_not_of('0');
  exponent -= static_cast<int64_t>(first);
  digits = digits.substr(first, last - first + 1);
  // DynamoDB checks overflow, then underflow, then precision.
  if (exponent > kMaxExponent) return Overflow();
  if (exponent < kMinExponent) return Underflow();
  if (digits.size() > kMaxNumberDigits) {
    return ValidationError("Attempting to store more than 38 significant digits in a Number");
  }
  Number n;
  n.negative_ = negative;
  n.exponent_ = static_cast<int32_t>(exponent);
  n.digits_ = std::move(digits);
  return n;
}

Result<Number> Number::Parse(std::string_view text, NumberReading reading) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }
  std::string digits;
  int64_t int_digits = 0;
  bool seen_point = false;
  bool any_digit = false;
  int64_t fraction_digits = 0;  // written after the point, zeros included
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      any_digit = true;
      if (seen_point) ++fraction_digits;
      // Skip leading zeros early so huge zero-padded inputs stay cheap.
      if (digits.empty() && c == '0') {
        if (!seen_point) continue;
        --int_digits;  // 0.00x: shifts the exponent down
        continue;
      }
      digits.push_back(c);
      if (!seen_point) ++int_digits;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!any_digit) return InvalidNumber(text, reading);
  int64_t exp = 0;
  bool exp_fits_int = true;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      exp_negative = text[i] == '-';
      ++i;
    }
    const size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == start || i != text.size()) return InvalidNumber(text, reading);
    bool exp_fits_long = true;
    exp = ParseExponentDigits(text.substr(start, i - start), exp_negative, &exp_fits_int,
                              &exp_fits_long);
    // An exponent past a 64-bit integer cannot be read at all (recorded 2026).
    if (!exp_fits_long) return InvalidNumber(text, reading);
    if (exp_negative) exp = -exp;
  }
  if (i != text.size()) return InvalidNumber(text, reading);
  // BigDecimal(String) reads the exponent as an int, and the scale (the
  // digits after the point less the exponent) must be one too.
  if (reading == NumberReading::kBigDecimal &&
      (exp > INT32_MAX || exp < INT32_MIN || fraction_digits - exp > INT32_MAX ||
       fraction_digits - exp < INT32_MIN)) {
    return InvalidNumber(text, reading);
  }
  int64_t exponent = int_digits + exp;
  // Java computes the exponent in an int: one past INT32_MAX wraps negative.
  if (reading != NumberReading::kCurrent && exp_fits_int) {
    exponent = static_cast<int32_t>(static_cast<uint32_t>(exponent));
  }
  if (digits.empty()) {
    DYNAMO_RETURN_IF_ERROR(CheckZeroExponent(exponent));
    return Number();
  }
  return FromDigits(negative, std::move(digits), exponent);
}

Number Number::FromInt64(int64_t value) {
  bool negative = value < 0;
  uint64_t mag = negative ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  std::string digits = std::to_string(mag);
  int64_t exponent = static_cast<int64_t>(digits.size());
  return std::move(FromDigits(negative, std::move(digits), exponent)).value();
}

std::string Number::ToString() const {
  if (is_zero()) return "0";
  std::string out;
  if (negative_) out.push_back('-');
  const int64_t n = static_cast<int64_t>(digits_.size());
  if (exponent_ <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exponent_), '0');
    out += digits_;
  } else if (exponent_ < n) {
    out.append(digits_, 0, static_cast<size_t>(exponent_));
    out.push_back('.');
    out.append(digits_, static_cast<size_t>(exponent_), std::string::npos);
  } else {
    out += digits_;
    out.append(static_cast<size_t>(exponent_ - n), '0');
  }
  return out;
}

int Number::Compare(const Number& o) const {
  int sa = is_zero() ? 0 : (negative_ ? -1 : 1);
  int sb = o.is_zero() ? 0 : (o.negative_ ? -1 : 1);
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  int mag;
  if (exponent_ != o.exponent_) {
    mag = exponent_ < o.exponent_ ? -1 : 1;
  } else {
    int c = digits_.compare(o.digits_);
    mag = c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return sa > 0 ? mag : -mag;
}

namespace {

// Places |a| and |b| on a common grid: returns equal-length digit strings and
// the exponent of the grid (value = 0.digits * 10^exponent).
struct Aligned {
  std::string a, b;
  int64_t exponent;
};

Aligned Align(const Number& x, const Number& y) {
  int64_t top = std::max<int64_t>(x.is_zero() ? INT32_MIN : x.exponent(),
                                  y.is_zero() ? INT32_MIN : y.exponent());
  int64_t bottom = std::min<int64_t>(
      x.is_zero() ? INT32_MAX : x.exponent() - static_cast<int64_t>(x.digits().size()),
      y.is_zero() ? INT32_MAX : y.exponent() - static_cast<int64_t>(y.digits().size()));
  auto place = [&](const Number& n) {
    std::string s(static_cast<size_t>(top - bottom), '0');
    if (!n.is_zero()) {
      size_t offset = static_cast<size_t>(top - n.exponent());
      std::copy(n.digits().begin(), n.digits().end(), s.begin() + static_cast<long>(offset));
    }
    return s;
  };
  return Aligned{place(x), place(y), top};
}

}  // namespace

Result<Number> Number::Add(const Number& a, const Number& b) {
  if (a.is_zero()) return b;
  if (b.is_zero()) return a;
  Aligned al = Align(a, b);
  if (a.negative_ == b.negative_) {
    return FromDigits(a.negative_, AddDigits(al.a, al.b), al.exponent + 1);
  }
  // Opposite signs: subtract the smaller magnitude from the larger.
  if (al.a >= al.b) {
    return FromDigits(a.negative_, SubtractDigits(al.a, al.b), al.exponent);
  }
  return FromDigits(b.negative_, SubtractDigits(al.b, al.a), al.exponent);
}

Result<Number> Number::Subtract(const Number& a, const Number& b) {
  Number neg = b;
  if (!neg.is_zero()) neg.negative_ = !neg.negative_;
  return Add(a, neg);
}

}  // namespace dynamo::core
