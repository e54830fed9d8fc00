// The DynamoDB Streams API (X-Amz-Target DynamoDBStreams_20120810.*) on the
// same port: ListStreams, DescribeStream, GetShardIterator, GetRecords, over
// the streams storage keeps (storage/streams.h).
//
// Wire formats, as DynamoDB writes them (botocore's dynamodbstreams model,
// AWS-recorded responses):
//   StreamArn      <table ARN>/stream/<label>
//   ShardId        shardId-<20-digit creation epoch millis>-<8 hex>
//   SequenceNumber 21 decimal digits, increasing within a shard
//   ShardIterator  <StreamArn>|1|<opaque>, valid for 15 minutes
#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "core/messages.h"
#include "server/api/api.h"
#include "server/api/fields.h"
#include "server/api/operations.h"
#include "server/api/stream_records.h"
#include "server/api/values_json.h"

namespace dynamo::server {

using core::ErrorCode;
using core::ValidationError;
using storage::ShardInfo;
using storage::StreamInfo;
using storage::StreamRecord;

namespace {

constexpr double kIteratorLifetime = 15 * 60;  // seconds
constexpr int64_t kMaxListLimit = 100;
constexpr int64_t kMaxRecordsLimit = 1000;
constexpr size_t kMaxRecordsBytes = 1024 * 1024;  // GetRecords returns at most 1 MB

std::string StreamArn(const OpContext& ctx, const StreamInfo& s) {
  return server::StreamArn(ctx.request->region, ctx.api->options().account_id, s);
}

std::string SequenceNumber(int64_t seq) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%021" PRId64, seq);
  return buf;
}

// A stable 64-bit mix (splitmix64), for the ids derived from storage ids.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string ShardId(const StreamInfo& s, const ShardInfo& shard) {
  char buf[64];
  const auto millis = static_cast<int64_t>(std::llround(shard.created * 1000));
  const auto tag = static_cast<uint32_t>(
      Mix((static_cast<uint64_t>(s.id) << 20) ^ static_cast<uint64_t>(shard.number)));
  std::snprintf(buf, sizeof buf, "shardId-%020" PRId64 "-%08x", millis, tag);
  return buf;
}

// 32 lowercase hex digits, unique per record.
std::string EventId(const StreamInfo& s, int64_t seq) {
  char buf[40];
  const uint64_t a = Mix((static_cast<uint64_t>(s.id) << 40) ^ static_cast<uint64_t>(seq));
  std::snprintf(buf, sizeof buf, "%016" PRIx64 "%016" PRIx64, a, Mix(a));
  return buf;
}

Error StreamNotFound(std::string_view arn) {
  return Error{ErrorCode::kResourceNotFound,
               "Requested resource not found: Stream: " + std::string(arn) + " not found"};
}

// The stream a StreamArn names, in this namespace and region.
Result<StreamInfo> FindStreamByArn(const OpContext& ctx, std::string_view arn) {
  static constexpr std::string_view kMarker = "/stream/";
  const size_t marker = arn.rfind(kMarker);
  const std::string table_prefix = ctx.TableArn("");
  if (arn.substr(0, 4) != "arn:" || marker == std::string_view::npos) {
    return ValidationError("Invalid StreamArn");
  }
  if (arn.substr(0, table_prefix.size()) != table_prefix) return StreamNotFound(arn);
  std::string_view table = arn.substr(table_prefix.size(), marker - table_prefix.size());
  std::string_view label = arn.substr(marker + kMarker.size());
  DYNAMO_ASSIGN_OR_RETURN(std::optional<StreamInfo> found, ctx.ns->db->FindStream(table, label));
  if (!found) return StreamNotFound(arn);
  return std::move(*found);
}

// A Limit within [1, max] (absent: max).
Result<int64_t> ReadLimit(const JsonValue& req, int64_t max, std::string_view too_large) {
  DYNAMO_ASSIGN_OR_RETURN(std::optional<int64_t> limit, GetInteger(req, "Limit"));
  if (!limit) return max;
  if (*limit < 1) {
    return ValidationError("1 validation error detected: Value '" + std::to_string(*limit) +
                           "' at 'limit' failed to satisfy constraint: Member must have value "
                           "greater than or equal to 1");
  }
  if (*limit > max) return ValidationError(std::string(too_large));
  return *limit;
}

