// Query, Scan, indexes, batches and transactions through the in-process API.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "server/api/api.h"
#include "server/api/json.h"

namespace dynamo::server {
namespace {

class ReadApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StorageOptions o;
    o.in_memory = true;
    storage_ = std::move(storage::Storage::Open(o)).value();
    api_ = std::make_unique<Api>(storage_.get(), ApiOptions{});
    ASSERT_EQ(Call("CreateTable", R"j({"TableName":"tab","BillingMode":"PAY_PER_REQUEST",
        "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"},
                                {"AttributeName":"g","AttributeType":"S"},{"AttributeName":"l","AttributeType":"S"}],
        "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
        "GlobalSecondaryIndexes":[{"IndexName":"gsi","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}],
        "LocalSecondaryIndexes":[{"IndexName":"lsi","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"l","KeyType":"RANGE"}],"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["x"]}}]})j")
                  .status,
              200);
    // Sort keys chosen to exercise numeric order: negatives, decimals, exponents.
    for (const char* sk : {"-10", "-1.5", "0", "0.25", "1", "2", "10", "1e3"}) {
      std::string body = std::string(R"j({"TableName":"tab","Item":{"pk":{"S":"p"},"sk":{"N":")j") +
                         sk + R"j("},"g":{"S":"G"},"x":{"S":"X"},"y":{"S":"Y"}}})j";
      ASSERT_EQ(Call("PutItem", body).status, 200) << sk;
    }
  }

  ApiResponse Call(std::string_view op, std::string_view body) {
    return api_->Dispatch({}, op, body);
  }

  JsonDocument Json(std::string_view op, std::string_view body) {
    ApiResponse r = Call(op, body);
    JsonDocument d;
    d.Parse(r.body.c_str());
    EXPECT_EQ(r.status, 200) << r.body;
    return d;
  }

  std::string Keys(const JsonDocument& d) {
    std::string out;
    for (const auto& item : d["Items"].GetArray()) {
      out += (out.empty() ? "" : ",") + std::string(item["sk"]["N"].GetString());
    }
    return out;
  }

  std::string Error(std::string_view op, std::string_view body) {
    ApiResponse r = Call(op, body);
    JsonDocument d;
    d.Parse(r.body.c_str());
    if (r.status == 200) return "OK";
    std::string msg = d.HasMember("message") ? d["message"].GetString() : d["Message"].GetString();
    return msg;
  }

  std::unique_ptr<storage::Storage> storage_;
  std::unique_ptr<Api> api_;
};

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
  std::set<std::string> attrs;
  for (const auto& m : gsi["Items"][0].GetObject()) attrs.insert(m.name.GetString());
  EXPECT_EQ(attrs, (std::set<std::string>{"g", "pk", "sk"}));
  std::set<std::string> lek;
  for (const auto& m : gsi["LastEvaluatedKey"].GetObject()) lek.insert(m.name.GetString());
  EXPECT_EQ(lek, (std::set<std::string>{"g", "pk", "sk"}));
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
  attrs.clear();
  for (const auto& m : lsi["Items"][0].GetObject()) attrs.insert(m.name.GetString());
  EXPECT_EQ(attrs, (std::set<std::string>{"l", "pk", "sk", "x"}));
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

TEST_F(ReadApiTest, BatchLimitsAndDuplicates) {
  std::string keys;
  for (int i = 0; i < 101; ++i)
    keys += (i ? "," : "") + std::string(R"j({"pk":{"S":"p"},"sk":{"N":")j") + std::to_string(i) +
            "\"}}";
  EXPECT_EQ(
      Error("BatchGetItem", R"j({"RequestItems":{"tab":{"Keys":[)j" + keys + "]}}}"),
      "1 validation error detected: Value at 'RequestItems.tab.member.Keys' failed to satisfy "
      "constraint: Member must have length less than or equal to 100");
  ASSERT_EQ(
      Call(
          "CreateTable",
          R"j({"TableName":"other","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}]})j")
          .status,
      200);
  std::string sixty, forty_one;
  for (int i = 0; i < 60; ++i)
    sixty += (i ? "," : "") + std::string(R"j({"pk":{"S":"p"},"sk":{"N":")j") + std::to_string(i) +
             "\"}}";
  for (int i = 0; i < 41; ++i)
    forty_one += (i ? "," : "") + std::string(R"j({"pk":{"S":"p"},"sk":{"N":")j") +
                 std::to_string(i) + "\"}}";
  EXPECT_EQ(Error("BatchGetItem", R"j({"RequestItems":{"tab":{"Keys":[)j" + sixty +
                                      R"j(]},"other":{"Keys":[)j" + forty_one + "]}}}"),
            "Too many items requested for the BatchGetItem call");
  EXPECT_EQ(
      Error(
          "BatchGetItem",
          R"j({"RequestItems":{"tab":{"Keys":[{"pk":{"S":"p"},"sk":{"N":"1"}},{"pk":{"S":"p"},"sk":{"N":"1.0"}}]}}})j"),
      "Provided list of item keys contains duplicates");
  std::string puts;
  for (int i = 0; i < 26; ++i)
    puts += (i ? "," : "") + std::string(R"j({"PutRequest":{"Item":{"pk":{"S":"b"},"sk":{"N":")j") +
            std::to_string(i) + "\"}}}}";
  EXPECT_EQ(Error("BatchWriteItem", R"j({"RequestItems":{"tab":[)j" + puts + "]}}"),
            "1 validation error detected: Value at 'RequestItems.tab.member' failed to satisfy "
            "constraint: Member must have length less than or equal to 25");
  auto got = Json(
      "BatchGetItem",
      R"j({"RequestItems":{"tab":{"Keys":[{"pk":{"S":"p"},"sk":{"N":"1"}},{"pk":{"S":"none"},"sk":{"N":"1"}}],"ProjectionExpression":"sk"}}})j");
  ASSERT_EQ(got["Responses"]["tab"].Size(), 1u);
  EXPECT_TRUE(got["UnprocessedKeys"].ObjectEmpty());
}

