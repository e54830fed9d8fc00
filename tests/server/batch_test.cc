// BatchGetItem and BatchWriteItem.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "tests/server/api_fixture.h"

namespace dynamo::server {
namespace {

TEST_F(ReadApiTest, BatchLimitsAndDuplicates) {
  std::string keys;
  for (int i = 0; i < 101; ++i)
    keys += (i ? "," : "") + std::string(R"j({"pk":{"S":"p"},"sk":{"N":")j") + std::to_string(i) +
            "\"}}";
  EXPECT_EQ(
      Error("BatchGetItem", R"j({"RequestItems":{"tab":{"Keys":[)j" + keys + "]}}}"),
      "1 validation error detected: Value at 'RequestItems.tab.member.Keys' failed to satisfy "
      "constraint: Member must have length less than or equal to 100");
  ASSERT_EQ(
      Call(
          "CreateTable",
          R"j({"TableName":"other","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}]})j")
          .status,
      200);
  std::string sixty, forty_one;
  for (int i = 0; i < 60; ++i)
    sixty += (i ? "," : "") + std::string(R"j({"pk":{"S":"p"},"sk":{"N":")j") + std::to_string(i) +
             "\"}}";
  for (int i = 0; i < 41; ++i)
    forty_one += (i ? "," : "") + std::string(R"j({"pk":{"S":"p"},"sk":{"N":")j") +
                 std::to_string(i) + "\"}}";
  EXPECT_EQ(Error("BatchGetItem", R"j({"RequestItems":{"tab":{"Keys":[)j" + sixty +
                                      R"j(]},"other":{"Keys":[)j" + forty_one + "]}}}"),
            "Too many items requested for the BatchGetItem call");
  EXPECT_EQ(
      Error(
          "BatchGetItem",
          R"j({"RequestItems":{"tab":{"Keys":[{"pk":{"S":"p"},"sk":{"N":"1"}},{"pk":{"S":"p"},"sk":{"N":"1.0"}}]}}})j"),
      "Provided list of item keys contains duplicates");
  std::string puts;
  for (int i = 0; i < 26; ++i)
    puts += (i ? "," : "") + std::string(R"j({"PutRequest":{"Item":{"pk":{"S":"b"},"sk":{"N":")j") +
            std::to_string(i) + "\"}}}}";
  const std::string error = Error("BatchWriteItem", R"j({"RequestItems":{"tab":[)j" + puts + "]}}");
  EXPECT_EQ(error.substr(0, 50), "1 validation error detected: Value '{tab=[WriteReq");
  EXPECT_NE(error.find("sk=AttributeValue(s=null, n=25, b=null"), std::string::npos);
  auto got = Json(
      "BatchGetItem",
      R"j({"RequestItems":{"tab":{"Keys":[{"pk":{"S":"p"},"sk":{"N":"1"}},{"pk":{"S":"none"},"sk":{"N":"1"}}],"ProjectionExpression":"sk"}}})j");
  ASSERT_EQ(got["Responses"]["tab"].Size(), 1u);
  EXPECT_TRUE(got["UnprocessedKeys"].ObjectEmpty());
}

// Request-level checks of the batch operations, with DynamoDB's messages
// (captured us-east-1 and eu-west-2, 2026-10-09): a malformed table name is a
// constraint on RequestItems' keys and echoes the whole map (as JSON for
// BatchGetItem, in Java's toString for BatchWriteItem); BatchGetItem's empty
// map has the validation framework's wording; one request may not mix
// ProjectionExpression and AttributesToGet, even across tables.
TEST_F(ReadApiTest, BatchRequestItemsChecks) {
  constexpr const char* kMapKeys =
      "' at 'requestItems' failed to satisfy constraint: Map keys must satisfy constraint: "
      "[Member must have length less than or equal to 255, Member must have length greater than "
      "or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]";
  const std::string one = "1 validation error detected: Value '";
  const std::tuple<const char*, std::string, std::string> cases[] = {
      {"BatchGetItem", R"j({"RequestItems":{"bad!name":{"Keys":[{"pk":{"S":"a"}}]}}})j",
       one + R"j({"bad!name":{"Keys":[{"pk":{"S":"a"}}]}})j" + kMapKeys},
      // Too short for a map key, though a TableName of two characters passes.
      {"BatchGetItem", R"j({"RequestItems":{"ab":{"Keys":[{"pk":{"S":"a"}}]}}})j",
       one + R"j({"ab":{"Keys":[{"pk":{"S":"a"}}]}})j" + kMapKeys},
      {"BatchWriteItem",
       R"j({"RequestItems":{"bad!name":[{"DeleteRequest":{"Key":{"pk":{"S":"x"}}}}]}})j",
       one +
           "{bad!name=[WriteRequest(putRequest=null, deleteRequest=DeleteRequest(key={pk="
           "AttributeValue(s=x, n=null, b=null, iNT=null, dECIMAL=null, dOUBLE=null, sS=null, "
           "nS=null, bS=null, iNTSET=null, dECIMALSET=null, dOUBLESET=null, m=null, l=null, "
           "nULL=null, bOOL=null)}, workloadProfileName=null))]}" +
           kMapKeys},
      {"BatchGetItem", R"j({"RequestItems":{}})j",
       "1 validation error detected: Value at 'RequestItems' failed to satisfy constraint: Member "
       "must have length greater than or equal to 1"},
      {"BatchWriteItem", R"j({"RequestItems":{}})j",
       "The requestItems parameter is required for BatchWriteItem"},
      {"BatchGetItem",
       R"j({"RequestItems":{"tab":{"Keys":[{"pk":{"S":"p"},"sk":{"N":"1"}}],"ProjectionExpression":"sk"},"arn:aws:dynamodb:us-east-1:000000000000:table/tab":{"Keys":[{"pk":{"S":"p"},"sk":{"N":"2"}}],"AttributesToGet":["sk"]}}})j",
       "Can not use both expression and non-expression parameters in the same request: "
       "Non-expression parameters: {AttributesToGet} Expression parameters: "
       "{ProjectionExpression}"},
  };
  for (const auto& [op, body, expected] : cases) EXPECT_EQ(Error(op, body), expected) << body;
}

