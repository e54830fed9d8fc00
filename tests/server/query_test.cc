// Query and Scan: key conditions, paging, indexes, segments, validation.
#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <tuple>

#include "tests/server/api_fixture.h"

namespace dynamo::server {
namespace {

std::set<std::string> MemberNames(const JsonValue& object) {
  std::set<std::string> names;
  for (const auto& m : object.GetObject()) names.insert(m.name.GetString());
  return names;
}

TEST_F(ReadApiTest, KeyConditionsSelectRangesInNumericOrder) {
  const std::pair<const char*, const char*> cases[] = {
      {"pk = :p", "-10,-1.5,0,0.25,1,2,10,1000"},
      {"pk = :p AND sk < :one", "-10,-1.5,0,0.25"},
      {"pk = :p AND sk <= :one", "-10,-1.5,0,0.25,1"},
      {"pk = :p AND sk > :one", "2,10,1000"},
      {"pk = :p AND sk >= :one", "1,2,10,1000"},
      {"pk = :p AND sk = :one", "1"},
      {"pk = :p AND sk BETWEEN :neg AND :one", "-1.5,0,0.25,1"},
      {":one <= sk AND pk = :p", "1,2,10,1000"},
  };
  for (const auto& [cond, expected] : cases) {
    std::string body = std::string(R"j({"TableName":"tab","KeyConditionExpression":")j") + cond +
                       R"j(","ExpressionAttributeValues":{":p":{"S":"p"})j";
    std::string text = cond;
    if (text.find(":one") != std::string::npos) body += R"j(,":one":{"N":"1"})j";
    if (text.find(":neg") != std::string::npos) body += R"j(,":neg":{"N":"-1.5"})j";
    body += "}}";
    EXPECT_EQ(Keys(Json("Query", body)), expected) << cond;
  }
  auto desc = Json(
      "Query",
      R"j({"TableName":"tab","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p"}},"ScanIndexForward":false})j");
  EXPECT_EQ(Keys(desc), "1000,10,2,1,0.25,0,-1.5,-10");
}

TEST_F(ReadApiTest, LimitCountsItemsBeforeTheFilterAndPagesResume) {
  auto page1 = Json(
      "Query",
      R"j({"TableName":"tab","KeyConditionExpression":"pk = :p","FilterExpression":"y = :n","ExpressionAttributeValues":{":p":{"S":"p"},":n":{"S":"no"}},"Limit":3})j");
  EXPECT_EQ(page1["Count"].GetInt(), 0);
  EXPECT_EQ(page1["ScannedCount"].GetInt(), 3);
  ASSERT_TRUE(page1.HasMember("LastEvaluatedKey"));
  EXPECT_STREQ(page1["LastEvaluatedKey"]["sk"]["N"].GetString(), "0");
  auto page2 = Json(
      "Query",
      R"j({"TableName":"tab","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p"}},"Limit":5,"ExclusiveStartKey":{"pk":{"S":"p"},"sk":{"N":"0"}}})j");
  EXPECT_EQ(Keys(page2), "0.25,1,2,10,1000");
  // The Limit reached exactly at the end still yields a LastEvaluatedKey.
  EXPECT_TRUE(page2.HasMember("LastEvaluatedKey"));
  auto page3 = Json(
      "Query",
      R"j({"TableName":"tab","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p"}},"ExclusiveStartKey":{"pk":{"S":"p"},"sk":{"N":"1000"}}})j");
  EXPECT_EQ(page3["Count"].GetInt(), 0);
  EXPECT_FALSE(page3.HasMember("LastEvaluatedKey"));
  auto count = Json(
      "Query",
      R"j({"TableName":"tab","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p"}},"Select":"COUNT"})j");
  EXPECT_FALSE(count.HasMember("Items"));
  EXPECT_EQ(count["Count"].GetInt(), 8);
}

TEST_F(ReadApiTest, IndexesProjectAndAreSparse) {
  auto gsi = Json(
      "Query",
      R"j({"TableName":"tab","IndexName":"gsi","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"G"}},"Limit":1})j");
  ASSERT_EQ(gsi["Items"].Size(), 1u);
  EXPECT_EQ(MemberNames(gsi["Items"][0]), (std::set<std::string>{"g", "pk", "sk"}));
  EXPECT_EQ(MemberNames(gsi["LastEvaluatedKey"]), (std::set<std::string>{"g", "pk", "sk"}));
  // Only items with the index key are in the index.
  EXPECT_EQ(Json("Scan", R"j({"TableName":"tab","IndexName":"lsi"})j")["Count"].GetInt(), 0);
  ASSERT_EQ(
      Call(
          "UpdateItem",
          R"j({"TableName":"tab","Key":{"pk":{"S":"p"},"sk":{"N":"1"}},"UpdateExpression":"SET l = :l","ExpressionAttributeValues":{":l":{"S":"L"}}})j")
          .status,
      200);
  auto lsi = Json(
      "Query",
      R"j({"TableName":"tab","IndexName":"lsi","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p"}}})j");
  ASSERT_EQ(lsi["Count"].GetInt(), 1);
  EXPECT_EQ(MemberNames(lsi["Items"][0]), (std::set<std::string>{"l", "pk", "sk", "x"}));
  // Deleting the item removes its index entries.
  ASSERT_EQ(
      Call("DeleteItem", R"j({"TableName":"tab","Key":{"pk":{"S":"p"},"sk":{"N":"1"}}})j").status,
      200);
  EXPECT_EQ(Json("Scan", R"j({"TableName":"tab","IndexName":"lsi"})j")["Count"].GetInt(), 0);
  EXPECT_EQ(Json("Scan", R"j({"TableName":"tab","IndexName":"gsi"})j")["Count"].GetInt(), 7);
}

