// The stored item format: a compact binary encoding of an Item.
//
//   item     := varint(count) { varint(len) name-bytes value }*count   (names in ascending order)
//   value    := tag payload
//   tag      := 1 S | 2 N | 3 B | 4 BOOL false | 5 BOOL true | 6 NULL
//             | 7 M | 8 L | 9 SS | 10 NS | 11 BS
//   S, B     := varint(len) bytes
//   N        := byte(flags: bit0 negative) zigzag-varint(exponent) varint(len) digit-bytes
//               (the normalised Number: value = ±0.digits * 10^exponent; zero has len 0)
//   M        := item
//   L        := varint(count) value*count
//   SS, BS   := varint(count) { varint(len) bytes }*count
//   NS       := varint(count) N*count
//
// varint is LEB128 (7 bits a byte, low group first). The format is private to
// this project; a version byte in the storage schema guards changes.
#pragma once

#include <string>
#include <string_view>

#include "core/attribute_value.h"

namespace dynamo::core {

void EncodeItem(const Item& item, std::string* out);
std::string EncodeItem(const Item& item);

// Fails with InternalServerError on malformed input (a corrupt row).
Result<Item> DecodeItem(std::string_view data);

}  // namespace dynamo::core
