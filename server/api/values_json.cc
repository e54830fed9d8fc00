#include "server/api/values_json.h"

#include <algorithm>
#include <map>
#include <string_view>

#include "core/messages.h"
#include "server/api/fields.h"

namespace dynamo::server {

using core::AttributeValue;
using core::Error;
using core::Item;
using core::Number;
using core::Result;
using core::Status;
using core::ValidationError;

namespace {

constexpr std::string_view kAttributeValueClass =
    "class com.amazonaws.dynamodb.v20120810.AttributeValue";

constexpr char kB64Chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int B64Index(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Strict base64 (RFC 4648 with padding), with the messages of DynamoDB's decoder.
Result<std::string> Base64Decode(std::string_view in) {
  if (in.size() % 4 != 0) {
    return Serialization("Base64 encoded length is expected a multiple of 4 bytes but found: " +
                         std::to_string(in.size()));
  }
  size_t pad = 0;
  if (!in.empty() && in.back() == '=') pad = (in.size() >= 2 && in[in.size() - 2] == '=') ? 2 : 1;
  std::string out;
  out.reserve(in.size() / 4 * 3);
  uint32_t acc = 0;
  int bits = 0;
  size_t data_len = in.size() - pad;
  for (size_t i = 0; i < data_len; ++i) {
    int v = B64Index(in[i]);
    if (v < 0) {
      return Serialization("Invalid Base64 character: '" + std::string(1, in[i]) + "'");
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  // The bits left over in the last non-pad character must be zero.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    return Serialization("Invalid last non-pad Base64 character dectected");
  }
  if (pad > 0 && data_len % 4 == 1) {
    return Serialization("Invalid last non-pad Base64 character dectected");
  }
  return out;
}

Status CheckBinaryValue(const JsonValue& v) {
  if (!v.IsString()) return Serialization("only base-64-encoded strings are convertible to bytes");
  auto decoded = Base64Decode(std::string_view(v.GetString(), v.GetStringLength()));
  if (!decoded.ok()) return std::move(decoded).error();
  return Status::Ok();
}

Status CheckListOf(const JsonValue& v, Status (*check)(const JsonValue&)) {
  if (v.IsObject()) return Serialization("Start of structure or map found where not expected");
  if (!v.IsArray()) return Serialization("Unexpected field type");
  for (const auto& e : v.GetArray()) DYNAMO_RETURN_IF_ERROR(check(e));
  return Status::Ok();
}

Status CheckBoolValue(const JsonValue& v) {
  if (v.IsBool()) return Status::Ok();
  if (v.IsObject()) return Serialization("Start of structure or map found where not expected");
  if (v.IsArray()) return Serialization("Unrecognized collection type class java.lang.Boolean");
  if (v.IsString()) return Serialization("Unexpected token received from parser");
  if (v.IsInt64() || v.IsUint64())
    return Serialization("NUMBER_VALUE cannot be converted to Boolean");
  return Serialization("DECIMAL_VALUE cannot be converted to Boolean");
}

std::string_view Str(const JsonValue& v) { return {v.GetString(), v.GetStringLength()}; }

using core::NestingTooDeep;

Result<AttributeValue> Decode(const JsonValue& v, int depth, ValueLayer layer);

Result<Item> DecodeMap(const JsonValue& map, int depth, ValueLayer layer) {
  Item item;
  for (const auto& m : map.GetObject()) {
    DYNAMO_ASSIGN_OR_RETURN(AttributeValue value, Decode(m.value, depth, layer));
    // Duplicate JSON keys: the last one wins, as in DynamoDB's deserialiser.
    item.insert_or_assign(std::string(Str(m.name)), std::move(value));
  }
  return item;
}

core::NumberReading ReadingOf(ValueLayer layer) {
  switch (layer) {
    case ValueLayer::kCurrent:
      return core::NumberReading::kCurrent;
    case ValueLayer::kPartiql:
      return core::NumberReading::kBigDecimal;
    case ValueLayer::kOlder:
      break;
  }
  return core::NumberReading::kJava;
}

// The members of a set as its duplicate message lists them: the older layer
// as sent; the current one in the order of the sorted set DynamoDB builds,
// up to the first repeat, then the repeat, then the rest as sent.
// keys[i] orders texts[i]. Empty when there is no duplicate.
std::vector<std::string> DuplicateListing(const std::vector<std::string>& keys,
                                          const std::vector<std::string>& texts, ValueLayer layer) {
  // The common case, no duplicate, costs one sort of views.
  std::vector<std::string_view> sorted(keys.begin(), keys.end());
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end()) return {};
  std::map<std::string_view, std::string_view> seen;  // key -> text
  for (size_t i = 0; i < keys.size(); ++i) {
    if (seen.emplace(keys[i], texts[i]).second) continue;
    if (layer == ValueLayer::kOlder) return texts;
    std::vector<std::string> out;
    for (const auto& [key, text] : seen) out.emplace_back(text);
    out.insert(out.end(), texts.begin() + static_cast<long>(i), texts.end());
    return out;
  }
  return {};
}

// [a, b] (older) or ["a", "b"] (current; separator as DynamoDB prints it).
std::string JoinSetForMessage(const std::vector<std::string>& members, ValueLayer layer,
                              std::string_view current_separator) {
  const bool quoted = layer != ValueLayer::kOlder;
  std::string out = "[";
  for (size_t i = 0; i < members.size(); ++i) {
    if (i) out += quoted ? current_separator : ", ";
    out += quoted ? "\"" + members[i] + "\"" : members[i];
  }
  return out + "]";
}

Result<AttributeValue> DecodeStringSet(const JsonValue& x, ValueLayer layer) {
  if (x.Empty()) {
    return core::InvalidParameter("An string set  may not be empty");
  }
  std::vector<std::string> members;
  members.reserve(x.Size());
  for (const auto& e : x.GetArray()) members.emplace_back(Str(e));
  std::vector<std::string> listing = DuplicateListing(members, members, layer);
  if (!listing.empty()) {
    return core::InvalidParameter("Input collection " + JoinSetForMessage(listing, layer, ", ") +
                                  " contains duplicates.");
  }
  return AttributeValue::SS(std::move(members));
}

Result<AttributeValue> DecodeNumberSet(const JsonValue& x, ValueLayer layer) {
  if (x.Empty()) {
    return core::InvalidParameter("An number set  may not be empty");
  }
  std::vector<Number> members;
  members.reserve(x.Size());
  for (const auto& e : x.GetArray()) {
    DYNAMO_ASSIGN_OR_RETURN(Number n, Number::Parse(Str(e), ReadingOf(layer)));
    members.push_back(std::move(n));
  }
  std::vector<Number> sorted = members;
  std::sort(sorted.begin(), sorted.end(),
            [](const Number& a, const Number& b) { return a.Compare(b) < 0; });
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i - 1].Compare(sorted[i]) != 0) continue;
    if (layer == ValueLayer::kOlder) return ValidationError("Input collection contains duplicates");
    return core::InvalidParameter("Input collection contains duplicates.");
  }
  return AttributeValue::NS(std::move(members));
}

