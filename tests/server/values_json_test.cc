// Attribute values in DynamoDB JSON: validation, nesting, canonical numbers.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "server/api/values_json.h"
#include "tests/server/api_fixture.h"

namespace dynamo::server {
namespace {

// PutItem checks values in the current layer, inside the envelope (the
// wording of each layer: ValueLayerTest below).
TEST_F(ApiTest, AttributeValueValidation) {
  const Case cases[] = {
      {"PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"x":{}}})",
       "ValidationException: 1 validation error detected: Supplied AttributeValue is empty, must "
       "contain exactly one of the "
       "supported datatypes"},
      {"PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"x":{"S":"a","BOOL":true}}})",
       "ValidationException: 1 validation error detected: Supplied AttributeValue has more than "
       "one datatypes set, must "
       "contain exactly one of the supported datatypes"},
      {"PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"x":{"S":"a","N":"b"}}})",
       "ValidationException: 1 validation error detected: The parameter cannot be converted to a "
       "numeric value: b"},
      {"PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"x":{"N":""}}})",
       "ValidationException: 1 validation error detected: The parameter cannot be converted to a "
       "numeric value: "},
      {"PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"x":{"NS":["1",""]}}})",
       "ValidationException: 1 validation error detected: The parameter cannot be converted to a "
       "numeric value: "},
      {"PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"x":{"NULL":false}}})",
       "ValidationException: 1 validation error detected: One or more parameter values were "
       "invalid: Null attribute value "
       "types must have the value of true"},
      {"PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"x":{"SS":[]}}})",
       "ValidationException: 1 validation error detected: One or more parameter values were "
       "invalid: An string set  may not "
       "be empty"},
      {"PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"x":{"NS":[]}}})",
       "ValidationException: 1 validation error detected: One or more parameter values were "
       "invalid: An number set  may not "
       "be empty"},
      {"PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"x":{"BS":[]}}})",
       "ValidationException: 1 validation error detected: One or more parameter values were "
       "invalid: Binary sets should not "
       "be empty"},
      {"PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"x":{"SS":["b","a","b"]}}})",
       "ValidationException: 1 validation error detected: One or more parameter values were "
       "invalid: Input collection [\"a\", "
       "\"b\", \"b\"] contains duplicates."},
      {"PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"x":{"NS":["1","1.0"]}}})",
       "ValidationException: 1 validation error detected: One or more parameter values were "
       "invalid: Input collection contains duplicates."},
      {"PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"x":{"N":"1e126"}}})",
       "ValidationException: 1 validation error detected: Number overflow. Attempting to store a "
       "number with magnitude larger "
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
  // 31 maps around a scalar put it at level 32, the deepest DynamoDB stores.
  EXPECT_EQ(Outcome("PutItem", nested(31)), "OK");
  EXPECT_EQ(Outcome("PutItem", nested(32)),
            "ValidationException: 1 validation error detected: Nesting Levels have exceeded "
            "supported limits: Attributes in the "
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

// One bad value as each of DynamoDB's two validation layers words it
// (values_json.h; captured in four regions, 2026-10-09).
struct LayerCase {
  const char* value;
  const char* current;
  const char* older;
};

std::string DecodeError(const char* json, ValueLayer layer) {
  JsonDocument doc;
  doc.Parse(json);
  auto v = DecodeAttributeValue(doc, layer);
  return v.ok() ? "OK" : v.error().message;
}

TEST(ValueLayerTest, WordsNumbersAndDuplicateSetsByLayer) {
  constexpr const char* kOverflow =
      "Number overflow. Attempting to store a number with magnitude larger than supported range";
  constexpr const char* kUnderflow =
      "Number underflow. Attempting to store a number with magnitude smaller than supported range";
  const LayerCase cases[] = {
      {R"({"N":"abc"})", "The parameter cannot be converted to a numeric value: abc",
       "The parameter cannot be converted to a numeric value: abc"},
      {R"({"N":""})", "The parameter cannot be converted to a numeric value: ",
       "The parameter cannot be converted to a numeric value"},
      {R"({"N":"1e126"})", kOverflow, kOverflow},
      {R"({"N":"1e2147483647"})", kOverflow, kUnderflow},
      {R"({"NS":["1",""]})", "The parameter cannot be converted to a numeric value: ",
       "The parameter cannot be converted to a numeric value"},
      {R"({"M":{"x":{"L":[{"N":"1e2147483647"}]}}})", kOverflow, kUnderflow},
      // Sorted up to the first repeat, then the repeat, then the rest as sent.
      {R"({"SS":["b","a","b"]})",
       R"(One or more parameter values were invalid: Input collection ["a", "b", "b"] contains duplicates.)",
       "One or more parameter values were invalid: Input collection [b, a, b] contains "
       "duplicates."},
      {R"({"SS":["c","a","c","b"]})",
       R"(One or more parameter values were invalid: Input collection ["a", "c", "c", "b"] contains duplicates.)",
       "One or more parameter values were invalid: Input collection [c, a, c, b] contains "
       "duplicates."},
      // Binary members in byte order: AA== (0x00) before /w== (0xff).
      {R"({"BS":["/w==","AA==","AA=="]})",
       R"(One or more parameter values were invalid: Input collection ["AA==","/w==","AA=="]of type BS contains duplicates.)",
       "One or more parameter values were invalid: Input collection [/w==, AA==, AA==]of type BS "
       "contains duplicates."},
      {R"({"NS":["2","1","2"]})",
       "One or more parameter values were invalid: Input collection contains duplicates.",
       "Input collection contains duplicates"},
      {R"({"NS":["1","1.0"]})",
       "One or more parameter values were invalid: Input collection contains duplicates.",
       "Input collection contains duplicates"},
      {R"({"SS":["b","a"]})", "OK", "OK"},
      {R"({})",
       "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
       "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(DecodeError(c.value, ValueLayer::kCurrent), c.current) << c.value;
    EXPECT_EQ(DecodeError(c.value, ValueLayer::kOlder), c.older) << c.value;
  }
}

// Which layer each operation runs, and where the value's error is wrapped
// or enveloped: PutItem, UpdateItem and DeleteItem envelope the current
// layer; GetItem, BatchGetItem and Query report it bare, expression values
// included; BatchWriteItem, the transactions and Scan run the older layer,
// wrapping an expression value's error with its key and a Scan start key's
// with "The provided starting key is invalid: ".
TEST_F(ApiTest, ValueErrorsByOperation) {
  constexpr const char* kEnvelope = "ValidationException: 1 validation error detected: ";
  const std::string current = "The parameter cannot be converted to a numeric value: ";
  const std::string older = "The parameter cannot be converted to a numeric value";
  const std::string dupe_current =
      R"(One or more parameter values were invalid: Input collection ["a", "b", "b"] contains duplicates.)";
  const std::string dupe_older =
      "One or more parameter values were invalid: Input collection [b, a, b] contains duplicates.";
  const std::string bad_n = R"({"N":""})";
  const std::string dupe = R"({"SS":["b","a","b"]})";
  struct {
    std::string op, body, expected;
  } const cases[] = {
      {"PutItem", R"({"TableName":"hashonly","Item":{"pk":{"S":"a"},"n":)" + bad_n + "}}",
       kEnvelope + current},
      {"PutItem",
       R"({"TableName":"hashonly","Item":{"pk":{"S":"a"}},"ConditionExpression":"n = :v","ExpressionAttributeValues":{":v":)" +
           dupe + "}}",
       kEnvelope + dupe_current},
      {"PutItem",
       R"({"TableName":"hashonly","Item":{"pk":{"S":"a"}},"Expected":{"n":{"Value":)" + bad_n +
           "}}}",
       kEnvelope + current},
      {"UpdateItem",
       R"({"TableName":"hashonly","Key":{"pk":{"S":"a"}},"AttributeUpdates":{"n":{"Action":"PUT","Value":)" +
           dupe + "}}}",
       kEnvelope + dupe_current},
      {"UpdateItem",
       R"({"TableName":"hashonly","Key":{"pk":)" + bad_n +
           R"(},"UpdateExpression":"SET n = :o","ExpressionAttributeValues":{":o":{"N":"1"}}})",
       kEnvelope + current},
      {"DeleteItem", R"({"TableName":"hashonly","Key":{"pk":)" + dupe + "}}",
       kEnvelope + dupe_current},
      {"GetItem", R"({"TableName":"hashonly","Key":{"pk":)" + dupe + "}}",
       "ValidationException: " + dupe_current},
      {"BatchGetItem", R"({"RequestItems":{"hashonly":{"Keys":[{"pk":)" + bad_n + "}]}}}",
       "ValidationException: " + current},
      {"Query",
       R"({"TableName":"tab","KeyConditionExpression":"pk = :p","FilterExpression":"n = :v","ExpressionAttributeValues":{":p":{"S":"a"},":v":)" +
           bad_n + "}}",
       "ValidationException: " + current},
      {"Query",
       R"({"TableName":"tab","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}},"ExclusiveStartKey":{"pk":{"S":"a"},"sk":)" +
           bad_n + "}}",
       "ValidationException: " + current},
      {"BatchWriteItem",
       R"({"RequestItems":{"hashonly":[{"PutRequest":{"Item":{"pk":{"S":"a"},"s":)" + dupe +
           "}}}]}}",
       "ValidationException: " + dupe_older},
      {"Scan",
       R"({"TableName":"tab","FilterExpression":"n = :v","ExpressionAttributeValues":{":v":)" +
           bad_n + "}}",
       "ValidationException: ExpressionAttributeValues contains invalid value: " + older +
           " for key :v"},
      {"TransactWriteItems",
       R"({"TransactItems":[{"Put":{"TableName":"hashonly","Item":{"pk":{"S":"a"},"n":{"N":"1e2147483647"}}}}]})",
       "ValidationException: Number underflow. Attempting to store a number with magnitude "
       "smaller than supported range"},
  };
  for (const auto& c : cases) EXPECT_EQ(Outcome(c.op, c.body), c.expected) << c.body;
}

}  // namespace
}  // namespace dynamo::server
