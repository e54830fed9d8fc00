// The Streams API in process, with the fixture's frozen clock: streams
// enabled again, or tables created again, within one millisecond still get
// labels (so ARNs) of their own, and the older stream stays readable.
#include <gtest/gtest.h>

#include "tests/server/api_fixture.h"

namespace dynamo::server {
namespace {

constexpr std::string_view kCreate = R"({"TableName":"str","BillingMode":"PAY_PER_REQUEST",
    "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
    "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
    "StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}})";

class StreamsApiTest : public ApiTest {
 protected:
  std::string LatestArn() {
    JsonDocument doc;
    doc.Parse(Call("DescribeTable", R"({"TableName":"str"})").body.c_str());
    return doc["Table"]["LatestStreamArn"].GetString();
  }
  std::string Status(const std::string& arn) {
    ApiResponse r = Call("DynamoDBStreams.DescribeStream", R"({"StreamArn":")" + arn + R"("})");
    if (r.status != 200) return r.body;
    JsonDocument doc;
    doc.Parse(r.body.c_str());
    return doc["StreamDescription"]["StreamStatus"].GetString();
  }
  std::string SetStream(bool enabled) {
    return Outcome("UpdateTable",
                   std::string(R"({"TableName":"str","StreamSpecification":{)") +
                       (enabled ? R"("StreamEnabled":true,"StreamViewType":"NEW_IMAGE")"
                                : R"("StreamEnabled":false)") +
                       "}}");
  }
};

TEST_F(StreamsApiTest, EveryStreamHasItsOwnArnWithinOneMillisecond) {
  ASSERT_EQ(Outcome("CreateTable", kCreate), "OK");
  const std::string first = LatestArn();
  EXPECT_EQ(first,
            "arn:aws:dynamodb:us-east-1:000000000000:table/str/stream/2023-11-14T22:13:20.500");
  ASSERT_EQ(SetStream(false), "OK");
  ASSERT_EQ(SetStream(true), "OK");
  const std::string second = LatestArn();
  EXPECT_EQ(second,
            "arn:aws:dynamodb:us-east-1:000000000000:table/str/stream/2023-11-14T22:13:20.501");
  ASSERT_EQ(Outcome("DeleteTable", R"({"TableName":"str"})"), "OK");
  ASSERT_EQ(Outcome("CreateTable", kCreate), "OK");
  const std::string third = LatestArn();
  EXPECT_NE(third, first);
  EXPECT_NE(third, second);
  EXPECT_EQ(Status(first), "DISABLED");
  EXPECT_EQ(Status(second), "DISABLED");
  EXPECT_EQ(Status(third), "ENABLED");
}

TEST_F(StreamsApiTest, ListStreamsListsEveryStreamOfATable) {
  ASSERT_EQ(Outcome("CreateTable", kCreate), "OK");
  ASSERT_EQ(SetStream(false), "OK");
  ASSERT_EQ(SetStream(true), "OK");
  JsonDocument doc;
  doc.Parse(Call("DynamoDBStreams.ListStreams", R"({"TableName":"str"})").body.c_str());
  ASSERT_EQ(doc["Streams"].Size(), 2u);
  EXPECT_EQ(Outcome("DynamoDBStreams.ListStreams", R"({"Limit":0})"),
            "ValidationException: 1 validation error detected: Value '0' at 'limit' failed to "
            "satisfy constraint: Member must have value greater than or equal to 1");
  EXPECT_EQ(Outcome("DynamoDBStreams.ListStreams", R"({"Limit":101})"),
            "ValidationException: One or more parameter values were invalid: Limit cannot be "
            "greater than the maximum allowed size: 100");
}

}  // namespace
}  // namespace dynamo::server