TEST_F(ReadApiTest, TransactionsAreAllOrNothing) {
  auto r = Call("TransactWriteItems", R"j({"TransactItems":[
      {"Put":{"TableName":"tab","Item":{"pk":{"S":"tx"},"sk":{"N":"1"}}}},
      {"ConditionCheck":{"TableName":"tab","Key":{"pk":{"S":"p"},"sk":{"N":"1"}},"ConditionExpression":"attribute_not_exists(pk)","ReturnValuesOnConditionCheckFailure":"ALL_OLD"}},
      {"Delete":{"TableName":"tab","Key":{"pk":{"S":"p"},"sk":{"N":"2"}}}}]})j");
  EXPECT_EQ(r.status, 400);
  JsonDocument d;
  d.Parse(r.body.c_str());
  EXPECT_STREQ(d["Message"].GetString(),
               "Transaction cancelled, please refer cancellation reasons for specific reasons "
               "[None, ConditionalCheckFailed, None]");
  ASSERT_EQ(d["CancellationReasons"].Size(), 3u);
  EXPECT_FALSE(d["CancellationReasons"][0].HasMember("Message"));
  EXPECT_STREQ(d["CancellationReasons"][1]["Message"].GetString(),
               "The conditional request failed");
  EXPECT_STREQ(d["CancellationReasons"][1]["Item"]["sk"]["N"].GetString(), "1");
  // Nothing of the cancelled transaction is visible.
  EXPECT_EQ(Call("GetItem", R"j({"TableName":"tab","Key":{"pk":{"S":"tx"},"sk":{"N":"1"}}})j").body,
            "{}");
  EXPECT_NE(Call("GetItem", R"j({"TableName":"tab","Key":{"pk":{"S":"p"},"sk":{"N":"2"}}})j").body,
            "{}");
  EXPECT_EQ(
      Error(
          "TransactWriteItems",
          R"j({"TransactItems":[{"Put":{"TableName":"tab","Item":{"pk":{"S":"a"},"sk":{"N":"1"}}}},{"Delete":{"TableName":"tab","Key":{"pk":{"S":"a"},"sk":{"N":"1.0"}}}}]})j"),
      "Transaction request cannot include multiple operations on one item");
  // An update type error is a ValidationError reason and stops evaluation.
  r = Call("TransactWriteItems", R"j({"TransactItems":[
      {"Update":{"TableName":"tab","Key":{"pk":{"S":"p"},"sk":{"N":"1"}},"UpdateExpression":"SET y = y + :one","ExpressionAttributeValues":{":one":{"N":"1"}}}},
      {"ConditionCheck":{"TableName":"tab","Key":{"pk":{"S":"p"},"sk":{"N":"2"}},"ConditionExpression":"attribute_not_exists(pk)"}}]})j");
  d.Parse(r.body.c_str());
  ASSERT_TRUE(d.HasMember("CancellationReasons")) << r.body;
  // The reason after the ValidationError stays None although its condition would fail.
  EXPECT_STREQ(d["CancellationReasons"][1]["Code"].GetString(), "None");
  EXPECT_STREQ(d["CancellationReasons"][0]["Code"].GetString(), "ValidationError");
  EXPECT_STREQ(d["CancellationReasons"][0]["Message"].GetString(),
               "An operand in the update expression has an incorrect data type");
}

