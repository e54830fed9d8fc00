// The API layer driven in-process: request JSON in, status and JSON out.
#include "server/api/api.h"

#include <gtest/gtest.h>

#include "server/api/json.h"

namespace dynamo::server {
namespace {

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StorageOptions o;
    o.in_memory = true;
    storage_ = std::move(storage::Storage::Open(o)).value();
    ApiOptions ao;
    ao.clock = [] { return 1700000000.5; };
    api_ = std::make_unique<Api>(storage_.get(), ao);
    ASSERT_EQ(Call("CreateTable", R"({"TableName":"tab","BillingMode":"PAY_PER_REQUEST",
        "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],
        "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}]})")
                  .status,
              200);
    ASSERT_EQ(Call("CreateTable", R"({"TableName":"hashonly","BillingMode":"PAY_PER_REQUEST",
        "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
        "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]})")
                  .status,
              200);
  }

  ApiResponse Call(std::string_view op, std::string_view body, RequestContext ctx = {}) {
    return api_->Dispatch(ctx, op, body);
  }

  // "<short type>: <message>" for an error response, or "OK".
  std::string Outcome(std::string_view op, std::string_view body) {
    ApiResponse r = Call(op, body);
    if (r.status == 200) return "OK";
    JsonDocument doc;
    doc.Parse(r.body.c_str());
    std::string type = doc["__type"].GetString();
    type = type.substr(type.find('#') + 1);
    std::string msg;
    if (doc.HasMember("message")) msg = doc["message"].GetString();
    if (doc.HasMember("Message")) msg = doc["Message"].GetString();
    return type + ": " + msg;
  }

  std::unique_ptr<storage::Storage> storage_;
  std::unique_ptr<Api> api_;
};

struct Case {
  const char* op;
  const char* body;
  const char* expected;  // "OK" or "<Type>: <message>"
};

TEST_F(ApiTest, ProtocolErrors) {
  const Case cases[] = {
      {"ListTables", "not json", "SerializationException: "},
      {"ListTables", "", "SerializationException: "},
      {"ListTables", "[1,2]", "SerializationException: "},
      {"Nope", "{}", "UnknownOperationException: "},
      {"", "{}", "UnknownOperationException: "},
      {"DescribeTable", R"({"TableName":5})",
       "SerializationException: NUMBER_VALUE cannot be converted to String"},
      {"DescribeTable", R"({"TableName":1.5})",
       "SerializationException: DECIMAL_VALUE cannot be converted to String"},
      {"DescribeTable", R"({"TableName":true})",
       "SerializationException: TRUE_VALUE cannot be converted to String"},
      {"DescribeTable", R"({"TableName":[]})",
       "SerializationException: Unrecognized collection type class java.lang.String"},
      {"DescribeTable", R"({"TableName":{}})",
       "SerializationException: Start of structure or map found where not expected"},
      {"GetItem", R"({"TableName":"tab","Key":"x"})",
       "SerializationException: Unexpected field type"},
      {"GetItem", R"({"TableName":"tab","Key":[]})",
       "SerializationException: Unrecognized collection type java.util.Map<java.lang.String, "
       "com.amazonaws.dynamodb.v20120810.AttributeValue>"},
      {"GetItem", R"({"TableName":"tab","Key":{"pk":"x"}})",
       "SerializationException: Unexpected value type in payload"},
      {"GetItem", R"({"TableName":"tab","Key":{"pk":{"S":true}}})",
       "SerializationException: TRUE_VALUE cannot be converted to String"},
      {"GetItem", R"({"TableName":"tab","Key":{"pk":{"B":"abcde"}}})",
       "SerializationException: Base64 encoded length is expected a multiple of 4 bytes but found: "
       "5"},
      {"GetItem", R"({"TableName":"tab","Key":{"pk":{"B":5}}})",
       "SerializationException: only base-64-encoded strings are convertible to bytes"},
      {"GetItem", R"({"TableName":"tab","ConsistentRead":"yes","Key":{}})",
       "SerializationException: Unexpected token received from parser"},
      {"ListTables", R"({"Limit":"5"})",
       "SerializationException: STRING_VALUE cannot be converted to Integer"},
  };
  for (const auto& c : cases) EXPECT_EQ(Outcome(c.op, c.body), c.expected) << c.op << " " << c.body;
}

