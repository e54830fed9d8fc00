#include "core/item_codec.h"

namespace dynamo::core {
namespace {

enum Tag : uint8_t {
  kTagS = 1,
  kTagN,
  kTagB,
  kTagFalse,
  kTagTrue,
  kTagNull,
  kTagM,
  kTagL,
  kTagSS,
  kTagNS,
  kTagBS,
};

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void PutBytes(std::string_view s, std::string* out) {
  PutVarint(s.size(), out);
  out->append(s);
}

void PutNumber(const Number& n, std::string* out) {
  out->push_back(n.negative() ? 1 : 0);
  int64_t e = n.exponent();
  PutVarint(static_cast<uint64_t>((e << 1) ^ (e >> 63)), out);
  PutBytes(n.digits(), out);
}

void PutValue(const AttributeValue& v, std::string* out);

void PutMap(const ValueMap& m, std::string* out) {
  PutVarint(m.size(), out);
  for (const auto& [name, value] : m) {
    PutBytes(name, out);
    PutValue(value, out);
  }
}

void PutValue(const AttributeValue& v, std::string* out) {
  switch (v.type()) {
    case ValueType::kS:
      out->push_back(kTagS);
      PutBytes(v.s(), out);
      break;
    case ValueType::kN:
      out->push_back(kTagN);
      PutNumber(v.n(), out);
      break;
    case ValueType::kB:
      out->push_back(kTagB);
      PutBytes(v.b(), out);
      break;
    case ValueType::kBool:
      out->push_back(v.boolean() ? kTagTrue : kTagFalse);
      break;
    case ValueType::kNull:
      out->push_back(kTagNull);
      break;
    case ValueType::kM:
      out->push_back(kTagM);
      PutMap(v.m(), out);
      break;
    case ValueType::kL:
      out->push_back(kTagL);
      PutVarint(v.l().size(), out);
      for (const auto& e : v.l()) PutValue(e, out);
      break;
    case ValueType::kSS:
      out->push_back(kTagSS);
      PutVarint(v.ss().size(), out);
      for (const auto& e : v.ss()) PutBytes(e, out);
      break;
    case ValueType::kBS:
      out->push_back(kTagBS);
      PutVarint(v.bs().size(), out);
      for (const auto& e : v.bs()) PutBytes(e, out);
      break;
    case ValueType::kNS:
      out->push_back(kTagNS);
      PutVarint(v.ns().size(), out);
      for (const auto& e : v.ns()) PutNumber(e, out);
      break;
  }
}

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool ok() const { return ok_; }
  bool done() const { return pos_ == data_.size(); }

  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) return Fail();
      uint8_t b = static_cast<uint8_t>(data_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    return Fail();
  }
  uint8_t Byte() {
    if (pos_ >= data_.size()) return static_cast<uint8_t>(Fail());
    return static_cast<uint8_t>(data_[pos_++]);
  }
  std::string Bytes() {
    uint64_t n = Varint();
    if (!ok_ || n > data_.size() - pos_) {
      Fail();
      return {};
    }
    std::string s(data_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  // A count can never exceed the bytes left, since every element takes one.
  uint64_t Count() {
    uint64_t n = Varint();
    if (n > data_.size() - pos_) return Fail();
    return n;
  }
  Number ReadNumber() {
    bool negative = Byte() != 0;
    uint64_t z = Varint();
    int64_t e = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
    std::string digits = Bytes();
    if (!ok_) return Number();
    auto n = Number::FromParts(negative, std::move(digits), e);
    if (!n.ok()) {
      Fail();
      return Number();
    }
    return std::move(n).value();
  }
  AttributeValue Value(int depth) {
    if (depth > 64) {
      Fail();
      return {};
    }
    switch (Byte()) {
      case kTagS:
        return AttributeValue::S(Bytes());
      case kTagN:
        return AttributeValue::N(ReadNumber());
      case kTagB:
        return AttributeValue::B(Bytes());
      case kTagFalse:
        return AttributeValue::Bool(false);
      case kTagTrue:
        return AttributeValue::Bool(true);
      case kTagNull:
        return AttributeValue::MakeNull();
      case kTagM:
        return AttributeValue::M(Map(depth + 1));
      case kTagL: {
        uint64_t n = Count();
        ValueList l;
        l.reserve(n);
        for (uint64_t i = 0; i < n && ok_; ++i) l.push_back(Value(depth + 1));
        return AttributeValue::L(std::move(l));
      }
      case kTagSS:
      case kTagBS: {
        bool binary = data_[pos_ - 1] == kTagBS;
        uint64_t n = Count();
        std::vector<std::string> v;
        v.reserve(n);
        for (uint64_t i = 0; i < n && ok_; ++i) v.push_back(Bytes());
        return binary ? AttributeValue::BS(std::move(v)) : AttributeValue::SS(std::move(v));
      }
      case kTagNS: {
        uint64_t n = Count();
        std::vector<Number> v;
        v.reserve(n);
        for (uint64_t i = 0; i < n && ok_; ++i) v.push_back(ReadNumber());
        return AttributeValue::NS(std::move(v));
      }
      default:
        Fail();
        return {};
    }
  }
  ValueMap Map(int depth) {
    ValueMap m;
    uint64_t n = Count();
    for (uint64_t i = 0; i < n && ok_; ++i) {
      std::string name = Bytes();
      AttributeValue v = Value(depth);
      if (ok_) m.emplace_hint(m.end(), std::move(name), std::move(v));
    }
    return m;
  }

 private:
  uint64_t Fail() {
    ok_ = false;
    pos_ = data_.size();
    return 0;
  }
  std::string_view data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace

void EncodeItem(const Item& item, std::string* out) { PutMap(item, out); }

std::string EncodeItem(const Item& item) {
  std::string out;
  out.reserve(64);
  PutMap(item, &out);
  return out;
}

Result<Item> DecodeItem(std::string_view data) {
  Reader r(data);
  Item item = r.Map(0);
  if (!r.ok() || !r.done()) {
    return Error{ErrorCode::kInternalServerError, "corrupt stored item"};
  }
  return item;
}

}  // namespace dynamo::core
