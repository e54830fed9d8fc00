// CreateTable, DescribeTable, ListTables and UpdateTable.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "tests/server/api_fixture.h"

namespace dynamo::server {
namespace {

TEST_F(ApiTest, CreateTableValidation) {
  const Case cases[] = {
      {"CreateTable",
       R"({"TableName":"ab","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}],"KeySchema":[{"AttributeName":"a","KeyType":"HASH"}]})",
       "ValidationException: 1 validation error detected: Value 'ab' at 'tableName' failed to "
       "satisfy constraint: Member must have length greater than or equal to 3"},
      {"CreateTable", R"({"AttributeDefinitions":[]})",
       "ValidationException: The parameter 'TableName' is required but was not present in the "
       "request"},
      {"CreateTable",
       R"({"TableName":"abc","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"X"}],"KeySchema":[{"AttributeName":"a","KeyType":"HASH"}]})",
       "ValidationException: 1 validation error detected: Value 'X' at "
       "'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must "
       "satisfy enum value set: [B, N, S]"},
      {"CreateTable",
       R"({"TableName":"abc","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}],"KeySchema":[{"AttributeName":"a","KeyType":"HASH"}]})",
       "ValidationException: One or more parameter values were invalid: ReadCapacityUnits and "
       "WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"},
      {"CreateTable",
       R"({"TableName":"abc","BillingMode":"PAY_PER_REQUEST","ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1},"AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}],"KeySchema":[{"AttributeName":"a","KeyType":"HASH"}]})",
       "ValidationException: One or more parameter values were invalid: Neither "
       "ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is "
       "PAY_PER_REQUEST"},
      {"CreateTable",
       R"({"TableName":"abc","ProvisionedThroughput":{"ReadCapacityUnits":0,"WriteCapacityUnits":0},"AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}],"KeySchema":[{"AttributeName":"a","KeyType":"HASH"}]})",
       "ValidationException: 2 validation errors detected: Value '0' at "
       "'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must have "
       "value greater than or equal to 1; Value '0' at 'provisionedThroughput.readCapacityUnits' "
       "failed to satisfy constraint: Member must have value greater than or equal to 1"},
      {"CreateTable",
       R"({"TableName":"abc","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"b","AttributeType":"S"}],"KeySchema":[{"AttributeName":"a","KeyType":"HASH"}]})",
       "ValidationException: One or more parameter values were invalid: Some index key "
       "attributes are not defined in AttributeDefinitions. Keys: [a], AttributeDefinitions: [b]"},
      {"CreateTable",
       R"({"TableName":"abc","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"S"}],"KeySchema":[{"AttributeName":"a","KeyType":"HASH"}]})",
       "ValidationException: One or more parameter values were invalid: Number of attributes in "
       "KeySchema does not exactly match number of attributes defined in AttributeDefinitions"},
      {"CreateTable",
       R"({"TableName":"abc","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"S"}],"KeySchema":[{"AttributeName":"a","KeyType":"RANGE"},{"AttributeName":"b","KeyType":"HASH"}]})",
       "ValidationException: Invalid KeySchema: The first KeySchemaElement is not a HASH key type"},
      {"CreateTable",
       R"({"TableName":"abc","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}],"KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],"LocalSecondaryIndexes":[{"IndexName":"lsi","KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]})",
       "ValidationException: One or more parameter values were invalid: Table KeySchema does not "
       "have a range key, which is required when specifying a LocalSecondaryIndex"},
      {"CreateTable",
       R"({"TableName":"tab","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}],"KeySchema":[{"AttributeName":"a","KeyType":"HASH"}]})",
       "ResourceInUseException: Table already exists: tab"},
      {"CreateTable",
       R"({"TableName":"withgsi","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"g","AttributeType":"N"}],"KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],"GlobalSecondaryIndexes":[{"IndexName":"gsi","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"INCLUDE"}}]})",
       "ValidationException: One or more parameter values were invalid: ProjectionType is "
       "INCLUDE, but NonKeyAttributes is not specified"},
      {"CreateTable",
       R"({"TableName":"withgsi","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"g","AttributeType":"N"}],"KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],"GlobalSecondaryIndexes":[{"IndexName":"gsi","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["x"]}}]})",
       "OK"},
  };
  for (const auto& c : cases) EXPECT_EQ(Outcome(c.op, c.body), c.expected) << c.body;
}

