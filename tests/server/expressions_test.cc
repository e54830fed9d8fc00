// The legacy parameters (Expected, AttributeUpdates) as expressions.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "tests/server/api_fixture.h"

namespace dynamo::server {
namespace {

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