Result<std::string_view> RequiredString(const JsonValue& req, std::string_view name,
                                        std::string_view path) {
  DYNAMO_ASSIGN_OR_RETURN(std::optional<std::string_view> value, GetString(req, name));
  if (!value) {
    return ValidationError("1 validation error detected: Value null at '" + std::string(path) +
                           "' failed to satisfy constraint: Member must not be null");
  }
  return *value;
}

// ---- Shard iterators: <StreamArn>|1|<stream id>.<shard>.<position>.<issued ms> ----

struct Iterator {
  int64_t stream = 0;
  int64_t shard = 0;
  int64_t position = 0;  // the next sequence number to read
  int64_t issued_ms = 0;
};

std::string EncodeIterator(const std::string& arn, const Iterator& it) {
  return arn + "|1|" + std::to_string(it.stream) + "." + std::to_string(it.shard) + "." +
         std::to_string(it.position) + "." + std::to_string(it.issued_ms);
}

Result<Iterator> DecodeIterator(std::string_view text) {
  const Error invalid = ValidationError("Invalid ShardIterator");
  const size_t bar = text.rfind('|');
  if (bar == std::string_view::npos || bar < 2 || text.substr(bar - 2, 2) != "|1") return invalid;
  std::string_view rest = text.substr(bar + 1);
  int64_t parts[4];
  for (int i = 0; i < 4; ++i) {
    const size_t dot = i < 3 ? rest.find('.') : rest.size();
    if (dot == std::string_view::npos || dot == 0 || dot > 18) return invalid;
    int64_t v = 0;
    for (char ch : rest.substr(0, dot)) {
      if (ch < '0' || ch > '9') return invalid;
      v = v * 10 + (ch - '0');
    }
    parts[i] = v;
    rest = i < 3 ? rest.substr(dot + 1) : std::string_view();
  }
  return Iterator{parts[0], parts[1], parts[2], parts[3]};
}

// ---- Responses ----

void WriteStreamSummary(const OpContext& ctx, const StreamInfo& s, JsonWriter& w) {
  w.StartObject();
  w.Key("StreamArn");
  w.String(StreamArn(ctx, s));
  w.Key("TableName");
  w.String(s.table_name);
  w.Key("StreamLabel");
  w.String(s.label);
  w.EndObject();
}

void WriteKeySchema(const StreamInfo& s, JsonWriter& w) {
  w.Key("KeySchema");
  w.StartArray();
  auto element = [&](const std::string& name, const char* type) {
    w.StartObject();
    w.Key("AttributeName");
    w.String(name);
    w.Key("KeyType");
    w.String(type);
    w.EndObject();
  };
  element(s.hash_key, "HASH");
  if (!s.range_key.empty()) element(s.range_key, "RANGE");
  w.EndArray();
}

void WriteShard(const StreamInfo& s, const ShardInfo& shard, JsonWriter& w) {
  w.StartObject();
  w.Key("ShardId");
  w.String(ShardId(s, shard));
  w.Key("SequenceNumberRange");
  w.StartObject();
  w.Key("StartingSequenceNumber");
  w.String(SequenceNumber(shard.start_seq));
  if (shard.end_seq) {
    w.Key("EndingSequenceNumber");
    w.String(SequenceNumber(*shard.end_seq));
  }
  w.EndObject();
  if (shard.parent) {
    // Named even after the parent was trimmed away, as DynamoDB does.
    ShardInfo parent;
    parent.number = *shard.parent;
    parent.created = shard.parent_created;
    w.Key("ParentShardId");
    w.String(ShardId(s, parent));
  }
  w.EndObject();
}

const char* EventName(storage::StreamEvent e) {
  switch (e) {
    case storage::StreamEvent::kInsert:
      return "INSERT";
    case storage::StreamEvent::kModify:
      return "MODIFY";
    case storage::StreamEvent::kRemove:
      break;
  }
  return "REMOVE";
}