Result<AttributeValue> DecodeBinarySet(const JsonValue& x, ValueLayer layer) {
  if (x.Empty()) {
    return core::InvalidParameter("Binary sets should not be empty");
  }
  std::vector<std::string> members;
  std::vector<std::string> texts;
  members.reserve(x.Size());
  for (const auto& e : x.GetArray()) {
    DYNAMO_ASSIGN_OR_RETURN(std::string bytes, Base64Decode(Str(e)));
    members.push_back(std::move(bytes));
    texts.emplace_back(Str(e));
  }
  std::vector<std::string> listing = DuplicateListing(members, texts, layer);
  if (!listing.empty()) {
    return core::InvalidParameter("Input collection " + JoinSetForMessage(listing, layer, ",") +
                                  "of type BS contains duplicates.");
  }
  return AttributeValue::BS(std::move(members));
}

// A map or list at depth (0: a top-level attribute, level 1) puts its members
// at level depth + 2, which must not pass kMaxNestingDepth.
bool ContainerTooDeep(int depth) { return depth + 2 > core::kMaxNestingDepth; }

Result<AttributeValue> DecodeList(const JsonValue& x, int depth, ValueLayer layer) {
  if (ContainerTooDeep(depth)) return NestingTooDeep();
  core::ValueList list;
  list.reserve(x.Size());
  for (const auto& e : x.GetArray()) {
    DYNAMO_ASSIGN_OR_RETURN(AttributeValue ev, Decode(e, depth + 1, layer));
    list.push_back(std::move(ev));
  }
  return AttributeValue::L(std::move(list));
}

// Sets *out to the result of a decoder.
Status Assign(Result<AttributeValue> v, std::optional<AttributeValue>* out) {
  if (!v.ok()) return std::move(v).error();
  *out = std::move(v).value();
  return Status::Ok();
}