TEST_F(ApiTest, AttributeValueValidation) {
  const Case cases[] = {
      {"PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"x":{}}})",
       "ValidationException: Supplied AttributeValue is empty, must contain exactly one of the "
       "supported datatypes"},
      {"PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"x":{"S":"a","BOOL":true}}})",
       "ValidationException: Supplied AttributeValue has more than one datatypes set, must "
       "contain exactly one of the supported datatypes"},
      {"PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"x":{"S":"a","N":"b"}}})",
       "ValidationException: The parameter cannot be converted to a numeric value: b"},
      {"PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"x":{"NULL":false}}})",
       "ValidationException: One or more parameter values were invalid: Null attribute value "
       "types must have the value of true"},
      {"PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"x":{"SS":[]}}})",
       "ValidationException: One or more parameter values were invalid: An string set  may not "
       "be empty"},
      {"PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"x":{"NS":[]}}})",
       "ValidationException: One or more parameter values were invalid: An number set  may not "
       "be empty"},
      {"PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"x":{"BS":[]}}})",
       "ValidationException: One or more parameter values were invalid: Binary sets should not "
       "be empty"},
      {"PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"x":{"SS":["b","a","b"]}}})",
       "ValidationException: One or more parameter values were invalid: Input collection [b, a, "
       "b] contains duplicates."},
      {"PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"x":{"NS":["1","1.0"]}}})",
       "ValidationException: Input collection contains duplicates"},
      {"PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"x":{"N":"1e126"}}})",
       "ValidationException: Number overflow. Attempting to store a number with magnitude larger "
       "than supported range"},
      {"PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"x":{"SS":[""]}}})", "OK"},
      {"PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"x":{"S":""},"y":{"B":""}}})",
       "OK"},
  };
  for (const auto& c : cases) EXPECT_EQ(Outcome(c.op, c.body), c.expected) << c.body;
}

TEST_F(ApiTest, KeyValidation) {
  const Case cases[] = {
      {"PutItem", R"({"TableName":"tab","Item":{"pk":{"S":"a"}}})",
       "ValidationException: One or more parameter values were invalid: Missing the key sk in "
       "the item"},
      {"PutItem", R"({"TableName":"tab","Item":{"pk":{"N":"1"},"sk":{"N":"1"}}})",
       "ValidationException: One or more parameter values were invalid: Type mismatch for key pk "
       "expected: S actual: N"},
      {"PutItem", R"({"TableName":"tab","Item":{"pk":{"S":""},"sk":{"N":"1"}}})",
       "ValidationException: One or more parameter values are not valid. The AttributeValue for "
       "a key attribute cannot contain an empty string value. Key: pk"},
      {"GetItem", R"({"TableName":"tab","Key":{"pk":{"S":"a"}}})",
       "ValidationException: The provided key element does not match the schema"},
      {"GetItem", R"({"TableName":"tab","Key":{"pk":{"S":"a"},"sk":{"S":"1"}}})",
       "ValidationException: The provided key element does not match the schema"},
      {"GetItem", R"({"TableName":"hashonly","Key":{"pk":{"S":"a"},"x":{"S":"1"}}})",
       "ValidationException: The provided key element does not match the schema"},
      {"GetItem", R"({"TableName":"hashonly","Key":{"pk":{"S":""}}})",
       "ValidationException: One or more parameter values were invalid: The AttributeValue for a "
       "key attribute cannot contain an empty string value. Key: pk"},
      {"GetItem", R"({"TableName":"hashonly","Key":{"pk":{"S":"a"}}})", "OK"},
      {"GetItem", R"({"TableName":"missing","Key":{"pk":{"S":"a"}}})",
       "ResourceNotFoundException: Requested resource not found"},
      {"GetItem",
       R"({"TableName":"arn:aws:dynamodb:us-east-1:000000000000:table/hashonly","Key":{"pk":{"S":"a"}}})",
       "OK"},
      {"GetItem", R"({"Key":{}})",
       "ValidationException: 1 validation error detected: Value null at 'tableName' failed to "
       "satisfy constraint: Member must not be null"},
      {"GetItem", R"({})",
       "ValidationException: 2 validation errors detected: Value null at 'key' failed to satisfy "
       "constraint: Member must not be null; Value null at 'tableName' failed to satisfy "
       "constraint: Member must not be null"},
      {"GetItem", R"({"TableName":"bad name!","Key":{}})",
       "ValidationException: 1 validation error detected: Value 'bad name!' at 'tableName' "
       "failed to satisfy constraint: Member must satisfy regular expression pattern: "
       "[a-zA-Z0-9_.-]+"},
      {"PutItem",
       R"({"TableName":"tab","Item":{"pk":{"S":"a"},"sk":{"N":"1"}},"ReturnValues":"UPDATED_NEW"})",
       "ValidationException: ReturnValues can only be ALL_OLD or NONE"},
      {"PutItem",
       R"({"TableName":"tab","Item":{"pk":{"S":"a"},"sk":{"N":"1"}},"ReturnValues":"BAD"})",
       "ValidationException: 1 validation error detected: Value 'BAD' at 'returnValues' failed "
       "to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, "
       "ALL_OLD, NONE, UPDATED_NEW]"},
  };
  for (const auto& c : cases) EXPECT_EQ(Outcome(c.op, c.body), c.expected) << c.body;
}