TEST_F(ReadApiTest, IdempotencyTokensReplayWithoutReexecuting) {
  const char* request =
      R"j({"ClientRequestToken":"tok","TransactItems":[{"Update":{"TableName":"tab","Key":{"pk":{"S":"c"},"sk":{"N":"1"}},"UpdateExpression":"ADD n :one","ExpressionAttributeValues":{":one":{"N":"1"}}}}]})j";
  ASSERT_EQ(Call("TransactWriteItems", request).status, 200);
  // Same meaning, different key order: a replay.
  ASSERT_EQ(
      Call(
          "TransactWriteItems",
          R"j({"TransactItems":[{"Update":{"Key":{"sk":{"N":"1"},"pk":{"S":"c"}},"TableName":"tab","ExpressionAttributeValues":{":one":{"N":"1"}},"UpdateExpression":"ADD n :one"}}],"ClientRequestToken":"tok"})j")
          .status,
      200);
  EXPECT_EQ(Call("GetItem", R"j({"TableName":"tab","Key":{"pk":{"S":"c"},"sk":{"N":"1"}}})j").body,
            R"j({"Item":{"n":{"N":"1"},"pk":{"S":"c"},"sk":{"N":"1"}}})j");
  EXPECT_EQ(
      Error(
          "TransactWriteItems",
          R"j({"ClientRequestToken":"tok","TransactItems":[{"Update":{"TableName":"tab","Key":{"pk":{"S":"c"},"sk":{"N":"1"}},"UpdateExpression":"ADD n :two","ExpressionAttributeValues":{":two":{"N":"2"}}}}]})j"),
      "Transaction with the same ClientRequestToken but different parameters has already been "
      "submitted");
}

TEST(TransactionWindowTest, TokensExpireAfterTenMinutes) {
  storage::StorageOptions o;
  o.in_memory = true;
  auto storage = std::move(storage::Storage::Open(o)).value();
  double now = 1000;
  ApiOptions ao;
  ao.clock = [&now] { return now; };
  Api api(storage.get(), ao);
  ASSERT_EQ(
      api.Dispatch(
             {}, "CreateTable",
             R"j({"TableName":"win","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]})j")
          .status,
      200);
  const char* request =
      R"j({"ClientRequestToken":"tok","TransactItems":[{"Update":{"TableName":"win","Key":{"pk":{"S":"c"}},"UpdateExpression":"ADD n :one","ExpressionAttributeValues":{":one":{"N":"1"}}}}]})j";
  ASSERT_EQ(api.Dispatch({}, "TransactWriteItems", request).status, 200);
  now += 599;
  ASSERT_EQ(api.Dispatch({}, "TransactWriteItems", request).status, 200);  // replay
  now += 2;  // past the window: a new request
  ASSERT_EQ(api.Dispatch({}, "TransactWriteItems", request).status, 200);
  EXPECT_EQ(api.Dispatch({}, "GetItem", R"j({"TableName":"win","Key":{"pk":{"S":"c"}}})j").body,
            R"j({"Item":{"n":{"N":"2"},"pk":{"S":"c"}}})j");
}

}  // namespace
}  // namespace dynamo::server

namespace dynamo::server {
namespace {

TEST_F(ReadApiTest, ItemCollectionMetricsOnTablesWithLocalIndexes) {
  EXPECT_EQ(
      Call(
          "PutItem",
          R"j({"TableName":"tab","Item":{"pk":{"S":"m"},"sk":{"N":"1"}},"ReturnItemCollectionMetrics":"SIZE"})j")
          .body,
      R"j({"ItemCollectionMetrics":{"ItemCollectionKey":{"pk":{"S":"m"}},"SizeEstimateRangeGB":[0.0,1.0]}})j");
  EXPECT_EQ(
      Call(
          "PutItem",
          R"j({"TableName":"tab","Item":{"pk":{"S":"m"},"sk":{"N":"1"}},"ReturnItemCollectionMetrics":"NONE"})j")
          .body,
      "{}");
}

}  // namespace
}  // namespace dynamo::server

namespace dynamo::server {
namespace {

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

namespace dynamo::server {
namespace {

// Past 16 MB of results, BatchGetItem returns the remaining keys as
// UnprocessedKeys (with the table's read options) instead of reading them.
TEST_F(ReadApiTest, BatchGetItemHonoursTheResponseSizeCap) {
  const std::string pad(400000, 'x');
  std::string keys;
  for (int i = 0; i < 45; ++i) {
    ASSERT_EQ(Call("PutItem", R"j({"TableName":"tab","Item":{"pk":{"S":"big"},"sk":{"N":")j" + std::to_string(i) +
                                  R"j("},"pad":{"S":")j" + pad + R"j("}}})j").status, 200);
    keys += (i ? "," : "") + std::string(R"j({"pk":{"S":"big"},"sk":{"N":")j") + std::to_string(i) + "\"}}";
  }
  auto d = Json("BatchGetItem", R"j({"RequestItems":{"tab":{"Keys":[)j" + keys + R"j(],"ConsistentRead":true}}})j");
  size_t returned = d["Responses"]["tab"].Size();
  ASSERT_TRUE(d["UnprocessedKeys"].HasMember("tab"));
  size_t unprocessed = d["UnprocessedKeys"]["tab"]["Keys"].Size();
  EXPECT_EQ(returned + unprocessed, 45u);
  EXPECT_GT(unprocessed, 0u);
  EXPECT_LE(returned * 400000, 16u * 1024 * 1024 + 400000);
  EXPECT_TRUE(d["UnprocessedKeys"]["tab"]["ConsistentRead"].GetBool());
}

}  // namespace
}  // namespace dynamo::server