TEST_F(ApiTest, ListTablesPaging) {
  for (const char* name : {"aaa", "bbb", "ccc"}) {
    std::string body =
        std::string(R"({"TableName":")") + name +
        R"(","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}],"KeySchema":[{"AttributeName":"a","KeyType":"HASH"}]})";
    ASSERT_EQ(Call("CreateTable", body).status, 200);
  }
  EXPECT_EQ(Call("ListTables", R"({"Limit":2})").body,
            R"({"TableNames":["aaa","bbb"],"LastEvaluatedTableName":"bbb"})");
  EXPECT_EQ(Call("ListTables", R"({"Limit":2,"ExclusiveStartTableName":"bbb"})").body,
            R"({"TableNames":["ccc","hashonly"],"LastEvaluatedTableName":"hashonly"})");
  EXPECT_EQ(Call("ListTables", R"({"ExclusiveStartTableName":"hashonly"})").body,
            R"({"TableNames":["tab"]})");
  EXPECT_EQ(Outcome("ListTables", R"({"Limit":101})"),
            "ValidationException: 1 validation error detected: Value '101' at 'limit' failed to "
            "satisfy constraint: Member must have value less than or equal to 100");
}

TEST_F(ApiTest, DescribeTableShape) {
  auto r = Call("DescribeTable", R"({"TableName":"tab"})");
  ASSERT_EQ(r.status, 200);
  JsonDocument doc;
  doc.Parse(r.body.c_str());
  const auto& t = doc["Table"];
  EXPECT_STREQ(t["TableArn"].GetString(), "arn:aws:dynamodb:us-east-1:000000000000:table/tab");
  EXPECT_STREQ(t["TableStatus"].GetString(), "ACTIVE");
  EXPECT_DOUBLE_EQ(t["CreationDateTime"].GetDouble(), 1700000000.5);
  EXPECT_STREQ(t["BillingModeSummary"]["BillingMode"].GetString(), "PAY_PER_REQUEST");
  EXPECT_EQ(std::string(t["TableId"].GetString()).size(), 36u);
  EXPECT_EQ(Outcome("DescribeTable", R"({"TableName":"nope"})"),
            "ResourceNotFoundException: Requested resource not found: Table: nope not found");
  EXPECT_EQ(Outcome("DeleteTable", R"({"TableName":"nope"})"),
            "ResourceNotFoundException: Requested resource not found: Table: nope not found");
}

TEST_F(ApiTest, UpdateTableBillingAndThroughput) {
  EXPECT_EQ(Outcome("UpdateTable", R"({"TableName":"tab"})"),
            "ValidationException: At least one of ProvisionedThroughput, BillingMode, "
            "UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, "
            "MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, "
            "DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is "
            "required");
  EXPECT_EQ(
      Outcome(
          "UpdateTable",
          R"({"TableName":"tab","BillingMode":"PROVISIONED","ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5}})"),
      "OK");
  EXPECT_EQ(
      Outcome(
          "UpdateTable",
          R"({"TableName":"tab","ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5}})"),
      "ValidationException: The provisioned throughput for the table will not change. The "
      "requested value equals the current value. Current ReadCapacityUnits provisioned for "
      "the table: 5. Requested ReadCapacityUnits: 5. Current WriteCapacityUnits provisioned "
      "for the table: 5. Requested WriteCapacityUnits: 5. Refer to the Amazon DynamoDB "
      "Developer Guide for current limits and how to request higher limits.");
  EXPECT_EQ(Outcome("UpdateTable", R"({"TableName":"tab","BillingMode":"PROVISIONED"})"),
            "ValidationException: One or more parameter values were invalid: "
            "ProvisionedThroughput must be specified when BillingMode is PROVISIONED");
  EXPECT_EQ(Outcome("UpdateTable", R"({"TableName":"tab","BillingMode":"PAY_PER_REQUEST"})"), "OK");
}