// A record as GetRecords returns it, or as AWS Lambda's DynamoDB event
// source hands it to a function (eventSourceARN added; userIdentity's keys
// in lower camel case).
void WriteRecord(std::string_view region, std::string_view stream_arn, const StreamInfo& s,
                 const StreamRecord& r, RecordFormat format, JsonWriter& w) {
  const bool lambda = format == RecordFormat::kLambda;
  w.StartObject();
  w.Key("eventID");
  w.String(EventId(s, r.seq));
  w.Key("eventName");
  w.String(EventName(r.event));
  w.Key("eventVersion");
  w.String("1.1");
  w.Key("eventSource");
  w.String("aws:dynamodb");
  w.Key("awsRegion");
  w.String(region.data(), static_cast<rapidjson::SizeType>(region.size()));
  w.Key("dynamodb");
  w.StartObject();
  w.Key("ApproximateCreationDateTime");
  w.Int64(static_cast<int64_t>(std::floor(r.created)));
  w.Key("Keys");
  WriteAttributeMap(r.keys, w);
  if (r.new_image) {
    w.Key("NewImage");
    WriteAttributeMap(*r.new_image, w);
  }
  if (r.old_image) {
    w.Key("OldImage");
    WriteAttributeMap(*r.old_image, w);
  }
  w.Key("SequenceNumber");
  w.String(SequenceNumber(r.seq));
  w.Key("SizeBytes");
  w.Uint64(r.size);
  w.Key("StreamViewType");
  w.String(s.view_type);
  w.EndObject();
  if (lambda) {
    w.Key("eventSourceARN");
    w.String(stream_arn.data(), static_cast<rapidjson::SizeType>(stream_arn.size()));
  }
  if (r.by_service) {
    w.Key("userIdentity");
    w.StartObject();
    w.Key(lambda ? "principalId" : "PrincipalId");
    w.String("dynamodb.amazonaws.com");
    w.Key(lambda ? "type" : "Type");
    w.String("Service");
    w.EndObject();
  }
  w.EndObject();
}

std::string Finish(const rapidjson::StringBuffer& buf) {
  return std::string(buf.GetString(), buf.GetSize());
}

const ShardInfo* FindShard(const StreamInfo& s, const std::vector<ShardInfo>& shards,
                           std::string_view id) {
  for (const ShardInfo& shard : shards) {
    if (ShardId(s, shard) == id) return &shard;
  }
  return nullptr;
}

// Reading before a shard's trim point (AWS's text, as a consumer recorded it).
Error Trimmed() {
  return Error{ErrorCode::kTrimmedDataAccess, "The data you are trying to access has been trimmed"};
}

}  // namespace

Result<std::string> ListStreams(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(std::optional<std::string_view> table, GetString(req, "TableName"));
  DYNAMO_ASSIGN_OR_RETURN(std::optional<std::string_view> start,
                          GetString(req, "ExclusiveStartStreamArn"));
  DYNAMO_ASSIGN_OR_RETURN(
      int64_t limit,
      ReadLimit(req, kMaxListLimit,
                "One or more parameter values were invalid: Limit cannot be greater than the "
                "maximum allowed size: 100"));
  if (start) DYNAMO_RETURN_IF_ERROR(FindStreamByArn(ctx, *start));
  DYNAMO_ASSIGN_OR_RETURN(std::vector<StreamInfo> streams, ctx.ns->db->ListStreams());
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("Streams");
  w.StartArray();
  bool started = !start;
  int64_t listed = 0;
  std::optional<std::string> last;
  for (const StreamInfo& s : streams) {
    if (table && s.table_name != *table) continue;
    const std::string arn = StreamArn(ctx, s);
    if (!started) {
      started = arn == *start;
      continue;
    }
    if (listed == limit) {
      w.EndArray();
      w.Key("LastEvaluatedStreamArn");
      w.String(*last);
      w.EndObject();
      return Finish(buf);
    }
    WriteStreamSummary(ctx, s, w);
    last = arn;
    ++listed;
  }
  w.EndArray();
  w.EndObject();
  return Finish(buf);
}