TEST_F(ApiTest, KeyAndItemSizeLimitsOnBothSides) {
  auto put = [&](size_t hash_len, size_t range_len_or_0, size_t pad) {
    std::string body =
        R"({"TableName":"hashonly","Item":{"pk":{"S":")" + std::string(hash_len, 'h') + R"("})";
    if (pad) body += R"(,"p":{"S":")" + std::string(pad, 'x') + R"("})";
    body += "}}";
    (void)range_len_or_0;
    return Outcome("PutItem", body);
  };
  EXPECT_EQ(put(2048, 0, 0), "OK");
  EXPECT_EQ(put(2049, 0, 0),
            "ValidationException: One or more parameter values were invalid: Size of hashkey has "
            "exceeded the maximum size limit of2048 bytes");
  // 409600 bytes in all: "pk"(2) + 10 + "p"(1) + pad.
  EXPECT_EQ(put(10, 0, 409600 - 13), "OK");
  EXPECT_EQ(put(10, 0, 409600 - 12),
            "ValidationException: Item size has exceeded the maximum allowed size");
  std::string range_ok = R"({"TableName":"tab","Item":{"pk":{"S":"a"},"sk":{"N":"1"}}})";
  EXPECT_EQ(Outcome("PutItem", range_ok), "OK");
}

TEST_F(ApiTest, NestingLimit) {
  auto nested = [](int depth) {
    std::string v = R"({"S":"x"})";
    for (int i = 0; i < depth; ++i) v = R"({"M":{"a":)" + v + "}}";
    return R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"n":)" + v + "}}";
  };
  EXPECT_EQ(Outcome("PutItem", nested(32)), "OK");
  EXPECT_EQ(Outcome("PutItem", nested(33)),
            "ValidationException: Nesting Levels have exceeded supported limits: Attributes in the "
            "item have nested levels beyond supported limit");
  std::string deep(200000, '[');
  EXPECT_EQ(Outcome("PutItem", deep), "SerializationException: ");
}

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

TEST_F(ApiTest, NamespacesAreSeparateUnlessShared) {
  RequestContext other;
  other.access_key = "OTHER";
  EXPECT_EQ(Call("ListTables", "{}", other).body, R"({"TableNames":[]})");
  RequestContext other_region;
  other_region.region = "eu-west-1";
  EXPECT_EQ(Call("ListTables", "{}", other_region).body, R"({"TableNames":[]})");
  EXPECT_EQ(Call("ListTables", "{}").body, R"({"TableNames":["hashonly","tab"]})");
}