// Decodes one member of an AttributeValue object ({"S": ...}, {"M": ...},
// ...) into *out; *typed is false for a member that is not a type.
Status DecodeTypedMember(std::string_view key, const JsonValue& x, int depth, ValueLayer layer,
                         std::optional<AttributeValue>* out, bool* typed) {
  *typed = true;
  if (key == "S") {
    *out = AttributeValue::S(std::string(Str(x)));
  } else if (key == "N") {
    DYNAMO_ASSIGN_OR_RETURN(Number n, Number::Parse(Str(x), ReadingOf(layer)));
    *out = AttributeValue::N(std::move(n));
  } else if (key == "B") {
    DYNAMO_ASSIGN_OR_RETURN(std::string bytes, Base64Decode(Str(x)));
    *out = AttributeValue::B(std::move(bytes));
  } else if (key == "BOOL") {
    *out = AttributeValue::Bool(x.GetBool());
  } else if (key == "NULL") {
    if (!x.GetBool()) {
      return core::InvalidParameter("Null attribute value types must have the value of true");
    }
    *out = AttributeValue::MakeNull();
  } else if (key == "M") {
    if (ContainerTooDeep(depth)) return NestingTooDeep();
    DYNAMO_ASSIGN_OR_RETURN(Item map, DecodeMap(x, depth + 1, layer));
    *out = AttributeValue::M(std::move(map));
  } else if (key == "L") {
    return Assign(DecodeList(x, depth, layer), out);
  } else if (key == "SS") {
    return Assign(DecodeStringSet(x, layer), out);
  } else if (key == "NS") {
    return Assign(DecodeNumberSet(x, layer), out);
  } else if (key == "BS") {
    return Assign(DecodeBinarySet(x, layer), out);
  } else {
    *typed = false;
  }
  return Status::Ok();
}