// GlobalSecondaryIndexUpdates name each index once, and an index Create or
// Delete goes without table throughput or stream changes (messages recorded
// from DynamoDB); a rejected request changes nothing.
TEST_F(ApiTest, UpdateTableIndexUpdatesAreExclusive) {
  ASSERT_EQ(Outcome("CreateTable", R"({"TableName":"prov",
      "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],
      "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
      "ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1},
      "GlobalSecondaryIndexes":[{"IndexName":"gix","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],
        "Projection":{"ProjectionType":"ALL"},"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}]})"),
            "OK");
  constexpr const char* kOnePerIndex =
      "ValidationException: One or more parameter values were invalid: Only one global secondary "
      "index update per index is allowed simultaneously. Index: gix";
  constexpr const char* kUpdate =
      R"({"Update":{"IndexName":"gix","ProvisionedThroughput":{"ReadCapacityUnits":2,"WriteCapacityUnits":2}}})";
  constexpr const char* kCreate =
      R"({"Create":{"IndexName":"gnew","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"},"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}})";
  constexpr const char* kCreateGix =
      R"({"Create":{"IndexName":"gix","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"},"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}})";
  constexpr const char* kDelete = R"({"Delete":{"IndexName":"gix"}})";
  constexpr const char* kDefinitions =
      R"("AttributeDefinitions":[{"AttributeName":"g","AttributeType":"S"}])";
  auto update = [](const std::string& actions, const std::string& extra = "") {
    return R"({"TableName":"prov","GlobalSecondaryIndexUpdates":[)" + actions + "]" + extra + "}";
  };
  const std::pair<std::string, std::string> cases[] = {
      {update(std::string(kUpdate) + "," + kUpdate), kOnePerIndex},
      {update(std::string(kDelete) + "," + kUpdate), kOnePerIndex},
      // Before the one-create-or-delete limit.
      {update(std::string(kDelete) + "," + kCreateGix, std::string(",") + kDefinitions),
       kOnePerIndex},
      {update(kCreate,
              std::string(",") + kDefinitions +
                  R"(,"ProvisionedThroughput":{"ReadCapacityUnits":3,"WriteCapacityUnits":3})"),
       "ValidationException: You cannot create or delete index while updating table IOPS"},
      {update(kDelete,
              R"(,"ProvisionedThroughput":{"ReadCapacityUnits":3,"WriteCapacityUnits":3})"),
       "ValidationException: You cannot create or delete index while updating table IOPS"},
      {update(kCreate,
              std::string(",") + kDefinitions +
                  R"(,"StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"})"),
       "ValidationException: You cannot create or delete index while changing stream status"},
      // An index throughput Update may go with a table throughput change.
      {update(kUpdate,
              R"(,"ProvisionedThroughput":{"ReadCapacityUnits":3,"WriteCapacityUnits":3})"),
       "OK"},
  };
  for (const auto& [body, expected] : cases)
    EXPECT_EQ(Outcome("UpdateTable", body), expected) << body;
  JsonDocument d;
  d.Parse(Call("DescribeTable", R"({"TableName":"prov"})").body.c_str());
  ASSERT_EQ(d["Table"]["GlobalSecondaryIndexes"].Size(), 1u);
  EXPECT_STREQ(d["Table"]["GlobalSecondaryIndexes"][0]["IndexName"].GetString(), "gix");
}