TEST_F(ApiTest, NumbersComeBackCanonicalAndKeysCompareNumerically) {
  ASSERT_EQ(
      Outcome("PutItem",
              R"({"TableName":"tab","Item":{"pk":{"S":"a"},"sk":{"N":"1.50"},"v":{"N":"1E+2"}}})"),
      "OK");
  auto r = Call("GetItem", R"({"TableName":"tab","Key":{"pk":{"S":"a"},"sk":{"N":"15e-1"}}})");
  EXPECT_EQ(r.body, R"({"Item":{"pk":{"S":"a"},"sk":{"N":"1.5"},"v":{"N":"100"}}})");
}

TEST_F(ApiTest, ConsumedCapacityArithmetic) {
  std::string big(1500, 'x');
  ASSERT_EQ(Outcome("PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"small"}}})"), "OK");
  EXPECT_EQ(Call("PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"big"},"p":{"S":")" + big +
                                R"("}},"ReturnConsumedCapacity":"TOTAL"})")
                .body,
            R"({"ConsumedCapacity":{"TableName":"hashonly","CapacityUnits":2.0}})");
  EXPECT_EQ(
      Call(
          "GetItem",
          R"({"TableName":"hashonly","Key":{"pk":{"S":"small"}},"ReturnConsumedCapacity":"TOTAL"})")
          .body,
      R"({"Item":{"pk":{"S":"small"}},"ConsumedCapacity":{"TableName":"hashonly","CapacityUnits":0.5}})");
  EXPECT_EQ(
      Call(
          "GetItem",
          R"({"TableName":"hashonly","Key":{"pk":{"S":"none"}},"ConsistentRead":true,"ReturnConsumedCapacity":"INDEXES"})")
          .body,
      R"({"ConsumedCapacity":{"TableName":"hashonly","CapacityUnits":1.0,"Table":{"CapacityUnits":1.0}}})");
  // Overwriting a big item with a small one costs the bigger of the two.
  EXPECT_EQ(
      Call(
          "PutItem",
          R"({"TableName":"hashonly","Item":{"pk":{"S":"big"}},"ReturnConsumedCapacity":"TOTAL","ReturnValues":"ALL_OLD"})")
              .body.find("\"CapacityUnits\":2.0") != std::string::npos,
      true);
}

TEST_F(ApiTest, ProjectionExpression) {
  ASSERT_EQ(
      Outcome(
          "PutItem",
          R"({"TableName":"hashonly","Item":{"pk":{"S":"p"},"a":{"M":{"b":{"L":[{"S":"x"},{"S":"y"}]},"c":{"N":"1"}}},"d":{"S":"z"}}})"),
      "OK");
  EXPECT_EQ(
      Call(
          "GetItem",
          R"({"TableName":"hashonly","Key":{"pk":{"S":"p"}},"ProjectionExpression":"#a.b[1], d","ExpressionAttributeNames":{"#a":"a"}})")
          .body,
      R"({"Item":{"a":{"M":{"b":{"L":[{"S":"y"}]}}},"d":{"S":"z"}}})");
  const Case cases[] = {
      {"GetItem", R"({"TableName":"hashonly","Key":{"pk":{"S":"p"}},"ProjectionExpression":"#x"})",
       "ValidationException: Invalid ProjectionExpression: An expression attribute name used in "
       "the document path is not defined; attribute name: #x"},
      {"GetItem",
       R"({"TableName":"hashonly","Key":{"pk":{"S":"p"}},"ProjectionExpression":"d","ExpressionAttributeNames":{"#a":"a"}})",
       "ValidationException: Value provided in ExpressionAttributeNames unused in expressions: "
       "keys: {#a}"},
      {"GetItem",
       R"({"TableName":"hashonly","Key":{"pk":{"S":"p"}},"AttributesToGet":["d"],"ProjectionExpression":"d"})",
       "ValidationException: Can not use both expression and non-expression parameters in the "
       "same request: Non-expression parameters: {AttributesToGet} Expression parameters: "
       "{ProjectionExpression}"},
      {"GetItem",
       R"({"TableName":"hashonly","Key":{"pk":{"S":"p"}},"ExpressionAttributeNames":{"#a":"a"}})",
       "ValidationException: ExpressionAttributeNames can only be specified when using "
       "expressions"},
      {"GetItem", R"({"TableName":"hashonly","Key":{"pk":{"S":"p"}},"ProjectionExpression":""})",
       "ValidationException: Invalid ProjectionExpression: The expression can not be empty;"},
      {"GetItem",
       R"({"TableName":"hashonly","Key":{"pk":{"S":"p"}},"ProjectionExpression":"a, a.b"})",
       "ValidationException: Invalid ProjectionExpression: Two document paths overlap with each "
       "other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"},
  };
  for (const auto& c : cases) EXPECT_EQ(Outcome(c.op, c.body), c.expected) << c.body;
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

}  // namespace
}  // namespace dynamo::server

