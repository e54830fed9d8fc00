// Stream records as JSON, for the Streams API (streams.cc) and for the stream
// trigger (server/http/stream_trigger.h), which hands them to a handler as
// AWS Lambda's DynamoDB event source hands them to a function.
#pragma once

#include <string>
#include <string_view>

#include "storage/streams.h"

namespace dynamo::server {

enum class RecordFormat {
  kGetRecords,  // as GetRecords returns it
  kLambda,      // plus eventSourceARN; userIdentity as {"type", "principalId"}
};

// arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<label>
std::string StreamArn(std::string_view region, std::string_view account,
                      const storage::StreamInfo& s);

// One record as a JSON object.
std::string StreamRecordJson(std::string_view region, std::string_view stream_arn,
                             const storage::StreamInfo& s, const storage::StreamRecord& r,
                             RecordFormat format);

}  // namespace dynamo::server