TEST_F(ReadApiTest, ParallelScanSegmentsAreDisjointAndComplete) {
  for (int i = 0; i < 200; ++i) {
    std::string body = R"j({"TableName":"tab","Item":{"pk":{"S":"k)j" + std::to_string(i) +
                       R"j("},"sk":{"N":"1"}}})j";
    ASSERT_EQ(Call("PutItem", body).status, 200);
  }
  for (int total : {1, 4, 7}) {
    std::multiset<std::string> seen;
    for (int seg = 0; seg < total; ++seg) {
      std::string start;
      do {
        std::string body = R"j({"TableName":"tab","Limit":13,"Segment":)j" + std::to_string(seg) +
                           R"j(,"TotalSegments":)j" + std::to_string(total) + start + "}";
        auto d = Json("Scan", body);
        for (const auto& item : d["Items"].GetArray()) {
          seen.insert(std::string(item["pk"]["S"].GetString()) + "/" + item["sk"]["N"].GetString());
        }
        start.clear();
        if (d.HasMember("LastEvaluatedKey")) {
          rapidjson::StringBuffer buf;
          JsonWriter w(buf);
          d["LastEvaluatedKey"].Accept(w);
          start = std::string(R"j(,"ExclusiveStartKey":)j") + buf.GetString();
        }
      } while (!start.empty());
    }
    EXPECT_EQ(seen.size(), 208u) << total;
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 208u) << total;
  }
}

