// Order-preserving encoding of key attribute values.
//
// Key columns hold these bytes as BLOBs; SQLite compares BLOBs with memcmp
// (then by length), so for two values of one key type:
//     memcmp-order(Encode(a), Encode(b)) == DynamoDB-order(a, b)
// and equal values (e.g. N "1.50" and "1.5") encode to equal bytes.
//
//   S  := the UTF-8 bytes                 (DynamoDB orders strings by UTF-8 bytes)
//   B  := the raw bytes                   (unsigned byte order)
//   N  := zero:      0x80
//         positive:  0xC0 uint16be(exponent + 0x8000) digit-bytes
//         negative:  0x40 uint16be(0x7FFF - exponent) inverted-digit-bytes 0xFF
//       with the normalised Number (±0.d1..dn * 10^exponent, no trailing zeros):
//       digit-bytes are '0'..'9'; an inverted digit d is '9' - d + '0'. The
//       0xFF terminator makes a shorter negative mantissa (-0.1) sort after a
//       longer one with the same prefix (-0.12), as it must.
//
// A key column holds values of one declared type, so no type tag is stored.
//
// A multi-attribute key part (a GSI's partition key or sort key made of 2 to
// 4 attributes) is stored as the concatenation of one component per
// attribute, in KeySchema order:
//
//   component := the value's encoding with each 0x00 byte written 0x00 0xFF,
//                then the terminator 0x00 0x01
//
// so memcmp orders the tuples attribute by attribute, each by its own type
// (a value that is a prefix of another sorts first, as 0x00 0x01 is below
// any continuation), and the components of equal leading values form a
// common byte prefix (what a Query on the leading sort key attributes reads).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/attribute_value.h"
#include "core/key_schema.h"

namespace dynamo::storage {

// The primary key of an item (or the key of its index entry), encoded.
struct EncodedKey {
  std::string hash;   // EncodeKeyValue(partition key)
  std::string range;  // EncodeKeyValue(sort key), empty without a sort key

  bool operator==(const EncodedKey&) const = default;
};

// Precondition: hash and range (when given) are S, N or B.
EncodedKey EncodeKey(const core::AttributeValue& hash, const core::AttributeValue* range);

// The item's key under the schema, or nullopt when the item lacks a key
// attribute or has one of another type.
std::optional<EncodedKey> EncodeItemKey(const core::KeySchema& schema, const core::Item& item);

// Precondition: value is S, N or B.
void EncodeKeyValue(const core::AttributeValue& value, std::string* out);
// Appends the component of value in a multi-attribute key part (see above).
void AppendKeyComponent(const core::AttributeValue& value, std::string* out);
// The escaped encoding of value without the terminator: the common prefix of
// the components of every value that begins with value (S and B).
void AppendKeyComponentPrefix(const core::AttributeValue& value, std::string* out);
std::string EncodeKeyValue(const core::AttributeValue& value);

// Inverse of EncodeKeyValue for a column of the given type (S, N or B).
// True when the item's key attributes under the schema encode to key
// (without allocating in the common case).
bool ItemHasKey(const core::KeySchema& schema, const core::Item& item, const EncodedKey& key);

core::Result<core::AttributeValue> DecodeKeyValue(core::ValueType type, std::string_view bytes);

// A 32-bit hash of an encoded partition key. Items are stored in hash order,
// which spreads partitions over the key space the way DynamoDB's Scan order
// does and lets a parallel Scan segment be a contiguous hash range.
uint32_t PartitionHash(std::string_view encoded_hash_key);

}  // namespace dynamo::storage