Result<AttributeValue> Decode(const JsonValue& v, int depth, ValueLayer layer) {
  auto empty = [] {
    return ValidationError(
        "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  };
  if (!v.IsObject()) return empty();
  int types = 0;
  std::optional<AttributeValue> result;
  for (const auto& m : v.GetObject()) {
    if (m.value.IsNull()) continue;
    bool typed = false;
    DYNAMO_RETURN_IF_ERROR(DecodeTypedMember(Str(m.name), m.value, depth, layer, &result, &typed));
    if (typed) ++types;
  }
  if (types == 0) return empty();
  if (types > 1) {
    return ValidationError(
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
        "the supported datatypes");
  }
  return std::move(*result);
}

Status CheckValueTypes(const JsonValue& v, int depth);

Status CheckMapTypes(const JsonValue& map, int depth) {
  DYNAMO_RETURN_IF_ERROR(CheckObjectValue(map, kAttributeValueMap));
  if (map.IsNull()) return Status::Ok();
  for (const auto& m : map.GetObject()) DYNAMO_RETURN_IF_ERROR(CheckValueTypes(m.value, depth));
  return Status::Ok();
}

Status CheckValueTypes(const JsonValue& v, int depth) {
  if (v.IsNull()) return Status::Ok();
  // Past DynamoDB's nesting limit Decode reports the error; stop here so that
  // hostile nesting cannot exhaust the stack.
  if (depth > core::kMaxNestingDepth + 1) return Status::Ok();
  if (v.IsArray())
    return Serialization("Unrecognized collection type " + std::string(kAttributeValueClass));
  if (!v.IsObject()) return Serialization("Unexpected value type in payload");
  for (const auto& m : v.GetObject()) {
    if (m.value.IsNull()) continue;
    std::string_view key = Str(m.name);
    const JsonValue& x = m.value;
    if (key == "S" || key == "N") {
      DYNAMO_RETURN_IF_ERROR(CheckStringValue(x));
    } else if (key == "B") {
      DYNAMO_RETURN_IF_ERROR(CheckBinaryValue(x));
    } else if (key == "BOOL" || key == "NULL") {
      DYNAMO_RETURN_IF_ERROR(CheckBoolValue(x));
    } else if (key == "SS" || key == "NS") {
      DYNAMO_RETURN_IF_ERROR(CheckListOf(x, [](const JsonValue& e) -> Status {
        if (e.IsNull()) return Serialization("Unexpected value type in payload");
        return CheckStringValue(e);
      }));
    } else if (key == "BS") {
      DYNAMO_RETURN_IF_ERROR(CheckListOf(x, [](const JsonValue& e) -> Status {
        if (e.IsNull()) return Serialization("Unexpected value type in payload");
        return CheckBinaryValue(e);
      }));
    } else if (key == "M") {
      DYNAMO_RETURN_IF_ERROR(CheckMapTypes(x, depth + 1));
    } else if (key == "L") {
      if (x.IsObject()) return Serialization("Start of structure or map found where not expected");
      if (!x.IsArray()) return Serialization("Unexpected field type");
      for (const auto& e : x.GetArray()) {
        if (e.IsNull()) return Serialization("Unexpected value type in payload");
        DYNAMO_RETURN_IF_ERROR(CheckValueTypes(e, depth + 1));
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Status CheckAttributeValueTypes(const JsonValue& v) { return CheckValueTypes(v, 0); }

Status CheckAttributeMapTypes(const JsonValue& map) { return CheckMapTypes(map, 0); }

// DynamoDB's model bounds an attribute name (AttributeName) to 65535 bytes.
constexpr size_t kMaxAttributeNameBytes = 65535;

Status CheckItemAttributeNames(const JsonValue& item) {
  if (!item.IsObject()) return Status::Ok();
  for (const auto& m : item.GetObject()) {
    if (m.name.GetStringLength() == 0) return ValidationError("Empty attribute name");
    if (m.name.GetStringLength() > kMaxAttributeNameBytes) {
      return ValidationError("Attribute name is too large, must be less than 65536 bytes");
    }
  }
  return Status::Ok();
}

Result<Item> DecodeAttributeMap(const JsonValue& map, ValueLayer layer) {
  return DecodeMap(map, 0, layer);
}

Result<AttributeValue> DecodeAttributeValue(const JsonValue& value, ValueLayer layer) {
  return Decode(value, 0, layer);
}

Result<AttributeValue> DecodeExpressionValue(const JsonValue& value, ValueLayer layer) {
  return Decode(value, layer == ValueLayer::kOlder ? -1 : 0, layer);
}

std::string Base64Encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) |
                 static_cast<uint8_t>(in[i + 2]);
    out.push_back(kB64Chars[(n >> 18) & 63]);
    out.push_back(kB64Chars[(n >> 12) & 63]);
    out.push_back(kB64Chars[(n >> 6) & 63]);
    out.push_back(kB64Chars[n & 63]);
  }
  if (i < in.size()) {
    uint32_t n = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<uint8_t>(in[i + 1]) << 8;
    out.push_back(kB64Chars[(n >> 18) & 63]);
    out.push_back(kB64Chars[(n >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kB64Chars[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

void WriteItemCollectionMetrics(const Item& collection_key, JsonWriter& w) {
  w.StartObject();
  w.Key("ItemCollectionKey");
  WriteAttributeMap(collection_key, w);
  w.Key("SizeEstimateRangeGB");
  w.StartArray();
  w.Double(0.0);
  w.Double(1.0);
  w.EndArray();
  w.EndObject();
}

void WriteAttributeMap(const Item& item, JsonWriter& w) {
  w.StartObject();
  for (const auto& [name, value] : item) {
    w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    WriteAttributeValue(value, w);
  }
  w.EndObject();
}

void WriteAttributeValue(const AttributeValue& v, JsonWriter& w) {
  auto str = [&w](std::string_view s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  };
  w.StartObject();
  switch (v.type()) {
    case core::ValueType::kS:
      w.Key("S");
      str(v.s());
      break;
    case core::ValueType::kN:
      w.Key("N");
      str(v.n().ToString());
      break;
    case core::ValueType::kB:
      w.Key("B");
      str(Base64Encode(v.b()));
      break;
    case core::ValueType::kBool:
      w.Key("BOOL");
      w.Bool(v.boolean());
      break;
    case core::ValueType::kNull:
      w.Key("NULL");
      w.Bool(true);
      break;
    case core::ValueType::kM:
      w.Key("M");
      WriteAttributeMap(v.m(), w);
      break;
    case core::ValueType::kL:
      w.Key("L");
      w.StartArray();
      for (const auto& e : v.l()) WriteAttributeValue(e, w);
      w.EndArray();
      break;
    case core::ValueType::kSS:
      w.Key("SS");
      w.StartArray();
      for (const auto& e : v.ss()) str(e);
      w.EndArray();
      break;
    case core::ValueType::kNS:
      w.Key("NS");
      w.StartArray();
      for (const auto& e : v.ns()) str(e.ToString());
      w.EndArray();
      break;
    case core::ValueType::kBS:
      w.Key("BS");
      w.StartArray();
      for (const auto& e : v.bs()) str(Base64Encode(e));
      w.EndArray();
      break;
  }
  w.EndObject();
}

}  // namespace dynamo::server