namespace dynamo::server {
namespace {

TEST_F(ApiTest, ConditionalWritesAndFailureBody) {
  ASSERT_EQ(
      Outcome(
          "PutItem",
          R"j({"TableName":"hashonly","Item":{"pk":{"S":"c"},"v":{"N":"1"}},"ConditionExpression":"attribute_not_exists(pk)"})j"),
      "OK");
  EXPECT_EQ(
      Outcome(
          "PutItem",
          R"j({"TableName":"hashonly","Item":{"pk":{"S":"c"},"v":{"N":"9"}},"ConditionExpression":"attribute_not_exists(pk)"})j"),
      "ConditionalCheckFailedException: The conditional request failed");
  // ALL_OLD puts the current item into the error body.
  auto r = Call(
      "UpdateItem",
      R"j({"TableName":"hashonly","Key":{"pk":{"S":"c"}},"UpdateExpression":"SET v = v + :one","ConditionExpression":"v = :two","ExpressionAttributeValues":{":one":{"N":"1"},":two":{"N":"2"}},"ReturnValuesOnConditionCheckFailure":"ALL_OLD"})j");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(
      r.body,
      R"j({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed","Item":{"pk":{"S":"c"},"v":{"N":"1"}}})j");
  // No item: no Item member.
  r = Call(
      "DeleteItem",
      R"j({"TableName":"hashonly","Key":{"pk":{"S":"none"}},"ConditionExpression":"attribute_exists(pk)","ReturnValuesOnConditionCheckFailure":"ALL_OLD"})j");
  EXPECT_EQ(
      r.body,
      R"j({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"})j");
  EXPECT_EQ(
      Call(
          "UpdateItem",
          R"j({"TableName":"hashonly","Key":{"pk":{"S":"c"}},"UpdateExpression":"SET v = v + :one","ConditionExpression":"v = :one","ExpressionAttributeValues":{":one":{"N":"1"}},"ReturnValues":"UPDATED_NEW"})j")
          .body,
      R"j({"Attributes":{"v":{"N":"2"}}})j");
}