// SSESpecification and OnDemandThroughput are kept in the definition and
// described: a KMS key only when Enabled, each on-demand maximum -1 (none) or
// at least 1, a member left out of an UpdateTable keeping its value.
TEST_F(ApiTest, SseAndOnDemandThroughputRoundTrip) {
  auto described = [this](const char* member) {
    JsonDocument d;
    d.Parse(Call("DescribeTable", R"({"TableName":"conf"})").body.c_str());
    if (!d["Table"].HasMember(member)) return std::string("absent");
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    d["Table"][member].Accept(w);
    return std::string(buf.GetString(), buf.GetSize());
  };
  ASSERT_EQ(Outcome("CreateTable", R"({"TableName":"conf","BillingMode":"PAY_PER_REQUEST",
      "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
      "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
      "SSESpecification":{"Enabled":true},
      "OnDemandThroughput":{"MaxReadRequestUnits":10,"MaxWriteRequestUnits":5}})"),
            "OK");
  const std::string managed =
      R"({"Status":"ENABLED","SSEType":"KMS","KMSMasterKeyArn":"arn:aws:kms:us-east-1:000000000000:key/4d1c0a52-7b3e-4f86-9a21-d5e6c7b8a9f0"})";
  EXPECT_EQ(described("SSEDescription"), managed);
  EXPECT_EQ(described("OnDemandThroughput"),
            R"({"MaxReadRequestUnits":10,"MaxWriteRequestUnits":5})");
  const struct {
    const char* update;
    const char* outcome;
    const char* sse;
    const char* on_demand;
  } cases[] = {
      {R"("OnDemandThroughput":{"MaxReadRequestUnits":20,"MaxWriteRequestUnits":15})", "OK",
       nullptr, R"({"MaxReadRequestUnits":20,"MaxWriteRequestUnits":15})"},
      {R"("OnDemandThroughput":{"MaxWriteRequestUnits":-1})", "OK", nullptr,
       R"({"MaxReadRequestUnits":20,"MaxWriteRequestUnits":-1})"},
      {R"("OnDemandThroughput":{"MaxReadRequestUnits":0})",
       "ValidationException: One or more parameter values were invalid: Requested "
       "MaxReadRequestUnits for OnDemandThroughput for table is outside of valid range",
       nullptr, R"({"MaxReadRequestUnits":20,"MaxWriteRequestUnits":-1})"},
      {R"("OnDemandThroughput":{"MaxWriteRequestUnits":-2})",
       "ValidationException: One or more parameter values were invalid: Requested "
       "MaxWriteRequestUnits for OnDemandThroughput for table is outside of valid range",
       nullptr, R"({"MaxReadRequestUnits":20,"MaxWriteRequestUnits":-1})"},
      {R"("SSESpecification":{"Enabled":true,"SSEType":"KMS","KMSMasterKeyId":"alias/mine"})", "OK",
       R"({"Status":"ENABLED","SSEType":"KMS","KMSMasterKeyArn":"arn:aws:kms:us-east-1:000000000000:alias/mine"})",
       nullptr},
      {R"("SSESpecification":{"Enabled":true,"KMSMasterKeyId":"1234abcd-12ab-34cd-56ef-1234567890ab"})",
       "OK",
       R"({"Status":"ENABLED","SSEType":"KMS","KMSMasterKeyArn":"arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"})",
       nullptr},
      // Back to the AWS-owned key, which is not described.
      {R"("SSESpecification":{"Enabled":false})", "OK", "absent", nullptr},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Outcome("UpdateTable", std::string(R"({"TableName":"conf",)") + c.update + "}"),
              c.outcome)
        << c.update;
    if (c.sse) EXPECT_EQ(described("SSEDescription"), c.sse) << c.update;
    if (c.on_demand) EXPECT_EQ(described("OnDemandThroughput"), c.on_demand) << c.update;
  }
  // A table created without either describes neither.
  EXPECT_EQ(Outcome("CreateTable", R"({"TableName":"plain","BillingMode":"PAY_PER_REQUEST",
      "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
      "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"SSESpecification":{"Enabled":false}})"),
            "OK");
  JsonDocument d;
  d.Parse(Call("DescribeTable", R"({"TableName":"plain"})").body.c_str());
  EXPECT_FALSE(d["Table"].HasMember("SSEDescription"));
  EXPECT_FALSE(d["Table"].HasMember("OnDemandThroughput"));
}

// A new index's key attributes must all be in the request's own
// AttributeDefinitions: the table's stored definition of pk does not count.
TEST_F(ApiTest, UpdateTableIndexKeysMustBeDefinedInTheRequest) {
  auto create = [](const std::string& defs) {
    return R"({"TableName":"tab","AttributeDefinitions":[)" + defs +
           R"(],"GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"gshared","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"g3","KeyType":"RANGE"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}}]})";
  };
  const std::pair<std::string, std::string> cases[] = {
      {create(R"({"AttributeName":"g3","AttributeType":"S"})"),
       "ValidationException: One or more parameter values were invalid: Some index key attributes "
       "are not defined in AttributeDefinitions. Keys: [pk, g3], AttributeDefinitions: [g3]"},
      {create(
           R"({"AttributeName":"g3","AttributeType":"S"},{"AttributeName":"pk","AttributeType":"S"})"),
       "OK"},
  };
  for (const auto& [body, expected] : cases)
    EXPECT_EQ(Outcome("UpdateTable", body), expected) << body;
}

}  // namespace
}  // namespace dynamo::server
