// The control-plane calls infrastructure-as-code tools make on every plan:
// TagResource, UntagResource and ListTagsOfResource by table ARN (tags given
// at CreateTable included), DescribeContinuousBackups and
// UpdateContinuousBackups (the point-in-time recovery setting, kept and
// described; no backups are taken), DescribeContributorInsights and
// UpdateContributorInsights (the setting, kept), and
// DescribeKinesisStreamingDestination (a table has none). Messages follow
// DynamoDB's recorded answers (research: /tmp/research/tags.md at the time;
// see the README).
#include <algorithm>
#include <cctype>
#include <set>

#include "core/messages.h"
#include "server/api/fields.h"
#include "server/api/operations.h"
#include "server/api/table_definitions.h"
#include "storage/database.h"

namespace dynamo::server {

using core::Error;
using core::ErrorCode;
using core::Result;
using core::Status;
using core::ValidationError;
using storage::TableDef;

namespace {

constexpr size_t kMaxTags = 50;

// Characters (UTF-8 code points) of a tag key or value, or nullopt when one
// of its ASCII characters is not allowed.
std::optional<size_t> TagLength(std::string_view s) {
  size_t chars = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++chars;
    if (c < 0x80 && !std::isalnum(c) &&
        std::string_view(" _.:/=+-@").find(static_cast<char>(c)) == std::string_view::npos) {
      return std::nullopt;
    }
  }
  return chars;
}

bool ReservedKey(std::string_view key) {
  if (key.size() < 4) return false;
  std::string prefix(key.substr(0, 4));
  for (char& c : prefix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return prefix == "aws:";
}

Status CheckTagKey(const std::optional<std::string>& key) {
  const std::optional<size_t> length = key ? TagLength(*key) : std::nullopt;
  if (!length || *length < 1 || *length > 128) {
    return ValidationError("The Tag Key provided is invalid, Key: " + key.value_or("null"));
  }
  if (ReservedKey(*key))
    return ValidationError("Tag Key cannot be prefixed with aws:, Key: " + *key);
  return Status::Ok();
}

Error TooManyTags() {
  return ValidationError("Number of Tags exceed the current limit for the provided ResourceArn");
}

}  // namespace

Result<std::vector<RawTag>> ReadTags(const JsonValue& req) {
  std::vector<RawTag> tags;
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* arr, GetArray(req, "Tags"));
  if (!arr) return tags;
  for (const auto& e : arr->GetArray()) {
    DYNAMO_RETURN_IF_ERROR(CheckStructElement(e));
    RawTag tag;
    DYNAMO_ASSIGN_OR_RETURN(tag.key, GetStringCopy(e, "Key"));
    DYNAMO_ASSIGN_OR_RETURN(tag.value, GetStringCopy(e, "Value"));
    tags.push_back(std::move(tag));
  }
  return tags;
}

Result<Tags> CheckTags(const std::vector<RawTag>& raw) {
  if (raw.size() > kMaxTags) return TooManyTags();
  Tags tags;
  std::set<std::string> keys;
  for (const auto& [k, v] : raw) {
    DYNAMO_RETURN_IF_ERROR(CheckTagKey(k));
    const std::optional<size_t> length = v ? TagLength(*v) : std::nullopt;
    if (!length || *length > 256) {
      return ValidationError("The Tag Value provided is invalid, Value: " + v.value_or("null"));
    }
    if (!keys.insert(*k).second) {
      return ValidationError("Duplicate Tag Keys provided as input: Duplicate Tag Key found " + *k);
    }
    tags.emplace_back(*k, *v);
  }
  return tags;
}

namespace {

// The table a tagging call's ResourceArn names:
// arn:aws:dynamodb:<region>:<account>:table/<name>, of this region and
// account, existing.
Result<std::string> TableOfArn(OpContext& ctx, std::string_view arn) {
  const std::string text(arn);
  if (arn.substr(0, 4) != "arn:") {
    return core::InvalidParameter("ARNs must start with 'arn:': " + text);
  }
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    const size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) break;
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  if (parts.size() != 5 || parts[2] != "dynamodb" || arn.substr(start, 6) != "table/") {
    return core::InvalidParameter("Provided Arn is not a DynamoDB resource arn: " + text);
  }
  if (parts[3] != ctx.request->region) {
    return ValidationError("Invalid TableArn: Invalid ResourceArn provided as input " + text);
  }
  if (parts[4] != ctx.api->options().account_id) {
    return Error{ErrorCode::kAccessDenied, "Access is denied"};
  }
  const std::string_view name = arn.substr(start + 6);
  if (name.find("/index/") != std::string_view::npos) {
    return core::InvalidParameter(
        "Invalid resource arn provided, only table or stream is accepted. Provided resource arn: " +
        text);
  }
  if (name.empty() || !ctx.ns->db->FindTable(name)) {
    return Error{ErrorCode::kResourceNotFound,
                 "Requested resource not found: ResourceArn: " + text + " not found"};
  }
  return std::string(name);
}

