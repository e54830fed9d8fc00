// DynamoDB attribute values and items.
//
// An AttributeValue is one of the ten DynamoDB types. Values are plain data:
// copying deep-copies, and there is no sharing between values. Binary data
// (B, BS) holds the decoded bytes, not base64. Sets hold their members
// sorted: strings and binaries by bytes, numbers numerically. DynamoDB
// promises no order, but DynamoDB Local returns sets sorted and test suites
// written against it compare them so; the factories sort.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/number.h"

namespace dynamo::core {

enum class ValueType : uint8_t { kS, kN, kB, kBool, kNull, kM, kL, kSS, kNS, kBS };

// "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS".
std::string_view TypeName(ValueType type);

class AttributeValue;
using Item = std::map<std::string, AttributeValue, std::less<>>;
using ValueMap = Item;
using ValueList = std::vector<AttributeValue>;

struct Binary {
  std::string bytes;
  bool operator==(const Binary&) const = default;
};
struct Null {
  bool operator==(const Null&) const = default;
};
struct StringSet {
  std::vector<std::string> values;
};
struct NumberSet {
  std::vector<Number> values;
};
struct BinarySet {
  std::vector<std::string> values;
};

class AttributeValue {
 public:
  using Data = std::variant<std::string, Number, Binary, bool, Null, ValueMap, ValueList, StringSet,
                            NumberSet, BinarySet>;

  AttributeValue() : data_(Null{}) {}
  // Each constructs its alternative in place (one move of the payload).
  static AttributeValue S(std::string s) { return AttributeValue(In<0>(), std::move(s)); }
  static AttributeValue N(Number n) { return AttributeValue(In<1>(), std::move(n)); }
  static AttributeValue B(std::string bytes) {
    return AttributeValue(In<2>(), Binary{std::move(bytes)});
  }
  static AttributeValue Bool(bool b) { return AttributeValue(In<3>(), b); }
  static AttributeValue MakeNull() { return AttributeValue(In<4>(), Null{}); }
  static AttributeValue M(ValueMap m) { return AttributeValue(In<5>(), std::move(m)); }
  static AttributeValue L(ValueList l) { return AttributeValue(In<6>(), std::move(l)); }
  static AttributeValue SS(std::vector<std::string> v) {
    SortMembers(v, std::less<>());
    return AttributeValue(In<7>(), StringSet{std::move(v)});
  }
  static AttributeValue NS(std::vector<Number> v) {
    SortMembers(v, [](const Number& a, const Number& b) { return a.Compare(b) < 0; });
    return AttributeValue(In<8>(), NumberSet{std::move(v)});
  }
  static AttributeValue BS(std::vector<std::string> v) {
    SortMembers(v, std::less<>());
    return AttributeValue(In<9>(), BinarySet{std::move(v)});
  }

  ValueType type() const { return static_cast<ValueType>(data_.index()); }

  // Accessors; the caller checks type() first.
  const std::string& s() const { return std::get<std::string>(data_); }
  const Number& n() const { return std::get<Number>(data_); }
  const std::string& b() const { return std::get<Binary>(data_).bytes; }
  bool boolean() const { return std::get<bool>(data_); }
  const ValueMap& m() const { return std::get<ValueMap>(data_); }
  ValueMap& m() { return std::get<ValueMap>(data_); }
  const ValueList& l() const { return std::get<ValueList>(data_); }
  ValueList& l() { return std::get<ValueList>(data_); }
  const std::vector<std::string>& ss() const { return std::get<StringSet>(data_).values; }
  const std::vector<Number>& ns() const { return std::get<NumberSet>(data_).values; }
  const std::vector<std::string>& bs() const { return std::get<BinarySet>(data_).values; }

  // DynamoDB equality: numbers numerically, sets regardless of order.
  bool Equals(const AttributeValue& other) const;

 private:
  // Sets arrive sorted from storage: checking is linear, sorting only when needed.
  template <typename T, typename Less>
  static void SortMembers(std::vector<T>& v, Less less) {
    if (!std::is_sorted(v.begin(), v.end(), less)) std::sort(v.begin(), v.end(), less);
  }

  template <size_t I>
  using In = std::in_place_index_t<I>;
  template <size_t I, typename T>
  AttributeValue(In<I> index, T&& value) : data_(index, std::forward<T>(value)) {}
  Data data_;
};

static_assert(std::variant_size_v<AttributeValue::Data> == 10);

// DynamoDB's size of an item, in bytes, by its documented rules (attribute
// names count; numbers about one byte per two significant digits plus one;
// maps and lists three bytes plus one per element).
size_t ItemSize(const Item& item);
size_t ValueSize(const AttributeValue& value);
size_t NumberSize(const Number& n);

// DynamoDB's limits on items.
inline constexpr size_t kMaxItemSize = 400 * 1024;
inline constexpr size_t kMaxHashKeySize = 2048;
inline constexpr size_t kMaxRangeKeySize = 1024;
// Document nesting: counting a top-level attribute as level 1, no value may
// be at level 33, so 31 maps or lists around a scalar are the most an item
// holds (recorded against DynamoDB, eu-west-2, 2026-06).
inline constexpr int kMaxNestingDepth = 32;
// Whether a top-level attribute's value nests past kMaxNestingDepth.
bool ExceedsNestingLimit(const AttributeValue& top_level_value);

}  // namespace dynamo::core
