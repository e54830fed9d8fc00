#include "server/api/fields.h"

namespace dynamo::server {

const JsonValue* Member(const JsonValue& object, std::string_view name) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(
      JsonValue(rapidjson::StringRef(name.data(), static_cast<rapidjson::SizeType>(name.size()))));
  if (it == object.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

Error Serialization(std::string message) {
  return Error{core::ErrorCode::kSerialization, std::move(message)};
}

namespace {

// The Jackson token name DynamoDB reports for a scalar of the wrong type.
std::string TokenName(const JsonValue& v) {
  if (v.IsTrue()) return "TRUE_VALUE";
  if (v.IsFalse()) return "FALSE_VALUE";
  if (v.IsInt64() || v.IsUint64()) return "NUMBER_VALUE";
  if (v.IsNumber()) return "DECIMAL_VALUE";
  return "STRING_VALUE";
}

constexpr const char* kStructureNotExpected = "Start of structure or map found where not expected";

}  // namespace

Status CheckStringValue(const JsonValue& v) {
  if (v.IsString() || v.IsNull()) return Status::Ok();
  if (v.IsObject()) return Serialization(kStructureNotExpected);
  if (v.IsArray()) return Serialization("Unrecognized collection type class java.lang.String");
  return Serialization(TokenName(v) + " cannot be converted to String");
}

Status CheckObjectValue(const JsonValue& v, std::string_view java_map_type) {
  if (v.IsObject() || v.IsNull()) return Status::Ok();
  if (v.IsArray()) {
    return Serialization("Unrecognized collection type " + std::string(java_map_type));
  }
  return Serialization("Unexpected field type");
}

Result<std::optional<std::string_view>> GetString(const JsonValue& object, std::string_view name) {
  const JsonValue* v = Member(object, name);
  if (!v) return std::optional<std::string_view>();
  DYNAMO_RETURN_IF_ERROR(CheckStringValue(*v));
  return std::optional<std::string_view>(std::string_view(v->GetString(), v->GetStringLength()));
}

Result<std::optional<bool>> GetBool(const JsonValue& object, std::string_view name) {
  const JsonValue* v = Member(object, name);
  if (!v) return std::optional<bool>();
  if (v->IsBool()) return std::optional<bool>(v->GetBool());
  if (v->IsObject()) return Serialization(kStructureNotExpected);
  if (v->IsArray()) return Serialization("Unrecognized collection type class java.lang.Boolean");
  if (v->IsString()) return Serialization("Unexpected token received from parser");
  return Serialization(TokenName(*v) + " cannot be converted to Boolean");
}

Result<std::optional<int64_t>> GetInteger(const JsonValue& object, std::string_view name,
                                          std::string_view java_type) {
  const JsonValue* v = Member(object, name);
  if (!v) return std::optional<int64_t>();
  if (v->IsInt64()) return std::optional<int64_t>(v->GetInt64());
  if (v->IsObject()) return Serialization(kStructureNotExpected);
  if (v->IsArray()) {
    return Serialization("Unrecognized collection type class java.lang." + std::string(java_type));
  }
  return Serialization(TokenName(*v) + " cannot be converted to " + std::string(java_type));
}

Result<const JsonValue*> GetObject(const JsonValue& object, std::string_view name,
                                   std::string_view java_map_type) {
  const JsonValue* v = Member(object, name);
  if (!v) return static_cast<const JsonValue*>(nullptr);
  DYNAMO_RETURN_IF_ERROR(CheckObjectValue(*v, java_map_type));
  return v;
}

Result<const JsonValue*> GetArray(const JsonValue& object, std::string_view name) {
  const JsonValue* v = Member(object, name);
  if (!v) return static_cast<const JsonValue*>(nullptr);
  if (v->IsArray()) return v;
  if (v->IsObject()) return Serialization(kStructureNotExpected);
  return Serialization("Unexpected field type");
}

void ConstraintErrors::Add(std::optional<std::string> value, std::string path,
                           std::string constraint) {
  std::string e = "Value ";
  if (value) {
    e += "'" + *value + "'";
  } else {
    e += "null";
  }
  e += " at '" + path + "' failed to satisfy constraint: " + constraint;
  errors_.push_back(std::move(e));
}

void ConstraintErrors::AddUnechoed(std::string path, std::string constraint) {
  errors_.push_back("Value at '" + path + "' failed to satisfy constraint: " + constraint);
}

void ConstraintErrors::CheckLength(std::string_view value, const std::string& path, size_t min,
                                   size_t max) {
  if (value.size() < min) {
    Add(std::string(value), path,
        "Member must have length greater than or equal to " + std::to_string(min));
  } else if (value.size() > max) {
    Add(std::string(value), path,
        "Member must have length less than or equal to " + std::to_string(max));
  }
}

bool MatchesTableNamePattern(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void ConstraintErrors::CheckTableNamePattern(std::string_view value, const std::string& path) {
  if (!MatchesTableNamePattern(value)) {
    Add(std::string(value), path,
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
  }
}

void ConstraintErrors::CheckEnum(std::string_view value, const std::string& path,
                                 std::initializer_list<std::string_view> allowed) {
  for (auto a : allowed) {
    if (a == value) return;
  }
  std::string set = "Member must satisfy enum value set: [";
  bool first = true;
  for (auto a : allowed) {
    if (!first) set += ", ";
    set += a;
    first = false;
  }
  set += "]";
  Add(std::string(value), path, std::move(set));
}

void ConstraintErrors::CheckRange(int64_t value, const std::string& path, int64_t min,
                                  int64_t max) {
  if (value < min) {
    Add(std::to_string(value), path,
        "Member must have value greater than or equal to " + std::to_string(min));
  } else if (value > max) {
    Add(std::to_string(value), path,
        "Member must have value less than or equal to " + std::to_string(max));
  }
}

Error InValidationEnvelope(Error error) {
  if (error.code == core::ErrorCode::kValidation) {
    error.message = "1 validation error detected: " + error.message;
  }
  return error;
}

Status ConstraintErrors::ToStatus() const {
  if (errors_.empty()) return Status::Ok();
  std::string msg =
      std::to_string(errors_.size()) +
      (errors_.size() == 1 ? " validation error detected: " : " validation errors detected: ");
  size_t n = std::min<size_t>(errors_.size(), 10);
  for (size_t i = 0; i < n; ++i) {
    if (i) msg += "; ";
    msg += errors_[i];
  }
  return core::ValidationError(std::move(msg));
}

}  // namespace dynamo::server