TEST_F(ApiTest, UpdateItemValidationOrder) {
  const Case cases[] = {
      {"UpdateItem",
       R"j({"TableName":"hashonly","Key":{"pk":{"S":"c"}},"UpdateExpression":"SET a = :v","Expected":{"a":{"Exists":false}}})j",
       "ValidationException: Can not use both expression and non-expression parameters in the "
       "same request: Non-expression parameters: {Expected} Expression parameters: "
       "{UpdateExpression}"},
      {"UpdateItem",
       R"j({"TableName":"hashonly","Key":{"pk":{"S":"c"}},"ExpressionAttributeValues":{":v":{"N":"1"}}})j",
       "ValidationException: ExpressionAttributeValues can only be specified when using "
       "expressions: UpdateExpression and ConditionExpression are null"},
      {"PutItem",
       R"j({"TableName":"hashonly","Item":{"pk":{"S":"c"}},"ExpressionAttributeValues":{":v":{"N":"1"}}})j",
       "ValidationException: ExpressionAttributeValues can only be specified when using "
       "expressions: ConditionExpression is null"},
      {"UpdateItem",
       R"j({"TableName":"hashonly","Key":{"pk":{"S":"c"}},"UpdateExpression":"SET a = :v","ExpressionAttributeValues":{}})j",
       "ValidationException: ExpressionAttributeValues must not be empty"},
      {"UpdateItem",
       R"j({"TableName":"hashonly","Key":{"pk":{"S":"c"}},"UpdateExpression":"SET a = :v","ExpressionAttributeValues":{"v":{"N":"1"}}})j",
       "ValidationException: ExpressionAttributeValues contains invalid key: Syntax error; key: "
       "\"v\""},
      {"UpdateItem",
       R"j({"TableName":"hashonly","Key":{"pk":{"S":"c"}},"UpdateExpression":"SET a = :v","ExpressionAttributeValues":{":v":{"N":"x"}}})j",
       "ValidationException: ExpressionAttributeValues contains invalid value: The parameter "
       "cannot be converted to a numeric value: x for key :v"},
      {"UpdateItem",
       R"j({"TableName":"hashonly","Key":{"pk":{"S":"c"}},"UpdateExpression":"SET pk = :v","ExpressionAttributeValues":{":v":{"S":"x"}}})j",
       "ValidationException: One or more parameter values were invalid: Cannot update attribute "
       "pk. This attribute is part of the key"},
      {"UpdateItem",
       R"j({"TableName":"hashonly","Key":{"pk":{"S":"c"}},"AttributeUpdates":{"a":{"Action":"ADD","Value":{"S":"x"}}}})j",
       "ValidationException: One or more parameter values were invalid: ADD action is not "
       "supported for the type S"},
      {"PutItem",
       R"j({"TableName":"hashonly","Item":{"pk":{"S":"c"}},"Expected":{"a":{"Exists":true}}})j",
       "ValidationException: One or more parameter values were invalid: Value must be provided "
       "when Exists is true for Attribute: a"},
      {"PutItem",
       R"j({"TableName":"hashonly","Item":{"pk":{"S":"c"}},"Expected":{"a":{"ComparisonOperator":"EQ"}}})j",
       "ValidationException: One or more parameter values were invalid: Value or "
       "AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a"},
      {"PutItem",
       R"j({"TableName":"hashonly","Item":{"pk":{"S":"c"}},"Expected":{"a":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"1"}]}}})j",
       "ValidationException: One or more parameter values were invalid: Invalid number of "
       "argument(s) for the BETWEEN ComparisonOperator"},
  };
  for (const auto& c : cases) EXPECT_EQ(Outcome(c.op, c.body), c.expected) << c.body;
}

TEST_F(ApiTest, LegacyExpectedAndAttributeUpdates) {
  // DynamoDBMapper's optimistic locking: Exists:false, then Value of the old version.
  ASSERT_EQ(
      Outcome(
          "UpdateItem",
          R"j({"TableName":"hashonly","Key":{"pk":{"S":"m"}},"AttributeUpdates":{"v":{"Action":"PUT","Value":{"N":"1"}}},"Expected":{"v":{"Exists":false}}})j"),
      "OK");
  EXPECT_EQ(
      Outcome(
          "UpdateItem",
          R"j({"TableName":"hashonly","Key":{"pk":{"S":"m"}},"AttributeUpdates":{"v":{"Action":"PUT","Value":{"N":"1"}}},"Expected":{"v":{"Exists":false}}})j"),
      "ConditionalCheckFailedException: The conditional request failed");
  EXPECT_EQ(
      Outcome(
          "UpdateItem",
          R"j({"TableName":"hashonly","Key":{"pk":{"S":"m"}},"AttributeUpdates":{"v":{"Action":"PUT","Value":{"N":"2"}},"l":{"Action":"ADD","Value":{"L":[{"S":"a"}]}}},"Expected":{"v":{"Value":{"N":"1"}}}})j"),
      "OK");
  EXPECT_EQ(Call("GetItem", R"j({"TableName":"hashonly","Key":{"pk":{"S":"m"}}})j").body,
            R"j({"Item":{"l":{"L":[{"S":"a"}]},"pk":{"S":"m"},"v":{"N":"2"}}})j");
  EXPECT_EQ(
      Outcome(
          "PutItem",
          R"j({"TableName":"hashonly","Item":{"pk":{"S":"m"}},"Expected":{"v":{"ComparisonOperator":"GT","AttributeValueList":[{"N":"5"}]},"l":{"ComparisonOperator":"NOT_NULL"}},"ConditionalOperator":"OR"})j"),
      "OK");
}

}  // namespace
}  // namespace dynamo::server