// ResourceArn: present, 1..1283 characters.
Result<std::string_view> ReadResourceArn(const JsonValue& req, const JsonValue* list,
                                         const char* list_path) {
  DYNAMO_ASSIGN_OR_RETURN(std::optional<std::string_view> arn, GetString(req, "ResourceArn"));
  ConstraintErrors errors;
  if (!arn) {
    errors.NotNull("resourceArn");
  } else {
    errors.CheckLength(*arn, "resourceArn", 1, 1283);
  }
  if (list_path && !list) errors.NotNull(list_path);
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());
  return *arn;
}

std::string Empty() { return "{}"; }

}  // namespace

Result<std::string> TagResource(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* list, GetArray(req, "Tags"));
  DYNAMO_ASSIGN_OR_RETURN(std::vector<RawTag> raw, ReadTags(req));
  DYNAMO_ASSIGN_OR_RETURN(std::string_view arn, ReadResourceArn(req, list, "tags"));
  if (raw.empty()) return ValidationError("Atleast one Tag needs to be provided as Input.");
  DYNAMO_ASSIGN_OR_RETURN(Tags tags, CheckTags(raw));
  DYNAMO_ASSIGN_OR_RETURN(std::string table, TableOfArn(ctx, arn));
  // Keys given again take their new values; the limit counts the result.
  DYNAMO_RETURN_IF_ERROR(
      ctx.ns->db->UpdateTable(table, [&](const TableDef& current) -> Result<TableDef> {
        TableDef next = current;
        for (const auto& tag : tags) {
          auto it = std::find_if(next.tags.begin(), next.tags.end(),
                                 [&](const auto& t) { return t.first == tag.first; });
          if (it != next.tags.end()) {
            it->second = tag.second;
          } else {
            next.tags.push_back(tag);
          }
        }
        if (next.tags.size() > kMaxTags) return TooManyTags();
        return next;
      }));
  return Empty();
}

Result<std::string> UntagResource(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(const JsonValue* list, GetArray(req, "TagKeys"));
  std::vector<std::string> keys;
  if (list) {
    for (const JsonValue& k : list->GetArray()) {
      DYNAMO_RETURN_IF_ERROR(CheckStringValue(k));
      keys.emplace_back(k.GetString(), k.GetStringLength());
    }
  }
  DYNAMO_ASSIGN_OR_RETURN(std::string_view arn, ReadResourceArn(req, list, "tagKeys"));
  if (keys.empty()) return ValidationError("Atleast one Tag Key needs to be provided as Input.");
  if (keys.size() > kMaxTags) return TooManyTags();
  for (const std::string& key : keys) DYNAMO_RETURN_IF_ERROR(CheckTagKey(key));
  DYNAMO_ASSIGN_OR_RETURN(std::string table, TableOfArn(ctx, arn));
  DYNAMO_RETURN_IF_ERROR(
      ctx.ns->db->UpdateTable(table, [&](const TableDef& current) -> Result<TableDef> {
        TableDef next = current;
        std::erase_if(next.tags, [&](const auto& t) {
          return std::find(keys.begin(), keys.end(), t.first) != keys.end();
        });
        return next;
      }));
  return Empty();
}

// Every tag in one page: a table holds at most 50.
Result<std::string> ListTagsOfResource(OpContext& ctx, const JsonValue& req) {
  // A NextToken is read (a string) and never needed: every tag fits a page.
  DYNAMO_RETURN_IF_ERROR(GetString(req, "NextToken"));
  DYNAMO_ASSIGN_OR_RETURN(std::string_view arn, ReadResourceArn(req, nullptr, nullptr));
  DYNAMO_ASSIGN_OR_RETURN(std::string table, TableOfArn(ctx, arn));
  std::shared_ptr<const TableDef> def = ctx.ns->db->FindTable(table);
  if (!def) return core::ResourceNotFound();
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("Tags");
  w.StartArray();
  for (const auto& [key, value] : def->tags) {
    w.StartObject();
    w.Key("Key");
    w.String(key);
    w.Key("Value");
    w.String(value);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace dynamo::server