TEST_F(ReadApiTest, ReadValidationMessages) {
  const std::pair<const char*, const char*> cases[] = {
      {R"j({"TableName":"tab","KeyConditionExpression":"sk = :one","ExpressionAttributeValues":{":one":{"N":"1"}}})j",
       "Query condition missed key schema element: pk"},
      {R"j({"TableName":"tab","KeyConditionExpression":"pk = :p OR pk = :p","ExpressionAttributeValues":{":p":{"S":"p"}}})j",
       "Invalid operator used in KeyConditionExpression: OR"},
      {R"j({"TableName":"tab","KeyConditionExpression":"pk = :one","ExpressionAttributeValues":{":one":{"N":"1"}}})j",
       "One or more parameter values were invalid: Condition parameter type does not match schema "
       "type"},
      {R"j({"TableName":"tab","KeyConditionExpression":"pk = :p","FilterExpression":"sk > :one","ExpressionAttributeValues":{":p":{"S":"p"},":one":{"N":"1"}}})j",
       "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk"},
      {R"j({"TableName":"tab","IndexName":"nope","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p"}}})j",
       "The table does not have the specified index: nope"},
      {R"j({"TableName":"tab","IndexName":"gsi","ConsistentRead":true,"KeyConditionExpression":"g = :p","ExpressionAttributeValues":{":p":{"S":"p"}}})j",
       "Consistent reads are not supported on global secondary indexes"},
      {R"j({"TableName":"tab","IndexName":"gsi","Select":"ALL_ATTRIBUTES","KeyConditionExpression":"g = :p","ExpressionAttributeValues":{":p":{"S":"p"}}})j",
       "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for "
       "global secondary index gsi because its projection type is not ALL"},
      {R"j({"TableName":"tab"})j",
       "Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
       "request."},
      {R"j({"TableName":"tab","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"p"}]},"sk":{"ComparisonOperator":"GT","AttributeValueList":[{"N":"5"}]}}})j",
       "OK"},
  };
  for (const auto& [body, expected] : cases) EXPECT_EQ(Error("Query", body), expected) << body;
  EXPECT_EQ(Error("Scan", R"j({"TableName":"tab","Segment":0})j"),
            "The TotalSegments parameter is required but was not present in the request when "
            "Segment parameter is present");
  EXPECT_EQ(Error("Scan", R"j({"TableName":"tab","Segment":4,"TotalSegments":4})j"),
            "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
            "Segment: 4 is not less than TotalSegments: 4");
}

// No projection, filter or update target may dig into a key attribute of the
// table ("Key: ") or of any of its indexes ("IndexKey: "), whichever is read.
TEST_F(ReadApiTest, KeyAttributesMustBeScalars) {
  constexpr const char* kPrefix =
      "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
      "allowed: ";
  const std::tuple<const char*, const char*, std::string> cases[] = {
      {"Scan",
       R"j({"TableName":"tab","FilterExpression":"g[1] = :v","ExpressionAttributeValues":{":v":{"S":"a"}}})j",
       std::string(kPrefix) + "IndexKey: g"},
      {"Scan", R"j({"TableName":"tab","FilterExpression":"attribute_exists(g.c)"})j",
       std::string(kPrefix) + "IndexKey: g"},
      {"Scan",
       R"j({"TableName":"tab","FilterExpression":"pk.c = :v","ExpressionAttributeValues":{":v":{"S":"a"}}})j",
       std::string(kPrefix) + "Key: pk"},
      {"Query",
       R"j({"TableName":"tab","KeyConditionExpression":"pk = :p","FilterExpression":"l.x = :p","ExpressionAttributeValues":{":p":{"S":"p"}}})j",
       std::string(kPrefix) + "IndexKey: l"},
      {"Scan", R"j({"TableName":"tab","ProjectionExpression":"sk.c"})j",
       std::string(kPrefix) + "Key: sk"},
      {"Scan", R"j({"TableName":"tab","IndexName":"gsi","ProjectionExpression":"g[0]"})j",
       std::string(kPrefix) + "IndexKey: g"},
      // Table key attributes are reported before index key attributes.
      {"Scan", R"j({"TableName":"tab","ProjectionExpression":"g.a, pk.a"})j",
       std::string(kPrefix) + "Key: pk"},
      {"Query",
       R"j({"TableName":"tab","KeyConditionExpression":"pk = :p","ProjectionExpression":"x, l[2]","ExpressionAttributeValues":{":p":{"S":"p"}}})j",
       std::string(kPrefix) + "IndexKey: l"},
      {"GetItem",
       R"j({"TableName":"tab","Key":{"pk":{"S":"p"},"sk":{"N":"1"}},"ProjectionExpression":"#a.b.c","ExpressionAttributeNames":{"#a":"pk"}})j",
       std::string(kPrefix) + "Key: pk"},
      {"GetItem",
       R"j({"TableName":"tab","Key":{"pk":{"S":"p"},"sk":{"N":"1"}},"ProjectionExpression":"#a[0]","ExpressionAttributeNames":{"#a":"g"}})j",
       std::string(kPrefix) + "IndexKey: g"},
      {"UpdateItem",
       R"j({"TableName":"tab","Key":{"pk":{"S":"p"},"sk":{"N":"1"}},"UpdateExpression":"SET g.x = :v","ExpressionAttributeValues":{":v":{"S":"a"}}})j",
       std::string(kPrefix) + "IndexKey: g"},
      {"UpdateItem",
       R"j({"TableName":"tab","Key":{"pk":{"S":"p"},"sk":{"N":"1"}},"UpdateExpression":"SET sk.x = :v","ExpressionAttributeValues":{":v":{"S":"a"}}})j",
       "One or more parameter values were invalid: Cannot update attribute sk. This attribute is "
       "part of the key"},
      // A whole key attribute, or an attribute that merely shares a prefix, is fine.
      {"Scan",
       R"j({"TableName":"tab","ProjectionExpression":"g, gg.a","FilterExpression":"attribute_exists(g)"})j",
       "OK"},
  };
  for (const auto& [op, body, expected] : cases) EXPECT_EQ(Error(op, body), expected) << body;
}

