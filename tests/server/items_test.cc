// GetItem, PutItem, DeleteItem and UpdateItem.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "tests/server/api_fixture.h"

namespace dynamo::server {
namespace {

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
       "ValidationException: One or more parameter values are not valid. The AttributeValue for "
       "a key attribute cannot contain an empty string value. Key: pk"},
      {"UpdateItem", R"({"TableName":"hashonly","Key":{"pk":{"S":""}}})",
       "ValidationException: One or more parameter values are not valid. The AttributeValue for "
       "a key attribute cannot contain an empty string value. Key: pk"},
      {"DeleteItem", R"({"TableName":"hashonly","Key":{"pk":{"S":""}}})",
       "ValidationException: One or more parameter values are not valid. The AttributeValue for "
       "a key attribute cannot contain an empty string value. Key: pk"},
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
       "ValidationException: 1 validation error detected: ReturnValues can only be ALL_OLD or "
       "NONE"},
      {"PutItem",
       R"({"TableName":"tab","Item":{"pk":{"S":"a"},"sk":{"N":"1"}},"ReturnValues":"BAD"})",
       "ValidationException: 1 validation error detected: Value 'BAD' at 'returnValues' failed "
       "to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, "
       "ALL_OLD, NONE, UPDATED_NEW]"},
  };
  for (const auto& c : cases) EXPECT_EQ(Outcome(c.op, c.body), c.expected) << c.body;
}

TEST_F(ApiTest, KeyAndItemSizeLimitsOnBothSides) {
  ASSERT_EQ(Call("CreateTable", R"({"TableName":"strings","BillingMode":"PAY_PER_REQUEST",
      "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"S"}],
      "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}]})")
                .status,
            200);
  auto put = [&](size_t hash_len, size_t range_len_or_0, size_t pad) {
    std::string body = std::string(R"({"TableName":")") +
                       (range_len_or_0 ? "strings" : "hashonly") + R"(","Item":{"pk":{"S":")" +
                       std::string(hash_len, 'h') + R"("})";
    if (range_len_or_0) body += R"(,"sk":{"S":")" + std::string(range_len_or_0, 'r') + R"("})";
    if (pad) body += R"(,"p":{"S":")" + std::string(pad, 'x') + R"("})";
    body += "}}";
    return Outcome("PutItem", body);
  };
  EXPECT_EQ(put(2048, 0, 0), "OK");
  EXPECT_EQ(put(2049, 0, 0),
            "ValidationException: One or more parameter values were invalid: Size of hashkey has "
            "exceeded the maximum size limit of2048 bytes");
  EXPECT_EQ(put(1, 1024, 0), "OK");
  EXPECT_EQ(put(1, 1025, 0),
            "ValidationException: One or more parameter values were invalid: Aggregated size of "
            "all range keys has exceeded the size limit of 1024 bytes");
  // 409600 bytes in all: "pk"(2) + 10 + "p"(1) + pad.
  EXPECT_EQ(put(10, 0, 409600 - 13), "OK");
  EXPECT_EQ(put(10, 0, 409600 - 12),
            "ValidationException: Item size has exceeded the maximum allowed size");
}

// UpdateItem's second size rule (mutations.cc StatementSize): what an
// UpdateExpression writes plus 3, 19 per SET or ADD (+1 per list index), 2
// per REMOVE or DELETE must stay within 409600, beside the finished item.
TEST_F(ApiTest, UpdateItemSizesWhatTheStatementWrites) {
  struct SizeCase {
    const char* why;
    const char* expression;
    const char* seed;   // other attributes of the stored item, JSON members
    const char* extra;  // other ExpressionAttributeValues, JSON members
    size_t written;     // bytes of the attributes written besides the padding
    size_t cost;        // 3 + per-action costs
  };
  // Key {"pk":"k"} is 3 bytes and never counted; "b" holds the padding.
  const SizeCase cases[] = {
      {"one SET", "SET b = :pad", "", "", 0, 22},
      {"two SETs", "SET b = :pad, c = :c", "", R"(,":c":{"S":"y"})", 2, 41},
      {"a REMOVE", "SET b = :pad REMOVE r", R"(,"r":{"S":"z"})", "", 0, 24},
      // n becomes 2: "n" and a one-digit number (2 bytes).
      {"an ADD to a number", "SET b = :pad ADD n :one", R"(,"n":{"N":"1"})", R"(,":one":{"N":"1"})",
       3, 41},
      {"a DELETE from a set", "SET b = :pad DELETE s :x", R"(,"s":{"SS":["x","y"]})",
       R"(,":x":{"SS":["x"]})", 0, 24},
      {"a list index", "SET l[0] = :pad", R"(,"l":{"L":[{"S":"0"}]})", "", 0, 23},
  };
  for (const SizeCase& c : cases) {
    SCOPED_TRACE(c.why);
    ASSERT_EQ(Outcome("PutItem", std::string(R"({"TableName":"hashonly","Item":{"pk":{"S":"k"})") +
                                     c.seed + "}}"),
              "OK");
    // b: "b" + padding; l: "l" + 3 (list) + 1 (element) + padding.
    const bool list = std::string_view(c.expression).find("l[0]") != std::string_view::npos;
    const size_t overhead = list ? 5 : 1;
    auto update = [&](size_t padding) {
      return Outcome("UpdateItem",
                     std::string(R"({"TableName":"hashonly","Key":{"pk":{"S":"k"}},)") +
                         R"("UpdateExpression":")" + c.expression +
                         R"(","ExpressionAttributeValues":{":pad":{"S":")" +
                         std::string(padding, 'p') + R"("})" + c.extra + "}}");
    };
    const size_t fits = 409600 - c.cost - c.written - overhead;
    EXPECT_EQ(update(fits + 1),
              "ValidationException: Item size to update has exceeded the maximum allowed size");
    EXPECT_EQ(update(fits), "OK");
    ASSERT_EQ(Outcome("DeleteItem", R"({"TableName":"hashonly","Key":{"pk":{"S":"k"}}})"), "OK");
  }
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

