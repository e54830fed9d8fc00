// Typed access to the members of a request's JSON object, with the
// SerializationException messages DynamoDB's (Java, Coral) deserialiser gives
// when a member has the wrong JSON type, and the collector for
// "N validation errors detected: ..." constraint messages.
//
// All functions treat a missing member and a JSON null alike: absent.
// Returned pointers and views point into the request document, which must
// outlive them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "server/api/json.h"

namespace dynamo::server {

using core::Error;
using core::Result;
using core::Status;

// The member, or nullptr when absent or null.
const JsonValue* Member(const JsonValue& object, std::string_view name);

Error Serialization(std::string message);

// Checks a present member's JSON type. `java_type` is the class name DynamoDB
// prints: "String", "Boolean", "Integer", "Long".
Result<std::optional<std::string_view>> GetString(const JsonValue& object, std::string_view name);
Result<std::optional<bool>> GetBool(const JsonValue& object, std::string_view name);
Result<std::optional<int64_t>> GetInteger(const JsonValue& object, std::string_view name,
                                          std::string_view java_type = "Integer");
// An object member (a JSON map or structure). java_map_type names the map
// type in the "Unrecognized collection type" message.
Result<const JsonValue*> GetObject(const JsonValue& object, std::string_view name,
                                   std::string_view java_map_type);
// An array member.
Result<const JsonValue*> GetArray(const JsonValue& object, std::string_view name);

// Type checks for values that are not object members (list elements, map values).
Status CheckStringValue(const JsonValue& v);
Status CheckObjectValue(const JsonValue& v, std::string_view java_map_type);

inline constexpr std::string_view kAttributeValueMap =
    "java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>";
inline constexpr std::string_view kStringMap = "java.util.Map<java.lang.String, java.lang.String>";

// Collects constraint violations in the order found and renders DynamoDB's
// message: "1 validation error detected: Value 'x' at 'path' failed to
// satisfy constraint: Member must ..." (at most 10 listed, joined by "; ").
class ConstraintErrors {
 public:
  // value: the already-rendered value text without quotes, or nullopt for null.
  void Add(std::optional<std::string> value, std::string path, std::string constraint);
  void NotNull(std::string path) { Add(std::nullopt, std::move(path), "Member must not be null"); }
  // "Value at 'path' failed to satisfy constraint: ...": the newer wording
  // that names the member as the API does and echoes no value.
  void AddUnechoed(std::string path, std::string constraint);
  // Length, pattern and enum checks of a string member.
  void CheckLength(std::string_view value, const std::string& path, size_t min, size_t max);
  void CheckTableNamePattern(std::string_view value, const std::string& path);
  void CheckEnum(std::string_view value, const std::string& path,
                 std::initializer_list<std::string_view> allowed);
  void CheckRange(int64_t value, const std::string& path, int64_t min, int64_t max);
  bool empty() const { return errors_.empty(); }
  // Drops every error but the first (a check that stops at its first).
  void KeepFirst() {
    if (errors_.size() > 1) errors_.resize(1);
  }
  Status ToStatus() const;

 private:
  std::vector<std::string> errors_;
};

bool MatchesTableNamePattern(std::string_view name);  // [a-zA-Z0-9_.-]+

// A ValidationException's message inside "1 validation error detected: ",
// the envelope ConstraintErrors renders; any other error unchanged.
Error InValidationEnvelope(Error error);

}  // namespace dynamo::server