// Legacy KeyConditions are checked in DynamoDB's own terms, never in those of
// their expression translation; Condition enum errors name the parameter.
TEST_F(ReadApiTest, LegacyConditionMessages) {
  const std::tuple<const char*, const char*, const char*> cases[] = {
      {"Query", R"j({"TableName":"tab","KeyConditions":{"pk":{"ComparisonOperator":"NULL"}}})j",
       "Attempted conditional constraint is not an indexable operation"},
      {"Query", R"j({"TableName":"tab","KeyConditions":{"pk":{"ComparisonOperator":"NOT_NULL"}}})j",
       "Attempted conditional constraint is not an indexable operation"},
      {"Query",
       R"j({"TableName":"tab","KeyConditions":{"pk":{"ComparisonOperator":"NE","AttributeValueList":[{"S":"p"}]}}})j",
       "Attempted conditional constraint is not an indexable operation"},
      {"Query",
       R"j({"TableName":"tab","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"p"}]},"sk":{"ComparisonOperator":"NOT_CONTAINS","AttributeValueList":[{"N":"1"}]}}})j",
       "Attempted conditional constraint is not an indexable operation"},
      {"Query",
       R"j({"TableName":"tab","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"p"}]},"sk":{"ComparisonOperator":"CONTAINS","AttributeValueList":[{"N":"1"}]}}})j",
       "Attempted conditional constraint is not an indexable operation"},
      {"Query",
       R"j({"TableName":"tab","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"p"}]},"sk":{"ComparisonOperator":"IN","AttributeValueList":[{"N":"1"}]}}})j",
       "Attempted conditional constraint is not an indexable operation"},
      {"Query", R"j({"TableName":"tab","KeyConditions":{"zz":{"ComparisonOperator":"NULL"}}})j",
       "Query condition missed key schema element: pk"},
      {"Query", R"j({"TableName":"tab","KeyConditions":{}})j",
       "Conditions can be of length 1 or 2 only"},
      {"Query",
       R"j({"TableName":"tab","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"p"}]},"sk":{"ComparisonOperator":"EQ","AttributeValueList":[{"N":"1"}]},"x":{"ComparisonOperator":"NULL"}}})j",
       "Conditions can be of length 1 or 2 only"},
      {"Query", R"j({"TableName":"tab","KeyConditions":{"pk":{"ComparisonOperator":"XX"}}})j",
       "1 validation error detected: Value 'XX' at 'keyConditions.pk.member.comparisonOperator' "
       "failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, "
       "NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"},
      {"Query",
       R"j({"TableName":"tab","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"p"}]}},"QueryFilter":{"x":{}}})j",
       "1 validation error detected: Value null at 'queryFilter.x.member.comparisonOperator' "
       "failed to satisfy constraint: Member must not be null"},
      {"Scan", R"j({"TableName":"tab","ScanFilter":{"s":{"ComparisonOperator":"XX"}}})j",
       "1 validation error detected: Value 'XX' at 'scanFilter.s.member.comparisonOperator' "
       "failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, "
       "NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"},
      {"Scan", R"j({"TableName":"tab","ScanFilter":{"s":{}}})j",
       "1 validation error detected: Value null at 'scanFilter.s.member.comparisonOperator' "
       "failed to satisfy constraint: Member must not be null"},
  };
  for (const auto& [op, body, expected] : cases) EXPECT_EQ(Error(op, body), expected) << body;
}

