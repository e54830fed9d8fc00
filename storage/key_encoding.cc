#include "storage/key_encoding.h"

namespace dynamo::storage {

using core::AttributeValue;
using core::Number;
using core::ValueType;

namespace {

void EncodeNumber(const Number& n, std::string* out) {
  if (n.is_zero()) {
    out->push_back(static_cast<char>(0x80));
    return;
  }
  int e = n.exponent();
  if (!n.negative()) {
    uint16_t biased = static_cast<uint16_t>(e + 0x8000);
    out->push_back(static_cast<char>(0xC0));
    out->push_back(static_cast<char>(biased >> 8));
    out->push_back(static_cast<char>(biased & 0xff));
    out->append(n.digits());
  } else {
    uint16_t biased = static_cast<uint16_t>(0x7FFF - e);
    out->push_back(static_cast<char>(0x40));
    out->push_back(static_cast<char>(biased >> 8));
    out->push_back(static_cast<char>(biased & 0xff));
    for (char d : n.digits()) out->push_back(static_cast<char>('9' - d + '0'));
    out->push_back(static_cast<char>(0xFF));
  }
}

core::Error Corrupt() { return core::Error{core::ErrorCode::kInternalServerError, "corrupt key"}; }

}  // namespace

void EncodeKeyValue(const AttributeValue& value, std::string* out) {
  switch (value.type()) {
    case ValueType::kS:
      out->append(value.s());
      break;
    case ValueType::kB:
      out->append(value.b());
      break;
    case ValueType::kN:
      EncodeNumber(value.n(), out);
      break;
    default:
      break;  // precondition: key types only
  }
}

std::string EncodeKeyValue(const AttributeValue& value) {
  std::string out;
  EncodeKeyValue(value, &out);
  return out;
}

EncodedKey EncodeKey(const AttributeValue& hash, const AttributeValue* range) {
  EncodedKey key;
  EncodeKeyValue(hash, &key.hash);
  if (range) EncodeKeyValue(*range, &key.range);
  return key;
}

void AppendKeyComponentPrefix(const AttributeValue& value, std::string* out) {
  thread_local std::string scratch;
  scratch.clear();
  EncodeKeyValue(value, &scratch);
  for (char c : scratch) {
    out->push_back(c);
    if (c == '\0') out->push_back('\xff');
  }
}

void AppendKeyComponent(const AttributeValue& value, std::string* out) {
  AppendKeyComponentPrefix(value, out);
  out->push_back('\0');
  out->push_back('\x01');
}

namespace {

// Encodes the item's values of one key part (first + more) into out: one
// value as such, several as components. False when one is missing or has
// another type.
bool EncodeKeyPart(const core::KeyElement& first, const std::vector<core::KeyElement>& more,
                   const core::Item& item, std::string* out) {
  auto value_of = [&](const core::KeyElement& k) -> const AttributeValue* {
    auto it = item.find(k.name);
    return it == item.end() || it->second.type() != k.type ? nullptr : &it->second;
  };
  const AttributeValue* v = value_of(first);
  if (!v) return false;
  if (more.empty()) {
    EncodeKeyValue(*v, out);
    return true;
  }
  AppendKeyComponent(*v, out);
  for (const core::KeyElement& k : more) {
    if (!(v = value_of(k))) return false;
    AppendKeyComponent(*v, out);
  }
  return true;
}

}  // namespace

std::optional<EncodedKey> EncodeItemKey(const core::KeySchema& schema, const core::Item& item) {
  EncodedKey key;
  if (!EncodeKeyPart(schema.hash, schema.more_hash, item, &key.hash)) return std::nullopt;
  if (schema.range && !EncodeKeyPart(*schema.range, schema.more_range, item, &key.range)) {
    return std::nullopt;
  }
  return key;
}

namespace {

bool AttributeEncodesTo(const core::KeyElement& element, const core::Item& item,
                        std::string_view encoded) {
  auto it = item.find(element.name);
  if (it == item.end() || it->second.type() != element.type) return false;
  switch (element.type) {
    case ValueType::kS:
      return it->second.s() == encoded;
    case ValueType::kB:
      return it->second.b() == encoded;
    default: {
      thread_local std::string scratch;
      scratch.clear();
      EncodeKeyValue(it->second, &scratch);
      return scratch == encoded;
    }
  }
}

}  // namespace

bool ItemHasKey(const core::KeySchema& schema, const core::Item& item, const EncodedKey& key) {
  if (!AttributeEncodesTo(schema.hash, item, key.hash)) return false;
  if (!schema.range) return key.range.empty();
  return AttributeEncodesTo(*schema.range, item, key.range);
}

core::Result<AttributeValue> DecodeKeyValue(ValueType type, std::string_view bytes) {
  switch (type) {
    case ValueType::kS:
      return AttributeValue::S(std::string(bytes));
    case ValueType::kB:
      return AttributeValue::B(std::string(bytes));
    case ValueType::kN:
      break;
    default:
      return Corrupt();
  }
  if (bytes.size() == 1 && static_cast<uint8_t>(bytes[0]) == 0x80) {
    return AttributeValue::N(Number());
  }
  if (bytes.size() < 4) return Corrupt();
  uint8_t lead = static_cast<uint8_t>(bytes[0]);
  uint16_t biased =
      static_cast<uint16_t>((static_cast<uint8_t>(bytes[1]) << 8) | static_cast<uint8_t>(bytes[2]));
  std::string digits;
  int64_t exponent;
  bool negative;
  if (lead == 0xC0) {
    negative = false;
    exponent = static_cast<int64_t>(biased) - 0x8000;
    digits.assign(bytes.substr(3));
  } else if (lead == 0x40 && static_cast<uint8_t>(bytes.back()) == 0xFF) {
    negative = true;
    exponent = 0x7FFF - static_cast<int64_t>(biased);
    for (char d : bytes.substr(3, bytes.size() - 4))
      digits.push_back(static_cast<char>('9' - d + '0'));
  } else {
    return Corrupt();
  }
  auto n = Number::FromParts(negative, std::move(digits), exponent);
  if (!n.ok()) return Corrupt();
  return AttributeValue::N(std::move(n).value());
}

uint32_t PartitionHash(std::string_view key) {
  // FNV-1a, then a finaliser (murmur3 fmix32) so that short keys spread well.
  uint32_t h = 2166136261u;
  for (unsigned char c : key) {
    h ^= c;
    h *= 16777619u;
  }
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

}  // namespace dynamo::storage