Result<std::string> DescribeStream(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(std::string_view arn, RequiredString(req, "StreamArn", "streamArn"));
  DYNAMO_ASSIGN_OR_RETURN(std::optional<std::string_view> start,
                          GetString(req, "ExclusiveStartShardId"));
  DYNAMO_ASSIGN_OR_RETURN(int64_t limit,
                          ReadLimit(req, kMaxListLimit,
                                    "One or more parameter values were invalid: Limit cannot be "
                                    "greater than the maximum: 100"));
  DYNAMO_ASSIGN_OR_RETURN(StreamInfo s, FindStreamByArn(ctx, arn));
  DYNAMO_ASSIGN_OR_RETURN(std::vector<ShardInfo> shards, ctx.ns->db->StreamShards(s.id));
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("StreamDescription");
  w.StartObject();
  w.Key("StreamArn");
  w.String(StreamArn(ctx, s));
  w.Key("StreamLabel");
  w.String(s.label);
  w.Key("StreamStatus");
  w.String(s.disabled ? "DISABLED" : "ENABLED");
  w.Key("StreamViewType");
  w.String(s.view_type);
  w.Key("CreationRequestDateTime");
  w.Double(s.created);
  w.Key("TableName");
  w.String(s.table_name);
  WriteKeySchema(s, w);
  w.Key("Shards");
  w.StartArray();
  // Past an unknown ExclusiveStartShardId there is nothing (AWS answers 200).
  size_t first = 0;
  if (start) {
    const ShardInfo* after = FindShard(s, shards, *start);
    first = after ? static_cast<size_t>(after - shards.data()) + 1 : shards.size();
  }
  size_t end = std::min(shards.size(), first + static_cast<size_t>(limit));
  for (size_t i = first; i < end; ++i) {
    WriteShard(s, shards[i], w);
  }
  w.EndArray();
  if (end < shards.size()) {
    w.Key("LastEvaluatedShardId");
    w.String(ShardId(s, shards[end - 1]));
  }
  w.EndObject();
  w.EndObject();
  return Finish(buf);
}

Result<std::string> GetShardIterator(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(std::string_view arn, RequiredString(req, "StreamArn", "streamArn"));
  DYNAMO_ASSIGN_OR_RETURN(std::string_view shard_id, RequiredString(req, "ShardId", "shardId"));
  DYNAMO_ASSIGN_OR_RETURN(std::string_view type,
                          RequiredString(req, "ShardIteratorType", "shardIteratorType"));
  DYNAMO_ASSIGN_OR_RETURN(std::optional<std::string_view> seq_text,
                          GetString(req, "SequenceNumber"));
  ConstraintErrors errors;
  errors.CheckEnum(type, "shardIteratorType",
                   {"TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"});
  if (seq_text) errors.CheckLength(*seq_text, "sequenceNumber", 21, 40);
  DYNAMO_RETURN_IF_ERROR(errors.ToStatus());
  const bool by_number = type == "AT_SEQUENCE_NUMBER" || type == "AFTER_SEQUENCE_NUMBER";
  if (by_number && !seq_text) {
    return ValidationError("One or more parameter values were invalid: Invalid SequenceNumber");
  }
  if (!by_number && seq_text) {
    return ValidationError(
        "One or more parameter values were invalid: SequenceNumber should not be passed for "
        "this iterator type");
  }
  DYNAMO_ASSIGN_OR_RETURN(StreamInfo s, FindStreamByArn(ctx, arn));
  DYNAMO_ASSIGN_OR_RETURN(std::vector<ShardInfo> shards, ctx.ns->db->StreamShards(s.id));
  const ShardInfo* shard = FindShard(s, shards, shard_id);
  if (!shard) {
    return Error{ErrorCode::kResourceNotFound,
                 "Requested resource not found: Shard does not exist"};
  }
  // TRIM_HORIZON: the oldest record the retention kept.
  Iterator it{s.id, shard->number, std::max(shard->start_seq, shard->trimmed + 1),
              static_cast<int64_t>(std::llround(ctx.api->Now() * 1000))};
  if (type == "LATEST" && shard->end_seq) {
    it.position = *shard->end_seq + 1;  // a closed shard has nothing later
  } else if (type == "LATEST") {
    // Just past the shard's last record: only records written later are read.
    DYNAMO_ASSIGN_OR_RETURN(int64_t last,
                            ctx.ns->db->LastStreamSequenceNumber(s.id, shard->number));
    it.position = std::max({shard->start_seq, shard->trimmed + 1, last + 1});
  } else if (by_number) {
    int64_t n = 0;
    for (char ch : *seq_text) {
      if (ch < '0' || ch > '9' || n > INT64_MAX / 10 - 10) {
        return ValidationError(
            "One or more parameter values were invalid: Invalid SequenceNumber for the shard");
      }
      n = n * 10 + (ch - '0');
    }
    if (n < shard->start_seq || (shard->end_seq && n > *shard->end_seq)) {
      return ValidationError(
          "One or more parameter values were invalid: Invalid SequenceNumber for the shard");
    }
    it.position = type == "AT_SEQUENCE_NUMBER" ? n : n + 1;
    if (it.position <= shard->trimmed) return Trimmed();
  }
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("ShardIterator");
  w.String(EncodeIterator(StreamArn(ctx, s), it));
  w.EndObject();
  return Finish(buf);
}

