// Dispatch: the protocol errors every operation shares, and namespaces.
#include <gtest/gtest.h>

#include <set>
#include <thread>

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