// ExclusiveStartKey faults, in DynamoDB's order: the queried key (bare
// messages) around the key condition, then an index read's table key
// (prefixed); a Scan of the table prefixes every fault. A bad value in the
// start key is prefixed by Scan (older layer) and bare in a Query (current
// layer, values_json.h).
TEST_F(ReadApiTest, ExclusiveStartKeyMessages) {
  constexpr const char* kInvalid = "The provided starting key is invalid";
  constexpr const char* kMismatch = "The provided key element does not match the schema";
  constexpr const char* kPrefixed =
      "The provided starting key is invalid: The provided key element does not match the schema";
  const std::tuple<const char*, const char*, const char*> cases[] = {
      {"Query",
       R"j({"TableName":"tab","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p"}},"ExclusiveStartKey":{}})j",
       kInvalid},
      {"Query",
       R"j({"TableName":"tab","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p"}},"ExclusiveStartKey":{"pk":{"S":"p"},"zz":{"N":"1"}}})j",
       kInvalid},
      {"Query",
       R"j({"TableName":"tab","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p"}},"ExclusiveStartKey":{"pk":{"N":"1"},"sk":{"N":"1"}}})j",
       kMismatch},
      {"Query",
       R"j({"TableName":"tab","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p"}},"ExclusiveStartKey":{"pk":{"S":"p"},"sk":{"S":"1"}}})j",
       kMismatch},
      // The partition key of the start key comes before the key condition...
      {"Query",
       R"j({"TableName":"tab","KeyConditionExpression":"zz = :p","ExpressionAttributeValues":{":p":{"S":"p"}},"ExclusiveStartKey":{"pk":{"N":"1"},"sk":{"N":"1"}}})j",
       kMismatch},
      // ...and its sort key after it.
      {"Query",
       R"j({"TableName":"tab","KeyConditionExpression":"zz = :p","ExpressionAttributeValues":{":p":{"S":"p"}},"ExclusiveStartKey":{"pk":{"S":"p"},"sk":{"S":"1"}}})j",
       "Query condition missed key schema element: pk"},
      {"Query",
       R"j({"TableName":"tab","IndexName":"gsi","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"G"}},"ExclusiveStartKey":{"g":{"S":"G"}}})j",
       kInvalid},
      {"Query",
       R"j({"TableName":"tab","IndexName":"gsi","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"G"}},"ExclusiveStartKey":{"pk":{"S":"p"},"sk":{"N":"1"},"g":{"N":"1"}}})j",
       kMismatch},
      {"Query",
       R"j({"TableName":"tab","IndexName":"gsi","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"G"}},"ExclusiveStartKey":{"pk":{"N":"1"},"sk":{"N":"1"},"g":{"S":"G"}}})j",
       kPrefixed},
      {"Query",
       R"j({"TableName":"tab","IndexName":"gsi","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"G"}},"ExclusiveStartKey":{"x":{"S":"p"},"y":{"N":"1"},"g":{"S":"G"}}})j",
       kPrefixed},
      {"Query",
       R"j({"TableName":"tab","IndexName":"lsi","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p"}},"ExclusiveStartKey":{"pk":{"S":"p"},"sk":{"S":"1"},"l":{"S":"a"}}})j",
       kPrefixed},
      {"Query",
       R"j({"TableName":"tab","IndexName":"gsi","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"G"}},"ExclusiveStartKey":{"pk":{"S":"p"},"sk":{"N":"1"},"g":{"S":"G"}}})j",
       "OK"},
      {"Query",
       R"j({"TableName":"tab","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p"}},"ExclusiveStartKey":{"pk":{"S":"p"},"sk":{"N":"b"}}})j",
       "The parameter cannot be converted to a numeric value: b"},
      {"Query",
       R"j({"TableName":"tab","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p"}},"ExclusiveStartKey":{"pk":{},"sk":{"N":"1"}}})j",
       "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
      {"Scan", R"j({"TableName":"tab","ExclusiveStartKey":{"pk":{"S":"p"}}})j", kPrefixed},
      {"Scan", R"j({"TableName":"tab","ExclusiveStartKey":{"pk":{"N":"1"},"sk":{"N":"1"}}})j",
       kPrefixed},
      {"Scan", R"j({"TableName":"tab","IndexName":"gsi","ExclusiveStartKey":{"g":{"S":"G"}}})j",
       kInvalid},
      {"Scan",
       R"j({"TableName":"tab","IndexName":"gsi","ExclusiveStartKey":{"pk":{"S":"p"},"sk":{"N":"1"},"g":{"N":"1"}}})j",
       kMismatch},
      {"Scan",
       R"j({"TableName":"tab","IndexName":"gsi","ExclusiveStartKey":{"pk":{"S":"p"},"sk":{"S":"1"},"g":{"S":"G"}}})j",
       kPrefixed},
      {"Scan", R"j({"TableName":"tab","ExclusiveStartKey":{"pk":{"S":"p"},"sk":{"N":""}}})j",
       "The provided starting key is invalid: The parameter cannot be converted to a numeric "
       "value"},
  };
  for (const auto& [op, body, expected] : cases) EXPECT_EQ(Error(op, body), expected) << body;
}