// PutItem, UpdateItem and DeleteItem report every check of the request itself
// inside the "1 validation error detected: " envelope, with no null
// expressions named and no wrapper on a bad value (DynamoDB, 2026-10-09);
// what needs the table (a key attribute updated) stays bare.
TEST_F(ApiTest, UpdateItemValidationOrder) {
  const Case cases[] = {
      {"UpdateItem",
       R"j({"TableName":"hashonly","Key":{"pk":{"S":"c"}},"UpdateExpression":"SET a = :v","Expected":{"a":{"Exists":false}}})j",
       "ValidationException: 1 validation error detected: Can not use both expression and "
       "non-expression parameters in the "
       "same request: Non-expression parameters: {Expected} Expression parameters: "
       "{UpdateExpression}"},
      {"UpdateItem",
       R"j({"TableName":"hashonly","Key":{"pk":{"S":"c"}},"ExpressionAttributeValues":{":v":{"N":"1"}}})j",
       "ValidationException: 1 validation error detected: ExpressionAttributeValues can only be "
       "specified when using "
       "expressions"},
      {"PutItem",
       R"j({"TableName":"hashonly","Item":{"pk":{"S":"c"}},"ExpressionAttributeValues":{":v":{"N":"1"}}})j",
       "ValidationException: 1 validation error detected: ExpressionAttributeValues can only be "
       "specified when using "
       "expressions"},
      {"UpdateItem",
       R"j({"TableName":"hashonly","Key":{"pk":{"S":"c"}},"UpdateExpression":"SET a = :v","ExpressionAttributeValues":{}})j",
       "ValidationException: 1 validation error detected: ExpressionAttributeValues must not be "
       "empty"},
      {"UpdateItem",
       R"j({"TableName":"hashonly","Key":{"pk":{"S":"c"}},"UpdateExpression":"SET a = :v","ExpressionAttributeValues":{"v":{"N":"1"}}})j",
       "ValidationException: 1 validation error detected: ExpressionAttributeValues contains "
       "invalid key: Syntax error; key: "
       "\"v\""},
      // An empty name is rejected by itself, before the expression is read.
      {"UpdateItem",
       R"j({"TableName":"hashonly","Key":{"pk":{"S":"c"}},"UpdateExpression":"SET #a = :v","ExpressionAttributeNames":{"#a":""},"ExpressionAttributeValues":{":v":{"N":"1"}}})j",
       "ValidationException: 1 validation error detected: ExpressionAttributeNames contains "
       "invalid value: Empty attribute "
       "name for key #a"},
      {"UpdateItem",
       R"j({"TableName":"hashonly","Key":{"pk":{"S":"c"}},"UpdateExpression":"SET a = :v","ExpressionAttributeValues":{":v":{"N":"x"}}})j",
       "ValidationException: 1 validation error detected: The parameter "
       "cannot be converted to a numeric value: x"},
      {"UpdateItem",
       R"j({"TableName":"hashonly","Key":{"pk":{"S":"c"}},"UpdateExpression":"SET pk = :v","ExpressionAttributeValues":{":v":{"S":"x"}}})j",
       "ValidationException: One or more parameter values were invalid: Cannot update attribute "
       "pk. This attribute is part of the key"},
      {"UpdateItem",
       R"j({"TableName":"hashonly","Key":{"pk":{"S":"c"}},"AttributeUpdates":{"a":{"Action":"ADD","Value":{"S":"x"}}}})j",
       "ValidationException: 1 validation error detected: One or more parameter values were "
       "invalid: ADD action is not "
       "supported for the type S"},
      {"PutItem",
       R"j({"TableName":"hashonly","Item":{"pk":{"S":"c"}},"Expected":{"a":{"Exists":true}}})j",
       "ValidationException: 1 validation error detected: One or more parameter values were "
       "invalid: Value must be provided "
       "when Exists is true for Attribute: a"},
      {"PutItem",
       R"j({"TableName":"hashonly","Item":{"pk":{"S":"c"}},"Expected":{"a":{"ComparisonOperator":"EQ"}}})j",
       "ValidationException: 1 validation error detected: One or more parameter values were "
       "invalid: Value or "
       "AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a"},
      {"PutItem",
       R"j({"TableName":"hashonly","Item":{"pk":{"S":"c"}},"Expected":{"a":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"1"}]}}})j",
       "ValidationException: 1 validation error detected: One or more parameter values were "
       "invalid: Invalid number of "
       "argument(s) for the BETWEEN ComparisonOperator"},
  };
  for (const auto& c : cases) EXPECT_EQ(Outcome(c.op, c.body), c.expected) << c.body;
}

}  // namespace
}  // namespace dynamo::server