// Regression: one table named twice (by name and by ARN) with the same item
// in both reached the write path twice and failed with a 500.
TEST_F(ReadApiTest, BatchWriteItemRefusesOneItemTwiceAcrossTableNames) {
  const std::string arn = "arn:aws:dynamodb:us-east-1:000000000000:table/tab";
  const std::string put = R"j([{"PutRequest":{"Item":{"pk":{"S":"dup"},"sk":{"N":"1"}}}}])j";
  ApiResponse r = Call("BatchWriteItem", R"j({"RequestItems":{"tab":)j" + put + R"j(,")j" + arn +
                                             R"j(":)j" + put + "}}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Error("BatchWriteItem",
                  R"j({"RequestItems":{"tab":)j" + put + R"j(,")j" + arn + R"j(":)j" + put + "}}"),
            "Provided list of item keys contains duplicates");
  EXPECT_EQ(Error("GetItem", R"j({"TableName":"tab","Key":{"pk":{"S":"dup"},"sk":{"N":"1"}}})j"),
            "OK");
  EXPECT_EQ(
      Call("GetItem", R"j({"TableName":"tab","Key":{"pk":{"S":"dup"},"sk":{"N":"1"}}})j").body,
      "{}");
  // Different items under the two names are fine.
  const std::string other = R"j([{"PutRequest":{"Item":{"pk":{"S":"dup"},"sk":{"N":"2"}}}}])j";
  EXPECT_EQ(Error("BatchWriteItem", R"j({"RequestItems":{"tab":)j" + put + R"j(,")j" + arn +
                                        R"j(":)j" + other + "}}"),
            "OK");
}

TEST_F(ReadApiTest, ItemCollectionMetricsOnTablesWithLocalIndexes) {
  EXPECT_EQ(
      Call(
          "PutItem",
          R"j({"TableName":"tab","Item":{"pk":{"S":"m"},"sk":{"N":"1"}},"ReturnItemCollectionMetrics":"SIZE"})j")
          .body,
      R"j({"ItemCollectionMetrics":{"ItemCollectionKey":{"pk":{"S":"m"}},"SizeEstimateRangeGB":[0.0,1.0]}})j");
  EXPECT_EQ(
      Call(
          "PutItem",
          R"j({"TableName":"tab","Item":{"pk":{"S":"m"},"sk":{"N":"1"}},"ReturnItemCollectionMetrics":"NONE"})j")
          .body,
      "{}");
}

// Past 16 MB of results, BatchGetItem returns the remaining keys as
// UnprocessedKeys (with the table's read options) instead of reading them.
TEST_F(ReadApiTest, BatchGetItemHonoursTheResponseSizeCap) {
  const std::string pad(400000, 'x');
  std::string keys;
  for (int i = 0; i < 45; ++i) {
    ASSERT_EQ(Call("PutItem", R"j({"TableName":"tab","Item":{"pk":{"S":"big"},"sk":{"N":")j" +
                                  std::to_string(i) + R"j("},"pad":{"S":")j" + pad + R"j("}}})j")
                  .status,
              200);
    keys += (i ? "," : "") + std::string(R"j({"pk":{"S":"big"},"sk":{"N":")j") + std::to_string(i) +
            "\"}}";
  }
  auto d = Json("BatchGetItem",
                R"j({"RequestItems":{"tab":{"Keys":[)j" + keys + R"j(],"ConsistentRead":true}}})j");
  size_t returned = d["Responses"]["tab"].Size();
  ASSERT_TRUE(d["UnprocessedKeys"].HasMember("tab"));
  size_t unprocessed = d["UnprocessedKeys"]["tab"]["Keys"].Size();
  EXPECT_EQ(returned + unprocessed, 45u);
  EXPECT_GT(unprocessed, 0u);
  EXPECT_LE(returned * 400000, 16u * 1024 * 1024 + 400000);
  EXPECT_TRUE(d["UnprocessedKeys"]["tab"]["ConsistentRead"].GetBool());
}

}  // namespace
}  // namespace dynamo::server