// Paging is stable under concurrent writes: no item is returned twice, and
// every item that existed for the whole scan is returned.
TEST_F(ReadApiTest, ScanPagingIsStableUnderConcurrentWrites) {
  for (int i = 0; i < 300; ++i) {
    ASSERT_EQ(Call("PutItem", R"j({"TableName":"tab","Item":{"pk":{"S":"s)j" + std::to_string(i) +
                                  R"j("},"sk":{"N":"1"}}})j")
                  .status,
              200);
  }
  std::multiset<std::string> seen;
  std::string start;
  int page = 0;
  do {
    auto d = Json("Scan", R"j({"TableName":"tab","Limit":7)j" + start + "}");
    for (const auto& item : d["Items"].GetArray()) {
      seen.insert(std::string(item["pk"]["S"].GetString()) + "/" + item["sk"]["N"].GetString());
    }
    // Between pages: new items appear, other new items vanish, old ones are rewritten.
    for (int k = 0; k < 5; ++k) {
      std::string key = "new" + std::to_string(page * 5 + k);
      ASSERT_EQ(Call("PutItem", R"j({"TableName":"tab","Item":{"pk":{"S":")j" + key +
                                    R"j("},"sk":{"N":"1"}}})j")
                    .status,
                200);
    }
    if (page > 0) {
      std::string gone = "new" + std::to_string((page - 1) * 5);
      ASSERT_EQ(Call("DeleteItem", R"j({"TableName":"tab","Key":{"pk":{"S":")j" + gone +
                                       R"j("},"sk":{"N":"1"}}})j")
                    .status,
                200);
    }
    ASSERT_EQ(Call("PutItem", R"j({"TableName":"tab","Item":{"pk":{"S":"s)j" +
                                  std::to_string(page % 300) + R"j("},"sk":{"N":"1"},"v":{"N":")j" +
                                  std::to_string(page) + R"j("}}})j")
                  .status,
              200);
    start.clear();
    if (d.HasMember("LastEvaluatedKey")) {
      rapidjson::StringBuffer buf;
      JsonWriter w(buf);
      d["LastEvaluatedKey"].Accept(w);
      start = std::string(R"j(,"ExclusiveStartKey":)j") + buf.GetString();
    }
    ++page;
  } while (!start.empty());
  for (const auto& key : std::set<std::string>(seen.begin(), seen.end())) {
    EXPECT_EQ(seen.count(key), 1u) << key;
  }
  for (int i = 0; i < 300; ++i) EXPECT_EQ(seen.count("s" + std::to_string(i) + "/1"), 1u) << i;
  for (const char* sk : {"-10", "-1.5", "0", "0.25", "1", "2", "10", "1000"}) {
    EXPECT_EQ(seen.count(std::string("p/") + sk), 1u) << sk;
  }
}

}  // namespace
}  // namespace dynamo::server
