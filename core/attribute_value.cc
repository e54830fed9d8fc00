#include "core/attribute_value.h"

#include <algorithm>

namespace dynamo::core {

std::string_view TypeName(ValueType type) {
  switch (type) {
    case ValueType::kS:
      return "S";
    case ValueType::kN:
      return "N";
    case ValueType::kB:
      return "B";
    case ValueType::kBool:
      return "BOOL";
    case ValueType::kNull:
      return "NULL";
    case ValueType::kM:
      return "M";
    case ValueType::kL:
      return "L";
    case ValueType::kSS:
      return "SS";
    case ValueType::kNS:
      return "NS";
    case ValueType::kBS:
      return "BS";
  }
  return "?";
}

namespace {

template <typename T, typename Eq>
bool SameMembers(const std::vector<T>& a, const std::vector<T>& b, Eq eq) {
  if (a.size() != b.size()) return false;
  for (const T& x : a) {
    if (std::none_of(b.begin(), b.end(), [&](const T& y) { return eq(x, y); })) return false;
  }
  return true;
}

}  // namespace

bool AttributeValue::Equals(const AttributeValue& o) const {
  if (type() != o.type()) return false;
  switch (type()) {
    case ValueType::kS:
      return s() == o.s();
    case ValueType::kN:
      return n().Compare(o.n()) == 0;
    case ValueType::kB:
      return b() == o.b();
    case ValueType::kBool:
      return boolean() == o.boolean();
    case ValueType::kNull:
      return true;
    case ValueType::kM: {
      if (m().size() != o.m().size()) return false;
      for (auto a = m().begin(), b = o.m().begin(); a != m().end(); ++a, ++b) {
        if (a->first != b->first || !a->second.Equals(b->second)) return false;
      }
      return true;
    }
    case ValueType::kL: {
      if (l().size() != o.l().size()) return false;
      for (size_t i = 0; i < l().size(); ++i) {
        if (!l()[i].Equals(o.l()[i])) return false;
      }
      return true;
    }
    case ValueType::kSS:
      return SameMembers(ss(), o.ss(), std::equal_to<>());
    case ValueType::kBS:
      return SameMembers(bs(), o.bs(), std::equal_to<>());
    case ValueType::kNS:
      return SameMembers(ns(), o.ns(),
                         [](const Number& x, const Number& y) { return x.Compare(y) == 0; });
  }
  return false;
}

size_t NumberSize(const Number& n) {
  // DynamoDB: one byte per base-100 digit (pairs of decimal digits aligned on
  // the decimal point) from the first to the last significant digit, plus one,
  // plus one more for negatives. "3.14159" is 5 bytes, "-42" is 3.
  if (n.is_zero()) return 1;
  int64_t exponent = n.exponent();
  int64_t len = static_cast<int64_t>(n.digits().size());
  // Digit positions run from exponent-1 (most significant) down to exponent-len.
  // Count base-100 groups covering that span, aligned on even positions.
  auto floor_div2 = [](int64_t v) { return v >= 0 ? v / 2 : -((-v + 1) / 2); };
  int64_t hi = floor_div2(exponent - 1);
  int64_t lo = floor_div2(exponent - len);
  return static_cast<size_t>(hi - lo + 1) + 1 + (n.negative() ? 1 : 0);
}

size_t ValueSize(const AttributeValue& v) {
  switch (v.type()) {
    case ValueType::kS:
      return v.s().size();
    case ValueType::kB:
      return v.b().size();
    case ValueType::kN:
      return NumberSize(v.n());
    case ValueType::kBool:
    case ValueType::kNull:
      return 1;
    case ValueType::kM: {
      size_t size = 3;
      for (const auto& [name, value] : v.m()) size += 1 + name.size() + ValueSize(value);
      return size;
    }
    case ValueType::kL: {
      size_t size = 3;
      for (const auto& value : v.l()) size += 1 + ValueSize(value);
      return size;
    }
    case ValueType::kSS: {
      size_t size = 0;
      for (const auto& s : v.ss()) size += s.size();
      return size;
    }
    case ValueType::kBS: {
      size_t size = 0;
      for (const auto& s : v.bs()) size += s.size();
      return size;
    }
    case ValueType::kNS: {
      size_t size = 0;
      for (const auto& n : v.ns()) size += NumberSize(n);
      return size;
    }
  }
  return 0;
}

namespace {

// Whether a value at `level` (a top-level attribute is level 1) has any part
// past kMaxNestingDepth; recursion stops at the limit.
bool NestsTooDeep(const AttributeValue& v, int level) {
  if (level > kMaxNestingDepth) return true;
  if (v.type() == ValueType::kM) {
    for (const auto& [name, value] : v.m()) {
      if (NestsTooDeep(value, level + 1)) return true;
    }
  } else if (v.type() == ValueType::kL) {
    for (const auto& value : v.l()) {
      if (NestsTooDeep(value, level + 1)) return true;
    }
  }
  return false;
}

}  // namespace

bool ExceedsNestingLimit(const AttributeValue& top_level_value) {
  return NestsTooDeep(top_level_value, 1);
}

size_t ItemSize(const Item& item) {
  size_t size = 0;
  for (const auto& [name, value] : item) size += name.size() + ValueSize(value);
  return size;
}

}  // namespace dynamo::core
