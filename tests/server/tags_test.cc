// Tagging by table ARN and the table settings tools read on every plan
// (point-in-time recovery, Contributor Insights, Kinesis destinations), in
// process, with DynamoDB's answers and messages.
#include <gtest/gtest.h>

#include "tests/server/api_fixture.h"

namespace dynamo::server {
namespace {

constexpr const char* kArn = "arn:aws:dynamodb:us-east-1:000000000000:table/tab";

class TagsTest : public ApiTest {
 protected:
  std::string Tag(const std::string& tags) {
    return Outcome("TagResource",
                   std::string(R"({"ResourceArn":")") + kArn + R"(","Tags":)" + tags + "}");
  }
  std::string List() {
    return Call("ListTagsOfResource", std::string(R"({"ResourceArn":")") + kArn + "\"}").body;
  }
};

TEST_F(TagsTest, TagsAreSetReplacedListedAndRemoved) {
  EXPECT_EQ(List(), R"({"Tags":[]})");
  EXPECT_EQ(Tag(R"([{"Key":"env","Value":"test"},{"Key":"team","Value":""}])"), "OK");
  EXPECT_EQ(Tag(R"([{"Key":"env","Value":"prod"}])"), "OK");
  EXPECT_EQ(List(), R"({"Tags":[{"Key":"env","Value":"prod"},{"Key":"team","Value":""}]})");
  EXPECT_EQ(Outcome("UntagResource", std::string(R"({"ResourceArn":")") + kArn +
                                         R"(","TagKeys":["team","absent"]})"),
            "OK");
  EXPECT_EQ(List(), R"({"Tags":[{"Key":"env","Value":"prod"}]})");
  // CreateTable's tags are the table's from the start.
  ASSERT_EQ(Call("CreateTable", R"({"TableName":"tagged","BillingMode":"PAY_PER_REQUEST",
      "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
      "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"Tags":[{"Key":"a","Value":"1"}]})")
                .status,
            200);
  EXPECT_EQ(Call("ListTagsOfResource",
                 R"({"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/tagged"})")
                .body,
            R"({"Tags":[{"Key":"a","Value":"1"}]})");
}

TEST_F(TagsTest, RefusalsWithDynamoDbsMessages) {
  std::string fifty = "[";
  for (int i = 0; i < 50; ++i) {
    fifty += std::string(i ? "," : "") + R"({"Key":"k)" + std::to_string(i) + R"(","Value":"v"})";
  }
  fifty += "]";
  const struct {
    std::string op, body, expected;
  } cases[] = {
      {"TagResource", R"({"ResourceArn":"tab","Tags":[{"Key":"a","Value":"b"}]})",
       "ValidationException: One or more parameter values were invalid: ARNs must start with "
       "'arn:': tab"},
      {"TagResource",
       R"({"ResourceArn":"arn:aws:dynamodb:eu-west-1:000000000000:table/tab","Tags":[{"Key":"a","Value":"b"}]})",
       "ValidationException: Invalid TableArn: Invalid ResourceArn provided as input "
       "arn:aws:dynamodb:eu-west-1:000000000000:table/tab"},
      {"TagResource",
       R"({"ResourceArn":"arn:aws:dynamodb:us-east-1:111111111111:table/tab","Tags":[{"Key":"a","Value":"b"}]})",
       "AccessDeniedException: Access is denied"},
      {"ListTagsOfResource",
       R"({"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/nope"})",
       "ResourceNotFoundException: Requested resource not found: ResourceArn: "
       "arn:aws:dynamodb:us-east-1:000000000000:table/nope not found"},
      {"ListTagsOfResource",
       R"({"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/tab/index/gsi"})",
       "ValidationException: One or more parameter values were invalid: Invalid resource arn "
       "provided, only table or stream is accepted. Provided resource arn: "
       "arn:aws:dynamodb:us-east-1:000000000000:table/tab/index/gsi"},
      {"ListTagsOfResource", R"({"ResourceArn":"arn:aws:s3:::bucket"})",
       "ValidationException: One or more parameter values were invalid: Provided Arn is not a "
       "DynamoDB resource arn: arn:aws:s3:::bucket"},
      {"TagResource", std::string(R"({"ResourceArn":")") + kArn + R"(","Tags":[]})",
       "ValidationException: Atleast one Tag needs to be provided as Input."},
      {"TagResource", std::string(R"({"ResourceArn":")") + kArn + "\"}",
       "ValidationException: 1 validation error detected: Value null at 'tags' failed to "
       "satisfy constraint: Member must not be null"},
      {"TagResource",
       std::string(R"({"ResourceArn":")") + kArn + R"(","Tags":[{"Key":"AWS:x","Value":"b"}]})",
       "ValidationException: Tag Key cannot be prefixed with aws:, Key: AWS:x"},
      {"TagResource",
       std::string(R"({"ResourceArn":")") + kArn + R"(","Tags":[{"Key":"bad#char","Value":"b"}]})",
       "ValidationException: The Tag Key provided is invalid, Key: bad#char"},
      {"TagResource", std::string(R"({"ResourceArn":")") + kArn + R"(","Tags":[{"Key":"a"}]})",
       "ValidationException: The Tag Value provided is invalid, Value: null"},
      {"TagResource",
       std::string(R"({"ResourceArn":")") + kArn +
           R"(","Tags":[{"Key":"d","Value":"1"},{"Key":"d","Value":"2"}]})",
       "ValidationException: Duplicate Tag Keys provided as input: Duplicate Tag Key found d"},
      {"TagResource", std::string(R"({"ResourceArn":")") + kArn + R"(","Tags":)" + fifty + "}",
       "OK"},
      {"TagResource",
       std::string(R"({"ResourceArn":")") + kArn + R"(","Tags":[{"Key":"one-more","Value":"v"}]})",
       "ValidationException: Number of Tags exceed the current limit for the provided "
       "ResourceArn"},
      {"UntagResource", std::string(R"({"ResourceArn":")") + kArn + R"(","TagKeys":[]})",
       "ValidationException: Atleast one Tag Key needs to be provided as Input."},
      {"UntagResource", std::string(R"({"ResourceArn":")") + kArn + R"(","TagKeys":["aws:x"]})",
       "ValidationException: Tag Key cannot be prefixed with aws:, Key: aws:x"},
      {"CreateBackup", R"({"TableName":"tab","BackupName":"b"})",
       "UnknownOperationException: An unknown operation was requested: CreateBackup is not "
       "implemented by dynamo-emu"},
      {"NotAnOperation", "{}", "UnknownOperationException: "},
  };
  for (const auto& c : cases) EXPECT_EQ(Outcome(c.op, c.body), c.expected) << c.body;
}

TEST_F(TagsTest, PointInTimeRecoveryIsKeptAndDescribed) {
  EXPECT_EQ(Call("DescribeContinuousBackups", R"({"TableName":"tab"})").body,
            R"({"ContinuousBackupsDescription":{"ContinuousBackupsStatus":"ENABLED",)"
            R"("PointInTimeRecoveryDescription":{"PointInTimeRecoveryStatus":"DISABLED"}}})");
  const std::string enabled =
      R"({"ContinuousBackupsDescription":{"ContinuousBackupsStatus":"ENABLED",)"
      R"("PointInTimeRecoveryDescription":{"PointInTimeRecoveryStatus":"ENABLED",)"
      R"("RecoveryPeriodInDays":7,"EarliestRestorableDateTime":1700000000.5,)"
      R"("LatestRestorableDateTime":1700000000.5}}})";
  EXPECT_EQ(Call("UpdateContinuousBackups", R"({"TableName":"tab",
      "PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true,"RecoveryPeriodInDays":7}})")
                .body,
            enabled);
  EXPECT_EQ(Call("DescribeContinuousBackups", R"({"TableName":"tab"})").body, enabled);
  const struct {
    const char* op;
    const char* body;
    const char* expected;
  } cases[] = {
      {"DescribeContinuousBackups", R"({"TableName":"nope"})",
       "TableNotFoundException: Table not found: nope"},
      {"UpdateContinuousBackups",
       R"({"TableName":"nope","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true}})",
       "TableNotFoundException: Table not found: nope"},
      {"UpdateContinuousBackups", R"({"TableName":"tab","PointInTimeRecoverySpecification":{}})",
       "ValidationException: 1 validation error detected: Value null at "
       "'pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled' failed to satisfy "
       "constraint: Member must not be null"},
      {"UpdateContinuousBackups",
       R"({"TableName":"tab","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true,"RecoveryPeriodInDays":36}})",
       "ValidationException: 1 validation error detected: Value '36' at "
       "'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy constraint: "
       "Member must have value less than or equal to 35"},
      {"UpdateContinuousBackups",
       R"({"TableName":"tab","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":false,"RecoveryPeriodInDays":7}})",
       "ValidationException: Invalid Request: Cannot specify RecoveryPeriodInDays when "
       "disabling point-in-time recovery."},
      {"UpdateContinuousBackups",
       R"({"TableName":"tab","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":false}})",
       "OK"},
  };
  for (const auto& c : cases) EXPECT_EQ(Outcome(c.op, c.body), c.expected) << c.body;
  EXPECT_EQ(Call("DescribeContinuousBackups", R"({"TableName":"tab"})").body,
            R"({"ContinuousBackupsDescription":{"ContinuousBackupsStatus":"ENABLED",)"
            R"("PointInTimeRecoveryDescription":{"PointInTimeRecoveryStatus":"DISABLED"}}})");
}

TEST_F(TagsTest, ContributorInsightsAndKinesisDestinations) {
  EXPECT_EQ(Call("DescribeContributorInsights", R"({"TableName":"tab"})").body,
            R"({"TableName":"tab","ContributorInsightsStatus":"DISABLED"})");
  EXPECT_EQ(Call("UpdateContributorInsights",
                 R"({"TableName":"tab","ContributorInsightsAction":"ENABLE"})")
                .body,
            R"({"TableName":"tab","ContributorInsightsStatus":"ENABLING",)"
            R"("ContributorInsightsMode":"ACCESSED_AND_THROTTLED_KEYS"})");
  EXPECT_EQ(Call("DescribeContributorInsights", R"({"TableName":"tab"})").body,
            R"({"TableName":"tab","ContributorInsightsStatus":"ENABLED",)"
            R"("ContributorInsightsMode":"ACCESSED_AND_THROTTLED_KEYS"})");
  EXPECT_EQ(Call("ListContributorInsights", "{}").body,
            R"({"ContributorInsightsSummaries":[{"TableName":"tab","ContributorInsightsStatus":)"
            R"("ENABLED","ContributorInsightsMode":"ACCESSED_AND_THROTTLED_KEYS"}]})");
  EXPECT_EQ(Call("UpdateContributorInsights",
                 R"({"TableName":"tab","ContributorInsightsAction":"DISABLE"})")
                .body,
            R"({"TableName":"tab","ContributorInsightsStatus":"DISABLING"})");
  EXPECT_EQ(Call("ListContributorInsights", R"({"TableName":"tab"})").body,
            R"({"ContributorInsightsSummaries":[]})");
  EXPECT_EQ(Call("DescribeKinesisStreamingDestination", R"({"TableName":"tab"})").body,
            R"({"KinesisDataStreamDestinations":[],"TableName":"tab"})");
  const struct {
    const char* op;
    const char* body;
    const char* expected;
  } cases[] = {
      {"DescribeContributorInsights", R"({"TableName":"nope"})",
       "ResourceNotFoundException: Requested resource not found: Table: nope not found"},
      {"DescribeContributorInsights", R"({"TableName":"tab","IndexName":"idx"})",
       "ResourceNotFoundException: Requested resource not found: Index: idx not found for "
       "table: tab"},
      {"UpdateContributorInsights", R"({"TableName":"tab","ContributorInsightsAction":"ON"})",
       "ValidationException: 1 validation error detected: Value 'ON' at "
       "'contributorInsightsAction' failed to satisfy constraint: Member must satisfy enum value "
       "set: [ENABLE, DISABLE]"},
      {"DescribeKinesisStreamingDestination", R"({"TableName":"nope"})",
       "ResourceNotFoundException: Requested resource not found: Table: nope not found"},
  };
  for (const auto& c : cases) EXPECT_EQ(Outcome(c.op, c.body), c.expected) << c.body;
}

}  // namespace
}  // namespace dynamo::server
