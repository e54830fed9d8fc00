// Attribute values in DynamoDB JSON: validation, nesting, canonical numbers.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "tests/server/api_fixture.h"

namespace dynamo::server {
namespace {

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
      {"PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"x":{"N":""}}})",
       "ValidationException: The parameter cannot be converted to a numeric value"},
      {"PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"x":{"NS":["1",""]}}})",
       "ValidationException: The parameter cannot be converted to a numeric value"},
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

TEST_F(ApiTest, NumbersComeBackCanonicalAndKeysCompareNumerically) {
  ASSERT_EQ(
      Outcome("PutItem",
              R"({"TableName":"tab","Item":{"pk":{"S":"a"},"sk":{"N":"1.50"},"v":{"N":"1E+2"}}})"),
      "OK");
  auto r = Call("GetItem", R"({"TableName":"tab","Key":{"pk":{"S":"a"},"sk":{"N":"15e-1"}}})");
  EXPECT_EQ(r.body, R"({"Item":{"pk":{"S":"a"},"sk":{"N":"1.5"},"v":{"N":"100"}}})");
}

}  // namespace
}  // namespace dynamo::server