Result<std::string> GetRecords(OpContext& ctx, const JsonValue& req) {
  DYNAMO_ASSIGN_OR_RETURN(std::string_view text,
                          RequiredString(req, "ShardIterator", "shardIterator"));
  DYNAMO_ASSIGN_OR_RETURN(
      int64_t limit,
      ReadLimit(req, kMaxRecordsLimit,
                "One or more parameter values were invalid: Limit should be less than or equal "
                "to 1000"));
  DYNAMO_ASSIGN_OR_RETURN(Iterator it, DecodeIterator(text));
  const std::string_view arn = text.substr(0, text.rfind('|') - 2);
  DYNAMO_ASSIGN_OR_RETURN(StreamInfo s, FindStreamByArn(ctx, arn));
  if (s.id != it.stream) return ValidationError("Invalid ShardIterator");
  const double now = ctx.api->Now();
  // An iterator issued in the future (forged) is as stale as an old one.
  const double age = now - static_cast<double>(it.issued_ms) / 1000;
  if (age > kIteratorLifetime || age < -kIteratorLifetime) {
    return Error{ErrorCode::kExpiredIterator, "Iterator expired"};
  }
  // The shard's trim point and its records, in one snapshot.
  DYNAMO_ASSIGN_OR_RETURN(storage::ShardRead read,
                          ctx.ns->db->ReadShard(s.id, it.shard, it.position,
                                                static_cast<size_t>(limit), kMaxRecordsBytes));
  if (!read.shard) return Error{ErrorCode::kResourceNotFound, "Invalid ShardId in ShardIterator"};
  const ShardInfo* shard = &*read.shard;
  // Records the iterator has not read yet were trimmed away.
  if (it.position <= shard->trimmed) return Trimmed();
  const std::vector<StreamRecord>& records = read.records;
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("Records");
  w.StartArray();
  Iterator next = it;
  next.issued_ms = static_cast<int64_t>(std::llround(now * 1000));
  for (const StreamRecord& r : records) {
    WriteRecord(ctx.request->region, arn, s, r, RecordFormat::kGetRecords, w);
    next.position = r.seq + 1;
  }
  w.EndArray();
  // A closed shard read to its end has no next iterator.
  if (!shard->end_seq || next.position <= *shard->end_seq) {
    w.Key("NextShardIterator");
    w.String(EncodeIterator(StreamArn(ctx, s), next));
  }
  w.EndObject();
  return Finish(buf);
}

std::string StreamArn(std::string_view region, std::string_view account, const StreamInfo& s) {
  return "arn:aws:dynamodb:" + std::string(region) + ":" + std::string(account) + ":table/" +
         s.table_name + "/stream/" + s.label;
}

std::string StreamRecordJson(std::string_view region, std::string_view stream_arn,
                             const StreamInfo& s, const StreamRecord& r, RecordFormat format) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  WriteRecord(region, stream_arn, s, r, format, w);
  return Finish(buf);
}

}  // namespace dynamo::server
