// Dispatch: the protocol errors every operation shares, and namespaces.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "server/api/json_parse.h"
#include "tests/server/api_fixture.h"

namespace dynamo::server {
namespace {

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

TEST_F(ApiTest, NamespacesAreSeparateUnlessShared) {
  RequestContext other;
  other.access_key = "OTHER";
  EXPECT_EQ(Call("ListTables", "{}", other).body, R"({"TableNames":[]})");
  RequestContext other_region;
  other_region.region = "eu-west-1";
  EXPECT_EQ(Call("ListTables", "{}", other_region).body, R"({"TableNames":[]})");
  EXPECT_EQ(Call("ListTables", "{}").body, R"({"TableNames":["hashonly","tab"]})");
}

}  // namespace
}  // namespace dynamo::server

namespace dynamo::server {
namespace {

// Regression: a TransactWriteItems nesting arrays 150,000 deep in a field it
// does not use, or a Put whose M attribute nests 70,000 deep, overflowed the
// stack (the size check and the token's canonical form walk the request
// recursively). Every operation refuses such nesting before walking it.
TEST_F(ApiTest, DeepNestingIsRefusedByEveryOperation) {
  const std::string deep_junk =
      R"({"Junk":)" + std::string(150000, '[') + std::string(150000, ']') + "}";
  for (const char* op : {"CreateTable", "DescribeTable", "ListTables", "DeleteTable", "UpdateTable",
                         "DescribeEndpoints", "DescribeLimits", "GetItem", "PutItem", "DeleteItem",
                         "UpdateItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
                         "TransactWriteItems", "TransactGetItems"}) {
    EXPECT_EQ(Outcome(op, deep_junk), "SerializationException: ") << op;
  }
  std::string deep_map;
  for (int i = 0; i < 70000; ++i) deep_map += R"({"M":{"a":)";
  deep_map += R"({"S":"x"})";
  for (int i = 0; i < 70000; ++i) deep_map += "}}";
  EXPECT_EQ(
      Outcome("TransactWriteItems",
              R"({"TransactItems":[{"Put":{"TableName":"hashonly","Item":{"pk":{"S":"k"},"m":)" +
                  deep_map + "}}}]}"),
      "SerializationException: ");
  EXPECT_EQ(Outcome("PutItem",
                    R"({"TableName":"hashonly","Item":{"pk":{"S":"k"},"m":)" + deep_map + "}}"),
            "SerializationException: ");
  // At the limit the request is read, and the unknown member ignored.
  auto junk = [](size_t depth) {
    return R"({"TransactItems":[{"Put":{"TableName":"hashonly","Item":{"pk":{"S":"j"}}}}],"Junk":)" +
           std::string(depth, '[') + std::string(depth, ']') + "}";
  };
  EXPECT_EQ(Outcome("TransactWriteItems", junk(kMaxJsonNesting - 1)), "OK");
  EXPECT_EQ(Outcome("TransactWriteItems", junk(kMaxJsonNesting)), "SerializationException: ");
  // A legal attribute nested 32 levels is far inside the limit; 33 levels
  // get DynamoDB's nesting error, not a parse error.
  auto nested = [](int levels) {
    std::string v = R"({"S":"x"})";
    for (int i = 0; i < levels; ++i) v = R"({"M":{"a":)" + v + "}}";
    return R"({"TableName":"hashonly","Item":{"pk":{"S":"n"},"m":)" + v + "}}";
  };
  EXPECT_EQ(Outcome("PutItem", nested(31)), "OK");
  EXPECT_EQ(Outcome("PutItem", nested(40)),
            "ValidationException: 1 validation error detected: Nesting Levels have exceeded "
            "supported limits: Attributes in "
            "the item have nested levels beyond supported limit");
}

}  // namespace
}  // namespace dynamo::server
